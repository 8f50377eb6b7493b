"""Who a service-desk ticket can be given to: the agents of its desk.

- The agents are the people in the groups that give the role `agent` (the settings' role
  groups), however deeply nested, read through the Directory port: at most `limit` people in
  all, the first pages of each group.
- A per-entity desk's agents are those whose entity is that desk; the central desk's are all of
  them (as TicketDesk lets any agent work on a central ticket).
- Each desk's list is kept for `ttl_seconds`, sorted by name. A directory that fails gives an
  empty list, kept only for FAILURE_SECONDS: the card then offers "take" alone, and the next
  card asks again. The log says how it failed, never who is in a group.

Decisions (and why):
- `is_agent_of` answers for one person from their own roles (the RoleResolver the dispatcher
  uses) and entity, not from the list: the list is capped and a card's payload is never
  trusted, so giving a ticket to someone is checked on what that person is now. A directory
  that cannot tell makes them plain staff (RoleResolver): the step is refused, never let
  through.
- Disabled accounts are left out of the list: a ticket given to them would wait for nobody.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import DomainError
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.agents import DeskAgent
from bot.ports.platform import Clock, Directory

logger = logging.getLogger(__name__)

# A people picker, not a census: a desk with more agents than this lists the first ones.
MAX_AGENTS = 500
# After a directory failure the next card asks again soon, rather than showing no one for minutes.
FAILURE_SECONDS = 30.0
# Entities looked up at once for a per-entity desk's list (each may be a directory call).
_ENTITY_LOOKUPS = 8


class RolesOf(Protocol):
    """bot.services.platform.roles.RoleResolver."""

    async def roles_of(self, user_id: str) -> frozenset[Role]: ...


class EntityOf(Protocol):
    """bot.services.servicedesk.people.DeskPeople: a person's entity code, "" when unknown."""

    async def entity_of(self, user_id: str) -> str: ...


class DeskAgents:
    """Implements bot.services.servicedesk.tickets.Agents."""

    def __init__(
        self,
        *,
        directory: Directory,
        agent_groups: Sequence[str],
        roles: RolesOf,
        people: EntityOf,
        clock: Clock,
        ttl_seconds: float = 300.0,
        limit: int = MAX_AGENTS,
    ) -> None:
        self._directory = directory
        self._groups = tuple(dict.fromkeys(agent_groups))
        self._roles = roles
        self._people = people
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_seconds)
        self._limit = limit
        self._lists: dict[str, tuple[datetime, list[DeskAgent]]] = {}

    async def of_desk(self, desk: str) -> list[DeskAgent]:
        """The desk's agents by name ("" the central desk); [] when the directory cannot tell."""
        kept = self._lists.get(desk)
        if kept is not None and kept[0] > self._clock.now():
            return list(kept[1])
        found, keep_for = await self._read(desk)
        self._lists[desk] = (self._clock.now() + keep_for, found)
        return list(found)

    async def is_agent_of(self, user_id: str, desk: str) -> bool:
        """Whether this person holds the role agent now, and belongs to the desk's entity when
        the desk is an entity's."""
        if not user_id or Role.AGENT not in await self._roles.roles_of(user_id):
            return False
        return not desk or await self._people.entity_of(user_id) == desk

    async def _read(self, desk: str) -> tuple[list[DeskAgent], timedelta]:
        try:
            users = await self._members()
        except DomainError as error:
            logger.warning("desk agents unknown: %s", type(error).__name__)
            return [], timedelta(seconds=FAILURE_SECONDS)
        if desk:
            users = await self._of_entity(users, desk)
        agents = [DeskAgent(u.id, u.display_name or u.user_principal_name) for u in users]
        agents.sort(key=lambda agent: (agent.name.casefold(), agent.id))
        return agents, self._ttl

    async def _members(self) -> list[DirectoryUser]:
        """The agent groups' enabled users, each once, at most `limit` in all."""
        found: dict[str, DirectoryUser] = {}
        for group_id in self._groups:
            left = self._limit - len(found)
            if left <= 0:
                break
            for user in await self._directory.group_members(group_id, limit=left):
                if user.id and user.account_enabled is not False:
                    found.setdefault(user.id.casefold(), user)
        return list(found.values())[: self._limit]

    async def _of_entity(self, users: list[DirectoryUser], desk: str) -> list[DirectoryUser]:
        gate = asyncio.Semaphore(_ENTITY_LOOKUPS)

        async def entity(user: DirectoryUser) -> str:
            async with gate:
                return await self._people.entity_of(user.id)

        entities = await asyncio.gather(*(entity(user) for user in users))
        return [user for user, code in zip(users, entities, strict=True) if code == desk]
