"""The service levels' notices (bot/services/servicedesk/sla_worker.py): a reminder before a
target is missed, for the assignee (or the desk's channel while nobody has the ticket), and an
escalation when it is, for the lead channel. Both say which ticket, which target, by when, and
what the ticket is about, with the desk card's own steps (take it, answer, note, resolve: a
click does the step and turns the notice into the ticket's card as it is then)."""

from __future__ import annotations

from datetime import tzinfo

from bot.domain.platform.untrusted import escape_text
from bot.domain.servicedesk.tickets import SlaStep, Ticket
from bot.i18n import Translator
from cards.base import MAX_NAME, Card, card, facts, heading, moment, text
from cards.servicedesk.desk import desk_actions
from cards.servicedesk.ticket_parts import excerpt

_MINUTES_PER_HOUR = 60


def sla_reminder_card(
    ticket: Ticket, step: SlaStep, minutes_left: int, t: Translator, zone: tzinfo
) -> Card:
    """ "SD-… moet binnen 45 minuten beantwoord zijn": the time left in working time, the
    moment it is due, and the ticket."""
    title = t(
        f"servicedesk.sla_notice.reminder.{step.target.value}",
        reference=ticket.reference,
        left=time_left(minutes_left, t),
    )
    body = [
        heading(title),
        text(t("servicedesk.sla_notice.reminder.body")),
        _facts(ticket, step, t, zone),
        text(excerpt(ticket.question), subtle=True),
    ]
    return card(body, desk_actions(ticket, t))


def sla_escalation_card(
    ticket: Ticket, step: SlaStep, assignee: str, t: Translator, zone: tzinfo
) -> Card:
    """ "SD-… is niet op tijd opgelost": for the leads, with who has it (or that nobody
    does) and the desk it waits in."""
    who = escape_text(assignee, limit=MAX_NAME) or t("servicedesk.desk.nobody")
    desk = escape_text(ticket.desk, limit=MAX_NAME) or t("servicedesk.sla_notice.central")
    body = [
        heading(
            t(f"servicedesk.sla_notice.escalation.{step.target.value}", reference=ticket.reference)
        ),
        text(t("servicedesk.sla_notice.escalation.body")),
        _facts(ticket, step, t, zone, assignee=who, desk=desk),
        text(excerpt(ticket.question), subtle=True),
    ]
    return card(body, desk_actions(ticket, t))


def time_left(minutes: int, t: Translator) -> str:
    """ "45 minuten", "2 werkuren", "1 werkuur en 30 minuten"."""
    hours, rest = divmod(max(minutes, 1), _MINUTES_PER_HOUR)
    if not hours:
        return t.n("servicedesk.sla_notice.minutes", rest)
    counted = t.n("servicedesk.sla_notice.hours", hours)
    if not rest:
        return counted
    return t(
        "servicedesk.sla_notice.hours_and_minutes",
        hours=counted,
        minutes=t.n("servicedesk.sla_notice.minutes", rest),
    )


def _facts(
    ticket: Ticket,
    step: SlaStep,
    t: Translator,
    zone: tzinfo,
    *,
    assignee: str = "",
    desk: str = "",
) -> dict[str, object]:
    pairs = [
        (t("servicedesk.ticket.reference"), ticket.reference),
        (t("servicedesk.ticket.category"), t(f"servicedesk.category.{ticket.category.value}")),
        (t("servicedesk.ticket.urgency"), t(f"servicedesk.urgency.{ticket.urgency.value}")),
        (t("servicedesk.sla_notice.due"), moment(step.due, zone)),
    ]
    if assignee:
        pairs.append((t("servicedesk.desk.assignee"), assignee))
    if desk:
        pairs.append((t("servicedesk.sla_notice.desk"), desk))
    return facts(pairs)
