"""Announcements: one row each, saved only over the version a step was decided on, with the
audit lines and outbox messages of the step; with their recipient snapshots
(bot/store/announcements/snapshot.py) and batch operations (bot/store/announcements/
batches.py), the repository of announcements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from functools import partial
from typing import Any

import sqlalchemy as sa

from bot.domain.announcements.announcements import (
    EDITABLE,
    Announcement,
    AnnouncementState,
    NewAnnouncement,
    drafted,
    format_announcement_reference,
)
from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.outbox import NewOutboxMessage
from bot.ports.platform import Clock
from bot.store.announcements.batches import SqlAnnouncementBatches
from bot.store.announcements.rows import announcement_of, announcement_row
from bot.store.announcements.tables import (
    ANNOUNCEMENT_ACTIVE_PREDICATE,
    ANNOUNCEMENT_CLIENT_KEY_PREDICATE,
    announcements,
)
from bot.store.database import Database
from bot.store.platform.audit_log import audit_row
from bot.store.platform.tables import audit_log
from bot.store.references import next_reference_number
from bot.store.transitions import TransitionWriter
from bot.store.upserts import insert_on_conflict

OBJECT_TYPE = "announcement"
REFERENCE_PREFIX = "ANN"
# Never changed by a step: who wrote it and where it came from (the reference is unique), and
# the snapshot's size and completeness, which only the store writes (mark_resolved): a save of
# an announcement read before the snapshot was complete must not undo it.
_FIXED_COLUMNS = (
    "reference",
    "tenant_id",
    "author_id",
    "created_at",
    "source",
    "client_key",
    "audience_size",
    "resolved",
)
_EDITABLE_STATES = sorted(state.value for state in EDITABLE)


class _Stale(Exception):
    """The stored version moved on; raised inside the transaction so that it rolls back."""


class _ClientKeyTaken(Exception):
    """Another add with the same (source, client key) won the race."""


class SqlAnnouncementRepository(SqlAnnouncementBatches):
    """Implements bot.ports.announcements.AnnouncementRepository on SQLite and PostgreSQL.

    A save lands only on the version it was decided on (optimistic concurrency): of two people
    deciding on the same version (approve and reject, cancel and start), one wins; the other
    gets False, having written nothing. The recipient snapshot's methods are
    SqlRecipientSnapshot's (bot/store/announcements/snapshot.py), the batch operations'
    SqlAnnouncementBatches' (bot/store/announcements/batches.py), which builds on it.

    `clock`: stamps `updated_at` when the store changes the row itself (the snapshot completed
    or emptied); the system clock without one. `reference_zone`: the time zone whose calendar
    year a reference carries (the administration's; UTC by default).
    """

    def __init__(
        self, db: Database, *, clock: Clock | None = None, reference_zone: tzinfo = UTC
    ) -> None:
        super().__init__(db, clock.now if clock is not None else partial(datetime.now, UTC))
        self._zone = reference_zone
        self._transitions = TransitionWriter(announcements, _Stale, fixed=_FIXED_COLUMNS)

    # --- the announcement ---------------------------------------------------------------------
    async def add(self, new: NewAnnouncement, audit: Sequence[AuditEntry] = ()) -> Announcement:
        """Store a draft with the next reference of its year (of `created_at`), version 1.

        Audit lines without an object get this announcement's reference. An API add whose
        (source, client key) is already stored adds nothing and returns the stored one: two
        retries of one request racing each other create one announcement."""
        year = new.created_at.astimezone(self._zone).year
        try:
            async with self._db.transaction() as connection:
                number = await next_reference_number(self._db, connection, REFERENCE_PREFIX, year)
                draft = drafted(
                    new,
                    announcement_id=0,  # given by the database
                    reference=format_announcement_reference(year, number),
                )
                entries = [_about(entry, draft.reference) for entry in audit]
                row_id = await self._transitions.insert(
                    connection,
                    announcement_row(draft),
                    audit=entries,
                    statement=self._insert_once() if new.client_key else None,
                )
                if row_id is None:
                    raise _ClientKeyTaken  # rolls the reference number back
        except _ClientKeyTaken:
            stored = await self.by_client_key(new.source, new.client_key)
            # Deleted in between (a draft can be): then this add may store it after all.
            return stored if stored is not None else await self.add(new, audit)
        return replace(draft, id=row_id)

    async def get(self, announcement_id: int) -> Announcement | None:
        return await self._one(announcements.c.id == announcement_id)

    async def by_reference(self, reference: str) -> Announcement | None:
        return await self._one(announcements.c.reference == reference.strip().upper())

    async def by_client_key(self, source: str, client_key: str) -> Announcement | None:
        if not client_key:
            return None  # chat-made announcements have no key; none of them is "the" one
        return await self._one(
            sa.and_(
                announcements.c.source == source,
                announcements.c.client_key == client_key,
                sa.text(ANNOUNCEMENT_CLIENT_KEY_PREDICATE),
            )
        )

    async def of_author(self, author_id: str, limit: int = 20) -> list[Announcement]:
        query = (
            announcements.select()
            .where(announcements.c.author_id == author_id)
            .order_by(announcements.c.created_at.desc(), announcements.c.id.desc())
            .limit(limit)
        )
        return await self._many(query)

    async def save(
        self,
        announcement: Announcement,
        expected_version: int,
        audit: Sequence[AuditEntry] = (),
        outbox: Sequence[NewOutboxMessage] = (),
    ) -> bool:
        """The outbox messages are queued at the step's time (`updated_at`), as every
        transition's are."""
        try:
            async with self._db.transaction() as connection:
                await self._transitions.update(
                    connection,
                    announcement.id,
                    announcement_row(announcement),
                    expected_version=expected_version,
                    audit=audit,
                    messages=outbox,
                )
        except _Stale:
            return False
        return True

    async def delete(
        self, announcement_id: int, expected_version: int, audit: Sequence[AuditEntry] = ()
    ) -> bool:
        """Only a draft or a rejected one (nothing of it went out); its recipients go with it
        (ON DELETE CASCADE)."""
        statement = (
            announcements.delete()
            .where(
                announcements.c.id == announcement_id,
                announcements.c.version == expected_version,
                announcements.c.state.in_(_EDITABLE_STATES),
            )
            .returning(announcements.c.id)
        )
        async with self._db.transaction() as connection:
            if (await connection.execute(statement)).one_or_none() is None:
                return False
            if audit:
                await connection.execute(audit_log.insert(), [audit_row(entry) for entry in audit])
        return True

    async def active(self, now: datetime, limit: int = 100) -> list[Announcement]:
        query = (
            announcements.select()
            .where(
                # Repeats the partial index predicate literally, so the planners may use it.
                sa.text(ANNOUNCEMENT_ACTIVE_PREDICATE),
                sa.or_(
                    announcements.c.state == AnnouncementState.SENDING.value,
                    announcements.c.send_at <= now,
                ),
            )
            .order_by(announcements.c.id)
            .limit(limit)
        )
        return await self._many(query)

    # --- helpers ------------------------------------------------------------------------------
    def _insert_once(self) -> Any:
        """The INSERT of an API-made announcement: skipped when its client key is stored."""
        return (
            insert_on_conflict(self._db, announcements)
            .on_conflict_do_nothing(
                index_elements=[announcements.c.source, announcements.c.client_key],
                index_where=sa.text(ANNOUNCEMENT_CLIENT_KEY_PREDICATE),
            )
            .returning(announcements.c.id)
        )

    async def _one(self, where: sa.ColumnElement[bool]) -> Announcement | None:
        async with self._db.connect() as connection:
            row = (await connection.execute(announcements.select().where(where))).one_or_none()
        return None if row is None else announcement_of(row)

    async def _many(self, query: sa.Select[Any]) -> list[Announcement]:
        async with self._db.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [announcement_of(row) for row in rows]


def _about(entry: AuditEntry, reference: str) -> AuditEntry:
    """An audit line of the add names the announcement it made (unless it names another)."""
    if entry.object_id:
        return entry
    return replace(entry, object_type=entry.object_type or OBJECT_TYPE, object_id=reference)
