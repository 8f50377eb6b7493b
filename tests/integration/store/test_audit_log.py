"""The audit log: appended, read newest first, and never changed or removed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.domain.platform.audit import AuditEntry, Outcome
from bot.services.platform.batching import BatchedAuditLog
from bot.store import Database, SqlAuditLog
from tests.support.db import MakeDatabaseUrl

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def entry(minutes: int, action: str, outcome: Outcome = Outcome.OK) -> AuditEntry:
    return AuditEntry(
        at=T0 + timedelta(minutes=minutes),
        actor_id=f"user-{minutes}",
        action=action,
        outcome=outcome,
        role="staff",
        tenant_id="t1",
        object_type="licence_request",
        object_id=f"lr-{minutes}",
        correlation_id=f"act-{minutes}",
        detail={"sku": "POWER_BI_PRO"},
    )


async def test_entries_come_back_whole_and_newest_first(database: Database) -> None:
    audit = SqlAuditLog(database)
    written = [entry(1, "licence.request"), entry(3, "help"), entry(2, "licence.approve")]
    for item in written:
        await audit.append(item)
    assert await audit.recent() == [written[1], written[2], written[0]]
    assert await audit.recent(limit=1) == [written[1]]


async def test_recent_filters_by_action(database: Database) -> None:
    audit = SqlAuditLog(database)
    await audit.append(entry(1, "command.help"))
    await audit.append(entry(2, "tenant.refused", Outcome.DENIED))
    await audit.append(entry(3, "command.help"))
    found = await audit.recent(action="command.help")
    assert [item.at for item in found] == [T0 + timedelta(minutes=3), T0 + timedelta(minutes=1)]
    assert (await audit.recent(action="tenant.refused"))[0].outcome is Outcome.DENIED


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET outcome = 'ok'", "DELETE FROM audit_log"],
    ids=["update", "delete"],
)
async def test_the_database_refuses_to_change_the_log(database: Database, statement: str) -> None:
    audit = SqlAuditLog(database)
    await audit.append(entry(1, "licence.approve", Outcome.DENIED))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        async with database.transaction() as connection:
            await connection.exec_driver_sql(statement)
    assert [item.outcome for item in await audit.recent()] == [Outcome.DENIED]


@pytest.mark.postgres
async def test_postgres_refuses_to_truncate_the_log(make_database_url: MakeDatabaseUrl) -> None:
    database = Database(make_database_url("postgres"))  # SQLite has no TRUNCATE
    try:
        await SqlAuditLog(database).append(entry(1, "help"))
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            async with database.transaction() as connection:
                await connection.exec_driver_sql("TRUNCATE audit_log")
        assert len(await SqlAuditLog(database).recent()) == 1
    finally:
        await database.dispose()


async def test_group_commit_keeps_every_line(database: Database) -> None:
    batched = BatchedAuditLog(SqlAuditLog(database))
    written = [entry(minute, "command.help") for minute in range(40)]
    await asyncio.gather(*(batched.append(item) for item in written))
    assert await batched.recent(limit=100) == written[::-1]
