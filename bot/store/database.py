"""The database handle: one async engine per process, migrations, readiness."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

from bot.domain.platform.errors import StoreUnavailable
from bot.store import migrator
from bot.store.failures import is_unavailable, scrub

logger = logging.getLogger(__name__)

# Async drivers for the URL spellings operators tend to paste (postgres://, sqlite://).
_ASYNC_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}
# Several tasks of one process write at once; a writer waits this long for the lock.
_SQLITE_BUSY_TIMEOUT_MS = 10_000
# Any constant works; it serialises replicas that start (and migrate) at the same moment.
_PG_MIGRATION_LOCK_ID = 0x5745524B504C454B  # "WERKPLEK"
# Per replica: the outbox sender, the HTTP handlers and schedulers share this pool.
_PG_POOL_SIZE = 10
_PG_POOL_OVERFLOW = 5
_PG_CONNECT_TIMEOUT_SECONDS = 10
_PG_RECYCLE_SECONDS = 1800  # drop connections before load balancers or failovers do
# A probe must answer before the orchestrator gives up on it.
_READINESS_TIMEOUT_SECONDS = 5.0


def normalise_url(url: str) -> URL:
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver else parsed


class Database:
    """An async engine plus session factory for one database URL (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self._url = normalise_url(url)
        # hide_parameters: a failing statement's error (and SQLAlchemy's own statement logging)
        # would otherwise quote its values: names, UPNs, justifications, OCR text.
        self._engine = create_async_engine(
            self._url, hide_parameters=True, **_engine_options(self._url)
        )
        self._sqlite_writer: asyncio.Lock | None = None
        if self.dialect == "sqlite":
            sa.event.listen(self._engine.sync_engine, "connect", _tune_sqlite_connection)
            self._sqlite_writer = asyncio.Lock()
        self.sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self._engine, expire_on_commit=False
        )

    def __repr__(self) -> str:
        return f"Database({self._url.render_as_string(hide_password=True)!r})"

    @property
    def url(self) -> str:
        """The full URL (with password): to open a second handle on the same database."""
        return self._url.render_as_string(hide_password=False)

    @property
    def dialect(self) -> str:
        """The SQLAlchemy dialect name: "sqlite" or "postgresql"."""
        return self._engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction that commits on success and rolls back on error.

        Raises StoreUnavailable when the database cannot serve (see bot.store.failures); any
        other error comes through as raised, without the values PostgreSQL quotes in it."""
        with _translated_errors():
            if self._sqlite_writer is None:
                async with self._engine.begin() as connection:
                    yield connection
                return
            # SQLite admits one writer at a time, and writers that find the lock taken sleep in
            # growing steps (1, 2, 5, 10 ... 100 ms): under contention throughput collapses.
            # Queuing this process's writers here instead keeps the file lock uncontended.
            async with self._sqlite_writer, self._engine.begin() as connection:
                yield connection

    def connect(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection without an implicit commit; errors as for transaction()."""
        return self._connection()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        with _translated_errors():
            async with self._engine.connect() as connection:
                yield connection

    async def migrate(self) -> None:
        """Bring the schema to the newest revision. Safe to run from several replicas at once."""
        self._create_sqlite_folder()
        async with self._engine.connect() as connection:
            if self.dialect == "sqlite":
                # Take the write lock first, so two processes cannot both see "not migrated";
                # SQLite DDL is transactional, so a failure leaves nothing half-done.
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
            elif self.dialect == "postgresql":
                await connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _PG_MIGRATION_LOCK_ID}
                )
            await connection.run_sync(migrator.upgrade_to_head)
            await connection.commit()
        logger.info("database schema at %s", ",".join(sorted(migrator.HEAD_REVISIONS)))

    async def readiness(self) -> tuple[bool, bool]:
        """(database reachable, migrations at head). Never raises: it backs /readyz."""
        if not self._sqlite_folder_exists():
            return False, False  # no folder, no database (and no thread left behind by aiosqlite)
        try:
            async with (
                asyncio.timeout(_READINESS_TIMEOUT_SECONDS),
                self._engine.connect() as connection,
            ):
                applied = await connection.run_sync(migrator.applied_heads)
        except Exception as error:  # any failure means "not ready"; the type says enough
            logger.warning("database not reachable: %s", type(error).__name__)
            return False, False
        return True, applied == migrator.HEAD_REVISIONS

    async def dispose(self) -> None:
        await self._engine.dispose()

    def _sqlite_file(self) -> Path | None:
        path = self._url.database
        if self.dialect != "sqlite" or not path or path == ":memory:" or path.startswith("file:"):
            return None
        return Path(path)

    def _create_sqlite_folder(self) -> None:
        if (path := self._sqlite_file()) is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    def _sqlite_folder_exists(self) -> bool:
        path = self._sqlite_file()
        return path is None or path.parent.is_dir()


@contextmanager
def _translated_errors() -> Iterator[None]:
    """The one door every repository's statements pass: unavailability becomes StoreUnavailable,
    and no error leaves it quoting row values."""
    try:
        yield
    except Exception as error:
        scrub(error)
        if is_unavailable(error):
            # The cause stays chained (type, statement, reason) for the log of whoever answers.
            raise StoreUnavailable(type(error).__name__) from error
        raise


def _engine_options(url: URL) -> dict[str, Any]:
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            # One shared connection, or every connection would see its own empty database.
            return {"poolclass": StaticPool}
        return {}
    return {
        "pool_size": _PG_POOL_SIZE,
        "max_overflow": _PG_POOL_OVERFLOW,
        "pool_pre_ping": True,
        "pool_recycle": _PG_RECYCLE_SECONDS,
        "connect_args": {
            "timeout": _PG_CONNECT_TIMEOUT_SECONDS,
            "server_settings": {"application_name": "werkplek"},
        },
    }


def _tune_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run while one task writes; the busy timeout makes writers queue."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")  # first: the rest may wait
        cursor.execute("PRAGMA journal_mode")
        if cursor.fetchone()[0] != "wal":
            _switch_to_wal(cursor)
        # NORMAL in WAL mode survives a killed process; only a power cut may lose the last commits.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """WAL is a property of the file, set once. The switch needs the file to itself and fails at
    once (no busy wait) while another connection writes, e.g. a replica migrating a new file;
    then this connection goes on without it and a later connection makes the switch."""
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except Exception as error:  # the driver's OperationalError, wrapped by the async adapter
        logger.info("SQLite WAL switch postponed: %s", error)
