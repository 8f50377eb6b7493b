"""The durable outbox: enqueue in bulk, claim with a lease, record the verdict.

`enqueue_in` queues messages inside a transaction the caller already holds, so a repository that
stores a state change queues its notices in the same transaction (both or neither).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.platform.outbox import FINAL_STATUSES, NewOutboxMessage, OutboxMessage, OutboxStatus
from bot.ports.platform import FinalVerdict
from bot.store.columns import UtcDateTime
from bot.store.database import Database
from bot.store.platform.tables import (
    OUTBOX_ACTIVE_PREDICATE,
    OUTBOX_SENT_WITH_ID_PREDICATE,
    outbox,
)
from bot.store.upserts import InsertOnConflict

# Enough to diagnose a failure; a whole HTML error page per row is not.
_MAX_ERROR_CHARS = 2000
# Loaded on first use: a SQLite deployment never needs the PostgreSQL dialect, nor the reverse.
_DIALECT_MODULES = {
    "postgresql": "sqlalchemy.dialects.postgresql",
    "sqlite": "sqlalchemy.dialects.sqlite",
}

# One statement for every final verdict, so a batch of them is a single executemany.
_FINISH = (
    outbox.update()
    .where(outbox.c.id == sa.bindparam("message_id"))
    .values(
        status=sa.bindparam("final_status"),
        lease_until=None,
        sent_at=sa.bindparam("sent", type_=UtcDateTime()),
        last_error=sa.bindparam("error"),
        activity_id=sa.bindparam("teams_activity_id"),
    )
)


class SqlOutboxRepository:
    """Implements bot.ports.platform.OutboxRepository on SQLite (one instance) and PostgreSQL
    (replicas)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(self, messages: Sequence[NewOutboxMessage], now: datetime) -> int:
        if not messages:
            return 0
        async with self._db.transaction() as connection:
            return await enqueue_in(connection, messages, now)

    async def claim(self, limit: int, now: datetime, lease_seconds: float) -> list[OutboxMessage]:
        if limit <= 0:
            return []
        due = outbox.alias("due")
        due_ids = sa.select(due.c.id).where(_is_due(due, now)).order_by(due.c.id).limit(limit)
        lease = {
            "status": OutboxStatus.IN_FLIGHT.value,
            "lease_until": now + timedelta(seconds=lease_seconds),
            # Counted before anything is sent: a message that kills its sender still runs out.
            "attempts": outbox.c.attempts + 1,
        }
        if self._db.dialect == "postgresql":
            # Rows another replica is claiming right now are skipped, not waited for.
            locked = due_ids.with_for_update(skip_locked=True).cte("claimable")
            statement = sa.update(outbox).where(outbox.c.id == locked.c.id)
        else:
            # SQLite runs one writer at a time: a single UPDATE is already atomic.
            statement = sa.update(outbox).where(outbox.c.id.in_(due_ids.scalar_subquery()))
        statement = statement.values(**lease).returning(*outbox.c)
        async with self._db.transaction() as connection:
            rows = (await connection.execute(statement)).all()
        return sorted((_message(row) for row in rows), key=lambda message: message.id)

    async def finish(
        self,
        message_id: int,
        status: OutboxStatus,
        now: datetime,
        error: str = "",
        activity_id: str = "",
    ) -> None:
        await self.finish_many([FinalVerdict(message_id, status, error, activity_id)], now)

    async def finish_many(self, verdicts: Sequence[FinalVerdict], now: datetime) -> None:
        """Record many final verdicts in one transaction: all of them or, on an error, none."""
        # FinalVerdict(*...) also takes a plain (id, status, error) tuple of older callers.
        rows = [_verdict_row(FinalVerdict(*verdict), now) for verdict in verdicts]
        if rows:
            async with self._db.transaction() as connection:
                await connection.execute(_FINISH, rows)

    async def retry_later(self, message_id: int, not_before: datetime, error: str) -> None:
        """Back to pending; the attempt was counted by its claim."""
        statement = (
            outbox.update()
            .where(outbox.c.id == message_id)
            .values(
                status=OutboxStatus.PENDING.value,
                not_before=not_before,
                lease_until=None,
                last_error=error[:_MAX_ERROR_CHARS],
                retries=outbox.c.retries + 1,
            )
        )
        async with self._db.transaction() as connection:
            await connection.execute(statement)

    async def release(self, message_id: int, lease_until: datetime) -> bool:
        """Give back a claim that sent nothing: pending again, its attempt returned. Only while
        the claim is still ours (in flight under that very lease: a later claim has a later
        lease end), so a message another sender claimed meanwhile is left alone."""
        statement = (
            outbox.update()
            .where(
                outbox.c.id == message_id,
                outbox.c.status == OutboxStatus.IN_FLIGHT.value,
                outbox.c.lease_until == lease_until,
            )
            .values(
                status=OutboxStatus.PENDING.value,
                attempts=sa.case((outbox.c.attempts > 0, outbox.c.attempts - 1), else_=0),
                lease_until=None,
            )
        )
        async with self._db.transaction() as connection:
            return bool((await connection.execute(statement)).rowcount)

    async def counts(self) -> dict[OutboxStatus, int]:
        """Messages per status; every status is present (zero when none)."""
        query = sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)
        async with self._db.connect() as connection:
            found: dict[str, int] = {
                status: count for status, count in (await connection.execute(query)).all()
            }
        return {status: found.get(status.value, 0) for status in OutboxStatus}

    async def by_dedupe_key(self, dedupe_key: str) -> OutboxMessage | None:
        query = outbox.select().where(outbox.c.dedupe_key == dedupe_key)
        async with self._db.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        return None if row is None else _message(row)

    async def sent_as(self, conversation_id: str, activity_id: str) -> str | None:
        """The dedupe key of the message first sent as Teams message `activity_id` in
        `conversation_id` (edits of it carry the same id: the original is the one that
        replaces nothing); None when Werkplek sent no such message."""
        if not (conversation_id and activity_id):
            return None
        query = (
            sa.select(outbox.c.dedupe_key)
            .where(
                outbox.c.conversation_id == conversation_id,
                outbox.c.activity_id == activity_id,
                outbox.c.replaces == "",
                # Repeats the partial index predicate literally, so the planner may use it.
                sa.text(OUTBOX_SENT_WITH_ID_PREDICATE),
            )
            .order_by(outbox.c.id)
            .limit(1)
        )
        async with self._db.connect() as connection:
            key = (await connection.execute(query)).scalar_one_or_none()
        return None if key is None else str(key)


