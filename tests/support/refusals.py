"""A real database made to refuse writes, for tests of what happens then (no mocks of our code).

`refuse_inserts(database, table)`: every INSERT into `table` fails from now on. On PostgreSQL a
CHECK constraint that no row passes (NOT VALID: existing rows are not checked), whose error,
like any constraint error there, quotes the failing row in its DETAIL; on SQLite, which cannot
add a constraint to a table, a trigger that aborts the statement.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store import Database


async def refuse_inserts(database: Database, table: str) -> None:
    async with database.transaction() as connection:
        if database.dialect == "postgresql":
            await connection.execute(
                sa.text(f"ALTER TABLE {table} ADD CONSTRAINT test_refuses CHECK (false) NOT VALID")
            )
        else:
            await connection.execute(
                sa.text(
                    f"CREATE TRIGGER test_refuses_{table} BEFORE INSERT ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )
