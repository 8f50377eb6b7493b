"""The in-memory token bucket, driven by a fake monotonic clock."""

from __future__ import annotations

import math

import pytest

from bot.services.platform.rate import InMemoryRateBudget
from tests.support.clock import FakeClock


async def test_starts_with_one_token_then_accrues_at_the_rate() -> None:
    clock = FakeClock()
    budget = InMemoryRateBudget(100.0, burst=3, monotonic=clock.monotonic)
    assert await budget.acquire("t", 5) == 1
    assert await budget.acquire("t", 5) == 0
    clock.advance(seconds=0.025)  # 2.5 tokens
    assert await budget.acquire("t", 5) == 2
    clock.advance(seconds=0.005)  # 0.5 left + 0.5 = 1
    assert await budget.acquire("t", 5) == 1


async def test_a_sender_that_keeps_asking_can_catch_up_to_the_burst() -> None:
    clock = FakeClock()
    budget = InMemoryRateBudget(100.0, burst=4, monotonic=clock.monotonic)
    assert await budget.acquire("t", 1) == 1
    clock.advance(seconds=0.005)
    assert await budget.acquire("t", 1) == 0  # half a token
    clock.advance(seconds=0.03)  # the sender overslept: 3.5 tokens, and it asked recently
    assert await budget.acquire("t", 100) == 3
    clock.advance(seconds=0.05)  # 5.5 accrued while asking often enough: capped at the burst
    assert await budget.acquire("t", 100) == 4


async def test_after_idling_the_bucket_holds_one_token_only() -> None:
    clock = FakeClock()
    budget = InMemoryRateBudget(10.0, burst=4, monotonic=clock.monotonic)
    await budget.acquire("t", 1)
    clock.advance(seconds=3600)
    assert await budget.acquire("t", 100) == 1
    clock.advance(seconds=0.1)
    assert await budget.acquire("t", 100) == 1


async def test_tenants_have_separate_buckets() -> None:
    clock = FakeClock()
    budget = InMemoryRateBudget(5.0, burst=2, monotonic=clock.monotonic)
    assert await budget.acquire("a", 2) == 1
    assert await budget.acquire("b", 2) == 1
    assert await budget.acquire("a", 1) == 0


async def test_nothing_wanted_nothing_granted() -> None:
    budget = InMemoryRateBudget(5.0)
    assert await budget.acquire("t", 0) == 0


async def test_says_when_the_next_token_comes() -> None:
    clock = FakeClock()
    budget = InMemoryRateBudget(4.0, burst=1, monotonic=clock.monotonic)
    assert budget.seconds_until_available("t") == 0.0
    assert await budget.acquire("t", 1) == 1
    assert budget.seconds_until_available("t") == pytest.approx(0.25)
    clock.advance(seconds=0.1)
    assert budget.seconds_until_available("t") == pytest.approx(0.15)
    clock.advance(seconds=0.15)
    assert budget.seconds_until_available("t") == 0.0
    assert budget.seconds_until_available("t", 3) == pytest.approx(0.0, abs=1e-9)  # burst 1


@pytest.mark.parametrize("rate", [19.8, 49.5, 990.0])
async def test_no_one_second_window_gets_more_than_burst_plus_rate(rate: float) -> None:
    """A greedy sender polling every millisecond: grants in any sliding second stay within
    floor(burst + rate), the bound the default burst is chosen for."""
    clock = FakeClock()
    budget = InMemoryRateBudget(rate, monotonic=clock.monotonic)
    grants: list[float] = []
    for _ in range(3000):
        grants.extend([clock.monotonic()] * await budget.acquire("t", 1000))
        clock.advance(milliseconds=1)
    bound = math.floor(budget.burst + rate)
    left = 0
    for right, stamp in enumerate(grants):
        while grants[left] <= stamp - 1.0:
            left += 1
        assert right - left + 1 <= bound
    # and the rate is actually delivered
    assert len(grants) >= math.floor(rate * 3.0)


def test_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        InMemoryRateBudget(0)
    with pytest.raises(ValueError):
        InMemoryRateBudget(10, burst=0.5)
