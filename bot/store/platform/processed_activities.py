"""Incoming activity keys already handled, so a Teams retry is answered but not acted on twice."""

from __future__ import annotations

from datetime import datetime

from bot.store.database import Database
from bot.store.platform.tables import processed_activities
from bot.store.upserts import insert_on_conflict


class SqlProcessedActivities:
    """Implements bot.ports.platform.ProcessedActivities."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def first_time(self, key: str, seen_at: datetime) -> bool:
        # The primary key decides: of two racing requests exactly one inserts the row.
        statement = (
            insert_on_conflict(self._db, processed_activities)
            .values(key=key, seen_at=seen_at)
            .on_conflict_do_nothing(index_elements=[processed_activities.c.key])
        )
        async with self._db.transaction() as connection:
            result = await connection.execute(statement)
        return result.rowcount == 1

    async def first_time_many(self, keys: list[str], seen_at: datetime) -> set[str]:
        """The keys among `keys` not seen before, recorded in one statement (group commit)."""
        unique = list(dict.fromkeys(keys))
        statement = (
            insert_on_conflict(self._db, processed_activities)
            .values([{"key": key, "seen_at": seen_at} for key in unique])
            .on_conflict_do_nothing(index_elements=[processed_activities.c.key])
            .returning(processed_activities.c.key)
        )
        async with self._db.transaction() as connection:
            result = await connection.execute(statement)
            return {row[0] for row in result}

    async def keys_since(self, since: datetime, limit: int) -> list[str]:
        """The newest keys seen at or after `since` (to warm a process-local memory)."""
        statement = (
            processed_activities.select()
            .with_only_columns(processed_activities.c.key)
            .where(processed_activities.c.seen_at >= since)
            .order_by(processed_activities.c.seen_at.desc())
            .limit(limit)
        )
        async with self._db.connect() as connection:
            return [row[0] for row in await connection.execute(statement)]

    async def forget_before(self, cutoff: datetime) -> int:
        statement = processed_activities.delete().where(processed_activities.c.seen_at < cutoff)
        async with self._db.transaction() as connection:
            result = await connection.execute(statement)
        return result.rowcount
