"""An in-memory AccessDirectory, plus a ready-made Access world for the dialog tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.domain.access.facts import AuthMethod, Device, Licence, Sku


@dataclass
class MemoryAccessDirectory:
    """Answers from dicts by user id. `failures` makes one read raise (by read name);
    `barrier`, when set, makes every read wait until all `barrier_parties` reads have started,
    which only completes if the service really runs them at the same time."""

    methods: dict[str, list[AuthMethod]] = field(default_factory=dict)
    licences_by_user: dict[str, list[Licence]] = field(default_factory=dict)
    skus: list[Sku] = field(default_factory=list)
    devices_by_user: dict[str, list[Device]] = field(default_factory=dict)
    failures: dict[str, BaseException] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    barrier: asyncio.Barrier | None = None
    hang: set[str] = field(default_factory=set)

    async def _enter(self, name: str) -> None:
        self.calls.append(name)
        if self.barrier is not None:
            await self.barrier.wait()
        if name in self.hang:
            await asyncio.Event().wait()  # never answers: only a timeout gets past this
        if name in self.failures:
            raise self.failures[name]

    async def auth_methods(self, user_id: str) -> list[AuthMethod]:
        await self._enter("auth_methods")
        return list(self.methods.get(user_id, []))

    async def licences(self, user_id: str) -> list[Licence]:
        await self._enter("licences")
        return list(self.licences_by_user.get(user_id, []))

    async def subscribed_skus(self) -> list[Sku]:
        await self._enter("subscribed_skus")
        return list(self.skus)

    async def devices(self, user_id: str) -> list[Device]:
        await self._enter("devices")
        return list(self.devices_by_user.get(user_id, []))
