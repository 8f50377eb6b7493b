"""Sliding-window request limits, the way Teams counts them.

A limit "n per w seconds" is exceeded when n requests were already admitted in the last w
seconds. Only admitted requests are recorded: a throttled attempt does not use up the window.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

# Per bot per conversation (Teams: send/create operations).
CONVERSATION_WRITE_LIMITS: tuple[tuple[int, float], ...] = (
    (7, 1.0),
    (8, 2.0),
    (60, 30.0),
    (1800, 3600.0),
)
# Reads (roster fetches) are allowed twice as often.
CONVERSATION_READ_LIMITS: tuple[tuple[int, float], ...] = tuple(
    (count * 2, seconds) for count, seconds in CONVERSATION_WRITE_LIMITS
)


@dataclass(slots=True)
class SlidingWindow:
    """Timestamps of admitted requests for one subject (a tenant, a conversation)."""

    limits: tuple[tuple[int, float], ...]
    horizon: float = 1.0
    times: deque[float] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.horizon = max([seconds for _, seconds in self.limits] + [self.horizon])

    def wait_needed(self, now: float) -> float:
        """0 when a request may be admitted now, else seconds until the first limit allows it."""
        self._forget(now)
        wait = 0.0
        times = self.times
        for count, seconds in self.limits:
            if len(times) >= count:
                # The count-th most recent admission still inside the window blocks this one.
                oldest_blocking = times[-count]
                if oldest_blocking > now - seconds:
                    wait = max(wait, oldest_blocking + seconds - now)
        return wait

    def admit(self, now: float) -> int:
        """Record an admission; returns how many were admitted in the last second (incl. it)."""
        self._forget(now)
        self.times.append(now)
        return self.count_within(now, 1.0)

    def count_within(self, now: float, seconds: float) -> int:
        times = self.times
        if seconds >= self.horizon:
            return len(times)
        cutoff = now - seconds
        # Binary search on the deque would need indexing in the middle (slow for deques);
        # the windows scanned here are short (<= one second of traffic).
        count = 0
        for stamp in reversed(times):
            if stamp <= cutoff:
                break
            count += 1
        return count

    def _forget(self, now: float) -> None:
        cutoff = now - self.horizon
        times = self.times
        while times and times[0] <= cutoff:
            times.popleft()


def tenant_window(rate_per_second: float | None) -> SlidingWindow:
    """The per-app-per-tenant window; without a rate it only measures (never refuses)."""
    if rate_per_second is None:
        return SlidingWindow(limits=())
    return SlidingWindow(limits=((max(1, int(rate_per_second)), 1.0),))