async def enqueue_in(
    connection: AsyncConnection, messages: Sequence[NewOutboxMessage], now: datetime
) -> int:
    """Queue messages in the caller's transaction; one whose dedupe_key exists is skipped.

    Returns how many were new. Commits nothing: the caller's transaction decides.
    """
    if not messages:
        return 0
    # One executemany: SQLAlchemy folds it into multi-row INSERTs of about 1,000 rows each.
    # RETURNING lists only rows really inserted, so counting them counts the new messages.
    statement = (
        _insert_for(connection.dialect.name)
        .on_conflict_do_nothing(index_elements=[outbox.c.dedupe_key])
        .returning(outbox.c.id)
    )
    result = await connection.execute(statement, [_new_row(message, now) for message in messages])
    return len(result.all())


def _insert_for(dialect: str) -> InsertOnConflict:
    """The dialect's INSERT with ON CONFLICT, imported on first use (as bot.store.upserts does,
    which needs a Database where only a connection is at hand here)."""
    module = _DIALECT_MODULES.get(dialect)
    if module is None:
        raise NotImplementedError(f"unsupported database dialect: {dialect}")
    insert: InsertOnConflict = importlib.import_module(module).insert(outbox)
    return insert


def _is_due(table: sa.FromClause, now: datetime) -> sa.ColumnElement[bool]:
    """Pending and not deferred, or in flight with an expired lease (its sender died)."""
    return sa.and_(
        # Repeats the partial index predicate literally, so the planner may use ix_outbox_due.
        sa.text(OUTBOX_ACTIVE_PREDICATE),
        sa.or_(
            sa.and_(
                table.c.status == OutboxStatus.PENDING.value,
                sa.or_(table.c.not_before.is_(None), table.c.not_before <= now),
            ),
            sa.and_(table.c.status == OutboxStatus.IN_FLIGHT.value, table.c.lease_until < now),
        ),
    )


def _verdict_row(verdict: FinalVerdict, now: datetime) -> dict[str, Any]:
    if verdict.status not in FINAL_STATUSES:
        raise ValueError(f"not a final outbox status: {verdict.status}")
    return {
        "message_id": verdict.message_id,
        "final_status": verdict.status.value,
        "sent": now if verdict.status is OutboxStatus.SENT else None,
        "error": verdict.error[:_MAX_ERROR_CHARS],
        "teams_activity_id": verdict.activity_id,
    }


def _new_row(message: NewOutboxMessage, now: datetime) -> dict[str, Any]:
    return {
        "tenant_id": message.tenant_id,
        "dedupe_key": message.dedupe_key,
        "recipient_id": message.recipient_id,
        "conversation_id": message.conversation_id,
        "service_url": message.service_url,
        "activity": message.activity,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "not_before": message.not_before,
        "created_at": now,
        "replaces": message.replaces,
        "thread_of": message.thread_of,
    }


def _message(row: sa.Row[Any]) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        tenant_id=row.tenant_id,
        dedupe_key=row.dedupe_key,
        activity=row.activity,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        created_at=row.created_at,
        recipient_id=row.recipient_id,
        conversation_id=row.conversation_id,
        service_url=row.service_url,
        not_before=row.not_before,
        lease_until=row.lease_until,
        sent_at=row.sent_at,
        last_error=row.last_error,
        replaces=row.replaces,
        activity_id=row.activity_id,
        thread_of=row.thread_of,
    )
