"""Incoming post on both dialects: idempotent adds (also when racing), references, optimistic
saves with their audit lines and notices, the desk's listing and search, the worker's and the
register's lookups; routing rules and delegations."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.post.items import (
    TRIAGE,
    Destination,
    DestinationKind,
    DocumentType,
    IntakeMetadata,
    PostItem,
    PostState,
    Routing,
    Sender,
    StalePostItem,
    StoredDocument,
)
from bot.domain.post.routing import Delegation, PostQuery, RoutingRule, RuleConditions
from bot.store import (
    Database,
    SqlDelegationRepository,
    SqlPostItemRepository,
    SqlRoutingRuleRepository,
)
from bot.store.migrator import alembic_config
from bot.store.platform.tables import audit_log, outbox, reference_counters
from bot.store.post.tables import post_items
from tests.support.clock import FakeClock
from tests.support.db import DIALECTS, MakeDatabaseUrl

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
JEF = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"
LOTTE = "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"
TEAM = Destination(DestinationKind.TEAM, "group-1|19:channel-1@thread.tacv2")


def metadata(external_id: str = "scan-1", **fields: object) -> IntakeMetadata:
    values: dict[str, object] = {
        "external_id": external_id,
        "received_at": T0,
        "scanned_at": T0 + MINUTE,
        "sender": Sender("Karel Claes", "FOD Financiën"),
        "addressee": "T.a.v. Dhr. J. Peeters",
        "subject": "Aanslagbiljet personenbelasting",
        "scanner": "scanner",
        **fields,
    }
    return IntakeMetadata(**values)  # type: ignore[arg-type]


def document(key: str = "2026/11/aa.pdf") -> StoredDocument:
    return StoredDocument(key=key, sha256="0" * 64, size=1234)


def intake_audit() -> AuditEntry:
    return AuditEntry(at=T0, actor_id="intake:scanner", action="post.intake", outcome=Outcome.OK)


@pytest.fixture
def items(database: Database) -> SqlPostItemRepository:
    return SqlPostItemRepository(database)


async def count(database: Database, table: sa.Table) -> int:
    async with database.connect() as connection:
        return int(
            (await connection.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
        )


async def add(
    items: SqlPostItemRepository, external_id: str = "scan-1", **fields: object
) -> PostItem:
    item, created = await items.add(
        "t1",
        metadata(external_id, **fields),
        document(f"2026/11/{external_id}.pdf"),
        T0,
        intake_audit(),
    )
    assert created
    return item


async def routed(
    items: SqlPostItemRepository, item: PostItem, destination: Destination, at: datetime = T0
) -> PostItem:
    after = item.route(Routing(destination), at)
    await items.save(after, expected_version=item.version)
    return after


# --- add --------------------------------------------------------------------------------------


async def test_an_added_item_reads_back_whole_with_its_reference_and_audit_line(
    items: SqlPostItemRepository, database: Database
) -> None:
    meta = metadata(
        document_type=DocumentType.REGISTERED,
        registered=True,
        tracking_number="RR123456789BE",
        pages=3,
        confidential=True,
        ocr_text="Geachte heer Peeters",
        entity="ADV",
    )
    item, created = await items.add("t1", meta, document(), T0, intake_audit())

    assert created
    assert item.reference == "POST-2026-000001"
    assert item.state is PostState.RECEIVED and item.version == 1
    stored = await items.get(item.id)
    assert stored == item
    assert await items.by_external_id("scan-1", scanner="scanner") == item
    assert await items.get_by_reference("POST-2026-000001") == item
    async with database.connect() as connection:
        audit = (await connection.execute(sa.select(audit_log))).mappings().all()
    assert [(a["action"], a["object_type"], a["object_id"]) for a in audit] == [
        ("post.intake", "post_item", "POST-2026-000001")
    ]


async def test_the_same_external_id_again_returns_the_stored_item_and_writes_nothing(
    items: SqlPostItemRepository, database: Database
) -> None:
    first = await add(items)
    again, created = await items.add(
        "t1", metadata(subject="anders"), document("2026/11/other.pdf"), T0, intake_audit()
    )

    assert not created
    assert again == first
    assert await count(database, post_items) == 1
    assert await count(database, audit_log) == 1
    # the counter did not move: the next item gets the next number, no gap
    assert (await add(items, "scan-2")).reference == "POST-2026-000002"


async def test_references_count_per_year(items: SqlPostItemRepository) -> None:
    await add(items, "a")
    late, _ = await items.add(
        "t1", metadata("b"), document(), datetime(2027, 1, 1, 0, 5, tzinfo=UTC), intake_audit()
    )
    assert late.reference == "POST-2027-000001"


async def test_racing_adds_of_one_external_id_store_one_item(database: Database) -> None:
    # Separate handles (own connection pools): on PostgreSQL the adds really run at once.
    handles = [Database(database.url) for _ in range(4)]
    try:
        repositories = [SqlPostItemRepository(handle) for handle in handles]
        results = await asyncio.gather(
            *(
                repo.add("t1", metadata("twin"), document(f"2026/11/{n}.pdf"), T0, intake_audit())
                for n, repo in enumerate(repositories * 2)
            )
        )
    finally:
        for handle in handles:
            await handle.dispose()

    assert sum(created for _, created in results) == 1
    assert {item.id for item, _ in results} == {results[0][0].id}
    assert {item.document.key for item, _ in results} == {
        next(item for item, created in results if created).document.key
    }
    assert await count(database, post_items) == 1
    assert await count(database, audit_log) == 1
    async with database.connect() as connection:
        last = (await connection.execute(sa.select(reference_counters.c.last))).scalar_one()
    assert last == 1  # the losers gave their numbers back


# --- save -------------------------------------------------------------------------------------


async def test_a_save_stores_the_transition_with_its_audit_and_notices(
    items: SqlPostItemRepository, database: Database
) -> None:
    item = await add(items)
    after = item.route(Routing(Destination(DestinationKind.PERSON, JEF), addressee_id=JEF), T0)
    message = NewOutboxMessage("t1", "post:1:v2:new_item:jef", {"type": "message"}, JEF)
    audit = AuditEntry(at=T0, actor_id="system", action="post.route", outcome=Outcome.OK)

    await items.save(after, expected_version=1, audit=[audit], messages=[message])

    assert await items.get(item.id) == after
    assert await count(database, outbox) == 1
    assert await count(database, audit_log) == 2


async def test_a_stale_save_writes_nothing(
    items: SqlPostItemRepository, database: Database
) -> None:
    item = await add(items)
    first = item.route(Routing(Destination(DestinationKind.PERSON, JEF)), T0)
    await items.save(first, expected_version=1)
    second = item.route(Routing(TRIAGE, reason="post.reason.no_rule"), T0)
    message = NewOutboxMessage("t1", "k", {"type": "message"}, JEF)
    audit = AuditEntry(at=T0, actor_id="system", action="post.route", outcome=Outcome.OK)

    with pytest.raises(StalePostItem):
        await items.save(second, expected_version=1, audit=[audit], messages=[message])

    assert await items.get(item.id) == first
    assert await count(database, outbox) == 0
    assert await count(database, audit_log) == 1  # the intake line only


async def test_a_save_must_carry_a_newer_version(items: SqlPostItemRepository) -> None:
    item = await add(items)
    with pytest.raises(ValueError, match="newer version"):
        await items.save(item, expected_version=1)


# --- listing and search -------------------------------------------------------------------------


async def test_visible_to_lists_the_destinations_newest_received_first(
    items: SqlPostItemRepository,
) -> None:
    old = await routed(items, await add(items, "old"), Destination(DestinationKind.PERSON, JEF))
    new = await routed(
        items,
        await add(items, "new", received_at=T0 + MINUTE),
        Destination(DestinationKind.PERSON, JEF),
    )
    await routed(items, await add(items, "lotte"), Destination(DestinationKind.PERSON, LOTTE))
    await routed(items, await add(items, "team"), TEAM)
    triage = await routed(items, await add(items, "triage"), TRIAGE)

    mine = PostQuery(destinations=(Destination(DestinationKind.PERSON, JEF),))
    assert [i.id for i in await items.visible_to(mine)] == [new.id, old.id]
    assert [i.id for i in await items.visible_to(replace(mine, limit=1, offset=1))] == [old.id]
    mailroom = PostQuery(destinations=(TRIAGE,))
    assert [i.id for i in await items.visible_to(mailroom)] == [triage.id]
    # a team is named by its group alone: every channel of it
    by_group = PostQuery(destinations=(Destination(DestinationKind.TEAM, "group-1"),))
    assert [i.metadata.external_id for i in await items.visible_to(by_group)] == ["team"]
    both = PostQuery(destinations=(Destination(DestinationKind.PERSON, JEF), TEAM))
    assert len(await items.visible_to(both)) == 3
    assert await items.visible_to(PostQuery(destinations=())) == []


async def test_visible_to_filters_state_registered_and_period(
    items: SqlPostItemRepository,
) -> None:
    jef = Destination(DestinationKind.PERSON, JEF)
    letter = await routed(items, await add(items, "letter"), jef)
    registered = await routed(
        items,
        await add(
            items,
            "registered",
            document_type=DocumentType.REGISTERED,
            registered=True,
            tracking_number="RR1",
            received_at=T0 + 2 * MINUTE,
        ),
        jef,
    )
    handled = letter.handle(JEF, T0)
    await items.save(handled, expected_version=letter.version)

    query = PostQuery(destinations=(jef,))
    assert [i.id for i in await items.visible_to(query)] == [registered.id]
    everything = replace(query, states=frozenset(PostState))
    assert len(await items.visible_to(everything)) == 2
    only_registered = replace(everything, registered_only=True)
    assert [i.id for i in await items.visible_to(only_registered)] == [registered.id]
    this_week = replace(everything, received_since=T0 + MINUTE)
    assert [i.id for i in await items.visible_to(this_week)] == [registered.id]


async def test_search_ignores_case_and_accents_over_sender_and_subject(
    items: SqlPostItemRepository,
) -> None:
    jef = Destination(DestinationKind.PERSON, JEF)
    tax = await routed(items, await add(items, "tax"), jef)
    await routed(
        items,
        await add(
            items, "invoice", sender=Sender("Proximus NV", ""), subject="Factuur 100% korting"
        ),
        jef,
    )
    query = PostQuery(destinations=(jef,))

    async def found(text: str) -> list[str]:
        return [i.metadata.external_id for i in await items.visible_to(replace(query, search=text))]

    assert await found("financien") == ["tax"]
    assert await found("FINANCIËN karel") == ["tax"]
    assert await found("aanslag") == ["tax"]
    assert await found("proximus factuur") == ["invoice"]
    assert await found("karel proximus") == []  # every word must occur
    assert await found("100") == ["invoice"]
    assert await found("fact_ur") == []  # "_" is a letter here, not LIKE's wildcard
    assert len(await found("%")) == 2  # no words: no filter
    assert tax.metadata.sender.organisation == "FOD Financiën"  # stored as written


# --- worker and register ------------------------------------------------------------------------


async def test_unhandled_since_lists_routed_items_untouched_since_the_cutoff(
    items: SqlPostItemRepository,
) -> None:
    jef = Destination(DestinationKind.PERSON, JEF)
    early = await routed(items, await add(items, "early"), jef, T0)
    late = await routed(items, await add(items, "late"), jef, T0 + 10 * MINUTE)
    await routed(items, await add(items, "triage"), TRIAGE, T0)

    assert [i.id for i in await items.unhandled_since(T0 + MINUTE, 10)] == [early.id]
    assert [i.id for i in await items.unhandled_since(T0 + 11 * MINUTE, 10)] == [
        early.id,
        late.id,
    ]
    assert len(await items.unhandled_since(T0 + 11 * MINUTE, 1)) == 1


async def test_scans_to_purge_are_handled_items_whose_scan_is_still_there(
    items: SqlPostItemRepository,
) -> None:
    jef = Destination(DestinationKind.PERSON, JEF)
    one = await routed(items, await add(items, "one"), jef)
    two = await routed(items, await add(items, "two"), jef)
    open_item = await routed(items, await add(items, "open"), jef)
    one_done = one.handle(JEF, T0 + MINUTE)
    await items.save(one_done, expected_version=one.version)
    two_done = two.handle(JEF, T0 + 2 * MINUTE)
    await items.save(two_done, expected_version=two.version)
    purged = two_done.scan_deleted(T0 + 3 * MINUTE)
    await items.save(purged, expected_version=two_done.version)

    due = await items.scans_to_purge(T0 + 10 * MINUTE, 10)
    assert [i.id for i in due] == [one.id]
    assert await items.scans_to_purge(T0 + MINUTE, 10) == []  # handled at, not before
    assert open_item.id not in {i.id for i in due}


async def test_between_and_recent(items: SqlPostItemRepository) -> None:
    a = await add(items, "a", entity="ADV")
    b = await add(items, "b", entity="DOMG", received_at=T0 + MINUTE)
    c = await add(items, "c", entity="ADV", received_at=T0 + 2 * MINUTE)

    assert [i.id for i in await items.between(T0, T0 + 2 * MINUTE)] == [a.id, b.id]
    assert [i.id for i in await items.between(T0, T0 + 3 * MINUTE, "ADV")] == [a.id, c.id]
    assert [i.id for i in await items.recent(2)] == [c.id, b.id]


# --- rules and delegations -----------------------------------------------------------------------


async def test_rules_are_replaced_as_a_whole_and_read_in_order(database: Database) -> None:
    repository = SqlRoutingRuleRepository(database)
    rules = [
        RoutingRule(
            "R-002",
            20,
            TEAM,
            RuleConditions(
                sender_contains="fod financien",
                document_types=frozenset({DocumentType.INVOICE, DocumentType.NOTICE}),
                keywords=("aanslag", "belasting"),
            ),
            entity="ADV",
            description="Belastingen naar het team",
        ),
        RoutingRule(
            "R-001",
            10,
            Destination(DestinationKind.PERSON, JEF),
            RuleConditions(addressee_ids=(JEF,), addressee_text="peeters"),
            active=False,
        ),
        RoutingRule("R-003", 30, Destination(DestinationKind.ENTITY, "ADV")),
    ]
    await repository.replace(rules)
    assert await repository.load() == sorted(rules, key=lambda rule: rule.position)

    await repository.replace(rules[2:])
    assert await repository.load() == rules[2:]
    await repository.replace([])
    assert await repository.load() == []


async def test_delegations_cover_their_days_and_only_their_owner_cancels(
    database: Database,
) -> None:
    clock = FakeClock(datetime(2026, 12, 10, 8, 0, tzinfo=UTC))
    repository = SqlDelegationRepository(database, clock=clock)
    made = T0

    past = await repository.add(
        Delegation(JEF, LOTTE, date(2026, 11, 1), date(2026, 11, 5), JEF, made)
    )
    holiday = await repository.add(
        Delegation(JEF.upper(), LOTTE, date(2026, 12, 20), date(2027, 1, 3), JEF, made)
    )
    current = await repository.add(
        Delegation(LOTTE, JEF, date(2026, 12, 1), date(2026, 12, 12), LOTTE, made)
    )

    assert holiday.id and holiday.user_id == JEF  # ids are stored casefolded
    assert [d.id for d in await repository.for_user(JEF)] == [holiday.id]  # not the past one
    assert [d.id for d in await SqlDelegationRepository(database).for_user(JEF)] == [
        past.id,
        holiday.id,
    ]
    assert [d.id for d in await repository.active_on([JEF, LOTTE], date(2026, 12, 12))] == [
        current.id
    ]
    assert [d.id for d in await repository.active_on([JEF.upper()], date(2027, 1, 3))] == [
        holiday.id
    ]
    assert await repository.active_on([JEF], date(2027, 1, 4)) == []
    assert await repository.active_on([], date(2027, 1, 1)) == []

    assert not await repository.cancel(holiday.id, LOTTE)
    assert await repository.cancel(holiday.id, JEF)
    assert not await repository.cancel(holiday.id, JEF)
    assert await repository.for_user(JEF) == []

    with pytest.raises(ValueError, match="end before"):
        await repository.add(Delegation(JEF, LOTTE, date(2027, 1, 2), date(2027, 1, 1), JEF, made))


# --- intake identity: external ids per scanner (migration 0006) --------------------------------


async def test_an_external_id_is_unique_per_scanner(
    items: SqlPostItemRepository, database: Database
) -> None:
    first = await add(items)
    other, created = await items.add(
        "t1", metadata(scanner="import"), document("2026/11/b.pdf"), T0, intake_audit()
    )
    again, again_created = await items.add(
        "t1", metadata(scanner="import"), document("2026/11/c.pdf"), T0, intake_audit()
    )

    assert created and not again_created and again == other
    assert other.id != first.id and other.metadata.scanner == "import"
    assert await items.by_external_id("scan-1", scanner="scanner") == first
    assert await items.by_external_id("scan-1", scanner="import") == other
    assert await items.by_external_id("scan-1", scanner="elsewhere") is None
    assert await count(database, post_items) == 2


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_upgrading_a_populated_store_gives_each_item_its_scanner(
    dialect: str, make_database_url: MakeDatabaseUrl
) -> None:
    database = Database(make_database_url(dialect, migrated=False))
    try:
        async with database.transaction() as connection:
            await connection.run_sync(_upgrade_to("0005"))
            # Three items as 0005 stored them; the third has no intake line (never the case
            # in practice, since both are written in one transaction, but a migration must
            # cope), and the newest id was used once and is gone.
            for number, external_id in enumerate(("scan-1", "scan-2", "scan-3", "gone"), 1):
                await connection.execute(post_items.insert(), _row_0005(number, external_id))
            await connection.execute(post_items.delete().where(post_items.c.id == 4))
            await connection.execute(
                reference_counters.insert(), {"prefix": "POST", "year": 2026, "last": 4}
            )
            await connection.execute(
                audit_log.insert(),
                [
                    _audit_0005("intake:scanner", "POST-2026-000001"),
                    _audit_0005("intake:import", "POST-2026-000002"),
                    _audit_0005("mailroom-1", "POST-2026-000002", action="post.route"),
                ],
            )

        await database.migrate()

        async with database.connect() as connection:
            rows = (
                await connection.execute(
                    sa.select(post_items.c.external_id, post_items.c.scanner).order_by("id")
                )
            ).all()
        assert [tuple(row) for row in rows] == [
            ("scan-1", "scanner"),
            ("scan-2", "import"),
            ("scan-3", ""),
        ]
        items = SqlPostItemRepository(database)
        assert (await items.by_external_id("scan-1", scanner="scanner")) is not None
        # another scanner may now use scan-1 ...
        assert await items.by_external_id("scan-1", scanner="import") is None
        # ... but an item of unknown origin is found by any scanner: never stored twice
        legacy = await items.by_external_id("scan-3", scanner="import")
        assert legacy is not None and legacy.reference == "POST-2026-000003"
        added, created = await items.add(
            "t1",
            metadata("scan-1", scanner="import"),
            document("2026/11/new.pdf"),
            T0,
            intake_audit(),
        )
        assert created
        assert added.id == 5  # ids are never handed out twice, also after the table was copied
    finally:
        await database.dispose()


def _upgrade_to(revision: str) -> Callable[[sa.Connection], None]:
    def upgrade(connection: sa.Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    return upgrade


def _row_0005(number: int, external_id: str) -> dict[str, object]:
    return {
        "reference": f"POST-2026-{number:06d}",
        "tenant_id": "t1",
        "external_id": external_id,
        "received_at": T0,
        "scanned_at": T0,
        "document_type": "letter",
        "document_key": f"2026/11/{external_id}.pdf",
        "document_sha256": "0" * 64,
        "document_size": 1,
        "document_content_type": "application/pdf",
        "state": "triage",
        "destination_kind": "triage",
        "created_at": T0,
        "updated_at": T0,
        "version": 2,
    }


def _audit_0005(actor_id: str, reference: str, action: str = "post.intake") -> dict[str, object]:
    return {
        "at": T0,
        "actor_id": actor_id,
        "action": action,
        "object_type": "post_item",
        "object_id": reference,
        "outcome": "ok",
        "detail": {},
    }
