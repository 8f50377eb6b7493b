"""Group commit: concurrent writers share one transaction instead of queueing for their own.

Under load, many turns want to record an activity id or an audit line at the same moment. Each
caller still waits until its write is durable, but the writes that arrive while one flush is
running go out together in the next. With one caller at a time nothing is delayed: the first
flush starts on the next turn of the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from bot.domain.audit import AuditEntry

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Bounds one statement's size (SQLite allows 32k bound parameters; an audit row has ten).
_MAX_BATCH = 500


class GroupCommit(Generic[T, R]):
    def __init__(
        self, flush: Callable[[list[T]], Awaitable[Sequence[R]]], max_batch: int = _MAX_BATCH
    ) -> None:
        self._flush = flush
        self._max_batch = max_batch
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # let the callers that are ready right now join this batch
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            try:
                results = await self._flush([item for item, _ in batch])
            except Exception as error:  # every waiting caller learns the write failed
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)


class RecordsActivitiesInBulk(Protocol):
    async def first_time_many(self, keys: list[str], seen_at: datetime) -> set[str]: ...

    async def forget_before(self, cutoff: datetime) -> int: ...


class BatchedProcessedActivities:
    """ProcessedActivities with group commit; exactly one of two equal keys is 'first'."""

    def __init__(self, store: RecordsActivitiesInBulk) -> None:
        self._store = store
        self._commit: GroupCommit[tuple[str, datetime], bool] = GroupCommit(self._flush)

    async def first_time(self, key: str, seen_at: datetime) -> bool:
        return await self._commit.submit((key, seen_at))

    async def forget_before(self, cutoff: datetime) -> int:
        return await self._store.forget_before(cutoff)

    async def _flush(self, items: list[tuple[str, datetime]]) -> list[bool]:
        new = await self._store.first_time_many([key for key, _ in items], max(t for _, t in items))
        answered: set[str] = set()
        results = []
        for key, _ in items:
            results.append(key in new and key not in answered)
            answered.add(key)
        return results


class AppendsInBulk(Protocol):
    async def append_many(self, entries: list[AuditEntry]) -> None: ...

    async def recent(self, limit: int = 100, action: str | None = None) -> list[AuditEntry]: ...


class BatchedAuditLog:
    """AuditLog with group commit: each append returns once its line is stored."""

    def __init__(self, store: AppendsInBulk) -> None:
        self._store = store
        self._commit: GroupCommit[AuditEntry, None] = GroupCommit(self._flush)

    async def append(self, entry: AuditEntry) -> None:
        await self._commit.submit(entry)

    async def recent(self, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
        return await self._store.recent(limit, action)

    async def _flush(self, entries: list[AuditEntry]) -> list[None]:
        await self._store.append_many(entries)
        return [None] * len(entries)
