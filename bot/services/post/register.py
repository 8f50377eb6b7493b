"""The post register of a period: the items from the store, and the names of the people in it.

Names are a courtesy of the register, not its point: each person is looked up once in the
directory (a few at a time), and anyone who cannot be found, or a directory that is not there
at all, leaves their id in the register instead of failing it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime

from bot.domain.platform.errors import DomainError
from bot.domain.post.items import DestinationKind, PostItem
from bot.ports.platform import Directory
from bot.ports.post import PostItemRepository

logger = logging.getLogger(__name__)

# Concurrent directory reads for one register (Graph throttles a burst of hundreds).
NAME_LOOKUPS = 8
# Actor ids that are not people (the worker, the command line).
_NOT_PEOPLE = frozenset({"", "system", "cli"})


async def build_post_register(
    items: PostItemRepository,
    directory: Directory | None,
    start: datetime,
    end: datetime,
    entity: str | None = None,
) -> tuple[list[PostItem], dict[str, str]]:
    """Items received in [start, end) (aware datetimes), of one entity or all, oldest first, and
    display names by user id for everyone the register shows (ids that failed map to the id)."""
    found = await items.between(start, end, entity)
    names = await display_names(directory, people_in(found))
    return found, names


def people_in(items: Iterable[PostItem]) -> list[str]:
    """Every person id the register names, each once, in order of appearance."""
    ids: dict[str, None] = {}
    for item in items:
        candidates = [
            item.addressee_id,
            item.delegated_from,
            item.acknowledged_by,
            item.handled_by,
            item.forwarded_by,
            item.original_requested_by,
        ]
        if item.destination.kind is DestinationKind.PERSON:
            candidates.insert(0, item.destination.target)
        for user_id in candidates:
            if user_id.casefold() not in _NOT_PEOPLE:
                ids.setdefault(user_id, None)
    return list(ids)


async def display_names(directory: Directory | None, user_ids: Iterable[str]) -> dict[str, str]:
    """user id -> display name; the id itself when the directory does not know it or fails."""
    wanted = list(dict.fromkeys(user_ids))
    if directory is None:
        return {user_id: user_id for user_id in wanted}
    gate = asyncio.Semaphore(NAME_LOOKUPS)

    async def one(user_id: str) -> tuple[str, str]:
        async with gate:
            return user_id, await _display_name(directory, user_id)

    return dict(await asyncio.gather(*(one(user_id) for user_id in wanted)))


async def _display_name(directory: Directory, user_id: str) -> str:
    try:
        user = await directory.get_user(user_id)
    except DomainError as error:
        logger.info("no name for user %s in the post register: %s", user_id, error.message_key)
        return user_id
    except Exception as error:  # a register with an id beats no register
        logger.warning(
            "no name for user %s in the post register: %s", user_id, type(error).__name__
        )
        return user_id
    return user.display_name or user_id
