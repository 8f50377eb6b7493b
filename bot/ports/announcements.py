"""The ports of announcements: where they and their recipients are kept, and what the
directory tells about an audience.

bot/store/announcements implements the repository (on SQLite and PostgreSQL), bot/graph the
directory. An announcement's recipients are a snapshot taken once; each one's delivery is an
outbox message whose dedupe key is `recipient_dedupe_key(announcement, person)`, so the figures
are read from the outbox's verdicts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.domain.announcements.announcements import Announcement, NewAnnouncement
from bot.domain.announcements.batches import Batch, FailedEntriesPage, OperationStatus
from bot.domain.announcements.recipients import EntityFigures, Figures, NewRecipient, Recipient
from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.outbox import NewOutboxMessage

# Given the recipients about to be queued: their outbox messages (one per recipient).
MessagesFor = Callable[[Announcement, Sequence[NewRecipient]], Sequence[NewOutboxMessage]]


class AnnouncementRepository(Protocol):
    async def add(self, new: NewAnnouncement, audit: Sequence[AuditEntry] = ()) -> Announcement:
        """Store a draft with the next reference of its year (ANN-2026-000042), version 1.
        The audit entries are written in the same transaction; one with an empty object id
        gets the new reference as its object id."""
        ...

    async def get(self, announcement_id: int) -> Announcement | None: ...

    async def by_reference(self, reference: str) -> Announcement | None:
        """The announcement with this reference (ANN-2026-000042), case-insensitive."""
        ...

    async def by_client_key(self, source: str, client_key: str) -> Announcement | None:
        """The announcement an API client created with this idempotency key."""
        ...

    async def of_author(self, author_id: str, limit: int = 20) -> list[Announcement]:
        """The author's announcements, newest first."""
        ...

    async def save(
        self,
        announcement: Announcement,
        expected_version: int,
        audit: Sequence[AuditEntry] = (),
        outbox: Sequence[NewOutboxMessage] = (),
    ) -> bool:
        """Store the announcement (its content, audience, state...) with its audit lines and
        outbox messages in one transaction, only if the stored version is still
        `expected_version`; False (nothing written) when someone else moved it first."""
        ...

    async def delete(
        self, announcement_id: int, expected_version: int, audit: Sequence[AuditEntry] = ()
    ) -> bool:
        """Delete a draft (and any recipients it holds) on its version; False when stale."""
        ...

    async def active(self, now: datetime, limit: int = 100) -> list[Announcement]:
        """What the sender works on: SENDING ones, and SCHEDULED ones whose send_at has come."""
        ...

    # The recipient snapshot.

    async def add_recipients(self, announcement_id: int, recipients: Sequence[NewRecipient]) -> int:
        """Add people to the snapshot; a person already in it is skipped (so resolving again
        after a restart adds nothing twice). Returns how many were new."""
        ...

    async def clear_recipients(self, announcement_id: int) -> None:
        """Empty the snapshot of an announcement not yet queued (an uploaded list replaced)."""
        ...

    async def mark_resolved(self, announcement_id: int) -> int:
        """The snapshot is complete: store its size (and resolved) and return it."""
        ...

    async def queue_next(
        self, announcement_id: int, limit: int, messages: MessagesFor, now: datetime
    ) -> int:
        """Queue up to `limit` recipients not yet queued: write their outbox messages and mark
        them queued in one transaction, only while the announcement is SENDING. Returns how
        many were queued (0 when none are left or it is no longer sending)."""
        ...

    async def in_flight(self, announcement_id: int) -> int:
        """Recipients queued whose outbox message has no final verdict yet."""
        ...

    async def unqueued(self, announcement_id: int) -> int:
        """Recipients in the snapshot not yet queued."""
        ...

    async def withdraw_pending(self, announcement_id: int) -> int:
        """Delete the announcement's outbox messages still PENDING (cancel, recall): they are
        then counted as not reached. In-flight ones finish. Returns how many."""
        ...

    async def figures(self, announcement_id: int) -> Figures:
        """Every recipient counted once (outcomes from the outbox), read and acknowledged."""
        ...

    async def entity_figures(self, announcement_id: int) -> list[EntityFigures]: ...

    async def recipients(
        self, announcement_id: int, after: str = "", limit: int = 1000
    ) -> list[Recipient]:
        """A page of the snapshot ordered by user id, starting after `after`."""
        ...

    async def recipient(self, announcement_id: int, user_id: str) -> Recipient | None: ...

    async def reached(
        self, announcement_id: int, after: str = "", limit: int = 1000
    ) -> list[tuple[str, str]]:
        """A page of (user id, dedupe key) of recipients whose message was sent: what an edit
        or a recall acts on."""
        ...

    async def acknowledge(self, announcement_id: int, user_id: str, at: datetime) -> bool:
        """Record a person's "Gelezen en begrepen" once; False when they are not a recipient
        or already acknowledged."""
        ...

    async def mark_read(self, user_id: str, last_read_activity_id: str, at: datetime) -> int:
        """A Teams read receipt in the person's chat: every announcement message sent to them
        whose Teams id is at or before `last_read_activity_id` (Teams ids grow with time) is
        read now, unless it was read before. Returns how many were marked."""
        ...

    async def not_acknowledged(
        self, announcement_id: int, after: str = "", limit: int = 1000
    ) -> list[str]:
        """A page of user ids reached but not acknowledged (for a reminder)."""
        ...

    async def reachable(self, tenant_id: str, after: str = "", limit: int = 1000) -> list[str]:
        """A page of the people of the tenant the bot has a personal chat with ("everyone")."""
        ...

    # Batch operations (bot.domain.announcements.batches): the BATCH mode's bookkeeping.

    async def claim_batches(self, announcement_id: int, limit: int, now: datetime) -> list[Batch]:
        """Take up to `limit` recipients not yet queued, only while the announcement is
        SENDING: mark them queued and group them into CLAIMED batches of at most BATCH_SIZE,
        each of one language and all people or all channels, each held for its claimer until
        now + SUBMIT_LEASE; one transaction (rows another replica is taking are skipped).
        Returns the new batches ([] when none are left)."""
        ...

    async def claimed_batches(self, announcement_id: int, now: datetime) -> list[Batch]:
        """CLAIMED batches nobody holds at `now` (a throttled or failed submit, a crash between
        claim and submit): to take (take_batch) and submit again."""
        ...

    async def take_batch(self, batch_id: int, now: datetime) -> bool:
        """Hold a CLAIMED batch nobody holds at `now` until now + SUBMIT_LEASE; False when it
        is held, submitted or settled (another replica got there first)."""
        ...

    async def batch_started(
        self, batch_id: int, operation_id: str, next_check_at: datetime
    ) -> None:
        """Teams accepted the batch's operation: RUNNING, first looked at `next_check_at`."""
        ...

    async def due_batches(
        self, announcement_id: int, now: datetime, limit: int = 50
    ) -> list[Batch]:
        """RUNNING batches whose next_check_at has come, earliest first."""
        ...

    async def postpone_batch(self, batch_id: int, next_check_at: datetime) -> None:
        """A RUNNING batch's next look, or when a CLAIMED one may be submitted again."""
        ...

    async def running_batches(self, announcement_id: int) -> list[Batch]:
        """Every RUNNING batch of the announcement (to cancel them)."""
        ...

    async def stopped_with_open_batches(self, limit: int = 20) -> list[int]:
        """Ids of announcements no longer SENDING (cancelled, recalled) that still have CLAIMED
        or RUNNING batches: the sender stops and settles them until none are left."""
        ...

    async def open_batches(self, announcement_id: int) -> int:
        """How many batches are CLAIMED or RUNNING."""
        ...

    async def settle_batch(
        self, batch_id: int, failed: Sequence[str], messages: MessagesFor, now: datetime
    ) -> int:
        """The batch's operation ended. Its recipients whose member id is in `failed` (any
        case) are marked failed in the batch; while the announcement is SENDING their outbox
        messages are written (`messages`), else they stay not reached. The batch becomes
        SETTLED; one transaction, once: settling a batch that is not RUNNING or CLAIMED
        writes nothing and returns 0. Returns how many messages were queued."""
        ...


