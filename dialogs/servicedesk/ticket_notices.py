"""Tickets' proactive messages as Teams activities (bot.services.servicedesk.tickets.TicketCards).

The desk's card is rendered in the organisation's language (the channel is shared); what goes
to the person, in theirs. `summary` is what Teams shows in the notification and the chat list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

from bot.domain.servicedesk.agents import DeskAgent
from bot.domain.servicedesk.sla import TicketSla
from bot.domain.servicedesk.tickets import Ticket, TicketMessage
from bot.i18n import Translator, pick_locale
from cards.base import card_activity
from cards.servicedesk.desk import desk_ticket_card
from cards.servicedesk.desk_changes import assigned_card
from cards.servicedesk.relay import thread_message_card
from cards.servicedesk.tickets import answered_card, reopened_card, resolved_card


class TicketNoticeCards:
    def __init__(self, zone: tzinfo, desk_locale: str = "nl") -> None:
        self._zone = zone
        self._desk = Translator(pick_locale(desk_locale))

    def desk(
        self,
        ticket: Ticket,
        messages: Sequence[TicketMessage],
        names: Mapping[str, str],
        sla: TicketSla,
        agents: Sequence[DeskAgent] = (),
    ) -> dict[str, Any]:
        t = self._desk
        content = desk_ticket_card(ticket, messages, names, sla, t, self._zone, agents=agents)
        return card_activity(t("servicedesk.desk.summary", reference=ticket.reference), content)

    def answered(self, ticket: Ticket, text: str, agent_name: str, locale: str) -> dict[str, Any]:
        t = Translator(pick_locale(locale))
        content = answered_card(ticket, text, agent_name, t)
        return card_activity(t("servicedesk.answered.summary", reference=ticket.reference), content)

    def resolved(self, ticket: Ticket, locale: str) -> dict[str, Any]:
        t = Translator(pick_locale(locale))
        content = resolved_card(ticket, t)
        return card_activity(t("servicedesk.resolved.summary", reference=ticket.reference), content)

    def reopened(self, ticket: Ticket, agent_name: str, locale: str) -> dict[str, Any]:
        t = Translator(pick_locale(locale))
        content = reopened_card(ticket, agent_name, t)
        return card_activity(t("servicedesk.reopened.summary", reference=ticket.reference), content)

    def in_thread(self, ticket: Ticket, text: str, requester_name: str) -> dict[str, Any]:
        t = self._desk
        content = thread_message_card(ticket, text, requester_name, t)
        return card_activity(
            t("servicedesk.relay.thread.summary", reference=ticket.reference), content
        )

    def assigned(self, ticket: Ticket, by_name: str, locale: str) -> dict[str, Any]:
        t = Translator(pick_locale(locale))
        content = assigned_card(ticket, by_name, t)
        return card_activity(t("servicedesk.assigned.summary", reference=ticket.reference), content)
