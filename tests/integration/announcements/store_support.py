"""What the store tests of announcements share: a draft and an announcement on its way, and the
outbox messages the sender would give the recipients it takes (one each, under the recipient's
own dedupe key)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.announcements.announcements import Announcement, NewAnnouncement, Step, step
from bot.domain.announcements.batches import DeliveryMode
from bot.domain.announcements.content import Content
from bot.domain.announcements.recipients import NewRecipient, recipient_dedupe_key
from bot.domain.platform.outbox import NewOutboxMessage
from bot.store.announcements.announcements import SqlAnnouncementRepository


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


async def draft_of(
    store: SqlAnnouncementRepository,
    delivery: DeliveryMode = DeliveryMode.AUTOMATIC,
    *,
    at: datetime,
) -> Announcement:
    return await store.add(
        NewAnnouncement(
            tenant_id="t1",
            author_id="comms-1",
            author_name="Comms",
            author_entity="DOMG",
            dutch=Content(title="De postkamer is dicht op 24/12"),
            created_at=at,
            delivery=delivery,
        )
    )


async def sending(
    store: SqlAnnouncementRepository,
    *people: NewRecipient,
    at: datetime,
    delivery: DeliveryMode = DeliveryMode.AUTOMATIC,
) -> Announcement:
    """A draft to these people, submitted: SENDING."""
    draft = await draft_of(store, delivery, at=at)
    await store.add_recipients(draft.id, people)
    moved = step(draft, Step.SUBMIT, at)
    assert await store.save(moved, draft.version)
    return moved
