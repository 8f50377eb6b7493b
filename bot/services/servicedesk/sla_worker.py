"""The service desk's service levels, acting: what must happen without anyone clicking.

Every minute (and when woken) the worker goes through every desk's open tickets (new, open,
waiting; a page at a time, by id) and, for each target still to meet (the first response while
nobody answered, the resolution while it is not resolved), once per ticket and target:

- when the target is at risk (bot.domain.servicedesk.tickets.AT_RISK_SHARE of its working hours
  used): a reminder to the assignee's 1:1 chat, or to the ticket's desk channel while nobody has
  it: "SD-… moet binnen 45 minuten beantwoord zijn";
- when the target is breached: an escalation to the lead channel
  (WERKPLEK_SERVICEDESK_LEAD_CHANNEL_ID; without one, the ticket's desk channel). A breach
  found before its reminder went out (the worker was down) is escalated alone.

Either way the desk's card is edited in place (TicketDesk.record_sla re-renders it), so its
service-level line shows the risk or the breach. Working hours are the organisation's
(bot/domain/platform/working_time.py); time the ticket waits on the person does not count.

"Once" holds across crashes and replicas: what was sent is kept on the ticket
(Ticket.sla_notified), saved with the ticket's version check in the transaction that queues the
notices, and each notice has its own dedupe key ("ticket-7-sla-resolution-breached"). Of two
replicas that decide the same step, one saves it; the other gets StaleTicket, having queued
nothing, and finds the step done at its next round.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.domain.platform.errors import DomainError
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.tickets import (
    IllegalTicketStep,
    SlaState,
    SlaStep,
    StaleTicket,
    Ticket,
)
from bot.ports.platform import Clock
from bot.ports.servicedesk import TicketRepository
from bot.services.platform.rounds import Rounds
from bot.services.servicedesk.tickets import DeskSettings, People, TicketDesk

logger = logging.getLogger(__name__)


class SlaCards(Protocol):
    """The worker's activities (dialogs/servicedesk/sla_notices.py renders them)."""

    def reminder(
        self, ticket: Ticket, step: SlaStep, minutes_left: int, locale: str
    ) -> dict[str, Any]:
        """ "SD-… moet binnen 45 minuten beantwoord zijn", in `locale` (the assignee's, or
        the desk's for its channel)."""
        ...

    def escalation(self, ticket: Ticket, step: SlaStep, assignee: str) -> dict[str, Any]:
        """ "SD-… is niet op tijd opgelost", for the lead channel (the desk's language);
        `assignee` is a name, "" while nobody has the ticket."""
        ...


@dataclass(frozen=True, slots=True)
class SlaWorkerSettings:
    lead_channel_id: str = ""  # where escalations go; "": the ticket's desk channel
    poll_seconds: float = 60.0
    batch: int = 200  # open tickets read at a time


@dataclass(frozen=True, slots=True)
class SlaRound:
    """What one round did (for logs and tests)."""

    looked_at: int = 0
    reminded: int = 0
    escalated: int = 0


class TicketSlaWorker:
    def __init__(
        self,
        *,
        desk: TicketDesk,
        tickets: TicketRepository,
        people: People,
        cards: SlaCards,
        clock: Clock,
        calendar: WorkingCalendar,
        desk_settings: DeskSettings,
        settings: SlaWorkerSettings,
    ) -> None:
        self._desk = desk
        self._tickets = tickets
        self._people = people
        self._cards = cards
        self._clock = clock
        self._calendar = calendar
        self._desk_settings = desk_settings
        self._settings = settings
        self._rounds = Rounds("service-level worker", settings.poll_seconds)

    def wake(self) -> None:
        """Look now instead of at the next poll."""
        self._rounds.wake()

    async def run(self, stop: asyncio.Event) -> None:
        await self._rounds.run(self.run_once, stop)

    async def run_once(self) -> SlaRound:
        """One round over every desk's open tickets. A ticket someone moved meanwhile, or that
        fails, is left for the next round and keeps the others from nothing."""
        looked_at = reminded = escalated = 0
        after_id, batch = 0, max(self._settings.batch, 1)
        while True:
            page = await self._tickets.open_tickets(batch, after_id)
            for ticket in page:
                looked_at += 1
                try:
                    steps = await self._notify(ticket)
                except (StaleTicket, IllegalTicketStep):
                    continue  # someone acted on it meanwhile: the next round looks again
                except DomainError as error:
                    logger.warning("ticket %s: %s; next round", ticket.id, type(error).__name__)
                    continue
                reminded += sum(step.state is SlaState.AT_RISK for step in steps)
                escalated += sum(step.state is SlaState.BREACHED for step in steps)
            if len(page) < batch:
                break
            after_id = page[-1].id
        if reminded or escalated:
            logger.info("service-level worker: %d reminded, %d escalated", reminded, escalated)
        return SlaRound(looked_at, reminded, escalated)

    async def _notify(self, ticket: Ticket) -> list[SlaStep]:
        """The ticket's steps due now, told and recorded in one save; [] when none is due."""
        now = self._clock.now()
        targets = self._desk_settings.targets[ticket.urgency]
        steps = ticket.sla_steps(targets, self._calendar, now)
        if not steps:
            return []
        notices = [notice for step in steps for notice in await self._notices(ticket, step, now)]
        await self._desk.record_sla(ticket, steps, notices)
        return steps

    async def _notices(
        self, ticket: Ticket, step: SlaStep, now: datetime
    ) -> Sequence[NewOutboxMessage]:
        key = f"ticket-{ticket.id}-sla-{step.target.value}-{step.state.value}"
        desk_channel = self._desk_settings.channel_of(ticket.desk)
        if step.state is SlaState.BREACHED:
            channel = self._settings.lead_channel_id or desk_channel
            if not channel:
                return []
            names = await self._people.names([ticket.assignee_id] if ticket.assignee_id else [])
            activity = self._cards.escalation(ticket, step, names.get(ticket.assignee_id, ""))
            return [_message(ticket, key, activity, conversation_id=channel)]
        left = self._calendar.working_hours_between(now, step.due)
        minutes = max(round(left * 60), 1)
        if ticket.assignee_id:
            locale = await self._people.locale_of(ticket.assignee_id)
            activity = self._cards.reminder(ticket, step, minutes, locale)
            return [_message(ticket, key, activity, recipient_id=ticket.assignee_id)]
        if not desk_channel:
            return []
        activity = self._cards.reminder(ticket, step, minutes, "")
        return [_message(ticket, key, activity, conversation_id=desk_channel)]


def _message(
    ticket: Ticket,
    key: str,
    activity: dict[str, Any],
    *,
    recipient_id: str = "",
    conversation_id: str = "",
) -> NewOutboxMessage:
    return NewOutboxMessage(
        tenant_id=ticket.tenant_id,
        dedupe_key=key,
        activity=activity,
        recipient_id=recipient_id,
        conversation_id=conversation_id,
    )
