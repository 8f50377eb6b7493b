"""Name a test that leaves tasks running when its event loop closes, and keep one that never
ends from hanging the run.

pytest-asyncio cancels such tasks as the loop closes and waits for them without a bound: one
that never ends (a `finally` that awaits what will not come) hangs the run without a word about
which test it was. Here they are cancelled first and given PATIENCE seconds; any still running
then is let go (taken out of the loop's tasks), so the run goes on. Each case is reported, with
where each task waited: as a warning of the test (in the run's summary) and, when
LEFTOVER_TASKS names a file, in that file too.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

PATIENCE = 30.0  # seconds a cancelled task gets to end
_STACK = 6  # frames of each task's coroutine


class LeftoverTasksWarning(UserWarning):
    """A test left tasks running when its event loop closed."""


def install() -> None:
    close: Callable[[asyncio.Runner], None] = asyncio.Runner.close

    def closing(runner: asyncio.Runner) -> None:
        loop = getattr(runner, "_loop", None)
        if loop is not None and not loop.is_closed():
            _settle_leftovers(loop)
        close(runner)

    asyncio.Runner.close = closing  # type: ignore[method-assign,assignment]


def _settle_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    left = [task for task in asyncio.all_tasks(loop) if not task.done()]
    if not left:
        return
    report = _described(left)  # before cancelling: where they waited
    for task in left:
        task.cancel()
    loop.run_until_complete(asyncio.wait(left, timeout=PATIENCE))
    stuck = [task for task in left if not task.done()]
    if stuck:
        let_go: Callable[[Any], None] = getattr(asyncio.tasks, "_unregister_task")  # noqa: B009
        for task in stuck:
            let_go(task)
        names = ", ".join(task.get_name() for task in stuck)
        report += f"\n  still running {PATIENCE:.0f} s after being cancelled, let go: {names}"
    if where := os.environ.get("LEFTOVER_TASKS"):
        with Path(where).open("a", encoding="utf-8") as file:
            file.write(report + "\n")
    warnings.warn(report, LeftoverTasksWarning, stacklevel=1)


def _described(tasks: Sequence[asyncio.Task[Any]]) -> str:
    test = os.environ.get("PYTEST_CURRENT_TEST", "(between tests)")
    lines = [f"\n{test}: {len(tasks)} task(s) still running as its event loop closes"]
    for task in tasks:
        lines.append(f"  {task.get_name()}: {task.get_coro()!r}")
        lines += [
            f"    {frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}"
            for frame in task.get_stack(limit=_STACK)
        ]
    return "\n".join(lines)
