"""Group commit: many concurrent writes, few transactions, every caller told its own result."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.domain.platform.audit import AuditEntry, Outcome
from bot.services.platform.batching import (
    BatchedAuditLog,
    BatchedProcessedActivities,
    GroupCommit,
    WriteBehind,
)

NOW = datetime(2026, 11, 28, tzinfo=UTC)


class CountingFlush:
    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.fail = False

    async def __call__(self, items: list[int]) -> list[int]:
        self.batches.append(list(items))
        await asyncio.sleep(0.001)  # a write takes time; callers arriving now wait for the next
        if self.fail:
            raise RuntimeError("disk full")
        return [item * 10 for item in items]


async def test_concurrent_callers_share_one_flush() -> None:
    flush = CountingFlush()
    commit = GroupCommit(flush)
    results = await asyncio.gather(*(commit.submit(i) for i in range(50)))
    assert results == [i * 10 for i in range(50)]
    assert len(flush.batches) == 1


async def test_a_lone_caller_is_flushed_at_once() -> None:
    flush = CountingFlush()
    commit = GroupCommit(flush)
    assert await commit.submit(1) == 10
    assert await commit.submit(2) == 20
    assert flush.batches == [[1], [2]]


async def test_batches_are_bounded() -> None:
    flush = CountingFlush()
    commit = GroupCommit(flush, max_batch=8)
    await asyncio.gather(*(commit.submit(i) for i in range(20)))
    assert [len(batch) for batch in flush.batches] == [8, 8, 4]


async def test_a_failed_flush_fails_its_callers_only() -> None:
    flush = CountingFlush()
    commit = GroupCommit(flush)
    flush.fail = True
    outcomes = await asyncio.gather(*(commit.submit(i) for i in range(3)), return_exceptions=True)
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    flush.fail = False
    assert await commit.submit(7) == 70


class MemoryActivities:
    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.calls = 0

    async def first_time_many(self, keys: list[str], seen_at: datetime) -> set[str]:
        self.calls += 1
        new = set(keys) - self.keys
        self.keys |= new
        return new

    async def forget_before(self, cutoff: datetime) -> int:
        return 0


async def test_only_one_of_equal_keys_is_first() -> None:
    store = MemoryActivities()
    activities = BatchedProcessedActivities(store)
    answers = await asyncio.gather(*(activities.first_time("a:1", NOW) for _ in range(10)))
    assert answers.count(True) == 1
    assert await activities.first_time("a:1", NOW) is False
    assert await activities.first_time("a:2", NOW) is True
    assert store.calls == 3


class MemoryAudit:
    def __init__(self) -> None:
        self.batches: list[list[AuditEntry]] = []

    async def append_many(self, entries: list[AuditEntry]) -> None:
        self.batches.append(entries)

    async def recent(self, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
        return [e for batch in self.batches for e in batch][::-1][:limit]


@pytest.mark.parametrize("writers", [1, 30])
async def test_audit_lines_keep_their_order(writers: int) -> None:
    store = MemoryAudit()
    log = BatchedAuditLog(store)
    entries = [
        AuditEntry(at=NOW, actor_id=f"u{i}", action="x", outcome=Outcome.OK) for i in range(writers)
    ]
    await asyncio.gather(*(log.append(entry) for entry in entries))
    assert [e for batch in store.batches for e in batch] == entries
    assert len(store.batches) == 1


async def test_audit_lines_noted_soon_are_written_at_close() -> None:
    store = MemoryAudit()
    log = BatchedAuditLog(store, behind_seconds=0.01)
    entry = AuditEntry(at=NOW, actor_id="u1", action="status", outcome=Outcome.OK)
    log.append_soon(entry)
    await log.close()
    assert store.batches == [[entry]]


async def test_a_line_noted_after_close_is_logged_and_starts_no_write(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After close the database is going away: a write started then would outlive it."""
    store = MemoryAudit()
    log = BatchedAuditLog(store, behind_seconds=0.0)
    await log.close()
    log.append_soon(AuditEntry(at=NOW, actor_id="u1", action="status", outcome=Outcome.OK))
    await asyncio.sleep(0.01)
    assert store.batches == []
    assert [t for t in asyncio.all_tasks() if t.get_name().startswith("write-behind")] == []
    assert "came after shutdown" in caplog.text


async def test_a_write_that_outlasts_close_has_stopped_when_close_returns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = asyncio.Event()

    async def never_done(items: list[int]) -> None:
        started.set()
        await asyncio.Event().wait()  # a database that no longer answers

    writer: WriteBehind[int] = WriteBehind(never_done, linger_seconds=0.0, name="test")
    writer.add(1)
    await started.wait()
    await writer.close(timeout_seconds=0.01)
    assert [t for t in asyncio.all_tasks() if t.get_name() == "write-behind-test"] == []
    assert "1 records not written at shutdown" in caplog.text
