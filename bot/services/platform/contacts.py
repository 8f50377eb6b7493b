"""Remembering who talked to the bot and where to reach them again."""

from __future__ import annotations

import logging

from bot.domain.platform.connector_hosts import ConnectorHosts, host_of
from bot.domain.platform.conversations import ConversationRef, SeenUser
from bot.ports.platform import ConversationRefRepository, UserRepository

logger = logging.getLogger(__name__)


class ContactBook:
    """Stores people and their personal-chat reference, writing only when something changed.

    Every incoming activity reports the sender; writing on each one would double the database
    work of a busy bot for no gain, so the last written values are remembered per process.

    A reference on a connector host that is not allowed is never stored: every later proactive
    message to the person would go there, with the bot's token.
    """

    _MAX_REMEMBERED = 50_000

    def __init__(
        self,
        users: UserRepository,
        refs: ConversationRefRepository,
        connector_hosts: ConnectorHosts,
    ) -> None:
        self._users = users
        self._refs = refs
        self._hosts = connector_hosts
        self._written: dict[tuple[str, str], tuple[object, ...]] = {}

    async def saw(self, user: SeenUser) -> None:
        key = ("user", user.user_id)
        value = (user.tenant_id, user.user_principal_name, user.display_name, user.locale)
        if self._written.get(key) != value:
            await self._users.upsert(user)
            self._remember(key, value)

    async def reachable_at(self, ref: ConversationRef) -> bool:
        """Store the reference (when it changed); False, and nothing stored, when its service
        URL is not on an allowed connector host."""
        if not self._hosts.allows(ref.service_url):
            logger.warning(
                "Conversation reference of %s on connector host %s refused",
                ref.user_id,
                host_of(ref.service_url),
            )
            return False
        key = ("ref", f"{ref.tenant_id}/{ref.user_id}")
        value = (ref.service_url, ref.conversation_id, ref.bot_id, ref.locale)
        if self._written.get(key) != value:
            await self._refs.save(ref)
            self._remember(key, value)
        return True

    def _remember(self, key: tuple[str, str], value: tuple[object, ...]) -> None:
        if len(self._written) >= self._MAX_REMEMBERED:
            self._written.clear()
        self._written[key] = value
