"""TenantPermits: order, the own sliding window, pauses, withdrawal, cancellation."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.domain.platform.delivery import PermitWithdrawn
from bot.services.platform.outbox_permits import TenantPermits
from tests.unit.outbox.fakes import UnlimitedBudget, eventually

FAR = time.monotonic() + 3600


async def test_permits_are_granted_in_arrival_order() -> None:
    permits = TenantPermits(UnlimitedBudget(), rate_per_second=100)
    order: list[int] = []

    async def request(index: int) -> None:
        async with permits.permit_for("t", FAR)():
            order.append(index)

    await asyncio.gather(*(request(index) for index in range(20)))
    await permits.close()
    assert order == list(range(20))


async def test_the_own_window_counts_requests_until_a_second_after_their_answer() -> None:
    permits = TenantPermits(UnlimitedBudget(), rate_per_second=100, window_limit=3)
    entered: list[float] = []
    answers: list[float] = []

    async def request() -> None:
        async with permits.permit_for("t", FAR)():
            entered.append(time.monotonic())
            await asyncio.sleep(0.05)
        answers.append(time.monotonic())

    await asyncio.gather(*(request() for _ in range(5)))
    await permits.close()
    # the 4th and 5th waited until the 1st and 2nd answers were a second old
    assert entered[3] >= answers[0] + 1.0
    assert entered[4] >= answers[1] + 1.0


async def test_a_full_window_of_unanswered_requests_waits_for_an_answer() -> None:
    permits = TenantPermits(UnlimitedBudget(), rate_per_second=100, window_limit=1)
    release = asyncio.Event()
    second_entered = asyncio.Event()

    async def slow() -> None:
        async with permits.permit_for("t", FAR)():
            await release.wait()

    async def second() -> None:
        async with permits.permit_for("t", FAR)():
            second_entered.set()

    tasks = [asyncio.create_task(slow()), asyncio.create_task(second())]
    await asyncio.sleep(0.05)
    assert not second_entered.is_set()
    release.set()
    await asyncio.gather(*tasks)
    await permits.close()


async def test_a_pause_holds_every_request_of_the_tenant_only() -> None:
    permits = TenantPermits(UnlimitedBudget(), rate_per_second=100)
    assert permits.pause("t", 0.2) is True
    assert permits.pause("t", 0.1) is False  # shorter: the longer pause stands
    assert permits.paused_for("t") > 0.1
    started = time.monotonic()
    async with permits.permit_for("other", FAR)():
        other_at = time.monotonic()
    async with permits.permit_for("t", FAR)():
        paused_at = time.monotonic()
    await permits.close()
    assert other_at - started < 0.2
    assert paused_at - started >= 0.2


async def test_a_permit_is_withdrawn_when_its_deadline_passes_first() -> None:
    budget = UnlimitedBudget()
    budget.closed = True
    permits = TenantPermits(budget, rate_per_second=100)
    with pytest.raises(PermitWithdrawn):
        async with permits.permit_for("t", time.monotonic() + 0.05)():
            pytest.fail("must not enter")
    await permits.close()


async def test_a_cancelled_waiter_gives_its_place_back() -> None:
    permits = TenantPermits(UnlimitedBudget(), rate_per_second=100, window_limit=1)
    release = asyncio.Event()

    async def holder() -> None:
        async with permits.permit_for("t", FAR)():
            await release.wait()

    async def waiter() -> None:
        async with permits.permit_for("t", FAR)():
            pytest.fail("cancelled before its turn")

    first = asyncio.create_task(holder())
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0.02)
    second.cancel()
    release.set()
    await first
    with pytest.raises(asyncio.CancelledError):
        await second
    # the window has room again a second after the holder's answer; nothing leaked
    entered = asyncio.Event()

    async def later() -> None:
        async with permits.permit_for("t", FAR)():
            entered.set()

    task = asyncio.create_task(later())
    await eventually(entered.is_set, patience=5.0)
    await task
    await permits.close()


class FailingBudget:
    def __init__(self) -> None:
        self.calls = 0

    async def acquire(self, tenant_id: str, wanted: int) -> int:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("database gone")
        return wanted


async def test_a_failing_budget_is_asked_again_later() -> None:
    budget = FailingBudget()
    permits = TenantPermits(budget, rate_per_second=100)
    async with permits.permit_for("t", FAR)():
        pass
    await permits.close()
    assert budget.calls == 2
