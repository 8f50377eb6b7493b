"""Migration 0015 on both dialects: tickets stored before it get the entity of the person who
asked where it is certain (a ticket on an entity's own desk was asked by one of its people), ""
on the central desk; the downgrade keeps the tickets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from bot.store import Database
from bot.store.migrator import alembic_config
from bot.store.servicedesk.tables import tickets
from bot.store.servicedesk.tickets import SqlTicketRepository
from tests.support.db import DIALECTS, MakeDatabaseUrl

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def to_revision(revision: str, down: bool = False) -> Callable[[sa.Connection], None]:
    def run(connection: sa.Connection) -> None:
        (command.downgrade if down else command.upgrade)(alembic_config(connection), revision)

    return run


def old_ticket(number: int, desk: str) -> dict[str, object]:
    """A ticket row as 0014 knows it (no requester_entity)."""
    return {
        "reference": f"SD-2026-{number:06d}",
        "tenant_id": "t1",
        "requester_id": f"person-{number}",
        "category": "access",
        "urgency": "normal",
        "question": "Mijn MFA werkt niet meer.",
        "created_at": T0,
        "state": "new",
        "desk": desk,
        "context": [],
        "version": 1,
        "updated_at": T0,
    }


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_tickets_from_before_0015_get_their_desks_entity_or_none(
    dialect: str, make_database_url: MakeDatabaseUrl
) -> None:
    database = Database(make_database_url(dialect, migrated=False))
    try:
        async with database.transaction() as connection:
            await connection.run_sync(to_revision("0014"))
            await connection.execute(sa.insert(tickets), [old_ticket(1, "AWV"), old_ticket(2, "")])
        await database.migrate()
        repository = SqlTicketRepository(database)
        awv = await repository.by_reference("SD-2026-000001")
        central = await repository.by_reference("SD-2026-000002")
        assert awv is not None and central is not None
        assert (awv.desk, awv.requester_entity, awv.rating_comment) == ("AWV", "AWV", "")
        assert (central.desk, central.requester_entity) == ("", "")

        async with database.transaction() as connection:
            await connection.run_sync(to_revision("0014", down=True))
        async with database.connect() as connection:
            rows = await connection.execute(
                sa.text("SELECT reference, desk FROM servicedesk_tickets ORDER BY reference")
            )
            assert [tuple(row) for row in rows] == [
                ("SD-2026-000001", "AWV"),
                ("SD-2026-000002", ""),
            ]
    finally:
        await database.dispose()
