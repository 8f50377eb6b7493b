"""Alembic, driven from code: the Config is built here, so no alembic.ini ships or is needed.

Alembic itself is imported only when there is something to migrate: a restart of an up-to-date
bot compares one row with HEAD_REVISIONS and is ready without loading it (a third of start-up).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.config import Config

_SCRIPTS = Path(__file__).with_name("migrations")

# The newest revision(s) this code ships. A test keeps it equal to Alembic's own view.
HEAD_REVISIONS = frozenset({"0015"})


def alembic_config(connection: sa.Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    # Config values go through configparser interpolation: a literal % must be doubled.
    config.set_main_option("script_location", str(_SCRIPTS).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(connection: sa.Connection) -> None:
    """Apply every migration not applied yet, inside the caller's transaction."""
    if applied_heads(connection) == HEAD_REVISIONS:
        return
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


def applied_heads(connection: sa.Connection) -> frozenset[str]:
    """The revisions recorded in the database (empty before the first migration)."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return frozenset()
    rows = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
    return frozenset(str(row[0]) for row in rows)


def script_heads() -> frozenset[str]:
    """The newest revisions in the migration scripts on disk (Alembic's own reading)."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())
