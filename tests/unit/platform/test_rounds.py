"""A worker's loop (bot/services/platform/rounds.py): a failed round is not the last, a full
batch is followed at once, a wake starts the next round before the poll, stop stops."""

from __future__ import annotations

import asyncio

from bot.domain.platform.errors import StoreUnavailable
from bot.services.platform.rounds import Rounds


async def test_failures_are_survived_and_a_full_batch_goes_on_at_once() -> None:
    stop = asyncio.Event()
    outcomes: list[object] = [StoreUnavailable(), RuntimeError("boom"), 5, 5, 0]
    seen: list[object] = []

    async def one_round() -> int:
        outcome = outcomes.pop(0)
        seen.append(outcome)
        if not outcomes:
            stop.set()
        if isinstance(outcome, BaseException):
            raise outcome
        assert isinstance(outcome, int)
        return outcome

    # A long poll: only failures (which wait) would stall; full batches (5) do not wait.
    rounds = Rounds("test worker", poll_seconds=0.05)
    await asyncio.wait_for(rounds.run(one_round, stop, more_at_once=bool), timeout=5)
    assert len(seen) == 5


async def test_a_wake_starts_the_next_round_before_the_poll() -> None:
    stop = asyncio.Event()
    rounds = Rounds("test worker", poll_seconds=3600)
    count = 0

    async def one_round() -> None:
        nonlocal count
        count += 1
        if count == 2:
            stop.set()

    runner = asyncio.create_task(rounds.run(one_round, stop))
    await asyncio.sleep(0.05)
    assert count == 1  # waiting for the hour-long poll
    rounds.wake()
    await asyncio.wait_for(runner, timeout=5)
    assert count == 2
