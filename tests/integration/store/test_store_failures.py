"""Database failures as the rest of Werkplek sees them: an unreachable or broken database is
StoreUnavailable, any other error passes through unchanged, and no error quotes the values of
the statement or the row it failed on (names, e-mail addresses, OCR text)."""

from __future__ import annotations

import asyncio
import socket
import threading
import traceback
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.domain.platform.conversations import SeenUser
from bot.domain.platform.errors import StoreUnavailable
from bot.store import Database, SqlUserRepository
from bot.store.platform.tables import users
from tests.support.refusals import refuse_inserts

NAME = "Marieke Vandersteen-Oosterlinck"
ADDRESS = "marieke.vandersteen@voorbeeld.be"


def closed_port() -> int:
    """A port nothing listens on (bound, then released: connecting to it is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unreachable_postgres_url(_tmp: Path) -> str:
    return f"postgresql+asyncpg://werkplek@127.0.0.1:{closed_port()}/werkplek"


def unopenable_sqlite_url(tmp: Path) -> str:
    blocker = tmp / "not-a-folder"
    blocker.write_text("a file where the database's folder should be")
    return f"sqlite+aiosqlite:///{blocker / 'werkplek.db'}"


@pytest.fixture
async def unreachable_postgres() -> AsyncIterator[Database]:
    database = Database(unreachable_postgres_url(Path()))
    yield database
    await database.dispose()


@pytest.mark.parametrize("broken_url", [unreachable_postgres_url, unopenable_sqlite_url])
async def test_an_unreachable_database_is_store_unavailable(
    broken_url: Callable[[Path], str], tmp_path: Path
) -> None:
    database = Database(broken_url(tmp_path))
    before = set(threading.enumerate())
    try:
        with pytest.raises(StoreUnavailable) as raised:
            async with database.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
        assert raised.value.__cause__ is not None  # the driver's error stays chained for the log
        with pytest.raises(StoreUnavailable):
            async with database.transaction() as connection:
                await connection.execute(sa.text("SELECT 1"))
        with pytest.raises(StoreUnavailable):
            await SqlUserRepository(database).get("someone")
    finally:
        await database.dispose()
        await _stopped(set(threading.enumerate()) - before)


async def _stopped(threads: set[threading.Thread]) -> None:
    """aiosqlite stops the worker thread of a connection that failed to open by a message the
    thread answers on this event loop, and nobody awaits that answer: a loop closed before the
    thread answers kills the thread ("Event loop is closed"), a warning in some later test."""
    for thread in threads:
        await asyncio.to_thread(thread.join, 5.0)


async def test_a_repository_call_on_an_unreachable_database_raises_store_unavailable(
    unreachable_postgres: Database,
) -> None:
    with pytest.raises(StoreUnavailable):
        await SqlUserRepository(unreachable_postgres).upsert(seen())


async def test_errors_of_the_request_pass_through_unchanged(database: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        async with database.transaction() as connection:
            await connection.execute(users.insert().values(row()))
            await connection.execute(users.insert().values(row()))
    async with database.connect() as connection:  # rolled back, the database still works
        assert (
            await connection.execute(sa.select(sa.func.count()).select_from(users))
        ).scalar() == 0


async def test_a_failing_statement_quotes_neither_its_values_nor_the_failing_row(
    database: Database,
) -> None:
    await refuse_inserts(database, "users")
    with pytest.raises(Exception) as raised:
        await SqlUserRepository(database).upsert(seen())
    assert not isinstance(raised.value, StoreUnavailable)  # a refusal, not an outage
    text = "".join(traceback.format_exception(raised.value))
    assert "users" in text  # the statement (and the reason) stay, for whoever reads the log
    for value in (NAME, ADDRESS, "Vandersteen"):
        assert value not in text


def seen() -> SeenUser:
    return SeenUser(
        user_id="6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12",
        tenant_id="8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f",
        display_name=NAME,
        user_principal_name=ADDRESS,
    )


def row() -> dict[str, object]:
    now = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
    return {
        "user_id": "u-1",
        "tenant_id": "t-1",
        "display_name": NAME,
        "user_principal_name": ADDRESS,
        "first_seen": now,
        "last_seen": now,
    }
