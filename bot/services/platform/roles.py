"""Which Werkplek roles a person holds, from their Entra group memberships (cached)."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.domain.platform.errors import DomainError
from bot.domain.platform.roles import Role
from bot.ports.platform import Clock, Directory

logger = logging.getLogger(__name__)

# After a directory failure we retry soon rather than keep a degraded answer for minutes.
_FAILURE_CACHE = timedelta(seconds=30)
# Everyone who talked to this replica within the TTL; beyond it the least recently asked go first
# (a few hundred bytes each: the bound is memory, not a hit-rate tuning).
MAX_CACHED_PEOPLE = 20_000


class RoleResolver:
    def __init__(
        self,
        directory: Directory,
        role_groups: Mapping[str, list[str]],
        clock: Clock,
        ttl_seconds: float = 300.0,
        max_entries: int = MAX_CACHED_PEOPLE,
    ) -> None:
        self._directory = directory
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_seconds)
        self._group_roles: dict[str, set[Role]] = {}
        for role_name, group_ids in role_groups.items():
            role = Role(role_name)
            for group_id in group_ids:
                self._group_roles.setdefault(group_id.casefold(), set()).add(role)
        self._max_entries = max_entries
        self._cache: OrderedDict[str, tuple[datetime, frozenset[Role]]] = OrderedDict()
        self._inflight: dict[str, asyncio.Future[frozenset[Role]]] = {}

    async def roles_of(self, user_id: str) -> frozenset[Role]:
        cached = self._cache.get(user_id)
        if cached and cached[0] > self._clock.now():
            self._cache.move_to_end(user_id)
            return cached[1]
        if pending := self._inflight.get(user_id):
            return await asyncio.shield(pending)
        future: asyncio.Future[frozenset[Role]] = asyncio.get_running_loop().create_future()
        self._inflight[user_id] = future
        try:
            roles, keep_for = await self._lookup(user_id)
            self._keep(user_id, (self._clock.now() + keep_for, roles))
            future.set_result(roles)
            return roles
        finally:
            del self._inflight[user_id]

    def _keep(self, user_id: str, entry: tuple[datetime, frozenset[Role]]) -> None:
        self._cache[user_id] = entry
        self._cache.move_to_end(user_id)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)

    async def _lookup(self, user_id: str) -> tuple[frozenset[Role], timedelta]:
        roles = {Role.STAFF}
        if not self._group_roles:
            return frozenset(roles), self._ttl
        try:
            groups = await self._directory.member_of(user_id)
        except DomainError as error:
            # Degrade to plain staff: the caller can still use everything staff may use.
            logger.warning("role lookup failed for %s: %s", user_id, error.message_key)
            return frozenset(roles), _FAILURE_CACHE
        for group in groups:
            roles |= self._group_roles.get(group.id.casefold(), set())
        return frozenset(roles), self._ttl
