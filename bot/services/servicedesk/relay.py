"""The relay: a person and the desk's agents talk through Werkplek while a ticket is open.

- The person: a message in their 1:1 chat that no command claims, while they have an open ticket,
  is offered for it once ("Hoort dit bij je melding SD-…?"). Yes: it is added, and so is every
  next one until the ticket is resolved or they say stop. No: it is not, and they are not asked
  again for that ticket. What they write is also posted in the ticket's thread in the channel.
- The agents: a message written in a ticket's thread (the bot reads the channel through the
  Teams resource-specific permission ChannelMessage.Read.Group) goes to the person, in their
  chat, with the agent's name; one that starts with the internal-note marker stays a note.
  Only an agent of the ticket's desk may do either (TicketDesk checks, as for the card).

Messages are no decisions: two written at once, from either side, are both kept, in the order
they were saved (TicketDesk writes them on the ticket as it is then).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from bot.domain.platform.actors import Actor
from bot.domain.servicedesk.tickets import Relay, Ticket
from bot.ports.servicedesk import TicketRepository
from bot.services.servicedesk.tickets import TicketDesk, ticket_of_desk_card

_THREAD = ";messageid="


class SentMessages(Protocol):
    """The outbox's record of what Werkplek posted (OutboxRepository.sent_as)."""

    async def sent_as(self, conversation_id: str, activity_id: str) -> str | None: ...


class FromThread(StrEnum):
    ANSWER = "answer"  # went to the person
    NOTE = "note"  # stayed on the desk's card


class TicketRelay:
    def __init__(
        self,
        *,
        desk: TicketDesk,
        tickets: TicketRepository,
        sent: SentMessages,
        note_markers: tuple[str, ...],
    ) -> None:
        self._desk = desk
        self._tickets = tickets
        self._sent = sent
        self._markers = tuple(marker.casefold() for marker in note_markers)

    # --- the person -------------------------------------------------------------------------
    async def relaying(self, caller: Actor) -> Ticket | None:
        """The open ticket the person's free messages go to now, if any."""
        return next((t for t in await self._open(caller) if t.relays), None)

    async def to_offer(self, caller: Actor) -> Ticket | None:
        """The open ticket to offer a free message for: the last changed one nobody asked
        the person about yet (None when their messages go to one already)."""
        tickets = await self._open(caller)
        if any(t.relays for t in tickets):
            return None
        return next((t for t in tickets if t.relay is Relay.UNASKED), None)

    async def accept(self, caller: Actor, ticket_id: int, said: str) -> Ticket:
        """ "Ja": the message is added and the next ones will be (NotFound for a ticket that
        is not theirs: TicketDesk.answer checks, as for any other step)."""
        ticket = await self._desk.answer(caller, ticket_id, said)
        await self._tickets.set_relay(ticket_id, Relay.ON)
        return ticket

    async def relay(self, caller: Actor, ticket: Ticket, said: str) -> Ticket:
        return await self._desk.answer(caller, ticket.id, said)

    async def decline(self, caller: Actor, ticket_id: int) -> Ticket:
        """ "Nee", or stop: the person's messages no longer go to the ticket."""
        ticket, _ = await self._desk.for_requester(caller, ticket_id)
        await self._tickets.set_relay(ticket_id, Relay.OFF)
        return ticket

    # --- the agents -------------------------------------------------------------------------
    async def ticket_of_thread(self, conversation_id: str) -> int | None:
        """The ticket whose card opened this thread (`<channel>;messageid=<card's id>`)."""
        channel, found, root = conversation_id.partition(_THREAD)
        if not found:
            return None
        key = await self._sent.sent_as(channel, root)
        return None if key is None else ticket_of_desk_card(key)

    async def from_thread(self, caller: Actor, ticket_id: int, said: str) -> FromThread:
        """An agent's message in the ticket's thread: to the person, or a note when it starts
        with a marker (the marker itself is not kept)."""
        note = self._note(said)
        if note is not None:
            await self._desk.note(caller, ticket_id, note)
            return FromThread.NOTE
        await self._desk.reply(caller, ticket_id, said)
        return FromThread.ANSWER

    def _note(self, said: str) -> str | None:
        """The note's text when the message opens with a word that starts with a marker
        ("#intern", "#internal", "#interne:" all do: better a note too many than an internal
        remark sent to the person); None for an answer."""
        first, _, rest = said.strip().partition(" ")
        if not first.casefold().startswith(self._markers):
            return None
        _, colon, after_colon = first.partition(":")
        return " ".join(part for part in (after_colon if colon else "", rest) if part).strip()

    async def _open(self, caller: Actor) -> list[Ticket]:
        return await self._tickets.open_of(caller.tenant_id, caller.user_id)
