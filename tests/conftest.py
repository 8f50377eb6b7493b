"""Shared test wiring. Each fixture module in tests/support belongs to one area of the code.

`make test` runs the suite in two passes: everything but the `serial` tests on two workers
(pytest-xdist), then the `serial` tests alone. Serial are the tests that count what happens
within a second of real time (a tenant's rate limit, permits, the replicas sharing one budget)
or drive the whole stack in a browser-like client: beside a second worker they would measure
the machine's load, not the code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import leftover_tasks

pytest_plugins = [
    "tests.support.db",
    "tests.support.graph",
    "tests.support.connector",
]

_TESTS = Path(__file__).parent
# fmt: off
SERIAL = tuple(_TESTS / part for part in (
    "e2e",
    "integration/replicas",
    "integration/outbox",
    "unit/outbox/test_permits.py",
    "unit/outbox/test_rate_budget.py",
    "unit/outbox/test_sender.py",
))
# fmt: on


def pytest_configure(config: pytest.Config) -> None:
    leftover_tasks.install()


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by it
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.path.is_relative_to(part) for part in SERIAL):
            item.add_marker(pytest.mark.serial)
