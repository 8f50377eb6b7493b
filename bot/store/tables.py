"""The whole schema: every capability's tables on one MetaData (bot.store.metadata).

Migrations create it and a test compares the two (bot/store/migrations/versions); importing this
module registers every table, so whatever reads `metadata` as a whole imports it from here.
Repositories import their tables from their capability's `tables` module.
"""

from __future__ import annotations

from bot.store.announcements import tables as announcements
from bot.store.licences import tables as licences
from bot.store.metadata import metadata
from bot.store.platform import tables as platform
from bot.store.post import tables as post
from bot.store.servicedesk import tables as servicedesk

__all__ = ["announcements", "licences", "metadata", "not_ours", "platform", "post", "servicedesk"]


def not_ours(name: str | None, type_: str, _parent: object) -> bool:
    """For alembic's `include_name`: False for the tables an engine makes for its own full-text
    index (bot/store/servicedesk/tables.py: INDEX_TABLE and, on SQLite, its shadow tables),
    which no MetaData describes."""
    return not (type_ == "table" and (name or "").startswith(servicedesk.INDEX_TABLE))
