"""The agents' "Toewijzen" and "Wijzigen" on a ticket's card: give it to a colleague of its desk,
or put it in another category or urgency. TicketDesk runs them (`assign`, `change`) and lends
its own steps: loading the ticket for the caller (an agent of its desk, or an admin), taking
it, and saving a step with its version check, audit line and desk card.

Decisions (and why):
- Whom a ticket is given to is checked here, on what that person is now (their roles and
  entity: bot/services/servicedesk/agents.py), never on the card: its payload is user input,
  and the list it was picked from may be minutes old. Refused: Forbidden, which the dialog
  audits; nothing is saved.
- To oneself, it is taking it (the same step, audited as a take).
- Nothing changes, nothing is saved: the same assignee, or the same category and urgency.
- The new assignee hears of it in their 1:1 chat (through the outbox, in the step's
  transaction), in their own language, with a button to the ticket's card.
- The audit keeps the ids and the values before and after; the event line says what kind of
  step it was (events are never shown to the person).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import DomainError, Forbidden
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.servicedesk.agents import DeskAgent
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.tickets import MessageKind, Ticket, TicketMessage, Urgency
from bot.ports.platform import Clock

E = TypeVar("E", bound=StrEnum)


class Agents(Protocol):
    """bot.services.servicedesk.agents.DeskAgents: who a desk's tickets can be given to."""

    async def of_desk(self, desk: str) -> list[DeskAgent]:
        """For the card, by name; [] when the directory cannot tell."""
        ...

    async def is_agent_of(self, user_id: str, desk: str) -> bool:
        """The check: an agent now, of the desk's entity for an entity's desk."""
        ...


class AssignedCards(Protocol):
    def assigned(self, ticket: Ticket, by_name: str, locale: str) -> dict[str, Any]:
        """ "Melding ... is aan jou toegewezen", for the new assignee's 1:1 chat."""
        ...


class Locales(Protocol):
    async def locale_of(self, user_id: str) -> str: ...


class SaveStep(Protocol):
    """TicketDesk's step: saved on `before`'s version, audited as `action` with `detail`."""

    async def __call__(
        self,
        caller: Actor,
        action: str,
        before: Ticket,
        after: Ticket,
        line: TicketMessage | None = None,
        *,
        notices: Sequence[NewOutboxMessage] = (),
        **detail: str,
    ) -> Ticket: ...


Step = Callable[[Actor, int], Awaitable[Ticket]]


class TicketHandover:
    def __init__(
        self,
        *,
        agents: Agents | None,
        people: Locales,
        cards: AssignedCards,
        clock: Clock,
        load: Step,
        take: Step,
        save: SaveStep,
    ) -> None:
        """agents None: nobody can be given a ticket (an agent can still take it); load: the
        ticket when the caller may work on it; take: the caller takes it."""
        self._agents = agents
        self._people = people
        self._cards = cards
        self._clock = clock
        self._load = load
        self._take = take
        self._save = save

    async def assign(self, caller: Actor, ticket_id: int, agent_id: str) -> Ticket:
        if agent_id.casefold() == caller.user_id.casefold():
            return await self._take(caller, ticket_id)
        ticket = await self._load(caller, ticket_id)
        if self._agents is None or not await self._agents.is_agent_of(agent_id, ticket.desk):
            raise Forbidden("servicedesk.ticket.not_an_agent")
        after = ticket.assigned_to(agent_id)
        if ticket.assignee_id.casefold() == agent_id.casefold():
            return ticket
        event = TicketMessage(self._clock.now(), caller.user_id, MessageKind.EVENT, "assigned")
        locale = await self._people.locale_of(agent_id)
        notice = NewOutboxMessage(
            tenant_id=after.tenant_id,
            dedupe_key=f"ticket-{after.id}-assigned.v{after.version}",
            activity=self._cards.assigned(after, caller.name, locale),
            recipient_id=agent_id,
        )
        return await self._save(
            caller,
            "servicedesk.ticket.assign",
            ticket,
            after,
            event,
            notices=[notice],
            assignee=agent_id,
            previous=ticket.assignee_id,
        )

    async def change(self, caller: Actor, ticket_id: int, category: str, urgency: str) -> Ticket:
        """Empty: as it is."""
        ticket = await self._load(caller, ticket_id)
        after = ticket.changed(
            _member(Category, category or ticket.category.value, "category_error"),
            _member(Urgency, urgency or ticket.urgency.value, "urgency_error"),
        )
        if after is ticket:
            return ticket
        event = TicketMessage(self._clock.now(), caller.user_id, MessageKind.EVENT, "changed")
        return await self._save(
            caller,
            "servicedesk.ticket.change",
            ticket,
            after,
            event,
            category=f"{ticket.category.value}->{after.category.value}",
            urgency=f"{ticket.urgency.value}->{after.urgency.value}",
        )

    async def of_desk(self, desk: str) -> list[DeskAgent]:
        return await self._agents.of_desk(desk) if self._agents is not None else []


def _member(kind: type[E], value: str, error: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise DomainError(f"servicedesk.ticket.{error}") from None
