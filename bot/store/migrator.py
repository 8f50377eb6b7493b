"""Alembic, driven from code: the Config is built here, so no alembic.ini ships or is needed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

_SCRIPTS = Path(__file__).with_name("migrations")


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    # Config values go through configparser interpolation: a literal % must be doubled.
    config.set_main_option("script_location", str(_SCRIPTS).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(connection: sa.Connection) -> None:
    """Apply every migration not applied yet, inside the caller's transaction."""
    command.upgrade(alembic_config(connection), "head")


def applied_heads(connection: sa.Connection) -> frozenset[str]:
    """The revisions recorded in the database (empty before the first migration)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())


@cache
def script_heads() -> frozenset[str]:
    """The newest revisions this code ships (read from disk once per process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())
