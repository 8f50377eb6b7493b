"""An announcement's audience, resolved into its recipient snapshot (for the sender,
bot/services/announcements/sending.py).

- Entities: each entity's staff group (from the catalogue), its members with the entity's code
  (someone in two entities is in the snapshot once, with the first);
- Entra groups: their transitive members, a Graph page at a time;
- everyone: the people of the tenant the bot has a personal chat with, a page at a time;
- team channels: one recipient per channel, its conversation;
- an uploaded list: in the snapshot already (checked when uploaded); read again only for the
  app installations.

Disabled accounts are left out. Each page is added as it comes, and adding is idempotent: a
restart (or a second replica) resolves again and adds only what is missing. Each person is
kept with the language of their chat with the bot; people without one get the app installed
through Graph (when a Teams app id is configured) before any message is queued for them. One
Graph refuses is queued anyway: the outbox's 403 counts them as blocked. Only counts are
logged, never who.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Protocol

from bot.domain.announcements.announcements import Announcement
from bot.domain.announcements.audiences import Audience, AudienceKind
from bot.domain.announcements.recipients import NewRecipient
from bot.domain.licences.catalogue import Catalogue, Entity
from bot.domain.platform.errors import DomainError
from bot.i18n import pick_locale
from bot.ports.announcements import AnnouncementRepository, AudienceDirectory
from bot.ports.platform import ConversationRefRepository

logger = logging.getLogger(__name__)

# People the bot can reach read per page for "everyone" (one indexed query each).
REACHABLE_PAGE = 1000
# Graph app installations at once: enough to keep pace with the sends, few enough to stay well
# inside Graph's per-app limits while the outbox sends at the Teams rate.
INSTALLS_AT_ONCE = 8


class EntityCatalogue(Protocol):
    """The entities of the administration (bot.services.platform.entities.Entities)."""

    async def catalogue(self) -> Catalogue: ...


class AudienceResolution:
    def __init__(
        self,
        *,
        repository: AnnouncementRepository,
        directory: AudienceDirectory,
        refs: ConversationRefRepository,
        entities: EntityCatalogue,
        teams_app_id: str,
    ) -> None:
        """teams_app_id: the app installed for people without a chat ("": none is)."""
        self._repository = repository
        self._directory = directory
        self._refs = refs
        self._entities = entities
        self._teams_app_id = teams_app_id

    async def resolve(self, announcement: Announcement) -> int:
        """Resolve the audience into the snapshot, page by page, then mark it complete;
        returns its size."""
        added = 0
        audience = announcement.audience
        if audience is not None:
            async for page in self._pages(announcement, audience):
                added += await self._add(announcement, page)
        size = await self._repository.mark_resolved(announcement.id)
        kind = audience.kind.value if audience is not None else "none"
        logger.info(
            "announcement %s: audience (%s) resolved: %d recipients, %d added now",
            announcement.id,
            kind,
            size,
            added,
        )
        return size

    async def _pages(
        self, announcement: Announcement, audience: Audience
    ) -> AsyncIterator[list[NewRecipient]]:
        match audience.kind:
            case AudienceKind.ENTITIES:
                catalogue = await self._entities.catalogue()
                for code in audience.entities:
                    entity = _entity(catalogue, code)
                    if entity is None:
                        logger.warning(
                            "announcement %s: entity %s has no staff group; left out",
                            announcement.id,
                            code,
                        )
                        continue
                    async for page in self._members(entity.staff_group_id, entity.code):
                        yield page
            case AudienceKind.GROUPS:
                for group_id in audience.groups:
                    async for page in self._members(group_id, ""):
                        yield page
            case AudienceKind.EVERYONE:
                after = ""
                while True:
                    ids = await self._repository.reachable(
                        announcement.tenant_id, after, REACHABLE_PAGE
                    )
                    if ids:
                        yield [NewRecipient(user_id) for user_id in ids]
                    if len(ids) < REACHABLE_PAGE:
                        break
                    after = ids[-1]
            case AudienceKind.CHANNELS:
                yield [
                    NewRecipient(channel.conversation_id, conversation_id=channel.conversation_id)
                    for channel in audience.channels
                ]
            case AudienceKind.LIST:
                # Checked and stored when uploaded; read again only for the app installations.
                after = ""
                while True:
                    stored = await self._repository.recipients(announcement.id, after)
                    if not stored:
                        break
                    yield [NewRecipient(person.user_id, entity=person.entity) for person in stored]
                    after = stored[-1].user_id

    async def _members(self, group_id: str, entity: str) -> AsyncIterator[list[NewRecipient]]:
        async for members in self._directory.group_members(group_id):
            yield [
                NewRecipient(member.user_id, entity=entity)
                for member in members
                if member.enabled and member.user_id
            ]

    async def _add(self, announcement: Announcement, page: Sequence[NewRecipient]) -> int:
        """Add a page to the snapshot, each person in the language of their chat with the bot,
        after installing the app for those who have none."""
        people = [person.user_id for person in page if not person.conversation_id]
        refs = await self._refs.get_many(announcement.tenant_id, people) if people else {}
        locales = {user_id.lower(): ref.locale for user_id, ref in refs.items()}
        await self._install([user_id for user_id in people if user_id.lower() not in locales])
        with_locales = [
            replace(person, locale=pick_locale(locales[person.user_id.lower()]))
            if not person.locale and person.user_id.lower() in locales
            else person
            for person in page
        ]
        return await self._repository.add_recipients(announcement.id, with_locales)

    async def _install(self, user_ids: Sequence[str]) -> None:
        app_id = self._teams_app_id
        if not app_id or not user_ids:
            return
        slots = asyncio.Semaphore(INSTALLS_AT_ONCE)

        async def install(user_id: str) -> bool:
            async with slots:
                try:
                    return await self._directory.install_app(user_id, app_id)
                except DomainError:
                    return False  # the send's 403 counts them as blocked

        installed = await asyncio.gather(*(install(user_id) for user_id in user_ids))
        refused = len(installed) - sum(installed)
        logger.info(
            "announcement app installed for %d people without a chat (%d refused)",
            len(installed) - refused,
            refused,
        )


def _entity(catalogue: Catalogue, code: str) -> Entity | None:
    """The entity of this code (codes compare case-insensitively), if it has a staff group."""
    entity = catalogue.entity(code) or next(
        (each for each in catalogue.entities if each.code.upper() == code.upper()), None
    )
    return entity if entity is not None and entity.staff_group_id else None
