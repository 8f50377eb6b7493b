"""Name a test that leaves tasks running when its event loop closes.

pytest-asyncio cancels such tasks and waits for them as the loop closes; one that never ends
(a `finally` that awaits what will not come) hangs the run without a word about which test it
was. Each is reported first, with where each task waits: as a warning of the test (in the
run's summary) and, for a run that never reaches its summary, in the file LEFTOVER_TASKS names.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

_STACK = 6  # frames of each task's coroutine


class LeftoverTasksWarning(UserWarning):
    """A test left tasks running when its event loop closed."""


def install() -> None:
    close: Callable[[asyncio.Runner], None] = asyncio.Runner.close

    def closing(runner: asyncio.Runner) -> None:
        _name_leftovers(getattr(runner, "_loop", None))
        close(runner)

    asyncio.Runner.close = closing  # type: ignore[method-assign,assignment]


def _name_leftovers(loop: Any) -> None:
    if loop is None or loop.is_closed():
        return
    left = [task for task in asyncio.all_tasks(loop) if not task.done()]
    if not left:
        return
    test = os.environ.get("PYTEST_CURRENT_TEST", "(between tests)")
    lines = [f"\n{test}: {len(left)} task(s) still running as its event loop closes"]
    for task in left:
        lines.append(f"  {task.get_name()}: {task.get_coro()!r}")
        lines += [
            f"    {frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}"
            for frame in task.get_stack(limit=_STACK)
        ]
    report = "\n".join(lines)
    if where := os.environ.get("LEFTOVER_TASKS"):
        with Path(where).open("a", encoding="utf-8") as file:
            file.write(report + "\n")
    warnings.warn(report, LeftoverTasksWarning, stacklevel=1)
