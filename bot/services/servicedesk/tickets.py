"""Tickets: a person's question for the service desk's people, from the form to the rating.

- A person files a ticket (`open`): it is stored with its reference (SD-2026-000123) and, in the
  same transaction, the outbox gets its card for the service-desk channel: the entity's own
  desk when one is configured, else the central one. A card that cannot be posted now is
  retried by the outbox; the ticket is never orphaned.
- Agents (role `agent`, of the ticket's desk when desks are per entity; Werkplek admins
  anywhere) take it, hand it to a colleague, answer the person, write internal notes, resolve
  it. Every step lands only on the version it was decided on (two agents clicking at once: one
  wins, the other is told), is audited, and edits the channel card in place through the outbox;
  an answer and a resolution also reach the person's 1:1 chat.
- The person sees their tickets, answers, reopens a resolved one within REOPEN_DAYS, and rates
  it (which closes it). Internal notes never reach them: they are left out of what they read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.errors import DomainError, Forbidden, NotFound
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.platform.roles import Role
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.tickets import (
    DEFAULT_TARGETS,
    MAX_QUESTION,
    MessageKind,
    NewTicket,
    SlaState,
    SlaStep,
    Targets,
    Ticket,
    TicketMessage,
    Urgency,
)
from bot.ports.platform import Clock
from bot.ports.servicedesk import TicketRepository

OBJECT_TYPE = "servicedesk_ticket"
MAX_CONTEXT = 5
# A reference Werkplek gave: a failure's, a licence request's, a post item's, a ticket's.
_REFERENCE = re.compile(r"(WP|LIC|POST|SD|KB)-[A-Z0-9-]{4,24}")
MAX_TEXT = 4000


class TicketCards(Protocol):
    """The activities tickets send (dialogs/servicedesk/ticket_notices.py renders them)."""

    def desk(
        self,
        ticket: Ticket,
        messages: Sequence[TicketMessage],
        names: Mapping[str, str],
        sla: tuple[SlaState, SlaState],
    ) -> dict[str, Any]:
        """The ticket's card for the agents' channel."""
        ...

    def answered(self, ticket: Ticket, text: str, agent_name: str, locale: str) -> dict[str, Any]:
        """An agent's answer, for the person's 1:1 chat."""
        ...

    def resolved(self, ticket: Ticket, locale: str) -> dict[str, Any]:
        """ "Je vraag is opgelost: ... Ben je geholpen?", for the person's 1:1 chat."""
        ...


class People(Protocol):
    """Who is who, for names on cards and the person's language (the users who talked to
    Werkplek) and which entity a person belongs to (for per-entity desks)."""

    async def names(self, user_ids: Sequence[str]) -> dict[str, str]: ...

    async def locale_of(self, user_id: str) -> str: ...

    async def entity_of(self, user_id: str) -> str:
        """The person's entity code; "" when none or unknown."""
        ...


@dataclass(frozen=True, slots=True)
class DeskSettings:
    channel_id: str  # the central service desk's channel ("": tickets wait for `tickets open`)
    entity_channels: Mapping[str, str] = field(default_factory=dict)  # entity code -> channel
    targets: Mapping[Urgency, Targets] = field(default_factory=lambda: dict(DEFAULT_TARGETS))

    def channel_of(self, desk: str) -> str:
        return self.entity_channels.get(desk, "") if desk else self.channel_id


