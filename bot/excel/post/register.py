"""The post register as a workbook: every item of a period on one sheet, and a summary.

Formatted like the licence report (bot/excel/workbook.py): bold filled header, frozen header row,
autofilter, column widths, dates as real Excel dates in the configured time zone. People appear
by name (`names`: id -> display name, made by bot/services/post/register.py); an id nobody could
name stays an id. Headers and words come from the catalogs, Dutch unless asked otherwise.

Sheets: Postregister (one row per item) and Samenvatting (counts per entity, document type and
state, with the median handling time in working days: see post_register_summary.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import tzinfo
from typing import TypeVar

from bot.domain.post.items import DestinationKind, PostItem
from bot.domain.post.routing import ADDRESSEE_RULE
from bot.excel.post.register_summary import Dimension, SummaryRow, item_entity, summary_rows
from bot.excel.post.rules_layout import TEAM_SEPARATOR
from bot.excel.workbook import CellValue, Column, add_sheet, new_workbook, workbook_bytes
from bot.i18n import Translator

R = TypeVar("R")
_DAYS_FORMAT = "0.00"
_WHEN = 17  # width of a date-and-time column


def write_post_register(
    items: Sequence[PostItem], names: Mapping[str, str], zone: tzinfo, t: Translator
) -> bytes:
    """The register of `items` (oldest first, as given) and its summary."""
    workbook = new_workbook()
    add_sheet(
        workbook, t("post_register.sheet.items"), _item_columns(names, t), items, timezone=zone
    )
    add_sheet(
        workbook,
        t("post_register.sheet.summary"),
        _summary_columns(t),
        summary_rows(items, zone),
        timezone=zone,
    )
    workbook.properties.title = t("post_register.title")
    return workbook_bytes(workbook)


def _item_columns(names: Mapping[str, str], t: Translator) -> list[Column[PostItem]]:
    def person(user_id: str) -> str:
        return _name(names, user_id)

    def routed_to(item: PostItem) -> CellValue:
        target = item.destination.target
        match item.destination.kind:
            case DestinationKind.PERSON:
                return person(target)
            case DestinationKind.TEAM:
                group = target.partition(TEAM_SEPARATOR)[0]
                return t("post_register.destination.team", team=_name(names, group))
            case DestinationKind.ENTITY:
                return t("post_register.destination.entity", entity=target)
            case _:
                return t("post_register.destination.triage")

    def rule(item: PostItem) -> CellValue:
        if item.rule_id == ADDRESSEE_RULE:
            return t("post_register.rule.addressee")
        return item.rule_id

    def scan(item: PostItem) -> CellValue:
        deleted = item.scan_deleted_at is not None
        return t("post_register.scan.deleted" if deleted else "post_register.scan.kept")

    def flag(value: bool) -> str:
        return t("post_register.yes" if value else "post_register.no")

    def column(key: str, value: Callable[[PostItem], CellValue], width: float) -> Column[PostItem]:
        return Column(t(f"post_register.column.{key}"), value, width)

    return [
        column("reference", lambda i: i.reference, 19),
        column("received", lambda i: i.metadata.received_at, _WHEN),
        column("scanned", lambda i: i.metadata.scanned_at, _WHEN),
        column("sender", lambda i: i.metadata.sender.name, 26),
        column("organisation", lambda i: i.metadata.sender.organisation, 26),
        column("addressee", lambda i: i.metadata.addressee, 28),
        column("routed_to", routed_to, 28),
        column("delegated_from", lambda i: person(i.delegated_from), 22),
        column("entity", item_entity, 11),
        column("type", lambda i: t(f"post_register.type.{i.metadata.document_type.value}"), 16),
        column("registered", lambda i: flag(i.metadata.registered), 12),
        column("tracking_number", lambda i: i.metadata.tracking_number, 22),
        column("confidential", lambda i: flag(i.metadata.confidential), 13),
        column("subject", lambda i: i.metadata.subject, 40),
        column("state", lambda i: t(f"post_register.state.{i.state.value}"), 14),
        column("acknowledged_by", lambda i: person(i.acknowledged_by), 22),
        column("acknowledged_at", lambda i: i.acknowledged_at, _WHEN),
        column("handled_by", lambda i: person(i.handled_by), 22),
        column("handled_at", lambda i: i.handled_at, _WHEN),
        column("forwarded_by", lambda i: person(i.forwarded_by), 22),
        column("rule", rule, 14),
        column("scan", scan, 12),
        column("scan_deleted_at", lambda i: i.scan_deleted_at, _WHEN),
    ]


def _summary_columns(t: Translator) -> list[Column[SummaryRow]]:
    def value(row: SummaryRow) -> CellValue:
        match row.dimension:
            case Dimension.TOTAL:
                return t("post_register.summary.all")
            case Dimension.ENTITY:
                return row.value or t("post_register.summary.no_entity")
            case Dimension.TYPE:
                return t(f"post_register.type.{row.value}")
            case _:
                return t(f"post_register.state.{row.value}")

    def median(row: SummaryRow) -> CellValue:
        return row.median_working_days

    return [
        Column(
            t("post_register.summary.dimension"),
            lambda r: t(f"post_register.summary.{r.dimension.value}"),
            16,
        ),
        Column(t("post_register.summary.value"), value, 24),
        _count(t("post_register.summary.count"), lambda r: r.count),
        _count(t("post_register.summary.handled"), lambda r: r.handled),
        _count(t("post_register.summary.open"), lambda r: r.open),
        Column(t("post_register.summary.median_days"), median, 22, _DAYS_FORMAT),
    ]


def _count(header: str, value: Callable[[R], CellValue]) -> Column[R]:
    return Column(header, value, 12, "0")


def _name(names: Mapping[str, str], user_id: str) -> str:
    if not user_id:
        return ""
    return names.get(user_id) or names.get(user_id.casefold()) or user_id
