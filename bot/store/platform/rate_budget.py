"""A tenant-wide send budget in the database, shared by every sender of every replica."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import partial

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.ports.platform import Clock
from bot.store.database import Database
from bot.store.platform.tables import rate_budget
from bot.store.upserts import insert_on_conflict

# Any window of one second can see (tokens in the bucket) + rate sends, and Teams counts per
# second: the default burst is one send plus 10 ms of sending (as bot.services.platform.rate's
# in-memory budget), enough to catch up after a late poll, at most a few percent over the limit.
_CATCH_UP_SECONDS = 0.01


class SqlRateBudget:
    """Implements bot.ports.platform.RateBudget: one token bucket per tenant in the `rate_budget`
    table.

    Tokens refill at `rate_per_second` up to `burst`. Each acquire reads, refills and spends the
    bucket under a lock (SELECT ... FOR UPDATE on PostgreSQL; on SQLite a no-op UPDATE takes the
    database write lock first), so concurrent acquirers in any number of processes never grant more
    than burst + rate x elapsed together.

    Time comes from the injected clock (the system UTC clock by default) of whichever process
    acquires, not from the database. Clock skew between replicas cannot inflate the budget: the
    bucket's time only moves forward (a replica whose clock lags refills nothing until it catches
    up), so a replica running ahead gains at most one burst, once. Keep replicas on NTP all the
    same: a lagging replica starves while the others send.
    """

    def __init__(
        self,
        db: Database,
        rate_per_second: float,
        burst: float | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        self._db = db
        self.rate_per_second = rate_per_second
        self.burst = burst if burst is not None else 1.0 + rate_per_second * _CATCH_UP_SECONDS
        if self.burst < 1:
            raise ValueError("burst must allow at least one send")
        self._now = clock.now if clock is not None else partial(datetime.now, UTC)
        # What this process saw last, per tenant: (tokens left, bucket time). Only a hint for
        # seconds_until_available; other replicas may have spent tokens since.
        self._last_seen: dict[str, tuple[float, datetime]] = {}

    async def acquire(self, tenant_id: str, wanted: int) -> int:
        if wanted <= 0:
            return 0
        now = self._now()
        async with self._db.transaction() as connection:
            bucket = await self._lock_bucket(connection, tenant_id)
            if bucket is None:
                await connection.execute(
                    insert_on_conflict(self._db, rate_budget)
                    .values(tenant_id=tenant_id, tokens=self.burst, updated_at=now)
                    .on_conflict_do_nothing(index_elements=[rate_budget.c.tenant_id])
                )
                bucket = await self._lock_bucket(connection, tenant_id)
                assert bucket is not None, "the bucket row was just inserted"
            tokens, updated_at = bucket
            elapsed = max(0.0, (now - updated_at).total_seconds())
            available = min(self.burst, tokens + elapsed * self.rate_per_second)
            granted = int(min(wanted, math.floor(available)))
            left, bucket_time = available - granted, max(now, updated_at)
            await connection.execute(
                rate_budget.update()
                .where(rate_budget.c.tenant_id == tenant_id)
                .values(tokens=left, updated_at=bucket_time)
            )
        self._last_seen[tenant_id] = (left, bucket_time)
        return granted

    def seconds_until_available(self, tenant_id: str, wanted: int = 1) -> float:
        """When `wanted` tokens (at most the burst) should be back, judging by this process's last
        acquire: a lower bound when other replicas share the bucket (asking early just gets 0)."""
        seen = self._last_seen.get(tenant_id)
        if seen is None:
            return 0.0
        left, bucket_time = seen
        elapsed = max(0.0, (self._now() - bucket_time).total_seconds())
        missing = min(float(wanted), self.burst) - left - elapsed * self.rate_per_second
        return max(0.0, missing / self.rate_per_second)

    async def _lock_bucket(
        self, connection: AsyncConnection, tenant_id: str
    ) -> tuple[float, datetime] | None:
        """The bucket (tokens, updated_at), locked against other acquirers until commit."""
        columns = (rate_budget.c.tokens, rate_budget.c.updated_at)
        where = rate_budget.c.tenant_id == tenant_id
        if self._db.dialect == "postgresql":
            query: sa.Executable = sa.select(*columns).where(where).with_for_update()
        else:
            # SQLite has no row locks, and its driver opens a transaction only on a write:
            # this UPDATE takes the write lock and returns the row it protects.
            query = (
                rate_budget.update()
                .where(where)
                .values(tokens=rate_budget.c.tokens)
                .returning(*columns)
            )
        row = (await connection.execute(query)).one_or_none()
        return None if row is None else (float(row[0]), row[1])
