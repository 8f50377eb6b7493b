"""A small TTL cache whose loads are shared: concurrent lookups of the same key make one call.

Failures are not cached; a value of None is (a user without a manager stays without one for a
while). The clock is injectable so tests can expire entries without sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from functools import partial
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Clock = Callable[[], float]
# Bounds memory for a directory of tens of thousands of people; the oldest entries go first.
DEFAULT_MAX_ENTRIES = 20_000


class TtlCache(Generic[K, V]):
    def __init__(
        self,
        ttl_seconds: float,
        clock: Clock = time.monotonic,
        max_entries: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._max_entries = max_entries
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._loading: dict[K, asyncio.Future[V]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def get_or_load(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        entry = self._entries.get(key)
        if entry is not None:
            expires_at, value = entry
            if expires_at > self._clock():
                return value
            del self._entries[key]
        future = self._loading.get(key)
        if future is None:
            future = asyncio.ensure_future(load())
            self._loading[key] = future
            future.add_done_callback(partial(self._settle, key))
        # shield: one caller giving up (cancelled) must not cancel the others' shared load.
        return await asyncio.shield(future)

    def invalidate(self, key: K | None = None) -> None:
        if key is None:
            self._entries.clear()
        else:
            self._entries.pop(key, None)

    def _settle(self, key: K, future: asyncio.Future[V]) -> None:
        self._loading.pop(key, None)
        if future.cancelled() or future.exception() is not None or self.ttl_seconds <= 0:
            return
        self._entries[key] = (self._clock() + self.ttl_seconds, future.result())
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
