"""What the announcement services are given: the cards they send (dialogs/announcements renders
them), who people are, and the rules configured for the capability."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from bot.domain.announcements.announcements import Announcement
from bot.domain.announcements.audiences import AudienceScope
from bot.domain.announcements.batches import DeliveryMode, effective_mode
from bot.domain.announcements.recipient_lists import RecipientListResult
from bot.domain.announcements.recipients import Progress
from bot.domain.platform.outbox import NewOutboxMessage


class AnnouncementCards(Protocol):
    """The activities announcements send (each a Bot Framework activity dict)."""

    def message(
        self,
        announcement: Announcement,
        locale: str,
        *,
        reminder: bool = False,
        in_channel: bool = False,
    ) -> dict[str, Any]:
        """The announcement as a recipient gets it (with "Gelezen en begrepen" when urgent,
        except in a team channel, where nobody acknowledges for the others)."""
        ...

    def recalled(self, locale: str) -> dict[str, Any]:
        """What a recalled announcement's message becomes."""
        ...

    def status(self, announcement: Announcement, progress: Progress, locale: str) -> dict[str, Any]:
        """The author's live status card."""
        ...

    def approval(
        self,
        announcement: Announcement,
        locale: str,
        *,
        audience_names: Sequence[str],
        audience_size: int | None,
    ) -> dict[str, Any]:
        """The card an approver decides on (without buttons once decided)."""
        ...

    def notice(self, key: str, locale: str, **values: object) -> dict[str, Any]:
        """A short message to the author ("announcements.notice.approved", ...)."""
        ...


class People(Protocol):
    """Who people are, for names, languages, entities and approvers."""

    async def locale_of(self, user_id: str) -> str: ...

    async def entity_of(self, user_id: str) -> str:
        """The person's entity code; "" when none or unknown."""
        ...

    async def groups_of(self, user_id: str) -> Sequence[str]:
        """The Entra group ids the person is a (transitive) member of (for their scope)."""
        ...

    async def approvers(self, exclude: str, limit: int) -> Sequence[str]:
        """Object ids of the comms people and admins who may approve, the author excluded."""
        ...


# The sender tops the outbox up once a second: a window of at least this many seconds of the
# tenant's rate keeps the outbox from running dry between rounds, and keeps another message's
# wait behind an announcement to seconds.
WINDOW_SECONDS = 10


def outbox_window(configured: int, rate_per_second: float) -> int:
    """How many of one announcement's messages may wait in the outbox at a time."""
    return max(configured, int(rate_per_second * WINDOW_SECONDS))


@dataclass(frozen=True, slots=True)
class AnnouncementRules:
    """The capability's configuration (bot/settings/announcements.py), as the services read it."""

    scopes: Mapping[str, AudienceScope] = field(default_factory=dict)
    groups: Mapping[str, str] = field(default_factory=dict)  # offered group id -> name
    channels: Mapping[str, str] = field(default_factory=dict)  # offered channel id -> name
    approval_required: bool = False
    window: int = 500
    status_seconds: float = 5.0
    teams_app_id: str = ""
    image_max_bytes: int = 2 * 1024 * 1024
    max_approvers: int = 50
    # BATCH mode (bot.domain.announcements.batches): AUTOMATIC picks it from this audience size
    # on (0: never); at most batches_at_once operations of one announcement are open at a time,
    # each looked at every batch_poll_seconds.
    batch_from: int = 0
    batches_at_once: int = 20
    batch_poll_seconds: float = 2.0

    def mode_of(self, announcement: Announcement) -> DeliveryMode:
        """How this announcement goes out: PER_RECIPIENT or BATCH (by its choice and size)."""
        return effective_mode(announcement.delivery, announcement.audience_size, self.batch_from)

    def as_sent(self, announcement: Announcement) -> Announcement:
        """The announcement with the mode it goes out in once its audience is known, so its
        status card offers edit and recall only when they can be done."""
        if not announcement.resolved:
            return announcement
        return replace(announcement, delivery=self.mode_of(announcement))


@dataclass(frozen=True, slots=True)
class StatusMark:
    """When the author's status card was last written (not more often than status_seconds)."""

    announcement_id: int
    at: datetime
    count: int


class OutboxQueue(Protocol):
    """Where messages that belong to no announcement step are queued (the author's status
    card, an edit's, a recall's or a reminder's messages): the outbox (OutboxRepository)."""

    async def enqueue(self, messages: Sequence[NewOutboxMessage], now: datetime) -> int:
        """Store messages; one whose dedupe key exists is skipped. Returns how many were new."""
        ...


class RecipientListReader(Protocol):
    """Reads an uploaded list of people (an .xlsx workbook or a CSV file) into its addresses and
    problems: bot/excel/announcements/recipient_list.py `read_recipient_list` is one. A call,
    so the function itself is passed; CPU work, run off the event loop by the service."""

    def __call__(self, data: bytes, filename: str) -> RecipientListResult: ...
