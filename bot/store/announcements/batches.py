"""The BATCH mode's bookkeeping (bot.domain.announcements.batches): recipients taken from the
snapshot into batch operations of at most BATCH_SIZE, each of one language and all people or all
channels, and each batch's way from CLAIMED through RUNNING to SETTLED.

A claim takes recipients exactly as queue_next does (bot/store/announcements/snapshot.py): rows
another replica is taking are skipped on PostgreSQL, and on SQLite the first statement writes,
so the claim holds the write lock from its start. A settle happens once: its first statement
moves the batch to SETTLED only from CLAIMED or RUNNING, so a second replica settling the same
batch (or a retry after a lost answer) finds nothing to do and queues nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.announcements.announcements import AnnouncementState
from bot.domain.announcements.batches import BATCH_SIZE, SUBMIT_LEASE, Batch, BatchPhase
from bot.domain.announcements.recipients import NewRecipient
from bot.ports.announcements import MessagesFor
from bot.store.announcements.deliveries import OPEN_BATCH
from bot.store.announcements.snapshot import SqlRecipientSnapshot
from bot.store.announcements.tables import announcement_batches as batches
from bot.store.announcements.tables import announcement_recipients as recipients
from bot.store.announcements.tables import announcements
from bot.store.platform.outbox import enqueue_in

# Batch ids per SELECT ... IN (...): well under SQLite's bound-parameter limit.
_IDS_CHUNK = 500

# One statement for every member of every batch of a claim, so a claim is a single executemany.
_JOIN_BATCH = (
    recipients.update()
    .where(
        recipients.c.announcement_id == sa.bindparam("of_announcement"),
        recipients.c.user_id == sa.bindparam("member_user_id"),
    )
    .values(batch_id=sa.bindparam("into_batch"))
)


class SqlAnnouncementBatches(SqlRecipientSnapshot):
    """The batch half of bot.ports.announcements.AnnouncementRepository, on the snapshot it
    takes its recipients from (the repository, bot.store.announcements.announcements.
    SqlAnnouncementRepository, is one of these). A batch's members are what Teams is sent: the
    (lower-cased) user id of a person, the conversation id of a channel as Teams gave it."""

    async def claim_batches(self, announcement_id: int, limit: int, now: datetime) -> list[Batch]:
        if limit <= 0:
            return []
        async with self._db.transaction() as connection:
            # FOR SHARE on PostgreSQL, as queue_next: a cancel waits until the claim is stored,
            # so what follows the cancel sees these batches.
            # SQLite: _take's UPDATE checks that it is sending, and it is the first statement.
            postgresql = self._db.dialect == "postgresql"
            if postgresql and await self._sending(connection, announcement_id) is None:
                return []
            taken = await self._take(connection, announcement_id, limit)
            if not taken:
                return []
            return await self._store_batches(connection, announcement_id, taken, now)

    async def claimed_batches(self, announcement_id: int, now: datetime) -> list[Batch]:
        return await self._in_phase(announcement_id, BatchPhase.CLAIMED, _free(now))

    async def take_batch(self, batch_id: int, now: datetime) -> bool:
        # One conditional UPDATE: of two replicas taking the same batch, one changes the row.
        statement = (
            batches.update()
            .where(
                batches.c.id == batch_id,
                batches.c.phase == BatchPhase.CLAIMED.value,
                _free(now),
            )
            .values(next_check_at=now + SUBMIT_LEASE)
        )
        async with self._db.transaction() as connection:
            return (await connection.execute(statement)).rowcount == 1

    async def batch_started(
        self, batch_id: int, operation_id: str, next_check_at: datetime
    ) -> None:
        """Only a CLAIMED batch: a batch settled meanwhile (a refused submit, a cancel) stays."""
        statement = (
            batches.update()
            .where(batches.c.id == batch_id, batches.c.phase == BatchPhase.CLAIMED.value)
            .values(
                phase=BatchPhase.RUNNING.value,
                operation_id=operation_id,
                next_check_at=next_check_at,
            )
        )
        async with self._db.transaction() as connection:
            await connection.execute(statement)

    async def due_batches(
        self, announcement_id: int, now: datetime, limit: int = 50
    ) -> list[Batch]:
        return await self._batches(
            sa.select(batches)
            .where(
                batches.c.announcement_id == announcement_id,
                batches.c.phase == BatchPhase.RUNNING.value,
                batches.c.next_check_at <= now,
            )
            .order_by(batches.c.next_check_at, batches.c.id)
            .limit(limit)
        )

    async def postpone_batch(self, batch_id: int, next_check_at: datetime) -> None:
        """Only a RUNNING or CLAIMED batch is looked at again; a settled one keeps none."""
        statement = (
            batches.update()
            .where(batches.c.id == batch_id, batches.c.phase.in_(OPEN_BATCH))
            .values(next_check_at=next_check_at)
        )
        async with self._db.transaction() as connection:
            await connection.execute(statement)

    async def running_batches(self, announcement_id: int) -> list[Batch]:
        return await self._in_phase(announcement_id, BatchPhase.RUNNING)

    async def open_batches(self, announcement_id: int) -> int:
        return await self._count(
            sa.select(sa.func.count())
            .select_from(batches)
            .where(batches.c.announcement_id == announcement_id, batches.c.phase.in_(OPEN_BATCH))
        )

    async def stopped_with_open_batches(self, limit: int = 20) -> list[int]:
        # The open batches are few (a handful per announcement on its way), so this reads a
        # small index range; the announcements' state is checked by join.
        query = (
            sa.select(batches.c.announcement_id)
            .join(announcements, announcements.c.id == batches.c.announcement_id)
            .where(
                batches.c.phase.in_(OPEN_BATCH),
                announcements.c.state != AnnouncementState.SENDING.value,
            )
            .group_by(batches.c.announcement_id)
            .order_by(batches.c.announcement_id)
            .limit(limit)
        )
        async with self._db.connect() as connection:
            return [int(row) for row in (await connection.execute(query)).scalars()]

    async def settle_batch(
        self, batch_id: int, failed: Sequence[str], messages: MessagesFor, now: datetime
    ) -> int:
        """The failed members are matched in Python, casefolded on both sides: a batch has at
        most BATCH_SIZE of them, and SQLite's lower() knows ASCII only."""
        gate = (
            batches.update()
            .where(batches.c.id == batch_id, batches.c.phase.in_(OPEN_BATCH))
            .values(phase=BatchPhase.SETTLED.value, settled_at=now, next_check_at=None)
            .returning(batches.c.announcement_id, batches.c.in_channel)
        )
        wanted = {member.casefold() for member in failed}
        async with self._db.transaction() as connection:
            settled = (await connection.execute(gate)).one_or_none()
            if settled is None:
                return 0  # settled before (another replica, an earlier try): nothing twice
            members = await self._members_of(connection, [batch_id])
            missed = [
                recipient
                for recipient in members.get(batch_id, [])
                if _member(recipient, settled.in_channel).casefold() in wanted
            ]
            if not missed:
                return 0
            await self._mark_failed(connection, settled.announcement_id, batch_id, missed)
            # Read after the gate: on SQLite nothing moved since; on PostgreSQL FOR SHARE, so a
            # cancel waits until these messages are in the outbox, and its withdraw sees them.
            announcement = await self._sending(connection, settled.announcement_id)
            if announcement is None:
                return 0  # no longer sending: they stay not reached
            await enqueue_in(connection, messages(announcement, missed), now)
        return len(missed)

    # --- helpers ------------------------------------------------------------------------------
    async def _store_batches(
        self,
        connection: AsyncConnection,
        announcement_id: int,
        taken: Sequence[NewRecipient],
        now: datetime,
    ) -> list[Batch]:
        """The taken recipients as CLAIMED batches, and each recipient's batch."""
        chunks = _chunks(taken)
        rows = [
            {
                "announcement_id": announcement_id,
                "phase": BatchPhase.CLAIMED.value,
                "locale": chunk[0].locale,
                "in_channel": _in_channel(chunk[0]),
                "size": len(chunk),
                "created_at": now,
                # Held by this claimer while it submits (SUBMIT_LEASE).
                "next_check_at": now + SUBMIT_LEASE,
            }
            for chunk in chunks
        ]
        # One executemany; sort_by_parameter_order pairs each id with its chunk.
        inserted = await connection.execute(
            batches.insert().returning(batches.c.id, sort_by_parameter_order=True), rows
        )
        ids = list(inserted.scalars())
        await connection.execute(
            _JOIN_BATCH,
            [
                {
                    "of_announcement": announcement_id,
                    "member_user_id": recipient.user_id,
                    "into_batch": batch_id,
                }
                for batch_id, chunk in zip(ids, chunks, strict=True)
                for recipient in chunk
            ],
        )
        return [
            Batch(
                id=batch_id,
                announcement_id=announcement_id,
                phase=BatchPhase.CLAIMED,
                locale=chunk[0].locale,
                in_channel=_in_channel(chunk[0]),
                members=tuple(_member(recipient, _in_channel(chunk[0])) for recipient in chunk),
                next_check_at=now + SUBMIT_LEASE,
                created_at=now,
            )
            for batch_id, chunk in zip(ids, chunks, strict=True)
        ]

    async def _mark_failed(
        self,
        connection: AsyncConnection,
        announcement_id: int,
        batch_id: int,
        missed: Sequence[NewRecipient],
    ) -> None:
        await connection.execute(
            recipients.update()
            .where(
                recipients.c.announcement_id == announcement_id,
                recipients.c.user_id.in_([recipient.user_id for recipient in missed]),
            )
            .values(batch_failed=True)
        )
        await connection.execute(
            batches.update().where(batches.c.id == batch_id).values(failed=len(missed))
        )

    async def _in_phase(
        self, announcement_id: int, phase: BatchPhase, *also: sa.ColumnElement[bool]
    ) -> list[Batch]:
        return await self._batches(
            sa.select(batches)
            .where(
                batches.c.announcement_id == announcement_id,
                batches.c.phase == phase.value,
                *also,
            )
            .order_by(batches.c.id)
        )

    async def _batches(self, query: sa.Select[Any]) -> list[Batch]:
        """The batches `query` selects, with their members (a batch holds at most BATCH_SIZE)."""
        async with self._db.connect() as connection:
            rows = (await connection.execute(query)).all()
            members = await self._members_of(connection, [row.id for row in rows])
        return [_batch_of(row, members.get(row.id, [])) for row in rows]

    async def _members_of(
        self, connection: AsyncConnection, batch_ids: Sequence[int]
    ) -> dict[int, list[NewRecipient]]:
        """Each batch's recipients, by user id (the order the claim handed them out in)."""
        members: dict[int, list[NewRecipient]] = {}
        for start in range(0, len(batch_ids), _IDS_CHUNK):
            query = (
                sa.select(
                    recipients.c.batch_id,
                    recipients.c.user_id,
                    recipients.c.entity,
                    recipients.c.locale,
                    recipients.c.conversation_id,
                )
                .where(recipients.c.batch_id.in_(batch_ids[start : start + _IDS_CHUNK]))
                .order_by(recipients.c.batch_id, recipients.c.user_id)
            )
            for row in await connection.execute(query):
                members.setdefault(row.batch_id, []).append(
                    NewRecipient(row.user_id, row.entity, row.locale, row.conversation_id)
                )
        return members


