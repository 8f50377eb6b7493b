"""The post desk and worker on the real store (SQLite and PostgreSQL): the access rule, the
`post` list's destinations and filters, a step with its audit line and outbox messages in one
transaction, delegations, and a reminder. Only the directory and the clock are in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.directory import GroupRef
from bot.domain.platform.errors import Forbidden
from bot.domain.platform.roles import Role
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.post.items import (
    Destination,
    DestinationKind,
    IntakeMetadata,
    PostItem,
    Routing,
    Sender,
    StoredDocument,
)
from bot.domain.post.routing import RoutingRule
from bot.services.platform.audit import Auditor
from bot.services.post.access import NameBook, PostAccess
from bot.services.post.desk import PostDesk
from bot.services.post.flow import Channels, PostFlow
from bot.services.post.listing import PostFilters
from bot.services.post.worker import PostWorker, PostWorkerSettings
from bot.store import (
    Database,
    SqlAuditLog,
    SqlCatalogueRepository,
    SqlDelegationRepository,
    SqlPostItemRepository,
    SqlRoutingRuleRepository,
    SqlUserRepository,
)
from bot.store.platform.tables import audit_log, outbox
from dialogs.post.notices import PostNoticeCards
from tests.support.clock import FakeClock
from tests.unit.licences.fakes import (
    ADV_ADMINS,
    JEF,
    LOTTE,
    NORA,
    SOFIE,
    TENANT,
    THOMAS,
    demo_catalogue,
    demo_directory,
)
from tests.unit.post.fakes import FINANCE_GROUP, FINANCE_TARGET, MAILROOM_CHANNEL

BRUSSELS = ZoneInfo("Europe/Brussels")
FRIDAY = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class Parts:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.clock = FakeClock(FRIDAY)
        directory = demo_directory()
        directory.groups[NORA].append(GroupRef(FINANCE_GROUP, "Team Financiën"))
        directory.groups[THOMAS].append(GroupRef(ADV_ADMINS, "ADV-ICT"))
        self.items = SqlPostItemRepository(database, reference_zone=BRUSSELS)
        self.rules = SqlRoutingRuleRepository(database)
        self.delegations = SqlDelegationRepository(database, clock=self.clock, zone=BRUSSELS)
        book = NameBook()
        self.flow = PostFlow(
            items=self.items,
            cards=PostNoticeCards(
                BRUSSELS, mailroom_conversation_id=MAILROOM_CHANNEL, names=book.lookup
            ),
            users=SqlUserRepository(database),
            clock=self.clock,
            channels=Channels(MAILROOM_CHANNEL, "https://smba.example/emea/"),
        )

        async def members(group_id: str) -> list[str]:
            return [THOMAS] if group_id == ADV_ADMINS else []

        self.access = PostAccess(
            directory=directory,
            catalogue=SqlCatalogueRepository(database),
            rules=self.rules,
            delegations=self.delegations,
            group_members=members,
            mailroom_conversation_id=MAILROOM_CHANNEL,
            clock=self.clock,
            timezone=BRUSSELS,
            monotonic=self.clock.monotonic,
        )
        self.links: list[tuple[int, str]] = []
        self.desk = PostDesk(
            flow=self.flow,
            access=self.access,
            auditor=Auditor(SqlAuditLog(database), self.clock),
            scan_links=self.link,
            link_minutes=5,
            names=book,
        )

    def link(self, item_id: int, viewer_id: str) -> str:
        self.links.append((item_id, viewer_id))
        return f"https://werkplek.example/api/post/items/{item_id}/scan"

    async def setup(self) -> None:
        await SqlCatalogueRepository(self.database).replace(demo_catalogue())
        await self.rules.replace(
            [RoutingRule("R-001", 1, Destination(DestinationKind.TEAM, FINANCE_TARGET))]
        )

    async def routed(
        self, destination: Destination, external_id: str, *, registered: bool = False
    ) -> PostItem:
        metadata = IntakeMetadata(
            external_id=external_id,
            received_at=self.clock.now() - timedelta(hours=1),
            scanned_at=self.clock.now() - timedelta(hours=1),
            sender=Sender("Klantendienst", "Fluvius"),
            addressee="Lotte Janssens",
            entity="ADV",
            subject="Afrekening 2026",
            registered=registered,
        )
        audit = AuditEntry(self.clock.now(), "intake:test", "post.intake", Outcome.OK)
        document = StoredDocument(f"{external_id}.pdf", "ab" * 32, 10)
        item, _ = await self.items.add(TENANT, metadata, document, self.clock.now(), audit)
        after = item.route(Routing(destination), self.clock.now())
        await self.items.save(after, expected_version=item.version)
        return after

    def viewer(self, user_id: str, *roles: Role) -> Actor:
        roles_held = frozenset({Role.STAFF, *roles})
        return Actor(user_id, TENANT, roles=roles_held, correlation_id="activity-1")

    async def rows(self, table: sa.Table) -> list[sa.Row[Any]]:
        async with self.database.connect() as connection:
            return list((await connection.execute(table.select())).all())


@pytest.fixture
async def parts(database: Database) -> Parts:
    built = Parts(database)
    await built.setup()
    return built


async def test_a_second_user_cannot_open_its_scan(parts: Parts) -> None:
    item = await parts.routed(Destination(DestinationKind.PERSON, LOTTE), "s-1")
    with pytest.raises(Forbidden):
        await parts.desk.open_scan(parts.viewer(SOFIE), item.id)
    await parts.desk.open_scan(parts.viewer(LOTTE), item.id)
    await parts.desk.open_scan(parts.viewer(THOMAS), item.id)  # ADV's ICT admin
    assert parts.links == [(item.id, LOTTE), (item.id, THOMAS)]
    views = [r for r in await parts.rows(audit_log) if r.action == "post.scan.view"]
    assert [(r.actor_id, r.object_id) for r in views] == [
        (LOTTE, item.reference),
        (THOMAS, item.reference),
    ]


async def test_the_list_covers_own_team_and_triage_items(parts: Parts) -> None:
    mine = await parts.routed(Destination(DestinationKind.PERSON, LOTTE), "s-1")
    team = await parts.routed(Destination(DestinationKind.TEAM, FINANCE_TARGET), "s-2")
    triage = await parts.routed(Destination.triage(), "s-3")
    registered = await parts.routed(
        Destination(DestinationKind.PERSON, LOTTE), "s-4", registered=True
    )
    lotte = await parts.desk.list_items(parts.viewer(LOTTE), PostFilters())
    assert [i.id for i in lotte.items] == [registered.id, mine.id]
    only = await parts.desk.list_items(parts.viewer(LOTTE), PostFilters(registered=True))
    assert [i.id for i in only.items] == [registered.id]
    found = await parts.desk.list_items(parts.viewer(LOTTE), PostFilters(search="fluvius 2026"))
    assert len(found.items) == 2
    nora = await parts.desk.list_items(parts.viewer(NORA), PostFilters(this_week=True))
    assert [i.id for i in nora.items] == [team.id]
    clerk = await parts.desk.list_items(parts.viewer(SOFIE, Role.MAILROOM), PostFilters())
    assert [i.id for i in clerk.items] == [triage.id]


async def test_a_search_no_letter_holds_whole_is_narrowed_to_the_words_that_occur(
    parts: Parts,
) -> None:
    item = await parts.routed(Destination(DestinationKind.PERSON, LOTTE), "s-1")
    lotte = parts.viewer(LOTTE)
    asked = "advocatenkantoor Fluvius afrekening"
    page = await parts.desk.list_items(lotte, PostFilters(search=asked))
    assert [i.id for i in page.items] == [item.id]
    assert (page.asked, page.filters.search) == (asked, "Fluvius afrekening")
    # every word held: no narrowing; no word held: nothing, and nothing narrower said
    whole = await parts.desk.list_items(lotte, PostFilters(search="fluvius 2026"))
    assert (len(whole.items), whole.asked) == (1, "")
    none = await parts.desk.list_items(lotte, PostFilters(search="Engie Proximus"))
    assert (none.items, none.asked, none.filters.search) == ((), "", "Engie Proximus")


async def test_a_forward_is_saved_with_its_audit_line_and_messages(parts: Parts) -> None:
    item = await parts.routed(Destination(DestinationKind.PERSON, LOTTE), "s-1")
    seen = await parts.desk.forward(parts.viewer(LOTTE), item.id, JEF, "Graag")
    stored = await parts.items.get(item.id)
    assert stored is not None and stored.destination.target == JEF
    assert seen.item == stored
    lines = [r for r in await parts.rows(audit_log) if r.action == "post.forward"]
    assert len(lines) == 1
    queued = await parts.rows(outbox)
    assert {(r.recipient_id, bool(r.replaces)) for r in queued} == {(LOTTE, True), (JEF, False)}


async def test_delegations_and_a_reminder(parts: Parts) -> None:
    lotte = parts.viewer(LOTTE)
    today = parts.access.today()
    stored = await parts.desk.add_delegation(lotte, JEF, today, today + timedelta(days=3))
    assert [d.id for d in await parts.desk.delegations(lotte)] == [stored.id]
    await parts.desk.cancel_delegation(lotte, stored.id)
    assert await parts.desk.delegations(lotte) == []
    item = await parts.routed(Destination(DestinationKind.PERSON, LOTTE), "s-9")

    async def nothing() -> None:
        return None

    class NoPending:
        async def route_pending(self, limit: int) -> int:
            return 0

    worker = PostWorker(
        flow=parts.flow,
        access=parts.access,
        intake=NoPending(),
        purge=nothing,
        settings=PostWorkerSettings(calendar=WorkingCalendar(BRUSSELS)),
        jitter=lambda: 0.0,
    )
    parts.clock.set(FRIDAY + timedelta(days=5))  # Wednesday: three working days
    assert (await worker.run_once()).reminded == 1
    assert (await worker.run_once()).reminded == 0
    after = await parts.items.get(item.id)
    assert after is not None and after.reminders_sent == 1
    assert Actor.system().user_id in {r.actor_id for r in await parts.rows(audit_log)}
