"""The recipient snapshot read together with the outbox: each recipient's delivery is the outbox
row whose dedupe key is `recipient_dedupe_key(announcement_id, user_id)`, or, without one, their
batch operation's (BATCH mode): a settled batch sent everyone not among its failed entries.

The key is built in SQL ('ann:' || announcement_id || ':' || user_id) from the lower-cased user
id the snapshot stores, so it is the Python function's key to the character (a test holds the
two together). The outbox's dedupe key is unique and a recipient has at most one batch: a
recipient joins at most one row of each and is counted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import repeat
from typing import Any

import sqlalchemy as sa

from bot.domain.announcements.batches import BatchPhase
from bot.domain.announcements.recipients import (
    EntityFigures,
    Figures,
    Outcome,
    Recipient,
    outcome_of,
    tally,
)
from bot.domain.platform.outbox import OutboxStatus
from bot.store.announcements.tables import announcement_batches as batches
from bot.store.announcements.tables import announcement_recipients as recipients
from bot.store.platform.tables import outbox

# The statuses of a message a sender has not given its verdict on yet.
UNFINISHED = (OutboxStatus.PENDING.value, OutboxStatus.IN_FLIGHT.value)
# The phases of a batch operation Teams may still be sending (or is about to be handed).
OPEN_BATCH = (BatchPhase.CLAIMED.value, BatchPhase.RUNNING.value)


def delivery_key(table: sa.Table | sa.FromClause = recipients) -> sa.ColumnElement[str]:
    """recipient_dedupe_key(announcement_id, user_id), in SQL."""
    return (
        sa.literal("ann:", sa.String())
        + sa.cast(table.c.announcement_id, sa.String())
        + sa.literal(":", sa.String())
        + table.c.user_id
    )


def with_delivery() -> sa.Join:
    """Every recipient with their outbox message, when they have one (LEFT JOIN)."""
    return recipients.outerjoin(outbox, outbox.c.dedupe_key == delivery_key())


def with_outcome() -> sa.Join:
    """Every recipient with their outbox message and their batch, when they have them."""
    return with_delivery().outerjoin(batches, batches.c.id == recipients.c.batch_id)


def is_open_batch() -> sa.ColumnElement[bool]:
    """The recipient's batch (with_outcome) is one Teams may still send."""
    return batches.c.phase.in_(OPEN_BATCH)


def is_batch_sent() -> sa.ColumnElement[bool]:
    """The recipient (with_outcome) was sent it by their batch operation, as outcome_of says."""
    return sa.and_(
        outbox.c.status.is_(None),
        batches.c.phase == BatchPhase.SETTLED.value,
        sa.not_(recipients.c.batch_failed),
    )


def figures_query(announcement_id: int, *by: sa.ColumnElement[Any]) -> sa.Select[Any]:
    """Recipients counted per outbox status and retries, batch phase and failure, read and
    acknowledged (and `by`)."""
    read = recipients.c.read_at.is_not(None)
    acknowledged = recipients.c.acknowledged_at.is_not(None)
    # The batch's columns as they are: an expression of them would carry a bound parameter,
    # which PostgreSQL does not match between the select list and the GROUP BY.
    groups = (
        *by,
        outbox.c.status,
        outbox.c.retries,
        batches.c.phase,
        recipients.c.batch_failed,
        read,
        acknowledged,
    )
    return (
        sa.select(*groups, sa.func.count().label("people"))
        .select_from(with_outcome())
        .where(recipients.c.announcement_id == announcement_id)
        .group_by(*groups)
    )


def figures_of(rows: Iterable[sa.Row[Any]]) -> Figures:
    """The figures of figures_query's rows (without `by`)."""
    return tally(_per_recipient(rows))


def entity_figures_of(rows: Iterable[sa.Row[Any]]) -> list[EntityFigures]:
    """The figures per entity of figures_query's rows (by the entity first), by entity."""
    per_entity: dict[str, list[sa.Row[Any]]] = {}
    for row in rows:
        per_entity.setdefault(row[0], []).append(row)
    return [EntityFigures(entity, figures_of(per_entity[entity])) for entity in sorted(per_entity)]


def _per_recipient(rows: Iterable[sa.Row[Any]]) -> Iterator[tuple[Outcome, bool, bool]]:
    """One (outcome, read, acknowledged) per recipient, as `tally` counts them: the grouped
    rows are few, the recipients they stand for may be 60,000 (a few milliseconds to count)."""
    for row in rows:
        status, retries, phase, batch_failed, read, acknowledged, people = tuple(row)[-7:]
        outcome = outcome_of(
            None if status is None else OutboxStatus(status),
            retries or 0,
            batch_sent=_batch_sent(phase, batch_failed),
        )
        yield from repeat((outcome, bool(read), bool(acknowledged)), people)


def _batch_sent(phase: str | None, batch_failed: bool) -> bool:
    """Teams sent it by the recipient's batch: settled, and they were not among its failed."""
    return phase == BatchPhase.SETTLED.value and not batch_failed


def recipients_query() -> sa.Select[Any]:
    """Recipients with what the outbox and their batch know of their delivery."""
    return sa.select(
        recipients,
        outbox.c.status.label("outbox_status"),
        outbox.c.retries.label("outbox_retries"),
        outbox.c.sent_at.label("outbox_sent_at"),
        batches.c.phase.label("batch_phase"),
        batches.c.settled_at.label("batch_settled_at"),
    ).select_from(with_outcome())


def recipient_of(row: sa.Row[Any]) -> Recipient:
    """A batch-sent recipient was sent when their batch settled: Teams tells no time of its own
    per member, and the settling follows the operation's end by one poll at most."""
    status = None if row.outbox_status is None else OutboxStatus(row.outbox_status)
    batch_sent = status is None and _batch_sent(row.batch_phase, row.batch_failed)
    return Recipient(
        announcement_id=row.announcement_id,
        user_id=row.user_id,
        entity=row.entity,
        outcome=outcome_of(status, row.outbox_retries or 0, batch_sent=batch_sent),
        sent_at=row.batch_settled_at if batch_sent else row.outbox_sent_at,
        read_at=row.read_at,
        acknowledged_at=row.acknowledged_at,
        conversation_id=row.conversation_id,
    )
