"""An announcement's recipient snapshot: added once per person, queued into the outbox a batch
at a time, and read back with what the outbox did with each one's message (bot/store/
announcements/deliveries.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.announcements.recipients import (
    EntityFigures,
    Figures,
    NewRecipient,
    Recipient,
)
from bot.domain.platform.outbox import OutboxStatus
from bot.ports.announcements import MessagesFor
from bot.store.announcements import deliveries
from bot.store.announcements.rows import announcement_of
from bot.store.announcements.tables import (
    RECIPIENT_UNQUEUED_PREDICATE,
    announcement_recipients,
    announcements,
)
from bot.store.database import Database
from bot.store.platform.outbox import enqueue_in
from bot.store.platform.tables import conversation_refs, outbox
from bot.store.upserts import insert_on_conflict

# Recipients per INSERT (and per transaction): bounded statements, and SQLite's write lock held
# briefly while a 60,000-person audience is stored.
_RECIPIENT_CHUNK = 1000
# Announcement ids per UPDATE ... IN (...): well under SQLite's bound-parameter limit.
_UPDATE_CHUNK = 500

_recipients = announcement_recipients


class SqlRecipientSnapshot:
    """The snapshot half of bot.ports.announcements.AnnouncementRepository (the repository,
    bot.store.announcements.announcements.SqlAnnouncementRepository, is one of these).

    Recipients are queued in batches that two replicas never share (FOR UPDATE SKIP LOCKED on
    PostgreSQL, the single writer on SQLite), each batch's outbox messages written in the same
    transaction as the mark that they are queued. User ids are stored, and looked up,
    lower-cased. `now`: stamps `updated_at` when the snapshot completes or is emptied.
    """

    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self._db = db
        self._now = now

    # --- the recipient snapshot ---------------------------------------------------------------
    async def add_recipients(self, announcement_id: int, recipients: Sequence[NewRecipient]) -> int:
        """A person already in the snapshot (also twice in `recipients`) is skipped. A chunk of
        a thousand per transaction: an interrupted add keeps what it stored, and adding again
        stores the rest."""
        rows: dict[str, dict[str, Any]] = {}
        for recipient in recipients:
            user_id = recipient.user_id.lower()
            if user_id and user_id not in rows:
                rows[user_id] = {
                    "announcement_id": announcement_id,
                    "user_id": user_id,
                    "entity": recipient.entity,
                    "locale": recipient.locale,
                    "conversation_id": recipient.conversation_id,
                    "queued": False,
                }
        statement = (
            insert_on_conflict(self._db, _recipients)
            .on_conflict_do_nothing(
                index_elements=[_recipients.c.announcement_id, _recipients.c.user_id]
            )
            .returning(_recipients.c.user_id)
        )
        values, added = list(rows.values()), 0
        for start in range(0, len(values), _RECIPIENT_CHUNK):
            async with self._db.transaction() as connection:
                # RETURNING lists only the rows really inserted.
                inserted = await connection.execute(
                    statement, values[start : start + _RECIPIENT_CHUNK]
                )
                added += len(inserted.all())
        return added

    async def clear_recipients(self, announcement_id: int) -> None:
        """Recipients already queued stay (their messages are on their way and are counted);
        the snapshot is incomplete again."""
        async with self._db.transaction() as connection:
            await connection.execute(
                _recipients.delete().where(
                    _recipients.c.announcement_id == announcement_id,
                    sa.text(RECIPIENT_UNQUEUED_PREDICATE),
                )
            )
            await connection.execute(
                announcements.update()
                .where(announcements.c.id == announcement_id)
                .values(resolved=False, audience_size=0, updated_at=self._now())
            )

    async def mark_resolved(self, announcement_id: int) -> int:
        size = (
            sa.select(sa.func.count())
            .select_from(_recipients)
            .where(_recipients.c.announcement_id == announcement_id)
            .scalar_subquery()
        )
        statement = (
            announcements.update()
            .where(announcements.c.id == announcement_id)
            .values(audience_size=size, resolved=True, updated_at=self._now())
            .returning(announcements.c.audience_size)
        )
        async with self._db.transaction() as connection:
            stored = (await connection.execute(statement)).scalar_one_or_none()
        return int(stored or 0)

    async def queue_next(
        self, announcement_id: int, limit: int, messages: MessagesFor, now: datetime
    ) -> int:
        if limit <= 0:
            return 0
        async with self._db.transaction() as connection:
            announcement: Announcement | None = None
            if self._db.dialect == "postgresql":
                # FOR SHARE: a cancel (an UPDATE of this row) waits until this batch is in the
                # outbox, so the withdraw that follows it sees, and withdraws, the batch too.
                announcement = await self._sending(connection, announcement_id)
                if announcement is None:
                    return 0
            taken = await self._take(connection, announcement_id, limit)
            if not taken:
                return 0
            if announcement is None:
                # SQLite: read after the UPDATE took the write lock, so nothing moved since.
                announcement = await self._sending(connection, announcement_id)
                assert announcement is not None  # the UPDATE checked it was sending
            await enqueue_in(connection, messages(announcement, taken), now)
        return len(taken)

    async def in_flight(self, announcement_id: int) -> int:
        """Also the members of batches Teams may still be sending (or is yet to be handed)."""
        return await self._count(
            sa.select(sa.func.count())
            .select_from(deliveries.with_outcome())
            .where(
                _recipients.c.announcement_id == announcement_id,
                _recipients.c.queued,
                sa.or_(outbox.c.status.in_(deliveries.UNFINISHED), deliveries.is_open_batch()),
            )
        )

    async def unqueued(self, announcement_id: int) -> int:
        return await self._count(
            sa.select(sa.func.count())
            .select_from(_recipients)
            .where(
                _recipients.c.announcement_id == announcement_id,
                sa.text(RECIPIENT_UNQUEUED_PREDICATE),
            )
        )

    async def withdraw_pending(self, announcement_id: int) -> int:
        """Only the recipients' own messages (dedupe key recipient_dedupe_key): an edit or a
        recall of the announcement is another message and is left alone."""
        keys = sa.select(deliveries.delivery_key()).where(
            _recipients.c.announcement_id == announcement_id, _recipients.c.queued
        )
        statement = outbox.delete().where(
            outbox.c.status == OutboxStatus.PENDING.value, outbox.c.dedupe_key.in_(keys)
        )
        async with self._db.transaction() as connection:
            return int((await connection.execute(statement)).rowcount or 0)

    async def figures(self, announcement_id: int) -> Figures:
        async with self._db.connect() as connection:
            rows = (await connection.execute(deliveries.figures_query(announcement_id))).all()
        return deliveries.figures_of(rows)

    async def entity_figures(self, announcement_id: int) -> list[EntityFigures]:
        query = deliveries.figures_query(announcement_id, _recipients.c.entity)
        async with self._db.connect() as connection:
            rows = (await connection.execute(query)).all()
        return deliveries.entity_figures_of(rows)

    async def recipients(
        self, announcement_id: int, after: str = "", limit: int = 1000
    ) -> list[Recipient]:
        query = (
            deliveries.recipients_query()
            .where(
                _recipients.c.announcement_id == announcement_id,
                _recipients.c.user_id > after.lower(),
            )
            .order_by(_recipients.c.user_id)
            .limit(limit)
        )
        async with self._db.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [deliveries.recipient_of(row) for row in rows]

    async def recipient(self, announcement_id: int, user_id: str) -> Recipient | None:
        query = deliveries.recipients_query().where(
            _recipients.c.announcement_id == announcement_id,
            _recipients.c.user_id == user_id.lower(),
        )
        async with self._db.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        return None if row is None else deliveries.recipient_of(row)

    async def reached(
        self, announcement_id: int, after: str = "", limit: int = 1000
    ) -> list[tuple[str, str]]:
        query = self._sent_page(announcement_id, after, limit).add_columns(outbox.c.dedupe_key)
        async with self._db.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [(row.user_id, row.dedupe_key) for row in rows]

    async def not_acknowledged(
        self, announcement_id: int, after: str = "", limit: int = 1000
    ) -> list[str]:
        """Those a batch operation sent it to as well: a reminder is a message of its own."""
        query = self._sent_page(announcement_id, after, limit, by_batch=True).where(
            _recipients.c.acknowledged_at.is_(None)
        )
        async with self._db.connect() as connection:
            return list((await connection.execute(query)).scalars())

    async def acknowledge(self, announcement_id: int, user_id: str, at: datetime) -> bool:
        statement = (
            _recipients.update()
            .where(
                _recipients.c.announcement_id == announcement_id,
                _recipients.c.user_id == user_id.lower(),
                _recipients.c.acknowledged_at.is_(None),  # the first click counts
            )
            .values(acknowledged_at=at)
        )
        async with self._db.transaction() as connection:
            return bool((await connection.execute(statement)).rowcount)

    async def mark_read(self, user_id: str, last_read_activity_id: str, at: datetime) -> int:
        """Teams ids are compared as numbers (their length grows with time too), in Python: a
        person has few unread announcements, and a non-numeric id is never "at or before"."""
        if not last_read_activity_id.isdigit():
            return 0
        last_read, person = int(last_read_activity_id), user_id.lower()
        unread = (
            sa.select(_recipients.c.announcement_id, outbox.c.activity_id)
            .select_from(deliveries.with_delivery())
            .where(
                _recipients.c.user_id == person,
                _recipients.c.read_at.is_(None),
                outbox.c.status == OutboxStatus.SENT.value,
            )
        )
        async with self._db.transaction() as connection:
            rows = (await connection.execute(unread)).all()
            read = [
                row.announcement_id
                for row in rows
                if row.activity_id.isdigit() and int(row.activity_id) <= last_read
            ]
            marked = 0
            for start in range(0, len(read), _UPDATE_CHUNK):
                statement = (
                    _recipients.update()
                    .where(
                        _recipients.c.user_id == person,
                        _recipients.c.announcement_id.in_(read[start : start + _UPDATE_CHUNK]),
                        _recipients.c.read_at.is_(None),
                    )
                    .values(read_at=at)
                )
                marked += int((await connection.execute(statement)).rowcount or 0)
        return marked

    async def reachable(self, tenant_id: str, after: str = "", limit: int = 1000) -> list[str]:
        query = (
            sa.select(conversation_refs.c.user_id)
            .where(conversation_refs.c.tenant_id == tenant_id, conversation_refs.c.user_id > after)
            .order_by(conversation_refs.c.user_id)
            .limit(limit)
        )
        async with self._db.connect() as connection:
            return list((await connection.execute(query)).scalars())

    # --- helpers ------------------------------------------------------------------------------
    async def _sending(
        self, connection: AsyncConnection, announcement_id: int
    ) -> Announcement | None:
        """The announcement if it is SENDING (locked FOR SHARE on PostgreSQL), else None."""
        query = announcements.select().where(
            announcements.c.id == announcement_id,
            announcements.c.state == AnnouncementState.SENDING.value,
        )
        if self._db.dialect == "postgresql":
            query = query.with_for_update(read=True)
        row = (await connection.execute(query)).one_or_none()
        return None if row is None else announcement_of(row)

    async def _take(
        self, connection: AsyncConnection, announcement_id: int, limit: int
    ) -> list[NewRecipient]:
        """Mark up to `limit` unqueued recipients queued, by user id, while the announcement is
        sending; returns them. The first statement writes, so on SQLite the batch holds the
        write lock from its start."""
        pick = _recipients.alias("pick")
        picked = (
            sa.select(pick.c.user_id)
            # Repeats the partial index predicate literally, so the planners may use it.
            .where(pick.c.announcement_id == announcement_id, sa.text(RECIPIENT_UNQUEUED_PREDICATE))
            .order_by(pick.c.user_id)
            .limit(limit)
        )
        statement = _recipients.update().where(_recipients.c.announcement_id == announcement_id)
        if self._db.dialect == "postgresql":
            # Rows another replica is taking right now are skipped, not waited for.
            locked = picked.with_for_update(skip_locked=True).cte("takeable")
            statement = statement.where(_recipients.c.user_id == locked.c.user_id)
        else:
            sending = sa.exists().where(
                announcements.c.id == announcement_id,
                announcements.c.state == AnnouncementState.SENDING.value,
            )
            statement = statement.where(
                _recipients.c.user_id.in_(picked.scalar_subquery()), sending
            )
        statement = statement.values(queued=True).returning(
            _recipients.c.user_id,
            _recipients.c.entity,
            _recipients.c.locale,
            _recipients.c.conversation_id,
        )
        rows = (await connection.execute(statement)).all()
        return sorted(
            (
                NewRecipient(row.user_id, row.entity, row.locale, row.conversation_id)
                for row in rows
            ),
            key=lambda recipient: recipient.user_id,
        )

    def _sent_page(
        self, announcement_id: int, after: str, limit: int, *, by_batch: bool = False
    ) -> sa.Select[Any]:
        """User ids of the recipients whose own message was sent (`by_batch`: or a batch
        operation's), a page by user id."""
        sent = outbox.c.status == OutboxStatus.SENT.value
        return (
            sa.select(_recipients.c.user_id)
            .select_from(deliveries.with_outcome() if by_batch else deliveries.with_delivery())
            .where(
                _recipients.c.announcement_id == announcement_id,
                _recipients.c.user_id > after.lower(),
                sa.or_(sent, deliveries.is_batch_sent()) if by_batch else sent,
            )
            .order_by(_recipients.c.user_id)
            .limit(limit)
        )

    async def _count(self, query: sa.Select[Any]) -> int:
        async with self._db.connect() as connection:
            return int((await connection.execute(query)).scalar_one())
