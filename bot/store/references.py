"""Yearly reference numbers (LIC-2026-000123, POST-2026-000123), counted in the database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.database import Database
from bot.store.platform.tables import reference_counters
from bot.store.upserts import insert_on_conflict


async def next_reference_number(
    db: Database, connection: AsyncConnection, prefix: str, year: int
) -> int:
    """The next number of the year for `prefix`, inside the caller's transaction.

    The upsert locks the counter row until commit: a concurrent add on PostgreSQL waits for it
    and then counts on (SQLite has one writer anyway), and a rollback gives the number back, so
    references have no gaps.
    """
    insert = insert_on_conflict(db, reference_counters).values(prefix=prefix, year=year, last=1)
    statement = insert.on_conflict_do_update(
        index_elements=[reference_counters.c.prefix, reference_counters.c.year],
        set_={"last": reference_counters.c.last + 1},
    ).returning(reference_counters.c.last)
    number: int = (await connection.execute(statement)).scalar_one()
    return number
