"""TtlCache: expiry on an injected clock, shared in-flight loads, failures not kept."""

from __future__ import annotations

import asyncio

import pytest

from bot.graph.cache import TtlCache
from tests.support.clock import FakeClock


class Loader:
    def __init__(self, value: str = "v", fail: bool = False) -> None:
        self.calls = 0
        self.value = value
        self.fail = fail
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self) -> str:
        self.calls += 1
        await self.gate.wait()
        if self.fail:
            raise RuntimeError("boom")
        return f"{self.value}{self.calls}"


async def test_values_are_kept_until_they_expire() -> None:
    clock, load = FakeClock(), Loader()
    cache: TtlCache[str, str] = TtlCache(10, clock.monotonic)

    assert await cache.get_or_load("k", load) == "v1"
    clock.advance(seconds=9.9)
    assert await cache.get_or_load("k", load) == "v1"
    clock.advance(seconds=0.2)  # 10.1 s after the load
    assert await cache.get_or_load("k", load) == "v2"


async def test_none_is_a_value_worth_caching() -> None:
    calls = 0

    async def nobody() -> None:
        nonlocal calls
        calls += 1

    cache: TtlCache[str, None] = TtlCache(10, FakeClock().monotonic)
    assert await cache.get_or_load("k", nobody) is None
    assert await cache.get_or_load("k", nobody) is None
    assert calls == 1


async def test_concurrent_callers_share_one_load() -> None:
    load = Loader()
    load.gate.clear()
    cache: TtlCache[str, str] = TtlCache(10, FakeClock().monotonic)

    waiting = [asyncio.create_task(cache.get_or_load("k", load)) for _ in range(5)]
    await asyncio.sleep(0)
    load.gate.set()

    assert await asyncio.gather(*waiting) == ["v1"] * 5
    assert load.calls == 1


async def test_a_cancelled_caller_does_not_cancel_the_shared_load() -> None:
    load = Loader()
    load.gate.clear()
    cache: TtlCache[str, str] = TtlCache(10, FakeClock().monotonic)
    impatient = asyncio.create_task(cache.get_or_load("k", load))
    patient = asyncio.create_task(cache.get_or_load("k", load))
    await asyncio.sleep(0)

    impatient.cancel()
    load.gate.set()

    assert await patient == "v1"
    with pytest.raises(asyncio.CancelledError):
        await impatient
    assert await cache.get_or_load("k", load) == "v1"


async def test_failures_are_not_cached() -> None:
    load = Loader(fail=True)
    cache: TtlCache[str, str] = TtlCache(10, FakeClock().monotonic)

    for _ in range(2):
        with pytest.raises(RuntimeError):
            await cache.get_or_load("k", load)
    assert load.calls == 2
    assert len(cache) == 0


async def test_zero_ttl_disables_caching_and_the_size_is_bounded() -> None:
    uncached: TtlCache[str, str] = TtlCache(0, FakeClock().monotonic)
    load = Loader()
    await uncached.get_or_load("k", load)
    await uncached.get_or_load("k", load)
    assert load.calls == 2

    small: TtlCache[str, str] = TtlCache(10, FakeClock().monotonic, max_entries=2)
    for key in "abc":
        await small.get_or_load(key, Loader(key))
    assert len(small) == 2
    assert await small.get_or_load("a", Loader("again")) == "again1"  # the oldest went first


async def test_invalidate() -> None:
    cache: TtlCache[str, str] = TtlCache(10, FakeClock().monotonic)
    load = Loader()
    await cache.get_or_load("k", load)
    cache.invalidate("k")
    assert await cache.get_or_load("k", load) == "v2"
    cache.invalidate()
    assert len(cache) == 0
