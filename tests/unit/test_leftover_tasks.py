"""The suite's guard against a test that leaves tasks running (tests/support/leftover_tasks.py):
the test is named, and a task that ignores its cancellation no longer hangs the run."""

from __future__ import annotations

import asyncio

import pytest

from tests.support import leftover_tasks


async def _stubborn() -> None:
    while True:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            continue  # what a `finally` awaiting what never comes amounts to


async def _polite() -> None:
    await asyncio.sleep(3600)


def test_a_task_that_ignores_its_cancellation_is_let_go_and_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(leftover_tasks, "PATIENCE", 0.05)
    runner = asyncio.Runner()
    loop = runner.get_loop()
    loop.create_task(_stubborn(), name="stubborn")
    loop.run_until_complete(asyncio.sleep(0))
    with pytest.warns(leftover_tasks.LeftoverTasksWarning, match="let go: stubborn"):
        runner.close()  # returns: without the guard it would wait for ever
    assert loop.is_closed()


def test_a_task_that_ends_when_cancelled_is_named_only() -> None:
    runner = asyncio.Runner()
    loop = runner.get_loop()
    task = loop.create_task(_polite(), name="polite")
    loop.run_until_complete(asyncio.sleep(0))
    with pytest.warns(leftover_tasks.LeftoverTasksWarning) as caught:
        runner.close()
    assert task.cancelled()
    assert "polite" in str(caught[0].message)
    assert "let go" not in str(caught[0].message)
