"""People the bot has met (SeenUser), refreshed on every conversation."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from bot.domain.platform.conversations import SeenUser
from bot.ports.platform import Clock
from bot.store.database import Database
from bot.store.platform.tables import users
from bot.store.upserts import insert_on_conflict, keep_unless_blank


class SqlUserRepository:
    """Implements bot.ports.platform.UserRepository.

    An upsert never erases what is known: an empty UPN, display name or entity (an activity
    does not carry them all) keeps the stored value.
    """

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._now = clock.now if clock is not None else partial(datetime.now, UTC)

    async def upsert(self, user: SeenUser) -> None:
        now = self._now()
        insert = insert_on_conflict(self._db, users).values(
            user_id=user.user_id,
            tenant_id=user.tenant_id,
            user_principal_name=user.user_principal_name,
            display_name=user.display_name,
            locale=user.locale,
            entity=user.entity,
            first_seen=now,
            last_seen=now,
        )
        statement = insert.on_conflict_do_update(
            index_elements=[users.c.user_id],
            set_={
                "tenant_id": insert.excluded.tenant_id,
                "user_principal_name": keep_unless_blank(insert, users.c.user_principal_name),
                "display_name": keep_unless_blank(insert, users.c.display_name),
                "locale": keep_unless_blank(insert, users.c.locale),
                "entity": keep_unless_blank(insert, users.c.entity),
                "last_seen": insert.excluded.last_seen,
            },
        )
        async with self._db.transaction() as connection:
            await connection.execute(statement)

    async def get(self, user_id: str) -> SeenUser | None:
        async with self._db.connect() as connection:
            row = (
                await connection.execute(users.select().where(users.c.user_id == user_id))
            ).one_or_none()
        if row is None:
            return None
        return SeenUser(
            user_id=row.user_id,
            tenant_id=row.tenant_id,
            user_principal_name=row.user_principal_name,
            display_name=row.display_name,
            locale=row.locale,
            entity=row.entity,
        )
