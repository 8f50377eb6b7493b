"""The author's live status card: how far the sending is, where every recipient is, how fast
it goes and when it should end. The service edits it in place every few seconds while sending.

The figures add up (bot.domain.announcements.recipients): every recipient is counted once, in
one bucket, and the buckets make the audience. The progress bar is two columns whose widths are
the finished and the remaining share, with the share also in words beside it (a bar alone says
nothing to a screen reader).
"""

from __future__ import annotations

from datetime import tzinfo

from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.announcements.content import Importance
from bot.domain.announcements.recipients import Figures, Outcome, Progress
from bot.i18n import Translator
from cards.announcements.parts import (
    decimal,
    number,
    state_actions,
    state_block,
    title_of,
)
from cards.base import Card, Element, card, facts, heading, moment, text

# The bar's height: a line of text, so it reads as a bar and not as a rule.
_BAR_HEIGHT = "12px"


def status_card(
    announcement: Announcement, progress: Progress, t: Translator, zone: tzinfo
) -> Card:
    figures = progress.figures
    body: list[Element] = [heading(title_of(announcement, t)), state_block(announcement.state, t)]
    if announcement.state is AnnouncementState.SENDING and not announcement.resolved:
        body.append(text(t("announcements.status.resolving"), subtle=True))
    body.append(progress_bar(figures, t))
    body.append(facts(_figure_facts(announcement, figures, t)))
    body.append(facts(_pace_facts(announcement, progress, t, zone)))
    actions = state_actions(
        announcement, t, approval_required=announcement.approval_required, on_status_card=True
    )
    return card(body, actions)


def share_done(figures: Figures) -> int:
    """Whole percent of the audience with a final outcome (rounded down: 100 only when done)."""
    if figures.audience <= 0:
        return 0
    return min(100, max(0, figures.finished * 100 // figures.audience))


def progress_bar(figures: Figures, t: Translator) -> Element:
    done = share_done(figures)
    columns: list[Element] = []
    if done > 0:
        columns.append(
            {"type": "Column", "width": done, "style": "emphasis", "minHeight": _BAR_HEIGHT}
        )
    if done < 100:
        columns.append({"type": "Column", "width": 100 - done, "minHeight": _BAR_HEIGHT})
    columns.append(
        {
            "type": "Column",
            "width": "auto",
            "items": [text(t("announcements.status.percent", percent=done), weight="Bolder")],
            "verticalContentAlignment": "Center",
        }
    )
    return {"type": "ColumnSet", "columns": columns}


def _figure_facts(
    announcement: Announcement, figures: Figures, t: Translator
) -> list[tuple[str, str]]:
    lines = [(t("announcements.status.audience"), number(figures.audience, t))]
    lines += [
        (t(f"announcements.outcome.{outcome.value}"), number(getattr(figures, outcome.value), t))
        for outcome in Outcome
    ]
    lines.append((t("announcements.status.read"), number(figures.read, t)))
    if announcement.importance is Importance.URGENT:
        lines.append((t("announcements.status.acknowledged"), number(figures.acknowledged, t)))
    return lines


def _pace_facts(
    announcement: Announcement, progress: Progress, t: Translator, zone: tzinfo
) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    if announcement.started_at is not None:
        lines.append((t("announcements.status.started"), moment(announcement.started_at, zone)))
    if progress.per_second > 0:
        lines.append(
            (
                t("announcements.status.rate"),
                t("announcements.status.rate_value", rate=decimal(progress.per_second, t)),
            )
        )
    if announcement.finished_at is not None:
        lines.append((t("announcements.status.finished"), moment(announcement.finished_at, zone)))
    elif announcement.state is AnnouncementState.SENDING:
        end = progress.expected_end
        expected = moment(end, zone) if end is not None else t("announcements.status.end_unknown")
        lines.append((t("announcements.status.expected_end"), expected))
    elif announcement.state is AnnouncementState.SCHEDULED and announcement.send_at is not None:
        lines.append((t("announcements.fact.send_at"), moment(announcement.send_at, zone)))
    if not lines:
        lines.append((t("announcements.fact.send_at"), t("announcements.send_asap")))
    return lines
