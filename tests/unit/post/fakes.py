"""In-memory fakes of the post ports, and a small world of people, teams and entities on them.

Each fake keeps the promises its Protocol's docstring in bot/ports/ makes: versions checked on
save (StalePostItem, nothing written), references counted per year, an external id stored once,
`visible_to` filtered and paged like the store (a team destination without a channel covers
every channel of that team), outbox messages skipped when their dedupe key was stored before.

`make_world()` wires the real PostFlow, PostAccess and PostDesk on them. The people are the
licence tests' demo people (ADV: Lotte, Jef, Nora, and Thomas and Tine as ICT admins; DOMG:
Sofie, and Elise as ICT admin), plus a mailroom clerk; Nora is in the finance team, whose
channel a routing rule sends invoices to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.conversations import SeenUser
from bot.domain.platform.directory import DirectoryUser, GroupRef
from bot.domain.platform.errors import NotFound
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.platform.roles import Role
from bot.domain.platform.text import fold, folded_words
from bot.domain.post.items import (
    Destination,
    DestinationKind,
    DocumentType,
    IntakeMetadata,
    PostItem,
    PostState,
    Sender,
    StalePostItem,
    StoredDocument,
    format_post_reference,
)
from bot.domain.post.routing import Delegation, PostQuery, RoutingRule
from bot.services.platform.audit import Auditor
from bot.services.post.access import NameBook, PostAccess
from bot.services.post.desk import PostDesk
from bot.services.post.flow import Channels, PostFlow
from dialogs.post.notices import PostNoticeCards
from tests.support.clock import FakeClock
from tests.support.transitions import MemoryTransitions
from tests.unit.fakes import MemoryAuditLog
from tests.unit.licences.fakes import (
    ADV_ADMINS,
    DFB_ADMINS,
    DOMG_ADMINS,
    ELISE,
    JEF,
    LOTTE,
    MARLEEN,
    NAMES,
    NORA,
    SOFIE,
    TENANT,
    THOMAS,
    TINE,
    MemoryCatalogueRepository,
    MemoryUsers,
    demo_catalogue,
    demo_directory,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
# Friday 27 November 2026, 10:00 in Brussels: a weekend follows.
FRIDAY = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MAILROOM_CLERK = "63d30060-1c2b-4d5e-8f90-a1b2c3d4e5f6"
MAILROOM_CHANNEL = "19:mailroom0A1b@thread.tacv2"
FINANCE_GROUP = "5e7f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
FINANCE_CHANNEL = "19:financeXy9@thread.tacv2"
FINANCE_TARGET = f"{FINANCE_GROUP}|{FINANCE_CHANNEL}"
LINK_BASE = "https://werkplek.example/api/post/items"

__all__ = [
    "ELISE",
    "JEF",
    "LOTTE",
    "NAMES",
    "NORA",
    "SOFIE",
    "TENANT",
    "THOMAS",
    "TINE",
]


# --- the ports --------------------------------------------------------------------------------
class MemoryPostItems(MemoryTransitions[PostItem]):
    """PostItemRepository in memory: saves, `audit`, `messages` and `races` as
    tests.support.transitions keeps them; references, the external id and queries here."""

    def __init__(self, timezone: ZoneInfo = BRUSSELS) -> None:
        super().__init__(StalePostItem)
        self.timezone = timezone
        self.counters: dict[int, int] = {}
        self.queries: list[PostQuery] = []
        self.unhandled_calls: list[tuple[datetime, int]] = []

    async def add(
        self,
        tenant_id: str,
        metadata: IntakeMetadata,
        document: StoredDocument,
        now: datetime,
        audit: AuditEntry,
    ) -> tuple[PostItem, bool]:
        known = await self.by_external_id(metadata.external_id, scanner=metadata.scanner)
        if known is not None:
            return known, False
        year = now.astimezone(self.timezone).year
        number = self.counters.get(year, 0) + 1
        self.counters[year] = number
        item = PostItem(
            id=self.next_id(),
            reference=format_post_reference(year, number),
            tenant_id=tenant_id,
            metadata=metadata,
            document=document,
            state=PostState.RECEIVED,
            created_at=now,
            updated_at=now,
        )
        return self.insert(item, [replace(audit, object_id=item.reference)]), True

    async def get(self, item_id: int) -> PostItem | None:
        return self.rows.get(item_id)

    async def by_external_id(self, external_id: str, *, scanner: str) -> PostItem | None:
        return next(
            (
                i
                for i in self.rows.values()
                if i.metadata.external_id == external_id and i.metadata.scanner in (scanner, "")
            ),
            None,
        )

    async def visible_to(self, query: PostQuery) -> list[PostItem]:
        self.queries.append(query)
        if not query.destinations or not query.states or query.limit <= 0:
            return []
        found = []
        for item in self.rows.values():
            if item.state not in query.states:
                continue
            if not any(_destination_is(d, item.destination) for d in query.destinations):
                continue
            if query.registered_only and not (
                item.metadata.registered or item.metadata.document_type is DocumentType.REGISTERED
            ):
                continue
            if query.received_since is not None and item.metadata.received_at < (
                query.received_since
            ):
                continue
            haystack = _search_text(item.metadata)
            if any(word not in haystack for word in folded_words(query.search)):
                continue
            found.append(item)
        found.sort(key=lambda i: (i.metadata.received_at, i.id), reverse=True)
        start = max(query.offset, 0)
        return found[start : start + query.limit]

    async def unhandled_since(self, before: datetime, limit: int) -> list[PostItem]:
        self.unhandled_calls.append((before, limit))
        found = [
            i for i in self.rows.values() if i.state is PostState.ROUTED and i.updated_at < before
        ]
        return sorted(found, key=lambda i: (i.updated_at, i.id))[:limit]

    async def scans_to_purge(self, handled_before: datetime, limit: int) -> list[PostItem]:
        found = [
            i
            for i in self.rows.values()
            if i.state is PostState.HANDLED
            and i.scan_deleted_at is None
            and i.handled_at is not None
            and i.handled_at < handled_before
        ]
        return sorted(found, key=lambda i: (i.handled_at or i.updated_at, i.id))[:limit]

    async def between(
        self, start: datetime, end: datetime, entity: str | None = None
    ) -> list[PostItem]:
        found = [
            i
            for i in self.rows.values()
            if start <= i.metadata.received_at < end
            and (entity is None or i.metadata.entity == entity)
        ]
        return sorted(found, key=lambda i: (i.metadata.received_at, i.id))

    async def recent(self, limit: int) -> list[PostItem]:
        return sorted(self.rows.values(), key=lambda i: i.id, reverse=True)[:limit]

    # --- for tests -------------------------------------------------------------------------
    def messages_to(self, who: str) -> list[NewOutboxMessage]:
        return [
            m
            for m in self.messages
            if m.recipient_id.casefold() == who.casefold() or m.conversation_id == who
        ]


def _destination_is(wanted: Destination, actual: Destination) -> bool:
    if wanted.kind is not actual.kind:
        return False
    if wanted.kind is DestinationKind.TRIAGE:
        return True
    if wanted.kind is DestinationKind.TEAM and "|" not in wanted.target:
        return actual.target.casefold().startswith(wanted.target.casefold() + "|")
    return wanted.target == actual.target


def _search_text(metadata: IntakeMetadata) -> str:
    parts = (metadata.sender.name, metadata.sender.organisation, metadata.subject)
    return " ".join(fold(part) for part in parts if part)


class MemoryRoutingRules:
    def __init__(self, rules: Sequence[RoutingRule] = ()) -> None:
        self.rules = list(rules)
        self.replaced = 0

    async def load(self) -> list[RoutingRule]:
        return list(self.rules)

    async def replace(self, rules: Sequence[RoutingRule]) -> None:
        ids = [rule.id for rule in rules]
        if len(ids) != len(set(ids)):
            raise ValueError("rule ids must be unique")
        self.rules = list(rules)
        self.replaced += 1


class MemoryDelegations:
    def __init__(self) -> None:
        self.rows: dict[int, Delegation] = {}

    async def add(self, delegation: Delegation) -> Delegation:
        if delegation.ends < delegation.starts:
            raise ValueError("a delegation cannot end before it starts")
        stored = replace(delegation, id=max(self.rows, default=0) + 1)
        self.rows[stored.id] = stored
        return stored

    async def for_user(self, user_id: str) -> list[Delegation]:
        mine = [d for d in self.rows.values() if d.user_id.casefold() == user_id.casefold()]
        return sorted(mine, key=lambda d: (d.starts, d.id))

    async def active_on(self, user_ids: Sequence[str], day: date) -> list[Delegation]:
        wanted = {user_id.casefold() for user_id in user_ids if user_id}
        found = [
            d
            for d in self.rows.values()
            if d.user_id.casefold() in wanted and d.starts <= day <= d.ends
        ]
        return sorted(found, key=lambda d: (d.starts, d.id))

    async def cancel(self, delegation_id: int, user_id: str) -> bool:
        found = self.rows.get(delegation_id)
        if found is None or found.user_id.casefold() != user_id.casefold():
            return False
        del self.rows[delegation_id]
        return True


class MemoryDocuments:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    async def put(self, name: str, data: bytes) -> StoredDocument:
        key = f"{len(self.files) + 1:04d}/{name}"
        self.files[key] = data
        return StoredDocument(key, hashlib.sha256(data).hexdigest(), len(data))

    async def get(self, key: str) -> bytes:
        if key not in self.files:
            raise NotFound()
        return self.files[key]

    async def delete(self, key: str) -> bool:
        return self.files.pop(key, None) is not None


class ScanLinkMaker:
    """The ScanLinks callable: records every link made (item id, for whom)."""

    def __init__(self) -> None:
        self.made: list[tuple[int, str]] = []

    def __call__(self, item_id: int, viewer_id: str) -> str:
        self.made.append((item_id, viewer_id))
        return f"{LINK_BASE}/{item_id}/scan?by={viewer_id}&exp=1&sig=x"


# --- items -------------------------------------------------------------------------------------
def metadata(**changes: Any) -> IntakeMetadata:
    base = IntakeMetadata(
        external_id="scan-0001",
        received_at=FRIDAY - timedelta(hours=1),
        scanned_at=FRIDAY - timedelta(hours=1),
        sender=Sender("Klantendienst", "Fluvius"),
        addressee="Lotte Janssens",
        entity="ADV",
        subject="Afrekening elektriciteit 2026",
        document_type=DocumentType.INVOICE,
        pages=2,
    )
    return replace(base, **changes)


def person(user_id: str) -> Destination:
    return Destination(DestinationKind.PERSON, user_id)


# --- the world ---------------------------------------------------------------------------------
@dataclass
class PostWorld:
    clock: FakeClock
    items: MemoryPostItems
    rules: MemoryRoutingRules
    delegations: MemoryDelegations
    users: MemoryUsers
    audit_log: MemoryAuditLog
    links: ScanLinkMaker
    flow: PostFlow
    access: PostAccess
    desk: PostDesk
    cards: PostNoticeCards
    directory: Any
    group_members: dict[str, list[str]] = field(default_factory=dict)

    def viewer(self, user_id: str, *roles: Role) -> Actor:
        roles_held = frozenset({Role.STAFF, *roles})
        return Actor(user_id, TENANT, roles=roles_held, correlation_id="activity-1")

    def add(
        self,
        destination: Destination | None = None,
        state: PostState = PostState.ROUTED,
        **changes: Any,
    ) -> PostItem:
        """Store an item as routing would have left it (any state)."""
        item_id = max(self.items.rows, default=0) + 1
        meta = changes.pop("metadata", None) or metadata(external_id=f"scan-{item_id:04d}")
        base = PostItem(
            id=item_id,
            reference=format_post_reference(2026, item_id),
            tenant_id=TENANT,
            metadata=meta,
            document=StoredDocument(f"2026/{item_id:04d}.pdf", "ab" * 32, 2048),
            state=state,
            created_at=self.clock.now(),
            updated_at=self.clock.now(),
            destination=destination or person(LOTTE),
        )
        return self.items.put(replace(base, **changes))

    def item(self, item_id: int) -> PostItem:
        return self.items.rows[item_id]

    def denials(self) -> list[AuditEntry]:
        return [e for e in self.audit_log.entries if e.outcome is Outcome.DENIED]


def make_world(*, start: datetime = FRIDAY, mailroom: str = MAILROOM_CHANNEL) -> PostWorld:
    clock = FakeClock(start)
    directory = demo_directory()
    directory.users[MAILROOM_CLERK] = DirectoryUser(
        MAILROOM_CLERK, "Mia Postkamer", "mia@demo.example", given_name="Mia"
    )
    extra = {
        THOMAS: [GroupRef(ADV_ADMINS, "ADV-ICT")],
        TINE: [GroupRef(ADV_ADMINS, "ADV-ICT")],
        ELISE: [GroupRef(DOMG_ADMINS, "DOMG-ICT")],
        NORA: [GroupRef(FINANCE_GROUP, "Team Financiën")],
    }
    for user_id, groups in extra.items():
        directory.groups.setdefault(user_id, []).extend(groups)
    group_members = {
        ADV_ADMINS: [THOMAS, TINE],
        DOMG_ADMINS: [ELISE],
        DFB_ADMINS: [MARLEEN],
        FINANCE_GROUP: [NORA],
    }

    async def members(group_id: str) -> list[str]:
        return list(group_members.get(group_id, []))

    items = MemoryPostItems()
    rules = MemoryRoutingRules(
        [RoutingRule("R-001", 1, Destination(DestinationKind.TEAM, FINANCE_TARGET))]
    )
    delegations = MemoryDelegations()
    users = MemoryUsers()
    users.users[SOFIE] = SeenUser(SOFIE, TENANT, display_name=NAMES[SOFIE], locale="en")
    book = NameBook()
    cards = PostNoticeCards(BRUSSELS, mailroom_conversation_id=mailroom, names=book.lookup)
    flow = PostFlow(
        items=items,
        cards=cards,
        users=users,
        clock=clock,
        channels=Channels(mailroom, "https://smba.example/emea/"),
    )
    access = PostAccess(
        directory=directory,
        catalogue=MemoryCatalogueRepository(demo_catalogue()),
        rules=rules,
        delegations=delegations,
        group_members=members,
        mailroom_conversation_id=mailroom,
        clock=clock,
        timezone=BRUSSELS,
        monotonic=clock.monotonic,
    )
    audit_log = MemoryAuditLog()
    links = ScanLinkMaker()
    desk = PostDesk(
        flow=flow,
        access=access,
        auditor=Auditor(audit_log, clock),
        scan_links=links,
        link_minutes=10,
        names=book,
    )
    return PostWorld(
        clock=clock,
        items=items,
        rules=rules,
        delegations=delegations,
        users=users,
        audit_log=audit_log,
        links=links,
        flow=flow,
        access=access,
        desk=desk,
        cards=cards,
        directory=directory,
        group_members=group_members,
    )
