"""The desk's queue: the open tickets an agent may work on, oldest first.

`open meldingen` in the service-desk channel (or an agent's own chat) lists them, so a ticket
whose card scrolled away, or was never posted while Teams was down, is one click from its card.
An agent sees the central desk's tickets and, where entities have desks of their own, their own
entity's; a Werkplek admin sees every desk's.
"""

from __future__ import annotations

from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import Forbidden
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.tickets import Ticket
from bot.ports.servicedesk import TicketRepository
from bot.services.servicedesk.tickets import DeskSettings, People

MAX_QUEUED = 50


class DeskQueue:
    def __init__(self, tickets: TicketRepository, people: People, settings: DeskSettings) -> None:
        self._tickets = tickets
        self._people = people
        self._settings = settings

    async def for_agent(self, caller: Actor) -> list[Ticket]:
        if caller.has(Role.ADMIN):
            desks = ["", *sorted(self._settings.entity_channels)]
        elif caller.has(Role.AGENT):
            entity = await self._people.entity_of(caller.user_id)
            desks = [""] + ([entity] if entity in self._settings.entity_channels else [])
        else:
            raise Forbidden("servicedesk.ticket.agents_only")
        queued: list[Ticket] = []
        for desk in desks:
            queued += await self._tickets.open_for_desk(desk, MAX_QUEUED)
        mine = [t for t in queued if t.tenant_id == caller.tenant_id]
        return sorted(mine, key=lambda t: (t.created_at, t.id))[:MAX_QUEUED]
