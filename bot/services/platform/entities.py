"""The entities of the administration as every capability reads them from the licence catalogue.

One `Entities` per app, shared by the licence desk and worker, the post intake and the post desk:
the catalogue is read once per CATALOGUE_SECONDS for all of them (and a replaced catalogue is
seen by all at once on this replica), and an entity's ICT admins are listed once per
ADMINS_SECONDS. A person belongs to the entity whose staff group they are in.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence

from bot.domain.licences.catalogue import ALL_ENTITIES, Catalogue, Entity
from bot.ports.licences import CatalogueRepository
from bot.ports.platform import Directory

# A catalogue edit reaches every replica within this time, without a query per command.
CATALOGUE_SECONDS = 30.0
# Entity admins change rarely; routing and approvals ask for them often.
ADMINS_SECONDS = 300.0
# Entities whose admins are remembered: far more than an administration has; the oldest go first.
MAX_ENTITIES = 1024

# (group id) -> the object ids of its members, transitively (an entity's ICT admins).
GroupMembers = Callable[[str], Awaitable[Sequence[str]]]


class Entities:
    def __init__(
        self,
        catalogue: CatalogueRepository,
        directory: Directory,
        group_members: GroupMembers,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repo = catalogue
        self._directory = directory
        self._group_members = group_members
        self._monotonic = monotonic
        self._catalogue: tuple[float, Catalogue] | None = None
        self._admins: dict[str, tuple[float, tuple[str, ...]]] = {}

    async def catalogue(self) -> Catalogue:
        cached = self._catalogue
        if cached is not None and self._monotonic() - cached[0] < CATALOGUE_SECONDS:
            return cached[1]
        catalogue = await self._repo.load()
        self._catalogue = (self._monotonic(), catalogue)
        return catalogue

    async def replace(self, catalogue: Catalogue) -> None:
        await self._repo.replace(catalogue)
        self._catalogue = (self._monotonic(), catalogue)
        self._admins.clear()  # an entity's admin group may have changed with it

    async def entity_of(self, user_id: str) -> Entity | None:
        """The person's entity; raises what the directory raises."""
        catalogue = await self.catalogue()
        groups = await self._directory.member_of(user_id)
        return catalogue.entity_of(group.id for group in groups)

    async def admins(self, code: str) -> tuple[str, ...]:
        """The ICT admins of the entity (its admin group's members, transitively); () for no
        entity or one without an admin group. Raises what Graph raises."""
        if not code or code == ALL_ENTITIES:
            return ()
        cached = self._admins.get(code)
        if cached is not None and self._monotonic() - cached[0] < ADMINS_SECONDS:
            return cached[1]
        entity = (await self.catalogue()).entity(code)
        if entity is None or not entity.admin_group_id:
            return ()
        admins = tuple(await self._group_members(entity.admin_group_id))
        self._admins.pop(code, None)
        self._admins[code] = (self._monotonic(), admins)
        while len(self._admins) > MAX_ENTITIES:
            del self._admins[next(iter(self._admins))]  # the longest remembered
        return admins
