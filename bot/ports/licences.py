"""The ports of the licence capability: granting in Entra ID, the catalogue, the requests and
their notices.

Adapters in bot/graph, bot/store and bot/teams implement them; tests use in-memory fakes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.domain.access.facts import Sku
from bot.domain.licences.catalogue import Catalogue, CatalogueProblem
from bot.domain.licences.grants import LicenceState
from bot.domain.licences.notices import LicenceNotice
from bot.domain.licences.requests import LicenceRequest, NewLicenceRequest, RequestState
from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.outbox import NewOutboxMessage
from bot.i18n import Translator


class LicenceManager(Protocol):
    """Entra ID, write side for licences and groups (implemented by bot.graph.licences).

    Raises NotFound, AppNotPermitted (Werkplek lacks a permission), Throttled (429 after
    retries) or Unavailable (5xx, time-outs); the fulfilment worker retries the last two from
    its durable queue.
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


class CatalogueWorkbooks(Protocol):
    """The catalogue workbook (bot/excel/licences/catalogue_files.py). CPU work: call it in a
    thread."""

    def read(self, data: bytes) -> tuple[Catalogue | None, Sequence[CatalogueProblem]]:
        """The catalogue, or None with every problem found."""
        ...

    def describe(self, problem: CatalogueProblem, t: Translator) -> str:
        """ "blad Artikelen, rij 4, kolom Groep-id: ..." in the reader's language."""
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
