"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime in and out, on every dialect.

    PostgreSQL keeps the offset (timestamptz); SQLite stores naive text, so the value is stored
    as UTC and the tzinfo is restored on the way out. Naive datetimes are refused: guessing their
    zone is how off-by-two-hours bugs start.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: pass a timezone-aware (UTC) datetime")
        value = value.astimezone(UTC)
        # SQLite text sorts correctly only when every value is written in the same zone.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        if stored.tzinfo is None:
            return stored.replace(tzinfo=UTC)
        return stored.astimezone(UTC)


class _Json(sa.TypeDecorator[Any]):
    """JSONB on PostgreSQL (compact, indexable), JSON text on SQLite.

    The PostgreSQL type is looked up when a PostgreSQL connection asks for it, so a SQLite
    deployment never loads that dialect (a noticeable share of start-up).
    """

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(sa.JSON())


JsonDocument = _Json()

# A 64-bit surrogate key. SQLite only auto-numbers a column declared exactly INTEGER PRIMARY KEY
# (its 64-bit rowid), so the SQLite variant is INTEGER.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
