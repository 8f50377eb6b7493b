"""The ports of the incoming-post capability: scans, items, routing rules, delegations and notices.

Adapters in bot/graph, bot/store and bot/teams implement them; tests use in-memory fakes."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.post.items import IntakeMetadata, PostItem, PostNotice, StoredDocument
from bot.domain.post.routing import Delegation, PostQuery, RoutingRule, RuleProblem
from bot.domain.post.rule_imports import PendingRuleImport
from bot.domain.post.rule_names import ChannelLookup, ChannelName, NameMatch, RuleLabels, RulesRead
from bot.i18n import Translator


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


class PendingRuleImportRepository(Protocol):
    """Routing rules checked in chat, waiting for their uploader's confirmation (one per person)."""

    async def keep(self, pending: PendingRuleImport) -> None:
        """Store it in place of the uploader's earlier one; drop every one expired by then."""
        ...

    async def take(self, tenant_id: str, user_id: str) -> PendingRuleImport | None:
        """The person's pending import, removed: of two takes at once (on any replica) one gets
        it, the other None. Expired ones too (the caller refuses them)."""
        ...


class RuleWorkbooks(Protocol):
    """The routing-rules workbook (bot/excel/post/rules_files.py). CPU work: call it in a thread."""

    def read(self, data: bytes, known_entities: Collection[str] | None = None) -> RulesRead:
        """The rules, or None with every problem found; and the cells that name a person or a
        channel instead of giving its id (names stay in the rules until they are resolved)."""
        ...

    def describe(self, problem: RuleProblem, t: Translator) -> str:
        """ "blad Regels, rij 7, kolom Bestemming: ..." in the reader's language."""
        ...

    def write(self, rules: Sequence[RoutingRule], labels: RuleLabels | None = None) -> bytes:
        """With `labels`, people and channels are written "Naam <id>"."""
        ...


class RuleNames(Protocol):
    """The people and Teams channels a routing-rules workbook names, in the directory
    (bot/graph/rule_names.py). Each call takes all the names of a workbook at once: the adapter
    asks for several per request and keeps a few requests in flight, never one per name.
    Raises Unavailable or Throttled when the directory cannot answer."""

    async def people(self, addresses: Sequence[str]) -> dict[str, tuple[NameMatch, ...]]:
        """Everyone whose e-mail address or UPN is one of `addresses`, by the address's
        person_key; an address nobody has is missing."""
        ...

    async def channels(self, names: Sequence[ChannelName]) -> dict[str, ChannelLookup]:
        """The channels of that name in the teams of that name, by the name's key."""
        ...

    async def person_names(self, person_ids: Sequence[str]) -> dict[str, str]:
        """Display names by object id (casefolded), for the ids found."""
        ...

    async def channel_names(self, targets: Sequence[str]) -> dict[str, str]:
        """ "Team / Kanaal" by "<group id>|<channel id>", for the channels found."""
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
