"""Database fixtures (owner: store). Every test gets a fresh, isolated, migrated store.

- `database`: a migrated `bot.store.Database`, once on SQLite and once on PostgreSQL.
- `database_url`: the URL of such a store (same parametrisation), e.g. for a bot process.
- `make_database_url(dialect="sqlite", migrated=True)`: more stores in one test, or one dialect.
- `postgres_server_url`: the server's URL; skips the test when no server answers.

SQLite stores are files in tmp_path, copied from a template migrated once per session.
PostgreSQL stores are uniquely named databases created from a template migrated once per session
(CREATE DATABASE ... TEMPLATE copies files, no migration per test) and dropped afterwards, so
concurrent runs against the same server never share schema state.

PostgreSQL comes from TEST_DATABASE_URL, else the local default below. When no server answers,
the postgres parameters are skipped, unless REQUIRE_POSTGRES=1 (CI), which makes them fail.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.store import Database
from bot.store.provisioning import create_database, drop_database, server_answers

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

DIALECTS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]

MakeDatabaseUrl = Callable[..., str]
T = TypeVar("T")


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even while a test's event loop runs."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await database.migrate()
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES_URL
    if run_blocking(server_answers(url)):
        return url
    where = "TEST_DATABASE_URL" if os.environ.get("TEST_DATABASE_URL") else DEFAULT_POSTGRES_URL
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1 but no PostgreSQL answers at {where}", pytrace=False)
    pytest.skip(f"no PostgreSQL answers at {where}")


@pytest.fixture(scope="session")
def _postgres_template(postgres_server_url: str) -> Iterator[str]:
    name = f"werkplek_tmpl_{uuid.uuid4().hex[:12]}"
    url = run_blocking(create_database(postgres_server_url, name))
    try:
        run_blocking(_migrate(url))
        yield name
    finally:
        run_blocking(drop_database(postgres_server_url, name))


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    run_blocking(_migrate(f"sqlite+aiosqlite:///{path}"))
    # Closing the last connection checkpoints the WAL into the main file: one file to copy.
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def make_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeDatabaseUrl]:
    """A factory of fresh stores: make(dialect="sqlite" | "postgres", migrated=True) -> URL."""
    numbers = itertools.count()
    created: list[tuple[str, str]] = []

    def make(dialect: str = "sqlite", *, migrated: bool = True) -> str:
        if dialect == "sqlite":
            path = tmp_path / f"store-{next(numbers)}" / "werkplek.db"
            path.parent.mkdir()
            if migrated:
                shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
            return f"sqlite+aiosqlite:///{path}"
        if dialect in ("postgres", "postgresql"):
            server = request.getfixturevalue("postgres_server_url")
            template = request.getfixturevalue("_postgres_template") if migrated else None
            name = f"werkplek_test_{uuid.uuid4().hex[:12]}"
            url = run_blocking(create_database(server, name, template))
            created.append((server, name))
            return url
        raise ValueError(f"unknown dialect {dialect!r}: use 'sqlite' or 'postgres'")

    yield make
    for server, name in created:
        run_blocking(drop_database(server, name))


@pytest.fixture(params=DIALECTS)
def database_url(request: pytest.FixtureRequest, make_database_url: MakeDatabaseUrl) -> str:
    return make_database_url(request.param)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()
