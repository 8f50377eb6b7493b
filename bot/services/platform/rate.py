"""The tenant-wide send budget for a single instance (SQLite deployments, tests, benchmarks).

A token bucket per tenant: tokens accrue at `rate_per_second`. Teams counts its limit over
sliding one-second windows, and any such window can see (tokens held at its start) + rate
sends, so the bucket holds little:
- while a sender keeps asking, up to `burst` tokens (default 1 + rate * CATCH_UP_SECONDS), so a
  sender whose sleep overshot a little catches up instead of losing throughput;
- after nobody asked for IDLE_SECONDS (an idle outbox, a pause after a 429), one token at most,
  so a new busy period does not start with a burst on top of the full rate.
Replicas sharing one limit need the SQL budget (bot/store) instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# 20 ms of catch-up: a busy event loop wakes a few milliseconds late, and a smaller allowance
# lost throughput at 1,000/s. What the catch-up could add within one second is still capped by
# the sender's own sliding window (outbox_permits), which is what Teams counts.
CATCH_UP_SECONDS = 0.02
IDLE_SECONDS = 0.05


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class InMemoryRateBudget:
    """Implements the RateBudget port in process memory."""

    def __init__(
        self,
        rate_per_second: float,
        burst: float | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        self.rate_per_second = rate_per_second
        self.burst = burst if burst is not None else 1.0 + rate_per_second * CATCH_UP_SECONDS
        if self.burst < 1.0:
            raise ValueError("burst must allow at least one send")
        # Asking less often than this (plus the time one token takes) counts as idling.
        self._idle_after = IDLE_SECONDS + 1.0 / rate_per_second
        self._monotonic = monotonic
        self._buckets: dict[str, _Bucket] = {}

    async def acquire(self, tenant_id: str, wanted: int) -> int:
        if wanted <= 0:
            return 0
        now = self._monotonic()
        bucket = self._buckets.get(tenant_id)
        if bucket is None:
            bucket = self._buckets[tenant_id] = _Bucket(1.0, now)
        else:
            bucket.tokens = self._tokens_at(bucket, now)
            bucket.updated = now
        # The epsilon keeps float rounding (0.9999999 tokens) from withholding a whole token.
        granted = min(wanted, int(bucket.tokens + 1e-9))
        bucket.tokens = max(0.0, bucket.tokens - granted)
        return granted

    def seconds_until_available(self, tenant_id: str, wanted: int = 1) -> float:
        """How long until `wanted` tokens (at most the burst) will be there; 0 when they are."""
        bucket = self._buckets.get(tenant_id)
        if bucket is None:
            return 0.0
        missing = min(float(wanted), self.burst) - self._tokens_at(bucket, self._monotonic())
        return max(0.0, missing / self.rate_per_second)

    def _tokens_at(self, bucket: _Bucket, now: float) -> float:
        elapsed = max(0.0, now - bucket.updated)
        ceiling = self.burst if elapsed <= self._idle_after else max(1.0, bucket.tokens)
        return min(ceiling, bucket.tokens + elapsed * self.rate_per_second)
