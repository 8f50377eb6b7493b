"""The service levels' notices as Teams activities (bot.services.servicedesk.sla_worker.SlaCards).

A reminder to the assignee is in their language; one to the desk's channel, and an escalation
to the lead channel, in the organisation's (the channels are shared). `summary` is what Teams
shows in the notification and the chat list.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from bot.domain.servicedesk.tickets import SlaStep, Ticket
from bot.i18n import Translator, pick_locale
from cards.base import card_activity
from cards.servicedesk.sla import sla_escalation_card, sla_reminder_card


class SlaNoticeCards:
    def __init__(self, zone: tzinfo, desk_locale: str = "nl") -> None:
        self._zone = zone
        self._desk = Translator(pick_locale(desk_locale))

    def reminder(
        self, ticket: Ticket, step: SlaStep, minutes_left: int, locale: str
    ) -> dict[str, Any]:
        t = Translator(pick_locale(locale)) if locale else self._desk
        content = sla_reminder_card(ticket, step, minutes_left, t, self._zone)
        summary = t("servicedesk.sla_notice.reminder.summary", reference=ticket.reference)
        return card_activity(summary, content)

    def escalation(self, ticket: Ticket, step: SlaStep, assignee: str) -> dict[str, Any]:
        t = self._desk
        content = sla_escalation_card(ticket, step, assignee, t, self._zone)
        summary = t("servicedesk.sla_notice.escalation.summary", reference=ticket.reference)
        return card_activity(summary, content)
