"""What recipients do with an announcement: "Gelezen en begrepen" and Teams read receipts.

- An acknowledgement (the button of an urgent announcement) is recorded once per person: a
  second click, on this card or on another device, answers with the time of the first. The
  author's preview carries the same button but records nothing (it is not a delivery), and
  someone who is not among the recipients is told the same as for an unknown announcement (an
  id guessed says nothing). The dialog renders the refreshed card for the person.
- A Teams read receipt (personal chats, once read receipts are on) says up to which message
  the person has read their chat with the bot: every announcement message sent to them up to
  that one is read now (bot.ports.platform.ReadReceipts, routed by bot/teams).
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.domain.announcements.announcements import Announcement
from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import InvalidInput, NotFound
from bot.ports.announcements import AnnouncementRepository
from bot.ports.platform import AuditLog, Clock
from bot.services.announcements.checks import announcement_audit

logger = logging.getLogger(__name__)


class AnnouncementReceipts:
    def __init__(
        self, *, repository: AnnouncementRepository, clock: Clock, audit: AuditLog
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._audit = audit

    async def acknowledge(
        self, actor: Actor, announcement_id: int, preview: bool
    ) -> tuple[Announcement, datetime]:
        """Record the person's acknowledgement; returns the announcement and when they
        acknowledged it (the first time, on a second click)."""
        if preview:
            raise InvalidInput("announcements.receipts.preview")
        announcement = await self._repository.get(announcement_id)
        if announcement is None:
            raise NotFound("announcements.receipts.not_found")
        recipient = await self._repository.recipient(announcement_id, actor.user_id)
        if recipient is None:
            raise NotFound("announcements.receipts.not_found")
        if recipient.acknowledged_at is not None:
            return announcement, recipient.acknowledged_at
        now = self._clock.now()
        if not await self._repository.acknowledge(announcement_id, actor.user_id, now):
            # A click on another device (or replica) recorded it in between: that one counts.
            again = await self._repository.recipient(announcement_id, actor.user_id)
            return announcement, (again.acknowledged_at if again else None) or now
        await self._audit.append(
            announcement_audit(now, actor, "announcements.acknowledge", announcement)
        )
        return announcement, now

    async def read(self, tenant_id: str, user_id: str, last_read_message_id: str) -> None:
        """A read receipt from the person's chat with the bot. Teams message ids in personal
        chats are numbers that grow with time; anything else is not one of ours."""
        if not last_read_message_id.isdigit():
            return
        marked = await self._repository.mark_read(user_id, last_read_message_id, self._clock.now())
        if marked:
            logger.debug("read receipt: %d announcement messages read", marked)
