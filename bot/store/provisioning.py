"""Create and drop whole PostgreSQL databases: fresh, isolated stores for tests and benchmarks.

Every function takes the URL of an existing database on the server (the maintenance or test
database the connecting role may use) and issues CREATE/DROP DATABASE from there.
"""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.store.database import normalise_url


def database_url(server_url: str, name: str) -> str:
    """`server_url` with its database replaced by `name`."""
    return normalise_url(server_url).set(database=name).render_as_string(hide_password=False)


async def server_answers(server_url: str, within_seconds: float = 2.0) -> bool:
    engine = create_async_engine(normalise_url(server_url), poolclass=NullPool)
    try:
        async with asyncio.timeout(within_seconds), engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))
    except Exception:  # refused, unknown host, bad credentials, timeout: all mean "no server"
        return False
    finally:
        await engine.dispose()
    return True


async def create_database(server_url: str, name: str, template: str | None = None) -> str:
    """CREATE DATABASE name [TEMPLATE template]; returns the new database's URL.

    A template is copied file by file, which beats migrating each new database; nobody may be
    connected to it meanwhile.
    """
    statement = f"CREATE DATABASE {_quote(name)}"
    if template:
        statement += f" TEMPLATE {_quote(template)}"
    await _run_outside_transaction(server_url, statement)
    return database_url(server_url, name)


async def drop_database(server_url: str, name: str) -> None:
    """DROP DATABASE IF EXISTS, disconnecting whoever is still connected (PostgreSQL 13+)."""
    await _run_outside_transaction(
        server_url, f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)"
    )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


async def _run_outside_transaction(server_url: str, statement: str) -> None:
    # CREATE/DROP DATABASE refuse to run inside a transaction block.
    engine = create_async_engine(
        normalise_url(server_url), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()
