"""The licence report as a workbook: one sheet per topic (requests, decisions, lead times, seats).

Headers and values come from the catalogs (Dutch unless asked otherwise); dates are real Excel
dates in the configured time zone, lead times numbers of hours, so admins can filter and pivot.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta, tzinfo
from typing import TypeVar

from bot.domain.licences.names import SKU_NAMES
from bot.domain.licences.report import (
    DecisionRow,
    LeadTimeRow,
    LicenceReport,
    RequestRow,
    SeatRow,
)
from bot.excel.workbook import (
    HOURS_FORMAT,
    CellValue,
    Column,
    add_sheet,
    new_workbook,
    workbook_bytes,
)
from bot.i18n import Translator

_ONE_MICROSECOND = timedelta(microseconds=1)  # the period ends before `end`
R = TypeVar("R")


def write_licence_report(report: LicenceReport, t: Translator, zone: tzinfo) -> bytes:
    workbook = new_workbook()
    add_sheet(
        workbook,
        t("report.licences.sheet.requests"),
        _request_columns(report, t),
        report.requests,
        timezone=zone,
    )
    add_sheet(
        workbook,
        t("report.licences.sheet.decisions"),
        _decision_columns(report, t),
        report.decisions,
        timezone=zone,
    )
    add_sheet(
        workbook,
        t("report.licences.sheet.lead_times"),
        _lead_time_columns(report, t),
        report.lead_times,
        timezone=zone,
    )
    add_sheet(
        workbook,
        t("report.licences.sheet.seats"),
        _seat_columns(report, t),
        report.seats,
        timezone=zone,
    )
    start = report.start.astimezone(zone).date()
    last = (report.end.astimezone(zone) - _ONE_MICROSECOND).date()
    workbook.properties.title = t(
        "report.licences.title", start=start.isoformat(), end=last.isoformat()
    )
    return workbook_bytes(workbook)


def _request_columns(report: LicenceReport, t: Translator) -> list[Column[RequestRow]]:
    def item(row: RequestRow) -> CellValue:
        return report.item_name(row.item_key, t.locale)

    return [
        Column(t("report.licences.column.reference"), lambda r: r.reference, 18),
        Column(t("report.licences.column.requester"), lambda r: r.requester_name, 26),
        Column(t("report.licences.column.entity"), lambda r: r.entity, 11),
        Column(t("report.licences.column.item"), item, 30),
        Column(t("report.licences.column.state"), lambda r: _state(t, r), 18),
        Column(t("report.licences.column.created"), lambda r: r.created_at, 17),
        Column(t("report.licences.column.decided"), lambda r: r.decided_at, 17),
        Column(t("report.licences.column.fulfilled"), lambda r: r.fulfilled_at, 17),
        Column(t("report.licences.column.end_date"), lambda r: r.end_date, 12),
        _hours(t("report.licences.column.hours_to_decision"), lambda r: r.hours_to_decision),
        _hours(t("report.licences.column.hours_to_fulfilment"), lambda r: r.hours_to_fulfilment),
    ]


def _decision_columns(report: LicenceReport, t: Translator) -> list[Column[DecisionRow]]:
    def item(row: DecisionRow) -> CellValue:
        return report.item_name(row.item_key, t.locale)

    def outcome(row: DecisionRow) -> CellValue:
        return t("report.licences.approved" if row.approved else "report.licences.rejected")

    return [
        Column(t("report.licences.column.reference"), lambda r: r.reference, 18),
        Column(t("report.licences.column.entity"), lambda r: r.entity, 11),
        Column(t("report.licences.column.item"), item, 30),
        Column(t("report.licences.column.stage"), lambda r: r.stage, 8, "0"),
        Column(t("report.licences.column.approver"), lambda r: r.approver_name, 26),
        Column(t("report.licences.column.decision"), outcome, 14),
        Column(t("report.licences.column.comment"), lambda r: r.comment, 50, wrap=True),
        Column(t("report.licences.column.at"), lambda r: r.at, 17),
    ]


def _lead_time_columns(report: LicenceReport, t: Translator) -> list[Column[LeadTimeRow]]:
    def item(row: LeadTimeRow) -> CellValue:
        return report.item_name(row.item_key, t.locale)

    def entity(row: LeadTimeRow) -> CellValue:
        return row.entity or t("report.licences.all_entities")

    return [
        Column(t("report.licences.column.item"), item, 30),
        Column(t("report.licences.column.entity"), entity, 16),
        _count(t("report.licences.column.requests"), lambda r: r.requests),
        _count(t("report.licences.column.approved"), lambda r: r.approved),
        _count(t("report.licences.column.rejected"), lambda r: r.rejected),
        _count(t("report.licences.column.decided_count"), lambda r: r.to_decision.count),
        _hours(t("report.licences.column.decision_median"), lambda r: r.to_decision.median),
        _hours(t("report.licences.column.decision_p90"), lambda r: r.to_decision.p90),
        _count(t("report.licences.column.fulfilled_count"), lambda r: r.to_fulfilment.count),
        _hours(t("report.licences.column.fulfilment_median"), lambda r: r.to_fulfilment.median),
        _hours(t("report.licences.column.fulfilment_p90"), lambda r: r.to_fulfilment.p90),
    ]


def _seat_columns(report: LicenceReport, t: Translator) -> list[Column[SeatRow]]:
    def licence(row: SeatRow) -> CellValue:
        return SKU_NAMES.get(row.sku_part_number) or row.sku_part_number or row.sku_id

    def items(row: SeatRow) -> CellValue:
        return ", ".join(report.item_name(key, t.locale) for key in row.item_keys)

    def entity(row: SeatRow) -> CellValue:
        return row.entity or t("report.licences.whole_tenant")

    def note(row: SeatRow) -> CellValue:
        return t(row.problem) if row.problem else ""

    return [
        Column(t("report.licences.column.licence"), licence, 30),
        Column(t("report.licences.column.items"), items, 36),
        Column(t("report.licences.column.entity"), entity, 14),
        _count(t("report.licences.column.enabled"), lambda r: r.enabled),
        _count(t("report.licences.column.consumed"), lambda r: r.consumed),
        _count(t("report.licences.column.free"), lambda r: r.free),
        _count(t("report.licences.column.granted"), lambda r: r.granted, width=16),
        _count(t("report.licences.column.active"), lambda r: r.active),
        Column(t("report.licences.column.note"), note, 50),
        Column(t("report.licences.column.sku_id"), lambda r: r.sku_id, 38),
    ]


def _state(t: Translator, row: RequestRow) -> str:
    return t(f"report.licences.state.{row.state.value}")


def _hours(header: str, value: Callable[[R], CellValue]) -> Column[R]:
    return Column(header, value, 14, HOURS_FORMAT)


def _count(header: str, value: Callable[[R], CellValue], width: float = 12) -> Column[R]:
    return Column(header, value, width, "0")
