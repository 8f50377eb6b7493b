"""Files attached to tickets: one row each, written with the line it adds to the ticket's
conversation, its audit line and its card for the ticket's thread, in one transaction."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bot.domain.servicedesk.ticket_files import NewTicketFile, TicketFile
from bot.domain.servicedesk.tickets import MessageKind, TicketMessage
from bot.ports.servicedesk import TicketFileAttached
from bot.store.database import Database
from bot.store.platform.audit_log import audit_row
from bot.store.platform.outbox import enqueue_in
from bot.store.platform.tables import audit_log
from bot.store.servicedesk.tables import ticket_files, ticket_messages


class SqlTicketFileRepository:
    """Implements bot.ports.servicedesk.TicketFileRepository on SQLite and PostgreSQL.

    Recording a file changes nothing of the ticket itself (no version check is needed: a line
    of the conversation is no decision), so a file sent while an agent acts is never lost."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, new: NewTicketFile, line: TicketMessage, then: TicketFileAttached
    ) -> TicketFile:
        async with self._db.transaction() as connection:
            inserted = await connection.execute(
                ticket_files.insert().returning(ticket_files.c.id), _row(new)
            )
            stored = TicketFile(id=int(inserted.scalar_one()), **_row(new))
            await connection.execute(
                ticket_messages.insert(),
                {
                    "ticket_id": new.ticket_id,
                    "at": line.at,
                    "author_id": line.author_id,
                    "kind": MessageKind(line.kind).value,
                    "text": line.text,
                },
            )
            audit, messages = then(stored)
            if audit:
                await connection.execute(audit_log.insert(), [audit_row(entry) for entry in audit])
            await enqueue_in(connection, messages, new.at)
        return stored

    async def get(self, file_id: int) -> TicketFile | None:
        if not 0 < file_id < 2**63:
            return None
        async with self._db.connect() as connection:
            row = (
                await connection.execute(ticket_files.select().where(ticket_files.c.id == file_id))
            ).one_or_none()
        return None if row is None else _file(row)

    async def of_ticket(self, ticket_id: int) -> list[TicketFile]:
        query = (
            ticket_files.select()
            .where(ticket_files.c.ticket_id == ticket_id)
            .order_by(ticket_files.c.id)
        )
        async with self._db.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_file(row) for row in rows]


def _row(new: NewTicketFile) -> dict[str, Any]:
    return {
        "ticket_id": new.ticket_id,
        "at": new.at,
        "author_id": new.author_id,
        "name": new.name,
        "content_type": new.content_type,
        "size": new.size,
        "sha256": new.sha256,
        "document_key": new.document_key,
    }


def _file(row: sa.Row[Any]) -> TicketFile:
    return TicketFile(
        id=int(row.id),
        ticket_id=int(row.ticket_id),
        at=row.at,
        author_id=row.author_id,
        name=row.name,
        content_type=row.content_type,
        size=int(row.size),
        sha256=row.sha256,
        document_key=row.document_key,
    )
