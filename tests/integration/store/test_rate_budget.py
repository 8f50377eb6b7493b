"""The shared send budget: a token bucket in the database, driven by an injected clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.store import Database, SqlRateBudget
from tests.support.clock import FakeClock

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
RATE = 50.0
BURST = 10.0


async def test_the_bucket_refills_at_the_rate_up_to_the_burst(database: Database) -> None:
    clock = FakeClock(T0)
    budget = SqlRateBudget(database, RATE, BURST, clock=clock)
    assert await budget.acquire("t1", 100) == 10  # starts full
    assert await budget.acquire("t1", 100) == 0
    clock.advance(seconds=0.05)  # 2.5 tokens
    assert await budget.acquire("t1", 100) == 2
    clock.advance(seconds=0.01)  # 0.5 left + 0.5
    assert await budget.acquire("t1", 1) == 1
    clock.advance(seconds=3600)
    assert await budget.acquire("t1", 100) == 10  # capped at the burst
    assert await budget.acquire("t1", 0) == 0


async def test_each_tenant_has_its_own_bucket(database: Database) -> None:
    budget = SqlRateBudget(database, RATE, BURST, clock=FakeClock(T0))
    assert await budget.acquire("t1", 100) == 10
    assert await budget.acquire("t2", 3) == 3


async def test_replicas_together_never_exceed_rate_times_elapsed_plus_burst(
    database: Database,
) -> None:
    """Two replicas (own engines), four acquirers each, always asking for more than there is."""
    clock = FakeClock(T0)
    replicas = [Database(database.url), Database(database.url)]
    budgets = [SqlRateBudget(replica, RATE, BURST, clock=clock) for replica in replicas]
    granted = 0
    try:
        for step in range(12):
            if step:
                clock.advance(seconds=0.1)  # 5 tokens a step
            asks = [budget.acquire("t1", 4) for budget in budgets for _ in range(4)]
            granted += sum(await asyncio.gather(*asks))
            allowed = BURST + RATE * (clock.now() - T0).total_seconds()
            # Never more than the bucket allows; never less than its whole tokens.
            assert allowed - 1 < granted <= allowed
    finally:
        for replica in replicas:
            await replica.dispose()


async def test_a_replica_whose_clock_lags_gets_no_extra_tokens(database: Database) -> None:
    ahead, behind = FakeClock(T0 + timedelta(seconds=1)), FakeClock(T0)
    fast = SqlRateBudget(database, RATE, BURST, clock=ahead)
    slow = SqlRateBudget(database, RATE, BURST, clock=behind)
    assert await fast.acquire("t1", 100) == 10
    behind.advance(seconds=0.5)  # still half a second behind the bucket: nothing refilled
    assert await slow.acquire("t1", 100) == 0
    behind.advance(seconds=0.6)  # 0.1 s past the bucket's time
    assert await slow.acquire("t1", 100) == 5


async def test_it_tells_when_tokens_should_be_back(database: Database) -> None:
    clock = FakeClock(T0)
    budget = SqlRateBudget(database, RATE, BURST, clock=clock)
    assert budget.seconds_until_available("t1") == 0.0  # never asked: just try
    await budget.acquire("t1", 100)
    assert budget.seconds_until_available("t1", 2) == pytest.approx(0.04)
    clock.advance(seconds=0.01)
    assert budget.seconds_until_available("t1", 2) == pytest.approx(0.03)
    assert budget.seconds_until_available("t1", 1000) == pytest.approx(0.19)  # at most a burst


async def test_the_default_burst_stays_within_a_few_percent_of_the_rate(
    database: Database,
) -> None:
    assert SqlRateBudget(database, 50.0).burst == pytest.approx(1.5)
    assert SqlRateBudget(database, 1000.0).burst == pytest.approx(11.0)
    with pytest.raises(ValueError):
        SqlRateBudget(database, 0.0)
    with pytest.raises(ValueError):
        SqlRateBudget(database, 50.0, burst=0.5)
