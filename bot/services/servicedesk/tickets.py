"""Tickets: a person's question for the service desk's people, from the form to the rating.

- A person files a ticket (`open`): it is stored with its reference (SD-2026-000123) and, in the
  same transaction, the outbox gets its card for the service-desk channel: the entity's own
  desk when one is configured, else the central one. A card that cannot be posted now is
  retried by the outbox; the ticket is never orphaned.
- Agents (role `agent`, of the ticket's desk when desks are per entity; Werkplek admins
  anywhere) take it, give it to a colleague of its desk or change its category or urgency
  (bot/services/servicedesk/handover.py), answer the person, write internal notes, resolve
  it. Every step lands only on the version it was decided on (two agents clicking at once:
  one wins, the other is told), is audited, and edits the channel card in place through the
  outbox; an answer and a resolution also reach the person's 1:1 chat.
- The person sees their tickets, answers, reopens a resolved one within REOPEN_DAYS, and rates
  it (which closes it). Internal notes never reach them: they are left out of what they read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.errors import Forbidden, NotFound
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.platform.roles import Role
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.agents import DeskAgent
from bot.domain.servicedesk.sla import TicketSla, ticket_sla
from bot.domain.servicedesk.tickets import (
    MessageKind,
    NewTicket,
    SlaStep,
    Ticket,
    TicketMessage,
)
from bot.ports.platform import Clock
from bot.ports.servicedesk import TicketRepository
from bot.services.servicedesk.handover import Agents, TicketHandover
from bot.services.servicedesk.ticket_checks import (
    MAX_CONTEXT,
    again_if_stale,
    checked_category,
    checked_context,
    checked_question,
    checked_text,
    checked_urgency,
    same_person,
)

# Re-exported: what callers of the desk name it with.
from bot.services.servicedesk.ticket_checks import desk_card_key as desk_card_key
from bot.services.servicedesk.ticket_checks import ticket_of_desk_card as ticket_of_desk_card
from bot.services.servicedesk.ticket_ports import DeskSettings as DeskSettings
from bot.services.servicedesk.ticket_ports import People as People
from bot.services.servicedesk.ticket_ports import TicketCards as TicketCards
from bot.services.servicedesk.ticket_ports import TicketForm as TicketForm

OBJECT_TYPE = "servicedesk_ticket"


class TicketDesk:
    def __init__(
        self,
        *,
        tickets: TicketRepository,
        people: People,
        cards: TicketCards,
        clock: Clock,
        calendar: WorkingCalendar,
        settings: DeskSettings,
        agents: Agents | None = None,
        on_enqueued: Callable[[], None] = lambda: None,
    ) -> None:
        """agents: whom tickets can be given to; without them an agent can only take one.
        on_enqueued: called after a step queued its messages (wakes the outbox sender, so an
        answer reaches the other side at once, not at the sender's next idle poll)."""
        self._on_enqueued = on_enqueued
        self._tickets = tickets
        self._people = people
        self._cards = cards
        self._clock = clock
        self._calendar = calendar
        self._settings = settings
        self._handover = TicketHandover(
            agents=agents,
            people=people,
            cards=cards,
            clock=clock,
            load=self._agents_ticket,
            take=self.take,
            save=self._save,
        )

    # --- the person -------------------------------------------------------------------------
    async def open(self, caller: Actor, form: TicketForm) -> Ticket:
        """File the person's ticket and queue its card for the desk; audited with it."""
        entity = await self._people.entity_of(caller.user_id)
        new = NewTicket(
            tenant_id=caller.tenant_id,
            requester_id=caller.user_id,
            category=checked_category(form.category),
            urgency=checked_urgency(form.urgency),
            question=checked_question(form.question),
            created_at=self._clock.now(),
            desk=self._settings.desk_of(entity),
            context=(*checked_context(form.context), *form.attached)[:MAX_CONTEXT],
            requester_entity=entity,
        )
        names = await self._people.names([caller.user_id])
        agents = await self._agents_of(new.desk)

        def then(stored: Ticket) -> tuple[list[AuditEntry], list[NewOutboxMessage]]:
            audit = self._audit(caller, "servicedesk.ticket.open", stored, Outcome.OK)
            return [audit], self._desk_card(stored, [], names, agents)

        stored = await self._tickets.add(new, then)
        self._on_enqueued()
        return stored

    async def mine(self, caller: Actor) -> list[Ticket]:
        return await self._tickets.mine(caller.tenant_id, caller.user_id)

    async def for_requester(
        self, caller: Actor, ticket_id: int
    ) -> tuple[Ticket, list[TicketMessage]]:
        """The ticket and what the person may read of it; NotFound for anyone else's (the
        same answer as for no ticket at all: an id guessed says nothing)."""
        ticket = await self._tickets.get(ticket_id)
        if ticket is None or not same_person(ticket.requester_id, caller.user_id):
            raise NotFound("servicedesk.ticket.not_found")
        return ticket, await self._tickets.messages(ticket.id, internal=False)

    async def answer(self, caller: Actor, ticket_id: int, text: str) -> Ticket:
        """The person writes on their ticket: a ticket waiting on them is open again, and what
        they wrote also goes to the ticket's thread in the desk's channel. A message is no
        decision: when another step was saved first, it is written on the ticket as it is now."""
        said = checked_text(text)

        async def step() -> Ticket:
            ticket, _ = await self.for_requester(caller, ticket_id)
            now = self._clock.now()
            after = ticket.answered_by_requester(now, self._calendar)
            line = TicketMessage(now, caller.user_id, MessageKind.REQUESTER, said)
            names = await self._people.names([caller.user_id])
            thread = self._to_thread(
                after,
                "requester",
                self._cards.in_thread(after, said, names.get(caller.user_id, "")),
            )
            return await self._save(
                caller, "servicedesk.ticket.answer", ticket, after, line, notices=thread
            )

        return await again_if_stale(step)

    async def reopen(self, caller: Actor, ticket_id: int) -> Ticket:
        ticket, _ = await self.for_requester(caller, ticket_id)
        after = ticket.reopened(caller.user_id, self._clock.now())
        event = TicketMessage(self._clock.now(), caller.user_id, MessageKind.EVENT, "reopened")
        return await self._save(caller, "servicedesk.ticket.reopen", ticket, after, event)

    async def rate(self, caller: Actor, ticket_id: int, rating: int, comment: str) -> Ticket:
        """ "Ben je geholpen?": the score closes the ticket; a comment is kept with it (for
        the report) and goes on its card."""
        ticket, _ = await self.for_requester(caller, ticket_id)
        said = checked_text(comment, required=False)
        after = ticket.rated(caller.user_id, rating, said)
        kind = MessageKind.REQUESTER if said else MessageKind.EVENT
        line = TicketMessage(self._clock.now(), caller.user_id, kind, f"{rating}/5 {said}".strip())
        return await self._save(
            caller, "servicedesk.ticket.rate", ticket, after, line, rating=str(rating)
        )

    # --- the agents -------------------------------------------------------------------------
    async def for_agent(self, caller: Actor, ticket_id: int) -> tuple[Ticket, list[TicketMessage]]:
        ticket = await self._agents_ticket(caller, ticket_id)
        return ticket, await self._tickets.messages(ticket.id, internal=True)

    async def take(self, caller: Actor, ticket_id: int) -> Ticket:
        ticket = await self._agents_ticket(caller, ticket_id)
        return await self._save(
            caller, "servicedesk.ticket.take", ticket, ticket.assigned_to(caller.user_id)
        )

    async def assign(self, caller: Actor, ticket_id: int, agent_id: str) -> Ticket:
        """Give it to a colleague: an agent of its desk now, checked (the id is a card's)."""
        return await self._handover.assign(caller, ticket_id, agent_id)

    async def change(self, caller: Actor, ticket_id: int, category: str, urgency: str) -> Ticket:
        return await self._handover.change(caller, ticket_id, category, urgency)

    async def reply(self, caller: Actor, ticket_id: int, text: str) -> Ticket:
        """An agent answers the person (in their 1:1 chat, with the agent's name); written on
        the ticket as it is now when another step was saved first (a message is no decision)."""
        said = checked_text(text)

        async def step() -> Ticket:
            ticket = await self._agents_ticket(caller, ticket_id)
            now = self._clock.now()
            after = ticket.replied(caller.user_id, now)
            line = TicketMessage(now, caller.user_id, MessageKind.AGENT, said)
            locale = await self._people.locale_of(ticket.requester_id)
            to_person = self._to_person(
                after, "answer", self._cards.answered(after, said, caller.name, locale)
            )
            return await self._save(
                caller, "servicedesk.ticket.reply", ticket, after, line, notices=[to_person]
            )

        return await again_if_stale(step)

    async def note(self, caller: Actor, ticket_id: int, text: str) -> Ticket:
        """An internal note: on the desk's card, never in anything the person reads."""
        said = checked_text(text)

        async def step() -> Ticket:
            ticket = await self._agents_ticket(caller, ticket_id)
            line = TicketMessage(self._clock.now(), caller.user_id, MessageKind.NOTE, said)
            return await self._save(caller, "servicedesk.ticket.note", ticket, ticket.noted(), line)

        return await again_if_stale(step)

    async def resolve(self, caller: Actor, ticket_id: int, resolution: str) -> Ticket:
        ticket = await self._agents_ticket(caller, ticket_id)
        now = self._clock.now()
        after = ticket.resolved(caller.user_id, resolution, now, self._calendar)
        event = TicketMessage(now, caller.user_id, MessageKind.EVENT, "resolved")
        locale = await self._people.locale_of(ticket.requester_id)
        to_person = self._to_person(after, "resolved", self._cards.resolved(after, locale))
        return await self._save(
            caller, "servicedesk.ticket.resolve", ticket, after, event, notices=[to_person]
        )

    async def reopen_for_desk(self, caller: Actor, ticket_id: int) -> Ticket:
        """An agent reopens a resolved ticket; the person is told, with the agent's name."""
        ticket = await self._agents_ticket(caller, ticket_id)
        after = ticket.reopened_by_desk()
        event = TicketMessage(self._clock.now(), caller.user_id, MessageKind.EVENT, "reopened")
        locale = await self._people.locale_of(ticket.requester_id)
        told = self._to_person(after, "reopened", self._cards.reopened(after, caller.name, locale))
        return await self._save(
            caller, "servicedesk.ticket.desk_reopen", ticket, after, event, notices=[told]
        )

    # --- the service-level worker (bot/services/servicedesk/sla_worker.py) -------------------
    async def record_sla(
        self, before: Ticket, steps: Sequence[SlaStep], notices: Sequence[NewOutboxMessage]
    ) -> Ticket:
        """The worker's reminders and escalations for `steps`, saved with the ticket only on
        the version they were decided on (StaleTicket otherwise), audited, and the desk's card
        edited so its service-level line shows where the targets stand now."""
        system = replace(Actor.system(), tenant_id=before.tenant_id)
        marks = " ".join(step.mark for step in steps)
        after = before.sla_noted(steps)
        return await self._save(
            system, "servicedesk.ticket.sla", before, after, notices=notices, notified=marks
        )

    def now(self) -> datetime:
        return self._clock.now()

    def sla(self, ticket: Ticket) -> TicketSla:
        """Both service levels now: each target's state and when it is due."""
        targets = self._settings.targets[ticket.urgency]
        return ticket_sla(ticket, targets, self._calendar, self._clock.now())

    async def names(self, ticket: Ticket, messages: Sequence[TicketMessage]) -> dict[str, str]:
        ids = {ticket.requester_id, ticket.assignee_id, *(m.author_id for m in messages)}
        found = await self.names_of(ids)
        if ticket.assignee_id and ticket.assignee_id not in found:  # given, never talked to us
            agents = await self._agents_of(ticket.desk)
            found |= {a.id: a.name for a in agents if a.id == ticket.assignee_id}
        return found

    async def names_of(self, ids: Iterable[str]) -> dict[str, str]:
        return await self._people.names(sorted({i for i in ids if i}))

    async def agents(self, ticket: Ticket) -> list[DeskAgent]:
        """Whom the ticket can be given to, for its card: its desk's agents by name (the
        server checks the one chosen again)."""
        return await self._agents_of(ticket.desk)

    # --- helpers ----------------------------------------------------------------------------
    async def _agents_ticket(self, caller: Actor, ticket_id: int) -> Ticket:
        """The ticket, when the caller may work on it: an agent of its desk (any agent for
        the central desk's), or a Werkplek admin."""
        if not (caller.has(Role.AGENT) or caller.has(Role.ADMIN)):
            raise Forbidden("servicedesk.ticket.agents_only")
        ticket = await self._tickets.get(ticket_id)
        if ticket is None or ticket.tenant_id != caller.tenant_id:
            raise NotFound("servicedesk.ticket.not_found")
        outside = ticket.desk and not caller.has(Role.ADMIN)
        if outside and await self._people.entity_of(caller.user_id) != ticket.desk:
            raise Forbidden("servicedesk.ticket.other_desk")
        return ticket

    async def _save(
        self,
        caller: Actor,
        action: str,
        before: Ticket,
        after: Ticket,
        line: TicketMessage | None = None,
        *,
        notices: Sequence[NewOutboxMessage] = (),
        **detail: str,
    ) -> Ticket:
        messages = [*await self._tickets.messages(before.id, internal=True)]
        if line is not None:
            messages.append(line)
        names = await self.names(after, messages)
        desk = self._desk_card(after, messages, names, await self._agents_of(after.desk))
        audit = self._audit(caller, action, after, Outcome.OK, **detail)
        await self._tickets.save(before, after, line, audit=[audit], notices=[*notices, *desk])
        self._on_enqueued()
        return after

    def _desk_card(
        self,
        ticket: Ticket,
        messages: Sequence[TicketMessage],
        names: Mapping[str, str],
        agents: Sequence[DeskAgent],
    ) -> list[NewOutboxMessage]:
        """The ticket's card in its desk's channel: posted once, then edited in place."""
        channel = self._settings.channel_of(ticket.desk)
        if not channel:
            return []
        first = desk_card_key(ticket.id)
        return [
            NewOutboxMessage(
                tenant_id=ticket.tenant_id,
                dedupe_key=first if ticket.version == 1 else f"{first}.v{ticket.version}",
                activity=self._cards.desk(ticket, messages, names, self.sla(ticket), agents),
                conversation_id=channel,
                replaces="" if ticket.version == 1 else first,
            )
        ]

    def _to_thread(
        self, ticket: Ticket, step: str, activity: dict[str, Any]
    ) -> list[NewOutboxMessage]:
        """A message in the ticket's thread in its desk's channel (under its card)."""
        channel = self._settings.channel_of(ticket.desk)
        if not channel:
            return []
        return [
            NewOutboxMessage(
                tenant_id=ticket.tenant_id,
                dedupe_key=f"ticket-{ticket.id}-{step}.v{ticket.version}",
                activity=activity,
                conversation_id=channel,
                thread_of=desk_card_key(ticket.id),
            )
        ]

    def _to_person(self, ticket: Ticket, step: str, activity: dict[str, Any]) -> NewOutboxMessage:
        return NewOutboxMessage(
            tenant_id=ticket.tenant_id,
            dedupe_key=f"ticket-{ticket.id}-{step}.v{ticket.version}",
            activity=activity,
            recipient_id=ticket.requester_id,
        )

    async def _agents_of(self, desk: str) -> list[DeskAgent]:
        return await self._handover.of_desk(desk)

    def _audit(
        self, caller: Actor, action: str, ticket: Ticket, outcome: Outcome, **detail: str
    ) -> AuditEntry:
        return ticket_audit(self._clock.now(), caller, action, ticket, outcome, **detail)


def ticket_audit(
    at: datetime, caller: Actor, action: str, ticket: Ticket, outcome: Outcome, **detail: str
) -> AuditEntry:
    """The audit line of a step on a ticket, named by its reference."""
    return AuditEntry(
        at=at,
        actor_id=caller.user_id,
        action=action,
        outcome=outcome,
        role=caller.role,
        tenant_id=ticket.tenant_id,
        object_type=OBJECT_TYPE,
        object_id=ticket.reference,
        correlation_id=caller.correlation_id,
        detail=dict(detail),
    )
