"""The service desk report's card in chat (`rapport tickets`, for agents and admins): the
period's main figures, and the download link to the whole report as a workbook.

The link is an Action.OpenUrl to a signed link that works once, for a few minutes; the card
says so, and that asking again gives a fresh one. The card holds figures only: the questions
people asked are in the workbook, not in the chat.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo

from bot.domain.platform.untrusted import escape_text
from bot.domain.servicedesk.report import Durations, TicketReport
from bot.i18n import Translator
from cards.base import MAX_NAME, Card, card, day, facts, heading, open_url, text

_ONE_MICROSECOND = timedelta(microseconds=1)  # the period ends before `end`


def ticket_report_card(
    report: TicketReport,
    entity: str,
    download_url: str,
    minutes: int,
    t: Translator,
    zone: tzinfo,
) -> Card:
    """entity: the entity's code and name as shown, or "" for every desk."""
    entity = escape_text(entity, limit=MAX_NAME)
    total, searches = report.total, report.searches
    first = report.start.astimezone(zone).date()
    last = (report.end.astimezone(zone) - _ONE_MICROSECOND).date()
    lines = [
        (t("ticket_report.card.period"), f"{day(first)} – {day(last)}"),
        (t("ticket_report.card.entity"), entity or t("ticket_report.all_entities")),
        (
            t("ticket_report.card.tickets"),
            t.n("ticket_report.card.tickets_value", total.tickets, open=total.still_open),
        ),
        (t("ticket_report.card.first_response"), _durations(total.first_response, t)),
        (t("ticket_report.card.resolution"), _durations(total.resolution, t)),
        (
            t("ticket_report.card.breached"),
            t(
                "ticket_report.card.breached_value",
                first=total.first_response_breached,
                resolution=total.resolution_breached,
            ),
        ),
        (
            t("ticket_report.card.csat"),
            t.n("ticket_report.card.csat_value", total.rated, score=_number(total.csat, t))
            if total.csat is not None
            else t("ticket_report.card.no_ratings"),
        ),
        (
            t("ticket_report.card.deflection"),
            t.n(
                "ticket_report.card.deflection_value",
                searches.asked,
                share=_number(searches.deflection * 100, t),
                helped=searches.helped,
            )
            if searches.deflection is not None
            else t("ticket_report.card.no_searches"),
        ),
    ]
    body = [
        heading(t("ticket_report.card.title")),
        facts(lines),
        text(t("ticket_report.card.contents")),
        text(t.n("ticket_report.card.lifetime", minutes), subtle=True),
    ]
    return card(body, [open_url(t("ticket_report.card.download"), download_url)])


def _durations(durations: Durations, t: Translator) -> str:
    """ "mediaan 2,5 u, p90 7 u (12 meldingen)", or that there are none yet."""
    if durations.median is None or durations.p90 is None:
        return t("ticket_report.card.no_times")
    return t.n(
        "ticket_report.card.durations",
        durations.count,
        median=_number(durations.median, t),
        p90=_number(durations.p90, t),
    )


def _number(value: float | None, t: Translator) -> str:
    """One decimal at most, with the reader's decimal sign (2,5 in Dutch, 2.5 in English)."""
    if value is None:
        return ""
    shown = f"{value:.1f}".removesuffix(".0")
    return shown.replace(".", ",") if t.locale == "nl" else shown
