"""Who is who for announcements (implements bot.services.announcements.parts.People): a
person's language (the users who talked to Werkplek), entity and groups (for their scope), and
the approvers (the people of the comms and admin role groups).

A directory that cannot answer never widens anything: no groups means the narrowest scope, no
entity means no "own entity", and no approvers means the submit is refused with words.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.domain.announcements.announcements import is_person
from bot.domain.platform.errors import DomainError
from bot.domain.platform.roles import Role
from bot.ports.platform import Directory, UserRepository
from bot.services.platform.entities import Entities

logger = logging.getLogger(__name__)


class AnnouncementPeople:
    def __init__(
        self,
        *,
        users: UserRepository,
        entities: Entities,
        directory: Directory,
        role_groups: dict[str, list[str]],
        default_locale: str = "nl",
    ) -> None:
        self._users = users
        self._entities = entities
        self._directory = directory
        self._approver_groups = tuple(
            dict.fromkeys(
                group
                for role in (Role.COMMS, Role.ADMIN)
                for group in role_groups.get(role.value, [])
            )
        )
        self._default_locale = default_locale

    async def locale_of(self, user_id: str) -> str:
        if not is_person(user_id):
            return self._default_locale
        seen = await self._users.get(user_id)
        return seen.locale if seen is not None and seen.locale else self._default_locale

    async def entity_of(self, user_id: str) -> str:
        if not is_person(user_id):
            return ""  # an API key: its scope names what it may reach
        try:
            entity = await self._entities.entity_of(user_id)
        except DomainError as error:
            logger.warning("entity of an author unknown: %s", type(error).__name__)
            return ""
        return entity.code if entity is not None else ""

    async def groups_of(self, user_id: str) -> Sequence[str]:
        if not is_person(user_id):
            return []
        try:
            return [group.id for group in await self._directory.member_of(user_id)]
        except DomainError as error:
            logger.warning("groups of an author unknown: %s", type(error).__name__)
            return []

    async def approvers(self, exclude: str, limit: int) -> Sequence[str]:
        found: dict[str, None] = {}
        for group in self._approver_groups:
            try:
                members = await self._directory.group_members(group, limit=limit)
            except DomainError as error:
                logger.warning("approvers' group unreadable: %s", type(error).__name__)
                continue
            for member in members:
                enabled = member.account_enabled is not False
                if enabled and member.id.casefold() != exclude.casefold():
                    found.setdefault(member.id, None)
            if len(found) >= limit:
                break
        return list(found)[:limit]