def _free(now: datetime) -> sa.ColumnElement[bool]:
    """Not held by a replica at `now` (a CLAIMED batch's next_check_at is its hold)."""
    return sa.or_(batches.c.next_check_at.is_(None), batches.c.next_check_at <= now)


def _batch_of(row: sa.Row[Any], members: Sequence[NewRecipient]) -> Batch:
    in_channel = bool(row.in_channel)
    return Batch(
        id=row.id,
        announcement_id=row.announcement_id,
        phase=BatchPhase(row.phase),
        locale=row.locale,
        in_channel=in_channel,
        members=tuple(_member(recipient, in_channel) for recipient in members),
        operation_id=row.operation_id,
        next_check_at=row.next_check_at,
        created_at=row.created_at,
    )


def _in_channel(recipient: NewRecipient) -> bool:
    return bool(recipient.conversation_id)


def _member(recipient: NewRecipient, in_channel: bool) -> str:
    """What Teams is sent for the recipient: a channel's conversation id as Teams gave it (the
    snapshot's user id is lower-cased), a person's object id (a GUID, any case will do)."""
    return recipient.conversation_id if in_channel else recipient.user_id


def _chunks(taken: Sequence[NewRecipient]) -> list[list[NewRecipient]]:
    """The recipients per (language, channel or person), BATCH_SIZE at most each, in the order
    they came (by user id)."""
    groups: dict[tuple[str, bool], list[NewRecipient]] = {}
    for recipient in taken:
        groups.setdefault((recipient.locale, _in_channel(recipient)), []).append(recipient)
    return [
        group[start : start + BATCH_SIZE]
        for _, group in sorted(groups.items())
        for start in range(0, len(group), BATCH_SIZE)
    ]
