"""What the store tests of announcements share: the outbox messages the sender would give the
recipients it takes (one each, under the recipient's own dedupe key)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.announcements.announcements import Announcement
from bot.domain.announcements.recipients import NewRecipient, recipient_dedupe_key
from bot.domain.platform.outbox import NewOutboxMessage


def messages_for(
    announcement: Announcement, recipients: Sequence[NewRecipient]
) -> list[NewOutboxMessage]:
    return [
        NewOutboxMessage(
            tenant_id=announcement.tenant_id,
            dedupe_key=recipient_dedupe_key(announcement.id, recipient.user_id),
            activity={"type": "message", "text": announcement.reference},
            recipient_id=recipient.user_id,
            conversation_id=recipient.conversation_id,
        )
        for recipient in recipients
    ]
