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

from bot.domain.platform.audit import AuditEntry

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Bounds one statement's size (SQLite allows 32k bound parameters; an audit row has ten).
_MAX_BATCH = 500


class GroupCommit(Generic[T, R]):
    def __init__(
        self,
        flush: Callable[[list[T]], Awaitable[Sequence[R]]],
        max_batch: int = _MAX_BATCH,
        linger_seconds: float = 0.0,
    ) -> None:
        self._flush = flush
        self._max_batch = max_batch
        self._linger = linger_seconds
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        # Let the callers that are ready now (or within the linger) join this batch.
        await asyncio.sleep(self._linger)
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


class WriteBehind(Generic[T]):
    """Writes items after the caller has moved on, in batches of whatever arrived meanwhile.

    For records whose loss in a crash costs little (the last `linger_seconds` of them) and whose
    writing should not hold up a reply. A failed write is logged and retried; `flush` waits
    for what is left, and `close` too, after which nothing is taken any more: a write started
    then would run on a database being closed, and outlive it.
    """

    _RETRY_SECONDS = 1.0
    _STOP_SECONDS = 1.0  # how long a cancelled write is given to let go of its connection
    _MAX_PENDING = 100_000  # beyond this the database has been down long: drop the oldest

    def __init__(
        self,
        flush: Callable[[list[T]], Awaitable[None]],
        *,
        linger_seconds: float,
        name: str,
        max_batch: int = _MAX_BATCH,
    ) -> None:
        self._flush = flush
        self._linger = linger_seconds
        self._name = name
        self._max_batch = max_batch
        self._pending: list[T] = []
        self._draining: asyncio.Task[None] | None = None
        self._closed = False

    def add(self, item: T) -> None:
        if self._closed:
            logger.error("%s: a record came after shutdown and was not written", self._name)
            return
        self._pending.append(item)
        if len(self._pending) > self._MAX_PENDING:
            del self._pending[: len(self._pending) - self._MAX_PENDING]
            logger.error("%s: write-behind backlog full, oldest records dropped", self._name)
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain(), name=f"write-behind-{self._name}")

    async def _drain(self) -> None:
        while self._pending:
            await asyncio.sleep(self._linger)
            await self._write_pending()

    async def _write_pending(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            try:
                await self._flush(batch)
            except Exception:
                logger.exception("%s: write-behind failed; retrying", self._name)
                await asyncio.sleep(self._RETRY_SECONDS)
                return
            del self._pending[: len(batch)]

    async def flush(self, timeout_seconds: float = 5.0) -> None:
        """Wait until what is pending is written; give up (loudly) if the database stays down."""
        draining = self._draining
        if draining is None or draining.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(draining), timeout_seconds)
        except TimeoutError:
            draining.cancel()
            # Until it has stopped, the write holds a connection the caller may be closing next.
            await asyncio.wait([draining], timeout=self._STOP_SECONDS)
            logger.error("%s: %d records not written at shutdown", self._name, len(self._pending))

    async def close(self, timeout_seconds: float = 5.0) -> None:
        """Write what is pending and take nothing more (a late record is logged, not written)."""
        self._closed = True
        await self.flush(timeout_seconds)


class RecordsActivitiesInBulk(Protocol):
    async def first_time_many(self, keys: list[str], seen_at: datetime) -> set[str]: ...

    async def forget_before(self, cutoff: datetime) -> int: ...


class BatchedProcessedActivities:
    """ProcessedActivities with group commit; exactly one of two equal keys is 'first'."""

    def __init__(self, store: RecordsActivitiesInBulk, linger_seconds: float = 0.0) -> None:
        self._store = store
        self._commit: GroupCommit[tuple[str, datetime], bool] = GroupCommit(
            self._flush, linger_seconds=linger_seconds
        )

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
    """AuditLog with group commit: `append` returns once its line is stored; `append_soon`
    returns at once and its line is stored with the others of the next `behind_seconds`."""

    def __init__(
        self, store: AppendsInBulk, linger_seconds: float = 0.0, behind_seconds: float = 0.05
    ) -> None:
        self._store = store
        self._commit: GroupCommit[AuditEntry, None] = GroupCommit(
            self._flush, linger_seconds=linger_seconds
        )
        self._behind: WriteBehind[AuditEntry] = WriteBehind(
            self._store.append_many, linger_seconds=behind_seconds, name="audit"
        )

    async def append(self, entry: AuditEntry) -> None:
        await self._commit.submit(entry)

    def append_soon(self, entry: AuditEntry) -> None:
        self._behind.add(entry)

    async def recent(self, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
        await self._behind.flush()  # what was noted before this read is part of it
        return await self._store.recent(limit, action)

    async def close(self) -> None:
        await self._behind.close()

    async def _flush(self, entries: list[AuditEntry]) -> list[None]:
        await self._store.append_many(entries)
        return [None] * len(entries)
