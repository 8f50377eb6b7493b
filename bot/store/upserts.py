"""INSERT ... ON CONFLICT for the dialect in use (same spelling, dialect-specific modules)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, TypeAlias

import sqlalchemy as sa

from bot.store.database import Database

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

    InsertOnConflict: TypeAlias = postgresql.Insert | sqlite.Insert
else:
    InsertOnConflict = object

# Loaded on first use: a SQLite deployment never needs the PostgreSQL dialect, nor the reverse.
_DIALECT_MODULES = {
    "postgresql": "sqlalchemy.dialects.postgresql",
    "sqlite": "sqlalchemy.dialects.sqlite",
}


def insert_on_conflict(db: Database, table: sa.Table) -> InsertOnConflict:
    """An INSERT that supports on_conflict_do_nothing / on_conflict_do_update and `excluded`."""
    module = _DIALECT_MODULES.get(db.dialect)
    if module is None:
        raise NotImplementedError(f"unsupported database dialect: {db.dialect}")
    insert: InsertOnConflict = importlib.import_module(module).insert(table)
    return insert


def keep_unless_blank(insert: InsertOnConflict, column: sa.Column[str]) -> sa.ColumnElement[str]:
    """On conflict: take the new text, but keep the stored one when the new one is empty."""
    return sa.func.coalesce(sa.func.nullif(insert.excluded[column.name], ""), column)
