"""The tests' one clock: the Clock port (`now()`) and a monotonic clock (`monotonic()`) in one.

Services read the wall clock through the port; caches, leases and pacing read a monotonic clock
(a `Callable[[], float]`: pass `clock.monotonic`). Both move together and only when the test
moves them, so a test says "five minutes later" instead of sleeping.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # a Saturday, 10:00 in Brussels
# Not zero, as on a real machine: code that took 0.0 for "never" would pass here and fail there.
MONOTONIC_START = 1000.0


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"a clock tells aware time, not {moment!r}")
    return moment


class FakeClock:
    """Stands still at `start` until the test moves it."""

    def __init__(self, start: datetime = START) -> None:
        self._start = _aware(start)
        self._moved = timedelta(0)

    def now(self) -> datetime:
        return self._start + self._moved

    def monotonic(self) -> float:
        return MONOTONIC_START + self._moved.total_seconds()

    def advance(self, **delta: float) -> None:
        """clock.advance(seconds=31), clock.advance(days=7, minutes=1)."""
        self._moved += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        """Jump to `moment`, later or earlier; the monotonic clock jumps with it."""
        self._moved += _aware(moment) - self.now()


class RunningClock(FakeClock):
    """Real time, plus whatever the test advanced: for workers that wait in real time between
    their steps (the outbox sender's back-off and idle polls) while the test jumps a lease."""

    def __init__(self) -> None:
        super().__init__(datetime.now(UTC))

    def now(self) -> datetime:
        return datetime.now(UTC) + self._moved

    def monotonic(self) -> float:
        return time.monotonic() + self._moved.total_seconds()
