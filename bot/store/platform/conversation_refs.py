"""Where to post to someone later: the reference of their personal chat with the bot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

import sqlalchemy as sa

from bot.domain.platform.conversations import ConversationRef
from bot.ports.platform import Clock
from bot.store.database import Database
from bot.store.platform.tables import conversation_refs
from bot.store.upserts import insert_on_conflict

# User ids per SELECT ... IN (...): well under SQLite's bound-parameter limit (999 before 3.32).
_LOOKUP_CHUNK = 500


class SqlConversationRefRepository:
    """Implements bot.ports.platform.ConversationRefRepository: one reference per (tenant, user)."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._now = clock.now if clock is not None else partial(datetime.now, UTC)

    async def save(self, ref: ConversationRef) -> None:
        insert = insert_on_conflict(self._db, conversation_refs).values(
            tenant_id=ref.tenant_id,
            user_id=ref.user_id,
            service_url=ref.service_url,
            conversation_id=ref.conversation_id,
            bot_id=ref.bot_id,
            channel_id=ref.channel_id,
            locale=ref.locale,
            updated_at=ref.updated_at or self._now(),
        )
        replaced = (
            "service_url",
            "conversation_id",
            "bot_id",
            "channel_id",
            "locale",
            "updated_at",
        )
        statement = insert.on_conflict_do_update(
            index_elements=[conversation_refs.c.tenant_id, conversation_refs.c.user_id],
            set_={name: insert.excluded[name] for name in replaced},
        )
        async with self._db.transaction() as connection:
            await connection.execute(statement)

    async def get(self, tenant_id: str, user_id: str) -> ConversationRef | None:
        query = conversation_refs.select().where(
            conversation_refs.c.tenant_id == tenant_id, conversation_refs.c.user_id == user_id
        )
        async with self._db.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        return None if row is None else _ref(row)

    async def get_many(self, tenant_id: str, user_ids: Sequence[str]) -> dict[str, ConversationRef]:
        """The references of those users that have one, by user id (one query per 500 ids)."""
        wanted = list(dict.fromkeys(user_ids))  # duplicates would only lengthen the IN list
        found: dict[str, ConversationRef] = {}
        if not wanted:
            return found
        async with self._db.connect() as connection:
            for start in range(0, len(wanted), _LOOKUP_CHUNK):
                query = conversation_refs.select().where(
                    conversation_refs.c.tenant_id == tenant_id,
                    conversation_refs.c.user_id.in_(wanted[start : start + _LOOKUP_CHUNK]),
                )
                for row in await connection.execute(query):
                    found[row.user_id] = _ref(row)
        return found


def _ref(row: sa.Row[Any]) -> ConversationRef:
    return ConversationRef(
        user_id=row.user_id,
        tenant_id=row.tenant_id,
        service_url=row.service_url,
        conversation_id=row.conversation_id,
        bot_id=row.bot_id,
        channel_id=row.channel_id,
        locale=row.locale,
        updated_at=row.updated_at,
    )
