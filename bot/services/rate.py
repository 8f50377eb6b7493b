"""The tenant-wide send budget for a single instance (SQLite deployments, tests, benchmarks).

A token bucket per tenant: tokens accrue at `rate_per_second` up to `burst`. The bucket starts
full. Keep `burst` small: any one-second window can see `burst + rate` sends, and Teams counts
its limit over sliding one-second windows. The default burst lets a sender that polls a little
late (a sleep overshooting by up to CATCH_UP_SECONDS) catch up without losing throughput.
Replicas sharing one limit need the SQL budget (bot/store) instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

CATCH_UP_SECONDS = 0.01


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
        self._monotonic = monotonic
        self._buckets: dict[str, _Bucket] = {}

    async def acquire(self, tenant_id: str, wanted: int) -> int:
        if wanted <= 0:
            return 0
        now = self._monotonic()
        bucket = self._buckets.get(tenant_id)
        if bucket is None:
            bucket = self._buckets[tenant_id] = _Bucket(self.burst, now)
        else:
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(self.burst, bucket.tokens + elapsed * self.rate_per_second)
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
        now = self._monotonic()
        accrued = max(0.0, now - bucket.updated) * self.rate_per_second
        tokens = min(self.burst, bucket.tokens + accrued)
        missing = min(float(wanted), self.burst) - tokens
        return max(0.0, missing / self.rate_per_second)
