"""What every capability's services depend on: the clock, the directory, the people met, the audit
log, the outbox and its delivery, downloads and single-use links.

Adapters in bot/graph, bot/store and bot/teams implement them; tests use in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.conversations import ConversationRef, SeenUser
from bot.domain.platform.delivery import DeliveryOutcome
from bot.domain.platform.directory import DirectoryUser, GroupRef
from bot.domain.platform.outbox import NewOutboxMessage, OutboxMessage, OutboxStatus


class FinalVerdict(NamedTuple):
    """A final outbox verdict; activity_id is the Teams message id of a sent message."""

    message_id: int
    status: OutboxStatus
    error: str = ""
    activity_id: str = ""


# Permission for one connector request: `async with permit():` waits for the tenant's turn and
# raises bot.domain.platform.delivery.PermitWithdrawn when the message must not go out any more.
Permit = Callable[[], AbstractAsyncContextManager[None]]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class Directory(Protocol):
    """Entra ID, read side. Raises NotFound, AppNotPermitted, Throttled or Unavailable."""

    async def get_user(self, user_id: str) -> DirectoryUser: ...

    async def get_manager(self, user_id: str) -> DirectoryUser | None: ...

    async def member_of(self, user_id: str) -> list[GroupRef]:
        """Transitive group memberships, all pages."""
        ...

    async def find_users(self, query: str, limit: int = 10) -> list[DirectoryUser]:
        """People whose name or UPN starts with the query (for pick lists)."""
        ...

    async def group_members(self, group_id: str, limit: int = 500) -> list[DirectoryUser]:
        """The users in a group, however deeply nested (no groups, devices or apps), at most
        `limit` of them: the first pages, not all (for pick lists of a team's people)."""
        ...

    def forget(self, user_id: str) -> None:
        """Drop what is cached about this person, so the next read is fresh."""
        ...


class UserRepository(Protocol):
    async def upsert(self, user: SeenUser) -> None: ...

    async def get(self, user_id: str) -> SeenUser | None: ...


class ConversationRefRepository(Protocol):
    async def save(self, ref: ConversationRef) -> None:
        """Insert or replace the personal-chat reference of ref.user_id in ref.tenant_id."""
        ...

    async def get(self, tenant_id: str, user_id: str) -> ConversationRef | None: ...

    async def get_many(self, tenant_id: str, user_ids: Sequence[str]) -> dict[str, ConversationRef]:
        """The references of those users that have one, by user id (a whole batch at once)."""
        ...


class ProcessedActivities(Protocol):
    async def first_time(self, key: str, seen_at: datetime) -> bool:
        """Record an incoming activity key; False when it was recorded before (a retry)."""
        ...

    async def forget_before(self, cutoff: datetime) -> int: ...


class AuditLog(Protocol):
    async def append(self, entry: AuditEntry) -> None:
        """Store the entry; returns once it is durable."""
        ...

    def append_soon(self, entry: AuditEntry) -> None:
        """Store the entry within moments, without waiting (routine lines on the reply path)."""
        ...

    async def recent(self, limit: int = 100, action: str | None = None) -> list[AuditEntry]: ...


class OutboxRepository(Protocol):
    async def enqueue(self, messages: Sequence[NewOutboxMessage], now: datetime) -> int:
        """Store messages; one whose dedupe_key exists is skipped. Returns how many were new."""
        ...

    async def claim(self, limit: int, now: datetime, lease_seconds: float) -> list[OutboxMessage]:
        """Take up to `limit` due messages (pending with not_before <= now, or in flight with an
        expired lease), oldest first, and lease them, counting one more attempt on each (before
        anything is sent). Safe to call from several replicas at once."""
        ...

    async def finish(
        self,
        message_id: int,
        status: OutboxStatus,
        now: datetime,
        error: str = "",
        activity_id: str = "",
    ) -> None:
        """Record a final verdict (sent, unreachable, gone, failed)."""
        ...

    async def finish_many(self, verdicts: Sequence[FinalVerdict], now: datetime) -> None:
        """Record many final verdicts at once: all of them or, on an error, none."""
        ...

    async def retry_later(self, message_id: int, not_before: datetime, error: str) -> None:
        """Back to pending (the attempt was counted by its claim)."""
        ...

    async def release(self, message_id: int, lease_until: datetime) -> bool:
        """Give back a claim that sent nothing (pending again, its attempt returned), only while
        it is still in flight under that lease; False when it no longer was."""
        ...

    async def counts(self) -> dict[OutboxStatus, int]: ...

    async def by_dedupe_key(self, dedupe_key: str) -> OutboxMessage | None:
        """The message stored under that key (what a replacing message edits), or None."""
        ...

    async def sent_as(self, conversation_id: str, activity_id: str) -> str | None:
        """The dedupe key of the message sent as Teams message `activity_id` in
        `conversation_id` (a thread's root), or None."""
        ...


class Delivery(Protocol):
    """Sends outbox messages to Teams (implemented by bot.teams.delivery)."""

    async def prepare(self, messages: Sequence[OutboxMessage]) -> None:
        """Look up what a claimed batch needs in one go (may do nothing). Only an optimisation:
        deliver() must work for a message that was never prepared."""
        ...

    async def deliver(self, message: OutboxMessage, permit: Permit) -> DeliveryOutcome:
        """Send one message, each connector request inside `async with permit():`."""
        ...


class RateBudget(Protocol):
    """A tenant-wide send budget shared by every sender (and every replica)."""

    async def acquire(self, tenant_id: str, wanted: int) -> int:
        """Grant up to `wanted` sends now (maybe 0); the caller waits and asks again."""
        ...


class Notifier(Protocol):
    """Proactive messages to people; always through the outbox, never a direct send."""

    async def notify_user(
        self, tenant_id: str, user_id: str, activity: dict[str, Any], dedupe_key: str
    ) -> bool:
        """Queue one message; False when the same dedupe_key was queued before."""
        ...


class FileDownloads(Protocol):
    """Fetches a file a person sent the bot (a Teams download URL)."""

    async def fetch(self, url: str, max_bytes: int) -> bytes:
        """The file's bytes. Raises InvalidInput when the URL is not https (plain http only for
        loopback hosts), its host is not on the allow-list, or the file is larger than
        max_bytes; Unavailable when the download fails."""
        ...


class LinkUses(Protocol):
    """The nonces of single-use download links already used, shared by all replicas."""

    async def first_use(self, nonce: str, used_at: datetime, expires_at: datetime) -> bool:
        """Record a use; True only for the first one anywhere (a unique key decides, so of two
        racing requests on two replicas exactly one gets True)."""
        ...

    async def was_used(self, nonce: str) -> bool: ...

    async def forget_expired(self, cutoff: datetime) -> int:
        """Drop the uses of links that expired before cutoff (their expiry refuses them now)."""
        ...


class ReadReceipts(Protocol):
    """Where the Teams host hands a read receipt: a person read their 1:1 chat with the bot up to
    a message (Teams sends the `application/vnd.microsoft.readReceipt` event in personal chats
    only, to apps with the ChatMessageReadReceipt.Read.Chat permission, when the person's
    read receipts are on)."""

    async def read(self, tenant_id: str, user_id: str, last_read_message_id: str) -> None:
        """The person (their Entra object id, in that tenant: the channel's ids, never the
        event's payload) read every message up to `last_read_message_id` (a Teams message
        id: they grow with time). A failure is logged by the host, never answered to Teams."""
        ...
