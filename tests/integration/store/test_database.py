"""Database: migrations, readiness, connection tuning, UTC datetimes on both dialects."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.domain.platform.conversations import ConversationRef
from bot.store import Database, SqlConversationRefRepository, SqlProcessedActivities
from bot.store.migrator import alembic_config
from bot.store.tables import metadata, not_ours
from tests.support.db import DIALECTS, MakeDatabaseUrl


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_readiness_turns_true_once_migrated(
    dialect: str, make_database_url: MakeDatabaseUrl
) -> None:
    database = Database(make_database_url(dialect, migrated=False))
    try:
        assert await database.readiness() == (True, False)
        await database.migrate()
        assert await database.readiness() == (True, True)
    finally:
        await database.dispose()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_replicas_migrating_at_once_both_succeed(
    dialect: str, make_database_url: MakeDatabaseUrl
) -> None:
    url = make_database_url(dialect, migrated=False)
    first, second = Database(url), Database(url)
    try:
        await asyncio.gather(first.migrate(), second.migrate())
        await first.migrate()  # and again: nothing left to do
        assert await second.readiness() == (True, True)
    finally:
        await first.dispose()
        await second.dispose()


async def test_migrations_match_the_tables_the_code_uses(database: Database) -> None:
    def differences(connection: sa.Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"include_name": not_ours})
        return compare_metadata(context, metadata)

    async with database.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_migrations_downgrade_and_upgrade_again(database: Database) -> None:
    def downgrade(connection: sa.Connection) -> None:
        command.downgrade(alembic_config(connection), "base")

    async with database.transaction() as connection:
        await connection.run_sync(downgrade)
    assert await database.readiness() == (True, False)
    await database.migrate()
    assert await database.readiness() == (True, True)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("postgresql+asyncpg://postgres@127.0.0.1:1/none", id="postgres-refused"),
        pytest.param("sqlite+aiosqlite:////nonexistent/folder/werkplek.db", id="sqlite-no-folder"),
    ],
)
async def test_readiness_is_false_when_the_database_cannot_be_reached(url: str) -> None:
    database = Database(url)
    try:
        assert await database.readiness() == (False, False)
    finally:
        await database.dispose()


async def test_migrate_creates_the_sqlite_folder(tmp_path: Path) -> None:
    path = tmp_path / "var" / "nested" / "werkplek.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await database.migrate()
        assert path.exists()
        async with database.connect() as connection:
            mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
            timeout = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar_one()
        assert (mode, timeout > 0) == ("wal", True)
    finally:
        await database.dispose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/werkplek", "postgresql"),
        ("postgresql://u@db/werkplek", "postgresql"),
        ("sqlite:///var/werkplek.db", "sqlite"),
    ],
)
async def test_plain_urls_get_the_async_driver(given: str, expected: str) -> None:
    database = Database(given)
    try:
        assert database.dialect == expected
        assert "+asyncpg" in database.url or "+aiosqlite" in database.url
        assert "p@" not in repr(database)  # the password stays out of logs
    finally:
        await database.dispose()


async def test_datetimes_come_back_as_utc(database: Database) -> None:
    brussels = timezone(timedelta(hours=1))
    local = datetime(2026, 11, 28, 13, 30, 15, 123456, tzinfo=brussels)
    refs = SqlConversationRefRepository(database)
    await refs.save(ConversationRef("u", "t", "https://smba/", "a:1", "28:bot", updated_at=local))
    stored = await refs.get("t", "u")
    assert stored is not None and stored.updated_at is not None
    assert stored.updated_at == local
    assert stored.updated_at.tzinfo is UTC


async def test_times_compare_as_instants_whatever_the_zone(database: Database) -> None:
    processed = SqlProcessedActivities(database)
    await processed.first_time(
        "a", datetime(2026, 11, 28, 13, 30, tzinfo=timezone(timedelta(hours=1)))
    )
    assert await processed.forget_before(datetime(2026, 11, 28, 12, 30, tzinfo=UTC)) == 0
    assert await processed.forget_before(datetime(2026, 11, 28, 12, 30, 1, tzinfo=UTC)) == 1


async def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        await SqlProcessedActivities(database).first_time("a", datetime(2026, 11, 28, 12, 0))
