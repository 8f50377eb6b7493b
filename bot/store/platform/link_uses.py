"""Nonces of single-use download links already used, shared by every replica on the database."""

from __future__ import annotations

from datetime import datetime

from bot.store.database import Database
from bot.store.platform.tables import link_uses
from bot.store.upserts import insert_on_conflict


class SqlLinkUses:
    """Implements bot.ports.platform.LinkUses."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def first_use(self, nonce: str, used_at: datetime, expires_at: datetime) -> bool:
        # The primary key decides, not a read before the write: two replicas serving two clicks
        # at the same moment both try the insert, and exactly one of them gets the row.
        statement = (
            insert_on_conflict(self._db, link_uses)
            .values(nonce=nonce, used_at=used_at, expires_at=expires_at)
            .on_conflict_do_nothing(index_elements=[link_uses.c.nonce])
        )
        async with self._db.transaction() as connection:
            result = await connection.execute(statement)
        return result.rowcount == 1

    async def was_used(self, nonce: str) -> bool:
        statement = (
            link_uses.select()
            .with_only_columns(link_uses.c.nonce)
            .where(link_uses.c.nonce == nonce)
        )
        async with self._db.connect() as connection:
            return (await connection.execute(statement)).first() is not None

    async def forget_expired(self, cutoff: datetime) -> int:
        statement = link_uses.delete().where(link_uses.c.expires_at < cutoff)
        async with self._db.transaction() as connection:
            result = await connection.execute(statement)
        return result.rowcount
