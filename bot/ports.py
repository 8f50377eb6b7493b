"""The ports the services depend on. Adapters in bot/graph, bot/store and bot/teams implement them;
tests use in-memory fakes of the same Protocols."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol

from bot.domain.access import AuthMethod, Device, Licence, Sku
from bot.domain.audit import AuditEntry
from bot.domain.catalogue import Catalogue
from bot.domain.conversations import ConversationRef, SeenUser
from bot.domain.delivery import DeliveryOutcome
from bot.domain.directory import DirectoryUser, GroupRef
from bot.domain.grants import LicenceState
from bot.domain.licence_notices import LicenceNotice
from bot.domain.licence_requests import LicenceRequest, NewLicenceRequest, RequestState
from bot.domain.outbox import NewOutboxMessage, OutboxMessage, OutboxStatus
from bot.domain.post_items import IntakeMetadata, PostItem, PostNotice, StoredDocument
from bot.domain.post_routing import Delegation, PostQuery, RoutingRule


class FinalVerdict(NamedTuple):
    """A final outbox verdict; activity_id is the Teams message id of a sent message."""

    message_id: int
    status: OutboxStatus
    error: str = ""
    activity_id: str = ""


# Permission for one connector request: `async with permit():` waits for the tenant's turn and
# raises bot.domain.delivery.PermitWithdrawn when the message must not go out any more.
Permit = Callable[[], AbstractAsyncContextManager[None]]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class Directory(Protocol):
    """Entra ID, read side. Raises NotFound, Forbidden, Throttled or Unavailable."""

    async def get_user(self, user_id: str) -> DirectoryUser: ...

    async def get_manager(self, user_id: str) -> DirectoryUser | None: ...

    async def member_of(self, user_id: str) -> list[GroupRef]:
        """Transitive group memberships, all pages."""
        ...

    async def find_users(self, query: str, limit: int = 10) -> list[DirectoryUser]:
        """People whose name or UPN starts with the query (for pick lists)."""
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


class AccessDirectory(Protocol):
    """The Graph reads behind the access-status card. Each raises NotFound, Forbidden (the
    tenant did not grant the permission), Throttled or Unavailable; the service turns those into
    an `Unchecked` fact for that line only."""

    async def auth_methods(self, user_id: str) -> list[AuthMethod]: ...

    async def licences(self, user_id: str) -> list[Licence]: ...

    async def subscribed_skus(self) -> list[Sku]: ...

    async def devices(self, user_id: str) -> list[Device]:
        """Intune-managed devices; falls back to Entra-registered devices when Intune is not
        licensed or not granted (Forbidden on managedDevices)."""
        ...


class LicenceManager(Protocol):
    """Entra ID, write side for licences and groups (implemented by bot.graph.licences).

    Raises NotFound, Forbidden, Throttled (429 after retries) or Unavailable (5xx, time-outs);
    the fulfilment worker retries the last two from its durable queue.
    """

    async def subscribed_sku(self, sku_id: str) -> Sku | None:
        """The tenant's subscription with its seat counts, read fresh (never cached)."""
        ...

    async def is_member(self, group_id: str, user_id: str) -> bool:
        """Direct membership (group-based licensing only follows direct members)."""
        ...

    async def add_member(self, group_id: str, user_id: str) -> bool:
        """Add the user to the group; False when they were a member already (that is success)."""
        ...

    async def remove_member(self, group_id: str, user_id: str) -> bool:
        """Remove the user from the group; False when they were not a member."""
        ...

    async def assign_licence(self, user_id: str, sku_id: str) -> None:
        """Direct assignment. Raises UsageLocationMissing, NoFreeSeats or GrantRefused."""
        ...

    async def remove_licence(self, user_id: str, sku_id: str) -> bool:
        """Remove a direct assignment; False when the user had none."""
        ...

    async def licence_states(self, user_id: str) -> list[LicenceState]:
        """The user's licenseAssignmentStates, read fresh."""
        ...

    async def usage_location(self, user_id: str) -> str | None:
        """The user's usageLocation, read fresh ("" and None both mean: not set)."""
        ...

    async def group_member_ids(self, group_id: str) -> list[str]:
        """Object ids of the users in the group, transitively (an entity's ICT admins)."""
        ...


class CatalogueRepository(Protocol):
    async def load(self) -> Catalogue: ...

    async def replace(self, catalogue: Catalogue) -> None:
        """Store the catalogue instead of the current one: all of it or, on an error, none."""
        ...


