"""Incoming activity dedupe: exactly one of several racing requests wins."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.services.platform.batching import BatchedProcessedActivities
from bot.store import Database, SqlProcessedActivities

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


async def test_the_first_sighting_wins_and_a_retry_is_recognised(database: Database) -> None:
    processed = SqlProcessedActivities(database)
    assert await processed.first_time("conv-1|act-1", T0) is True
    assert await processed.first_time("conv-1|act-1", T0 + timedelta(seconds=5)) is False
    assert await processed.first_time("conv-1|act-2", T0) is True


async def test_of_twenty_racing_requests_exactly_one_is_first(database: Database) -> None:
    processed = SqlProcessedActivities(database)
    verdicts = await asyncio.gather(*(processed.first_time("act-9", T0) for _ in range(20)))
    assert sorted(verdicts) == [False] * 19 + [True]


async def test_forgetting_removes_only_older_keys(database: Database) -> None:
    processed = SqlProcessedActivities(database)
    for minutes in range(5):
        await processed.first_time(f"act-{minutes}", T0 + timedelta(minutes=minutes))
    assert await processed.forget_before(T0 + timedelta(minutes=3)) == 3
    assert await processed.first_time("act-4", T0) is False  # kept
    assert await processed.first_time("act-0", T0) is True  # forgotten, so new again


async def test_group_commit_over_the_real_store(database: Database) -> None:
    batched = BatchedProcessedActivities(SqlProcessedActivities(database))
    keys = [f"act-{i % 25}" for i in range(100)]  # every key four times, all at once
    verdicts = await asyncio.gather(*(batched.first_time(key, T0) for key in keys))
    assert verdicts.count(True) == 25
    assert {key for key, first in zip(keys, verdicts, strict=True) if first} == set(keys)
    assert await SqlProcessedActivities(database).first_time("act-3", T0) is False