@dataclass(frozen=True, slots=True)
class AudienceMember:
    """A person as the directory lists them for an audience."""

    user_id: str
    user_principal_name: str = ""
    mail: str = ""
    enabled: bool = True


class AudienceDirectory(Protocol):
    """What announcements ask of Entra ID (bot/graph)."""

    def group_members(self, group_id: str) -> AsyncIterator[Sequence[AudienceMember]]:
        """Every user among the group's transitive members, a Graph page (up to 999) at a
        time, following @odata.nextLink to the end."""
        ...

    async def count_members(self, group_id: str) -> int:
        """How many users are among the group's transitive members (the audience's size before
        sending; an upper bound when groups overlap)."""
        ...

    async def find_person(self, address: str) -> AudienceMember | None:
        """The user with this UPN or e-mail address (exact, case-insensitive), or None."""
        ...

    async def install_app(self, user_id: str, teams_app_id: str) -> bool:
        """Install the Teams app for a person who does not have it (Graph
        /users/{id}/teamwork/installedApps); True when installed or already there, False when
        Graph refuses (the person cannot have it)."""
        ...


class BatchOperations(Protocol):
    """Teams batch operations (bot/teams/batches.py), sent to the configured service URL.

    Failures are domain errors: Throttled (429, with retry_after), Unavailable (5xx, timeouts,
    an unreadable answer), InvalidInput (400: Teams refused the request itself), NotFound (404:
    no such operation), AppNotPermitted (401/403: the bot's token or permissions)."""

    async def send_to_users(
        self, tenant_id: str, activity: Mapping[str, Any], user_ids: Sequence[str]
    ) -> str:
        """Start sending `activity` to each user (Entra object ids, at most BATCH_SIZE);
        returns the operation id."""
        ...

    async def send_to_channels(
        self, tenant_id: str, activity: Mapping[str, Any], channel_ids: Sequence[str]
    ) -> str:
        """Start posting `activity` in each team channel (conversation ids, at most
        BATCH_SIZE); returns the operation id."""
        ...

    async def status(self, operation_id: str) -> OperationStatus: ...

    async def failed_entries(self, operation_id: str, continuation: str = "") -> FailedEntriesPage:
        """A page of the operation's failed entries (follow `continuation` to the end)."""
        ...

    async def cancel(self, operation_id: str) -> None:
        """Stop the operation: entries not sent yet are not sent."""
        ...