class LicenceRequestRepository(Protocol):
    """Requests, saved together with what a transition causes (audit lines, outbox messages)
    in one transaction, so a crash never leaves a state change without its trace or notice."""

    async def add(self, new: NewLicenceRequest, now: datetime, audit: AuditEntry) -> LicenceRequest:
        """Store a submitted request with the next reference of its year. The audit entry is
        written in the same transaction, with the new reference as its object id."""
        ...

    async def save(
        self,
        request: LicenceRequest,
        *,
        expected_version: int,
        audit: Sequence[AuditEntry] = (),
        messages: Sequence[NewOutboxMessage] = (),
    ) -> None:
        """Store a transition. Raises StaleRequest when the stored version is no longer
        `expected_version` (someone else moved the request first); nothing is written then."""
        ...

    async def get(self, request_id: int) -> LicenceRequest | None: ...

    async def get_by_reference(self, reference: str) -> LicenceRequest | None: ...

    async def for_requester(
        self, tenant_id: str, requester_id: str, limit: int = 20
    ) -> list[LicenceRequest]:
        """Newest first."""
        ...

    async def open_for(
        self, tenant_id: str, requester_id: str, item_key: str
    ) -> LicenceRequest | None:
        """The requester's newest request for the item that is open or fulfilled (granted
        access, time-bound or not: an extension names the granted one it extends)."""
        ...

    async def claim_due(
        self, now: datetime, limit: int, lease_seconds: float
    ) -> list[LicenceRequest]:
        """Requests whose wake_at has come and that no other worker holds, oldest wake first;
        each is leased for lease_seconds and its `claims` counted up by one. Safe from several
        replicas at once."""
        ...

    async def release(self, request_id: int) -> None:
        """Give up a lease early (the worker finished with the request); its claims count
        starts again from zero."""
        ...

    async def postpone(self, request_id: int, until: datetime) -> None:
        """Keep the request leased until `until` (looked at again then) and start its claims
        count from zero: the step failed for a known, passing reason, not a crash."""
        ...

    async def between(
        self, start: datetime, end: datetime, entity: str | None = None
    ) -> list[LicenceRequest]:
        """Requests created in [start, end), oldest first (reports)."""
        ...

    async def count_by_state(self) -> dict[RequestState, int]: ...


class LicenceCards(Protocol):
    """Turns a notice into the activity to send, in the recipient's language (dialogs)."""

    def render(self, notice: LicenceNotice, locale: str) -> dict[str, Any]: ...


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


# --- digital incoming post ---------------------------------------------------------------------
class DocumentStore(Protocol):
    """Where scans live: the local filesystem by default (var/documents), SharePoint or
    OneDrive through Graph when configured. Keys are opaque to everyone but the store."""

    async def put(self, name: str, data: bytes) -> StoredDocument:
        """Store the bytes; returns the key, sha256 and size. Never overwrites another scan."""
        ...

    async def get(self, key: str) -> bytes:
        """Raises NotFound when the scan is gone (deleted by retention)."""
        ...

    async def delete(self, key: str) -> bool:
        """False when it was already gone."""
        ...


class PostItemRepository(Protocol):
    async def add(
        self,
        tenant_id: str,
        metadata: IntakeMetadata,
        document: StoredDocument,
        now: datetime,
        audit: AuditEntry,
    ) -> tuple[PostItem, bool]:
        """Store a received item with the next POST reference of its year, or return the item
        its scanner already stored under metadata.external_id (created False; nothing written
        then). The audit entry is written in the same transaction with the reference as its
        object id."""
        ...

    async def save(
        self,
        item: PostItem,
        *,
        expected_version: int,
        audit: Sequence[AuditEntry] = (),
        messages: Sequence[NewOutboxMessage] = (),
    ) -> None:
        """Store a transition with its audit lines and outbox messages in one transaction;
        raises StalePostItem (writing nothing) when the stored version moved on."""
        ...

    async def get(self, item_id: int) -> PostItem | None: ...

    async def by_external_id(self, external_id: str, *, scanner: str) -> PostItem | None:
        """The item `scanner` (an intake token's name) stored under its `external_id`."""
        ...

    async def visible_to(self, query: PostQuery) -> list[PostItem]:
        """Items routed to any of the query's destinations, newest received first, filtered
        and paged as the query says."""
        ...

    async def unhandled_since(self, before: datetime, limit: int) -> list[PostItem]:
        """Routed items not handled, routed (updated) before `before`, oldest first."""
        ...

    async def scans_to_purge(self, handled_before: datetime, limit: int) -> list[PostItem]:
        """Handled items whose scan still exists and that were handled before the cutoff."""
        ...

    async def between(
        self, start: datetime, end: datetime, entity: str | None = None
    ) -> list[PostItem]:
        """Items received in [start, end), oldest first (the post register)."""
        ...

    async def recent(self, limit: int) -> list[PostItem]:
        """The newest items (the rules dry run)."""
        ...


class RoutingRuleRepository(Protocol):
    async def load(self) -> list[RoutingRule]: ...

    async def replace(self, rules: Sequence[RoutingRule]) -> None:
        """All of them or, on an error, none."""
        ...


class DelegationRepository(Protocol):
    async def add(self, delegation: Delegation) -> Delegation:
        """Store it and return it with its id."""
        ...

    async def for_user(self, user_id: str) -> list[Delegation]:
        """The person's delegations (current and future), earliest start first."""
        ...

    async def active_on(self, user_ids: Sequence[str], day: date) -> list[Delegation]: ...

    async def cancel(self, delegation_id: int, user_id: str) -> bool:
        """False when it is not that person's delegation."""
        ...


class PostCards(Protocol):
    """Turns a post notice into the activity to send, in the recipient's language (dialogs)."""

    def render(self, notice: PostNotice, locale: str) -> dict[str, Any]: ...
