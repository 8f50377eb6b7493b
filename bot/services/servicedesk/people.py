"""Who is who for the service desk: names and languages of the people who talked to Werkplek
(the users it has seen), and a person's entity (for per-entity desks)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from bot.domain.platform.conversations import SeenUser
from bot.domain.platform.errors import DomainError

logger = logging.getLogger(__name__)


class SeenUsers(Protocol):
    async def get(self, user_id: str) -> SeenUser | None: ...


class Coded(Protocol):
    @property
    def code(self) -> str: ...


class EntityOf(Protocol):
    """bot.services.platform.entities.Entities: the person's entity from their groups."""

    async def entity_of(self, user_id: str) -> Coded | None: ...


class DeskPeople:
    """Implements bot.services.servicedesk.tickets.People."""

    def __init__(self, users: SeenUsers, entities: EntityOf, default_locale: str = "nl") -> None:
        self._users = users
        self._entities = entities
        self._default_locale = default_locale

    async def names(self, user_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for user_id in user_ids:
            seen = await self._users.get(user_id)
            if seen is not None and seen.display_name:
                found[user_id] = seen.display_name
        return found

    async def locale_of(self, user_id: str) -> str:
        seen = await self._users.get(user_id)
        return seen.locale if seen is not None and seen.locale else self._default_locale

    async def entity_of(self, user_id: str) -> str:
        """The person's entity code; "" when they have none or it cannot be told now (the
        central desk then takes their ticket: a slow directory never holds a question up)."""
        try:
            entity = await self._entities.entity_of(user_id)
        except DomainError as error:
            logger.warning("entity of a ticket's person unknown: %s", type(error).__name__)
            return ""
        return entity.code if entity is not None else ""
