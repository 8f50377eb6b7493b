"""The append-only audit trail (the database refuses UPDATE and DELETE on it)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bot.domain.platform.audit import AuditEntry, Outcome
from bot.store.database import Database
from bot.store.platform.tables import audit_log


class SqlAuditLog:
    """Implements bot.ports.platform.AuditLog."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def append(self, entry: AuditEntry) -> None:
        await self.append_many([entry])

    async def append_many(self, entries: list[AuditEntry]) -> None:
        """Write several entries in one transaction, in order (group commit)."""
        if not entries:
            return
        async with self._db.transaction() as connection:
            await connection.execute(audit_log.insert(), [audit_row(entry) for entry in entries])

    async def recent(self, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
        """Newest first (by time, then by order of writing)."""
        query = audit_log.select().order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        if action is not None:
            query = query.where(audit_log.c.action == action)
        async with self._db.connect() as connection:
            rows = (await connection.execute(query.limit(limit))).all()
        return [_entry(row) for row in rows]


def audit_row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "actor_id": entry.actor_id,
        "role": entry.role,
        "tenant_id": entry.tenant_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "outcome": entry.outcome.value,
        "correlation_id": entry.correlation_id,
        "detail": dict(entry.detail),
    }


def _entry(row: sa.Row[Any]) -> AuditEntry:
    return AuditEntry(
        at=row.at,
        actor_id=row.actor_id,
        action=row.action,
        outcome=Outcome(row.outcome),
        role=row.role,
        tenant_id=row.tenant_id,
        object_type=row.object_type,
        object_id=row.object_id,
        correlation_id=row.correlation_id,
        detail=dict(row.detail),
    )
