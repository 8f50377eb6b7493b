"""An announcement's report as a workbook: what was sent and where everyone is, per entity and
per person.

Sheets: Samenvatting (the announcement, then every outcome with its share of the audience, a
total line that equals the audience, and reached, read and acknowledged), Per entiteit (each
entity's audience, reached, read and acknowledged, with shares), Ontvangers (one row per
recipient: outcome in words, and when it was sent, read and acknowledged as real Excel datetimes
in the configured zone). Headers and words come from the catalogs (Dutch unless asked
otherwise), formatted like the other reports (bold filled header, frozen, autofilter).

Decisions (and why):
- Written in write-only mode (streamed.py): the recipients are an iterable that may hold every
  employee, read once and never copied; the summary and entity sheets are small.
- Reached is a share of the audience; read and acknowledged are shares of the reached (only
  someone who got the message can read it), as the headers say. A share of nothing is an empty
  cell, not 0%.
- Recipients are named by their object id, not by name or e-mail: the report goes to the
  communication admins, and the id is what finds a person in Entra when something is asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain.announcements.announcements import Announcement
from bot.domain.announcements.recipients import EntityFigures, Figures, Outcome, Recipient
from bot.excel.announcements.streamed import add_streamed_sheet, new_streamed_workbook
from bot.excel.workbook import CellValue, Column, workbook_bytes
from bot.i18n import Translator

_COUNT_FORMAT = "0"
_SHARE_FORMAT = "0.0%"
_WHEN = 17  # width of a date-and-time column


@dataclass(frozen=True, slots=True)
class _Line:
    """A line of the summary: what, its value and, for a count, its share."""

    label: str
    value: CellValue
    share: float | None = None


def write_announcement_report(
    announcement: Announcement,
    figures: Figures,
    entity_figures: Sequence[EntityFigures],
    recipients: Iterable[Recipient],
    t: Translator,
    zone: ZoneInfo,
) -> bytes:
    """The .xlsx report; `recipients` is read once, row by row."""
    workbook = new_streamed_workbook()
    add_streamed_sheet(
        workbook,
        t("announcements.workbook.sheet.summary"),
        _summary_columns(t),
        _summary(announcement, figures, t),
        timezone=zone,
        selected=True,
    )
    add_streamed_sheet(
        workbook,
        t("announcements.workbook.sheet.entities"),
        _entity_columns(t),
        entity_figures,
        timezone=zone,
    )
    add_streamed_sheet(
        workbook,
        t("announcements.workbook.sheet.recipients"),
        _recipient_columns(t),
        recipients,
        timezone=zone,
    )
    workbook.properties.title = t("announcements.workbook.title", reference=announcement.reference)
    return workbook_bytes(workbook)


def outcome_count(figures: Figures, outcome: Outcome) -> int:
    """How many recipients have this outcome."""
    match outcome:
        case Outcome.SENT:
            return figures.sent
        case Outcome.THROTTLED_SENT:
            return figures.throttled_sent
        case Outcome.FAILED:
            return figures.failed
        case Outcome.BLOCKED:
            return figures.blocked
        case Outcome.NOT_FOUND:
            return figures.not_found
        case Outcome.NOT_REACHED:
            return figures.not_reached


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` as a fraction (Excel shows it as a percentage); None for no whole."""
    return part / whole if whole else None


# --- the summary ---------------------------------------------------------------------------------
def _summary(announcement: Announcement, figures: Figures, t: Translator) -> list[_Line]:
    def line(key: str, value: CellValue, of: int | None = None) -> _Line:
        shown = share(value, of) if isinstance(value, int) and of is not None else None
        return _Line(t(f"announcements.workbook.summary.{key}"), value, shown)

    audience = figures.audience
    counts = {outcome: outcome_count(figures, outcome) for outcome in Outcome}
    return [
        line("reference", announcement.reference),
        line("title", announcement.text(t.locale).title),
        line("author", announcement.author_name),
        line("state", t(f"announcements.workbook.state.{announcement.state.value}")),
        line("sent_from", announcement.started_at),
        line("sent_to", announcement.finished_at),
        line("audience", audience),
        *(_Line(_outcome(t, o), n, share(n, audience)) for o, n in counts.items()),
        line("total", sum(counts.values()), audience),  # the audience: every person once
        line("reached", figures.reached, audience),
        line("read", figures.read, figures.reached),
        line("acknowledged", figures.acknowledged, figures.reached),
    ]


def _summary_columns(t: Translator) -> list[Column[_Line]]:
    return [
        Column(t("announcements.workbook.column.what"), lambda line: line.label, 40),
        Column(t("announcements.workbook.column.value"), lambda line: line.value, 40),
        Column(
            t("announcements.workbook.column.share"), lambda line: line.share, 12, _SHARE_FORMAT
        ),
    ]


# --- per entity ----------------------------------------------------------------------------------
def _entity_columns(t: Translator) -> list[Column[EntityFigures]]:
    def column(key: str) -> str:
        return t(f"announcements.workbook.column.{key}")

    def of(value: Callable[[Figures], CellValue]) -> Callable[[EntityFigures], CellValue]:
        return lambda entity: value(entity.figures)

    return [
        Column(column("entity"), lambda e: _entity(t, e.entity), 22),
        _count(column("audience"), of(lambda f: f.audience)),
        _count(column("reached"), of(lambda f: f.reached)),
        _share(column("reached_share"), of(lambda f: share(f.reached, f.audience))),
        _count(column("read"), of(lambda f: f.read)),
        _share(column("read_share"), of(lambda f: share(f.read, f.reached))),
        _count(column("acknowledged"), of(lambda f: f.acknowledged), width=16),
        _share(column("acknowledged_share"), of(lambda f: share(f.acknowledged, f.reached))),
    ]


# --- per recipient -------------------------------------------------------------------------------
def _recipient_columns(t: Translator) -> list[Column[Recipient]]:
    def column(key: str) -> str:
        return t(f"announcements.workbook.column.{key}")

    return [
        Column(column("user_id"), lambda r: r.user_id, 38),
        Column(column("entity"), lambda r: _entity(t, r.entity), 16),
        Column(column("outcome"), lambda r: _outcome(t, r.outcome), 30),
        Column(column("sent_at"), lambda r: r.sent_at, _WHEN),
        Column(column("read_at"), lambda r: r.read_at, _WHEN),
        Column(column("acknowledged_at"), lambda r: r.acknowledged_at, _WHEN),
    ]


def _outcome(t: Translator, outcome: Outcome) -> str:
    return t(f"announcements.workbook.outcome.{outcome.value}")


def _entity(t: Translator, code: str) -> str:
    return code or t("announcements.workbook.no_entity")


def _count(
    header: str, value: Callable[[EntityFigures], CellValue], width: float = 12
) -> Column[EntityFigures]:
    return Column(header, value, width, _COUNT_FORMAT)


def _share(header: str, value: Callable[[EntityFigures], CellValue]) -> Column[EntityFigures]:
    return Column(header, value, 16, _SHARE_FORMAT)
