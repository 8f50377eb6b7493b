"""Recognising a Teams retry of an activity we already handled, on a single instance.

With SQLite there is one bot process, so the ids it saw recently can live in its memory and be
answered without a database round trip per message. The table is still written (behind, in
batches) and read back at start, so a restart remembers what was handled before it. Replicas
sharing PostgreSQL use the table directly instead (BatchedProcessedActivities): only the database
sees what the other replicas handled.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Protocol

from bot.services.platform.batching import WriteBehind


class RemembersActivities(Protocol):
    async def first_time_many(self, keys: list[str], seen_at: datetime) -> set[str]: ...

    async def keys_since(self, since: datetime, limit: int) -> list[str]: ...

    async def forget_before(self, cutoff: datetime) -> int: ...


class RecentActivities:
    """Implements bot.ports.platform.ProcessedActivities for one process."""

    def __init__(
        self, store: RemembersActivities, *, capacity: int = 200_000, linger_seconds: float = 0.05
    ) -> None:
        self._store = store
        self._capacity = capacity
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._writer: WriteBehind[tuple[str, datetime]] = WriteBehind(
            self._persist, linger_seconds=linger_seconds, name="processed-activities"
        )

    async def warm_up(self, since: datetime) -> int:
        """Load the ids seen since `since`; returns how many."""
        keys = await self._store.keys_since(since, self._capacity)
        for key in reversed(keys):  # oldest first, so the newest are evicted last
            self._remember(key)
        return len(keys)

    async def first_time(self, key: str, seen_at: datetime) -> bool:
        if key in self._seen:
            return False
        self._remember(key)
        self._writer.add((key, seen_at))
        return True

    async def forget_before(self, cutoff: datetime) -> int:
        return await self._store.forget_before(cutoff)

    async def close(self) -> None:
        await self._writer.close()

    def _remember(self, key: str) -> None:
        self._seen[key] = None
        if len(self._seen) > self._capacity:
            self._seen.popitem(last=False)

    async def _persist(self, items: list[tuple[str, datetime]]) -> None:
        await self._store.first_time_many([key for key, _ in items], max(t for _, t in items))
