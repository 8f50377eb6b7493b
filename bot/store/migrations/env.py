"""Alembic environment: migrates over the connection that bot.store.migrator hands in.

There is no alembic.ini and no URL here on purpose: Database.migrate opens the (async) connection,
takes the migration lock and passes the connection through `config.attributes["connection"]`.
"""

from __future__ import annotations

from alembic import context

from bot.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through bot.store.Database.migrate(), not the alembic CLI.")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