@dataclass(frozen=True, slots=True)
class TicketForm:
    """What the form sent, before it is checked."""

    category: str
    question: str
    urgency: str = Urgency.NORMAL.value
    context: Sequence[tuple[str, str]] = ()


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
    ) -> None:
        self._tickets = tickets
        self._people = people
        self._cards = cards
        self._clock = clock
        self._calendar = calendar
        self._settings = settings

    # --- the person -------------------------------------------------------------------------
    async def open(self, caller: Actor, form: TicketForm) -> Ticket:
        """File the person's ticket and queue its card for the desk; audited with it."""
        new = NewTicket(
            tenant_id=caller.tenant_id,
            requester_id=caller.user_id,
            category=_category(form.category),
            urgency=_urgency(form.urgency),
            question=_question(form.question),
            created_at=self._clock.now(),
            desk=await self._desk_of(caller.user_id),
            context=_context(form.context),
        )
        names = await self._people.names([caller.user_id])

        def then(stored: Ticket) -> tuple[list[AuditEntry], list[NewOutboxMessage]]:
            audit = self._audit(caller, "servicedesk.ticket.open", stored, Outcome.OK)
            return [audit], self._desk_card(stored, [], names)

        return await self._tickets.add(new, then)

    async def mine(self, caller: Actor) -> list[Ticket]:
        return await self._tickets.mine(caller.tenant_id, caller.user_id)

    async def for_requester(
        self, caller: Actor, ticket_id: int
    ) -> tuple[Ticket, list[TicketMessage]]:
        """The ticket and what the person may read of it; NotFound for anyone else's (the
        same answer as for no ticket at all: an id guessed says nothing)."""
        ticket = await self._tickets.get(ticket_id)
        if ticket is None or not _same(ticket.requester_id, caller.user_id):
            raise NotFound("servicedesk.ticket.not_found")
        return ticket, await self._tickets.messages(ticket.id, internal=False)

    async def answer(self, caller: Actor, ticket_id: int, text: str) -> Ticket:
        """The person writes on their ticket: a ticket waiting on them is open again."""
        ticket, _ = await self.for_requester(caller, ticket_id)
        now = self._clock.now()
        after = ticket.answered_by_requester(now, self._calendar)
        line = TicketMessage(now, caller.user_id, MessageKind.REQUESTER, _text(text))
        return await self._save(caller, "servicedesk.ticket.answer", ticket, after, line)

    async def reopen(self, caller: Actor, ticket_id: int) -> Ticket:
        ticket, _ = await self.for_requester(caller, ticket_id)
        after = ticket.reopened(caller.user_id, self._clock.now())
        event = TicketMessage(self._clock.now(), caller.user_id, MessageKind.EVENT, "reopened")
        return await self._save(caller, "servicedesk.ticket.reopen", ticket, after, event)

    async def rate(self, caller: Actor, ticket_id: int, rating: int, comment: str) -> Ticket:
        """ "Ben je geholpen?": the score closes the ticket; a comment goes on its card."""
        ticket, _ = await self.for_requester(caller, ticket_id)
        after = ticket.rated(caller.user_id, rating)
        said = _text(comment, required=False)
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

    async def reply(self, caller: Actor, ticket_id: int, text: str) -> Ticket:
        ticket = await self._agents_ticket(caller, ticket_id)
        now = self._clock.now()
        said = _text(text)
        after = ticket.replied(caller.user_id, now)
        line = TicketMessage(now, caller.user_id, MessageKind.AGENT, said)
        locale = await self._people.locale_of(ticket.requester_id)
        to_person = self._to_person(
            after, "answer", self._cards.answered(after, said, caller.name, locale)
        )
        return await self._save(
            caller, "servicedesk.ticket.reply", ticket, after, line, notices=[to_person]
        )

    async def note(self, caller: Actor, ticket_id: int, text: str) -> Ticket:
        """An internal note: on the desk's card, never in anything the person reads."""
        ticket = await self._agents_ticket(caller, ticket_id)
        line = TicketMessage(self._clock.now(), caller.user_id, MessageKind.NOTE, _text(text))
        after = ticket.noted()
        return await self._save(caller, "servicedesk.ticket.note", ticket, after, line)

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

    def sla(self, ticket: Ticket) -> tuple[SlaState, SlaState]:
        targets = self._settings.targets[ticket.urgency]
        now = self._clock.now()
        return (
            ticket.first_response_state(targets, self._calendar, now),
            ticket.resolution_state(targets, self._calendar, now),
        )

    async def names(self, ticket: Ticket, messages: Sequence[TicketMessage]) -> dict[str, str]:
        ids = {ticket.requester_id, ticket.assignee_id, *(m.author_id for m in messages)}
        return await self.names_of(ids)

    async def names_of(self, ids: Iterable[str]) -> dict[str, str]:
        return await self._people.names(sorted({i for i in ids if i}))

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
        desk = self._desk_card(after, messages, names)
        audit = self._audit(caller, action, after, Outcome.OK, **detail)
        await self._tickets.save(before, after, line, audit=[audit], notices=[*notices, *desk])
        return after

    def _desk_card(
        self, ticket: Ticket, messages: Sequence[TicketMessage], names: Mapping[str, str]
    ) -> list[NewOutboxMessage]:
        """The ticket's card in its desk's channel: posted once, then edited in place."""
        channel = self._settings.channel_of(ticket.desk)
        if not channel:
            return []
        first = f"ticket-{ticket.id}-desk"
        return [
            NewOutboxMessage(
                tenant_id=ticket.tenant_id,
                dedupe_key=first if ticket.version == 1 else f"{first}.v{ticket.version}",
                activity=self._cards.desk(ticket, messages, names, self.sla(ticket)),
                conversation_id=channel,
                replaces="" if ticket.version == 1 else first,
            )
        ]

    def _to_person(self, ticket: Ticket, step: str, activity: dict[str, Any]) -> NewOutboxMessage:
        return NewOutboxMessage(
            tenant_id=ticket.tenant_id,
            dedupe_key=f"ticket-{ticket.id}-{step}.v{ticket.version}",
            activity=activity,
            recipient_id=ticket.requester_id,
        )

    async def _desk_of(self, user_id: str) -> str:
        """The requester's entity when it has a desk of its own, else "" (the central one)."""
        if not self._settings.entity_channels:
            return ""
        entity = await self._people.entity_of(user_id)
        return entity if entity in self._settings.entity_channels else ""

    def _audit(
        self, caller: Actor, action: str, ticket: Ticket, outcome: Outcome, **detail: str
    ) -> AuditEntry:
        return AuditEntry(
            at=self._clock.now(),
            actor_id=caller.user_id,
            action=action,
            outcome=outcome,
            role=caller.role,
            tenant_id=caller.tenant_id,
            object_type=OBJECT_TYPE,
            object_id=ticket.reference,
            correlation_id=caller.correlation_id,
            detail=dict(detail),
        )


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _category(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise DomainError("servicedesk.ticket.category_error") from None


def _urgency(value: str) -> Urgency:
    try:
        return Urgency(value or Urgency.NORMAL.value)
    except ValueError:
        raise DomainError("servicedesk.ticket.urgency_error") from None


def _question(value: str) -> str:
    question = value.strip()
    if not question:
        raise DomainError("servicedesk.ticket.question_error")
    if len(question) > MAX_QUESTION:
        raise DomainError("servicedesk.ticket.too_long", limit=MAX_QUESTION)
    return question


def _text(value: str, *, required: bool = True) -> str:
    said = value.strip()
    if required and not said:
        raise DomainError("servicedesk.ticket.text_required")
    if len(said) > MAX_TEXT:
        raise DomainError("servicedesk.ticket.too_long", limit=MAX_TEXT)
    return said


def _context(pairs: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """What Werkplek attached: a failed flow's reference, and only that. The pairs come back
    in a card's payload, which anyone can write: agents read them as Werkplek's, so nothing
    else passes."""
    return tuple(
        (key, value)
        for key, value in list(pairs)[:MAX_CONTEXT]
        if key == "reference" and _REFERENCE.fullmatch(value)
    )
