"""Versioned transitions: an aggregate's row, its audit lines and its outbox messages, written in
the caller's transaction and landing only on the version they were decided on.

Every aggregate table (licence requests, post items) has an `id`, a `version` and an
`updated_at` column. A transition that finds another version stored raises the capability's
stale error before anything else is written, so the caller's transaction rolls back whole.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.outbox import NewOutboxMessage
from bot.store.platform.audit_log import audit_row
from bot.store.platform.outbox import enqueue_in
from bot.store.platform.tables import audit_log

# Bind names of the update's WHERE clause: no aggregate table has columns by these names.
_ROW_ID, _EXPECTED_VERSION = "transition_row_id", "transition_expected_version"


class TransitionWriter:
    """Inserts and updates the rows of one aggregate table, with what each transition writes.

    `stale`: the capability's error for a version that moved on (StaleRequest, StalePostItem).
    `fixed`: columns a transition never changes (unique ones among them): left out of updates.
    """

    def __init__(
        self, table: sa.Table, stale: type[Exception], *, fixed: Collection[str] = ()
    ) -> None:
        self._stale = stale
        self._fixed = frozenset(fixed)
        # Built once; the SET clause and the values come from the parameters of each execution
        # (an aggregate has up to forty columns: building a statement anew costs more than
        # running it).
        self._insert = table.insert().returning(table.c.id)
        self._update = (
            table.update()
            .where(
                table.c.id == sa.bindparam(_ROW_ID),
                table.c.version == sa.bindparam(_EXPECTED_VERSION),
            )
            .returning(table.c.id)
        )

    async def insert(
        self,
        connection: AsyncConnection,
        row: Mapping[str, Any],
        *,
        audit: Sequence[AuditEntry] = (),
        messages: Sequence[NewOutboxMessage] = (),
        statement: Any = None,
    ) -> int | None:
        """Insert a new aggregate's row (every column but the id) and what came with it; returns
        its id.

        `statement`: an INSERT ... RETURNING id into this table to use instead of the plain one,
        e.g. with ON CONFLICT DO NOTHING; when it skips the row, this returns None and writes
        nothing else.
        """
        inserted = await connection.execute(
            self._insert if statement is None else statement, dict(row)
        )
        row_id: int | None = inserted.scalar_one_or_none()
        if row_id is not None:
            await _write_with(connection, row, audit, messages)
        return row_id

    async def update(
        self,
        connection: AsyncConnection,
        row_id: int,
        row: Mapping[str, Any],
        *,
        expected_version: int,
        audit: Sequence[AuditEntry] = (),
        messages: Sequence[NewOutboxMessage] = (),
    ) -> None:
        """Replace the row `row_id` if it still carries `expected_version`, and write what came
        with the transition; raises the stale error (having written nothing) if it does not."""
        if row["version"] <= expected_version:
            # Saving an unchanged version would let two stale writers both "win".
            raise ValueError("a saved transition must carry a newer version than it replaces")
        changes = {column: value for column, value in row.items() if column not in self._fixed}
        changes[_ROW_ID] = row_id
        changes[_EXPECTED_VERSION] = expected_version
        if (await connection.execute(self._update, changes)).one_or_none() is None:
            raise self._stale()  # leaving the caller's block rolls back: nothing is written
        await _write_with(connection, row, audit, messages)


async def _write_with(
    connection: AsyncConnection,
    row: Mapping[str, Any],
    audit: Sequence[AuditEntry],
    messages: Sequence[NewOutboxMessage],
) -> None:
    """The audit lines and outbox messages of a transition, queued at the moment it happened."""
    if audit:
        await connection.execute(audit_log.insert(), [audit_row(entry) for entry in audit])
    await enqueue_in(connection, messages, row["updated_at"])
