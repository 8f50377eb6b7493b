"""INSERT ... ON CONFLICT for the dialect in use (same spelling, dialect-specific modules)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.database import Database

InsertOnConflict = postgresql.Insert | sqlite.Insert


def insert_on_conflict(db: Database, table: sa.Table) -> InsertOnConflict:
    """An INSERT that supports on_conflict_do_nothing / on_conflict_do_update and `excluded`."""
    if db.dialect == "postgresql":
        return postgresql.insert(table)
    if db.dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database dialect: {db.dialect}")


def keep_unless_blank(insert: InsertOnConflict, column: sa.Column[str]) -> sa.ColumnElement[str]:
    """On conflict: take the new text, but keep the stored one when the new one is empty."""
    return sa.func.coalesce(sa.func.nullif(insert.excluded[column.name], ""), column)
