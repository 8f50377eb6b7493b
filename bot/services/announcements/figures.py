"""The author's live status card: where an announcement stands, as one Teams message that is
edited in place while it is sent.

- The first card (`ann:{id}:status:0`) goes to the author's chat when sending starts.
- Each update replaces it (`replaces` = the first card's key), so Teams shows one card that
  moves. An update is numbered by the time slot it falls in (whole status intervals since the
  start): two replicas, or one restarted, that update in the same slot write one message (the
  outbox skips a key written before), and a restarted sender's numbers go on from where the
  time is, never back to keys already used.
- The last card (`ann:{id}:status:end`) is written when the announcement is sent, cancelled or
  recalled. With it goes the first card's message too: skipped when it exists, and the card
  itself when sending never began (a replacement of a message that never existed would have
  nothing to edit).

Announcements made through the API have no chat to show a card in: their status is read
through the API, and none is written for them.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.announcements.announcements import Announcement
from bot.domain.announcements.recipients import Figures, progress
from bot.domain.platform.outbox import NewOutboxMessage
from bot.services.announcements.parts import AnnouncementCards

FIRST_SLOT = 0
LAST_SLOT = "end"


def status_key(announcement_id: int, slot: int | str) -> str:
    return f"ann:{announcement_id}:status:{slot}"


def has_status_card(announcement: Announcement) -> bool:
    """Whether the author follows it on a card (not for announcements from the API)."""
    return bool(announcement.author_id) and not announcement.source


def status_slot(announcement: Announcement, now: datetime, interval_seconds: float) -> int:
    """The update slot `now` falls in: whole intervals since sending started."""
    if announcement.started_at is None:
        return FIRST_SLOT
    elapsed = max((now - announcement.started_at).total_seconds(), 0.0)
    return int(elapsed // max(interval_seconds, 1e-3))


def status_message(
    cards: AnnouncementCards,
    announcement: Announcement,
    figures: Figures,
    now: datetime,
    locale: str,
    slot: int | str,
) -> NewOutboxMessage:
    """The status card of `slot`: the first card itself, or an edit of it."""
    activity = cards.status(announcement, progress(figures, announcement.started_at, now), locale)
    first = status_key(announcement.id, FIRST_SLOT)
    key = status_key(announcement.id, slot)
    return NewOutboxMessage(
        tenant_id=announcement.tenant_id,
        dedupe_key=key,
        activity=activity,
        recipient_id=announcement.author_id,
        replaces="" if key == first else first,
    )


def last_status(
    cards: AnnouncementCards,
    announcement: Announcement,
    figures: Figures,
    now: datetime,
    locale: str,
) -> list[NewOutboxMessage]:
    """The card's last state (sent, cancelled, recalled): posted when there was no card yet,
    and edited into the card that is there."""
    if not has_status_card(announcement):
        return []
    return [
        status_message(cards, announcement, figures, now, locale, FIRST_SLOT),
        status_message(cards, announcement, figures, now, locale, LAST_SLOT),
    ]
