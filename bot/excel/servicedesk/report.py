"""The service desk's report as a workbook: a summary, the figures per category and per entity,
every ticket, and the questions the knowledge base did not answer.

Formatted like the licence report (bot/excel/workbook.py): bold filled header, frozen header
row, autofilter, column widths, dates as real Excel dates in the configured time zone, times as
numbers of working hours, so admins and agents can filter and pivot. Headers and words come from
the catalogs (Dutch unless asked otherwise). A ticket's own question is not in it (its reference
finds it); the questions sheet holds what people asked the knowledge base, for the people who
keep it, and a ticket's row what its person wrote with their rating: the workbook goes to
admins and agents only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import TypeVar

from bot.domain.servicedesk.report import Figures, GroupFigures, TicketReport, TicketRow
from bot.domain.servicedesk.tickets import SlaState
from bot.excel.workbook import (
    HOURS_FORMAT,
    CellValue,
    Column,
    add_sheet,
    new_workbook,
    workbook_bytes,
)
from bot.i18n import Translator

R = TypeVar("R")
_ONE_MICROSECOND = timedelta(microseconds=1)  # the period ends before `end`
_COUNT_FORMAT = "0"
_CSAT_FORMAT = "0.00"
_SHARE_FORMAT = "0.0%"
_WHEN = 17  # width of a date-and-time column


@dataclass(frozen=True, slots=True)
class _Line:
    """A line of the summary: what, its value, and how Excel shows the value."""

    label: str
    value: CellValue
    number_format: str = ""
    note: str = ""


def write_ticket_report(report: TicketReport, t: Translator, zone: tzinfo) -> bytes:
    workbook = new_workbook()
    summary = _summary(report, t, zone)
    sheet = add_sheet(
        workbook, t("ticket_report.sheet.summary"), _summary_columns(t), summary, timezone=zone
    )
    for row, line in enumerate(summary, start=2):  # a format per line, not per column
        if line.number_format:
            sheet.cell(row=row, column=2).number_format = line.number_format
    add_sheet(
        workbook,
        t("ticket_report.sheet.categories"),
        _group_columns(t, t("ticket_report.column.category"), lambda g: _category(t, g.key)),
        report.by_category,
        timezone=zone,
    )
    add_sheet(
        workbook,
        t("ticket_report.sheet.entities"),
        _group_columns(t, t("ticket_report.column.entity"), lambda g: _entity(t, g.key)),
        report.by_entity,
        timezone=zone,
    )
    add_sheet(
        workbook,
        t("ticket_report.sheet.tickets"),
        _ticket_columns(t),
        report.tickets,
        timezone=zone,
    )
    add_sheet(
        workbook,
        t("ticket_report.sheet.questions"),
        [
            Column(t("ticket_report.column.rank"), lambda q: q[0], 8, _COUNT_FORMAT),
            Column(t("ticket_report.column.question"), lambda q: q[1].question, 70, wrap=True),
            Column(t("ticket_report.column.language"), lambda q: q[1].language, 8),
            _count(t("ticket_report.column.times_asked"), lambda q: q[1].count, width=16),
        ],
        list(enumerate(report.unanswered, start=1)),
        timezone=zone,
    )
    start, last = _days(report, zone)
    workbook.properties.title = t("ticket_report.title", start=start, end=last)
    return workbook_bytes(workbook)


def _days(report: TicketReport, zone: tzinfo, shown: str = "%Y-%m-%d") -> tuple[str, str]:
    """The first and last day of the period (ISO, or as `shown`)."""
    start = report.start.astimezone(zone).date()
    last = (report.end.astimezone(zone) - _ONE_MICROSECOND).date()
    return start.strftime(shown), last.strftime(shown)


def _summary(report: TicketReport, t: Translator, zone: tzinfo) -> list[_Line]:
    total, searches = report.total, report.searches
    start, last = _days(report, zone, "%d/%m/%Y")

    def line(key: str, value: CellValue, number_format: str = "", note: str = "") -> _Line:
        return _Line(t(f"ticket_report.summary.{key}"), value, number_format, note)

    hours_note = t("ticket_report.summary.hours_note")
    return [
        line("period", t("ticket_report.summary.period_value", start=start, end=last)),
        line(
            "entity",
            _entity(t, report.entity) if report.entity is not None else _all(t),
            note=t("ticket_report.summary.entity_note"),
        ),
        line("made_at", report.made_at, note=t("ticket_report.summary.made_at_note")),
        line("tickets", total.tickets, _COUNT_FORMAT),
        line("still_open", total.still_open, _COUNT_FORMAT),
        line("solved", total.solved, _COUNT_FORMAT),
        line("first_median", total.first_response.median, HOURS_FORMAT, hours_note),
        line("first_p90", total.first_response.p90, HOURS_FORMAT, hours_note),
        line("resolution_median", total.resolution.median, HOURS_FORMAT, hours_note),
        line("resolution_p90", total.resolution.p90, HOURS_FORMAT, hours_note),
        line("first_breached", total.first_response_breached, _COUNT_FORMAT),
        line("resolution_breached", total.resolution_breached, _COUNT_FORMAT),
        line("csat", total.csat, _CSAT_FORMAT, t("ticket_report.summary.csat_note")),
        line("rated", total.rated, _COUNT_FORMAT),
        line("searches", searches.asked, _COUNT_FORMAT, t("ticket_report.summary.searches_note")),
        line("answered", searches.answered, _COUNT_FORMAT),
        line("helped", searches.helped, _COUNT_FORMAT),
        line("not_helped", searches.not_helped, _COUNT_FORMAT),
        line(
            "deflection",
            searches.deflection,
            _SHARE_FORMAT,
            t("ticket_report.summary.deflection_note"),
        ),
    ]


def _summary_columns(t: Translator) -> list[Column[_Line]]:
    return [
        Column(t("ticket_report.column.what"), lambda line: line.label, 42),
        Column(t("ticket_report.column.value"), lambda line: line.value, 24),
        Column(t("ticket_report.column.note"), lambda line: line.note, 70, wrap=True),
    ]


def _group_columns(
    t: Translator, header: str, name: Callable[[GroupFigures], CellValue]
) -> list[Column[GroupFigures]]:
    def of(value: Callable[[Figures], CellValue]) -> Callable[[GroupFigures], CellValue]:
        return lambda group: value(group.figures)

    def column(key: str) -> str:
        return t(f"ticket_report.column.{key}")

    return [
        Column(header, name, 28),
        _count(column("tickets"), of(lambda f: f.tickets)),
        _count(column("still_open"), of(lambda f: f.still_open)),
        _count(column("solved"), of(lambda f: f.solved)),
        _count(column("first_count"), of(lambda f: f.first_response.count), width=16),
        _hours(column("first_median"), of(lambda f: f.first_response.median)),
        _hours(column("first_p90"), of(lambda f: f.first_response.p90)),
        _count(column("resolution_count"), of(lambda f: f.resolution.count), width=16),
        _hours(column("resolution_median"), of(lambda f: f.resolution.median)),
        _hours(column("resolution_p90"), of(lambda f: f.resolution.p90)),
        _count(column("first_breached"), of(lambda f: f.first_response_breached), width=16),
        _count(column("resolution_breached"), of(lambda f: f.resolution_breached), width=16),
        _count(column("rated"), of(lambda f: f.rated)),
        Column(column("csat"), of(lambda f: f.csat), 14, _CSAT_FORMAT),
    ]


def _ticket_columns(t: Translator) -> list[Column[TicketRow]]:
    def column(key: str) -> str:
        return t(f"ticket_report.column.{key}")

    return [
        Column(column("reference"), lambda r: r.reference, 18),
        Column(column("entity"), lambda r: _entity(t, r.entity), 14),
        Column(column("desk"), lambda r: _desk(t, r.desk), 22),
        Column(column("category"), lambda r: _category(t, r.category.value), 26),
        Column(column("urgency"), lambda r: t(f"ticket_report.urgency.{r.urgency.value}"), 12),
        Column(column("state"), lambda r: t(f"ticket_report.state.{r.state.value}"), 18),
        Column(column("created"), lambda r: r.created_at, _WHEN),
        Column(column("first_response_at"), lambda r: r.first_response_at, _WHEN),
        Column(column("resolved_at"), lambda r: r.resolved_at, _WHEN),
        _hours(column("hours_to_first"), lambda r: r.hours_to_first_response),
        _hours(column("hours_to_resolution"), lambda r: r.hours_to_resolution),
        Column(column("first_target"), lambda r: _sla(t, r.first_response), 16),
        Column(column("resolution_target"), lambda r: _sla(t, r.resolution), 16),
        _count(column("rating"), lambda r: r.rating, width=10),
        Column(column("rating_comment"), lambda r: r.rating_comment, 50, wrap=True),
    ]


def _category(t: Translator, value: str) -> str:
    return t(f"servicedesk.category.{value}")


def _entity(t: Translator, code: str) -> str:
    return code or t("ticket_report.no_entity")


def _desk(t: Translator, code: str) -> str:
    return code or t("ticket_report.central_desk")


def _all(t: Translator) -> str:
    return t("ticket_report.all_entities")


def _sla(t: Translator, state: SlaState) -> str:
    return t(f"ticket_report.sla.{state.value}")


def _hours(header: str, value: Callable[[R], CellValue]) -> Column[R]:
    return Column(header, value, 14, HOURS_FORMAT)


def _count(header: str, value: Callable[[R], CellValue], width: float = 12) -> Column[R]:
    return Column(header, value, width, _COUNT_FORMAT)
