"""Queueing proactive messages: the Notifier port the services use. It only writes outbox rows;
the OutboxSender (bot.services.platform.outbox) delivers them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.domain.platform.outbox import NewOutboxMessage
from bot.ports.platform import Clock, OutboxRepository

# Messages written per repository call when many are queued at once (announcements).
_ENQUEUE_CHUNK = 500


class OutboxNotifier:
    """The Notifier port: queue proactive messages; the sender delivers them."""

    def __init__(
        self,
        repo: OutboxRepository,
        clock: Clock,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self._repo = repo
        self._clock = clock
        self._on_enqueued = on_enqueued  # usually OutboxSender.wake

    async def notify_user(
        self, tenant_id: str, user_id: str, activity: dict[str, Any], dedupe_key: str
    ) -> bool:
        message = NewOutboxMessage(tenant_id, dedupe_key, activity, recipient_id=user_id)
        return await self.enqueue_many([message]) == 1

    async def post_to_conversation(
        self,
        tenant_id: str,
        conversation_id: str,
        service_url: str,
        activity: dict[str, Any],
        dedupe_key: str,
    ) -> bool:
        """Queue a message to a known conversation (a team channel, a group chat)."""
        message = NewOutboxMessage(
            tenant_id,
            dedupe_key,
            activity,
            conversation_id=conversation_id,
            service_url=service_url,
        )
        return await self.enqueue_many([message]) == 1

    async def enqueue_many(self, messages: Sequence[NewOutboxMessage]) -> int:
        """Queue many messages (announcements); returns how many were new."""
        added = 0
        for start in range(0, len(messages), _ENQUEUE_CHUNK):
            chunk = messages[start : start + _ENQUEUE_CHUNK]
            added += await self._repo.enqueue(chunk, self._clock.now())
        if added and self._on_enqueued is not None:
            self._on_enqueued()
        return added
