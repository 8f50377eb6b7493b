"""Announcements on both dialects: round trips, yearly references, saves on the version they
were decided on (with their audit lines and outbox messages, or nothing), API idempotency keys,
deleting drafts with their snapshot, and what the sender works on."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.domain.announcements.announcements import (
    Announcement,
    AnnouncementState,
    NewAnnouncement,
    Step,
    step,
)
from bot.domain.announcements.audiences import Audience, AudienceKind, Channel
from bot.domain.announcements.content import Content, Importance
from bot.domain.announcements.recipients import NewRecipient
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.outbox import NewOutboxMessage, OutboxStatus
from bot.ports.announcements import AnnouncementRepository
from bot.store import Database, SqlAuditLog, SqlOutboxRepository
from bot.store.announcements.announcements import SqlAnnouncementRepository
from bot.store.announcements.tables import announcement_recipients

T0 = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
RESOLVED_AT = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)

DUTCH = Content(
    title="Vanaf maandag is MFA verplicht",
    summary="Meld je **vóór vrijdag** aan met de Authenticator-app.",
    image_url="https://intranet.example/mfa.png",
    image_alt="Een gsm met de Authenticator-app",
    link_title="Meer uitleg",
    link_url="https://intranet.example/mfa",
)
ENGLISH = Content(title="MFA is mandatory from Monday", summary="Sign up **before Friday**.")


class FixedClock:
    def now(self) -> datetime:
        return RESOLVED_AT


def new_announcement(
    author: str = "comms-1", at: datetime = T0, **fields: object
) -> NewAnnouncement:
    values: dict[str, object] = {
        "tenant_id": "t1",
        "author_id": author,
        "author_name": "Comms Één",
        "author_entity": "DOMG",
        "dutch": DUTCH,
        "created_at": at,
        "audience": Audience(AudienceKind.ENTITIES, entities=("DOMG",)),
        **fields,
    }
    return NewAnnouncement(**values)  # type: ignore[arg-type]


def line(action: str, object_id: str = "") -> AuditEntry:
    return AuditEntry(T0, "comms-1", action, Outcome.OK, object_id=object_id)


def notice(key: str) -> NewOutboxMessage:
    return NewOutboxMessage(
        tenant_id="t1", dedupe_key=key, activity={"type": "message"}, recipient_id="comms-1"
    )


@pytest.fixture
def store(database: Database) -> AnnouncementRepository:
    return SqlAnnouncementRepository(database, clock=FixedClock())


# --- round trips and references ---------------------------------------------------------------


async def test_a_new_announcement_is_a_draft_at_version_1(store: AnnouncementRepository) -> None:
    added = await store.add(new_announcement())
    assert added.id > 0
    assert added == Announcement(
        id=added.id,
        reference="ANN-2026-000001",
        tenant_id="t1",
        author_id="comms-1",
        author_name="Comms Één",
        author_entity="DOMG",
        state=AnnouncementState.DRAFT,
        version=1,
        dutch=DUTCH,
        english=None,
        importance=Importance.NORMAL,
        audience=Audience(AudienceKind.ENTITIES, entities=("DOMG",)),
        created_at=T0,
        updated_at=T0,
    )
    assert await store.get(added.id) == added
    assert await store.get(added.id + 1000) is None


async def test_references_count_per_year_in_the_administrations_zone(
    database: Database,
) -> None:
    store = SqlAnnouncementRepository(database, reference_zone=ZoneInfo("Europe/Brussels"))
    first = await store.add(new_announcement())
    second = await store.add(new_announcement(at=T0 + MINUTE))
    # 23:30 UTC on New Year's Eve is already 2027 in Brussels.
    next_year = await store.add(new_announcement(at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC)))
    third = await store.add(new_announcement(at=T0 + 2 * MINUTE))
    assert [a.reference for a in (first, second, next_year, third)] == [
        "ANN-2026-000001",
        "ANN-2026-000002",
        "ANN-2027-000001",
        "ANN-2026-000003",
    ]


async def test_concurrent_adds_get_distinct_consecutive_references(database: Database) -> None:
    replicas = [Database(database.url), Database(database.url)]
    try:
        stores = [SqlAnnouncementRepository(replica) for replica in replicas]
        added = await asyncio.gather(
            *(stores[n % 2].add(new_announcement(at=T0 + n * MINUTE)) for n in range(12))
        )
    finally:
        for replica in replicas:
            await replica.dispose()
    assert sorted(a.reference for a in added) == [f"ANN-2026-{n:06d}" for n in range(1, 13)]


async def test_every_field_survives_a_save(store: AnnouncementRepository) -> None:
    added = await store.add(new_announcement())
    brussels = ZoneInfo("Europe/Brussels")
    after = replace(
        added,
        state=AnnouncementState.SCHEDULED,
        version=2,
        english=ENGLISH,
        importance=Importance.URGENT,
        audience=Audience(
            AudienceKind.CHANNELS,
            channels=(Channel("19:abc@thread.tacv2", "Algemeen"), Channel("19:def@thread.tacv2")),
        ),
        updated_at=T0 + MINUTE,
        send_at=datetime(2026, 12, 14, 8, 0, tzinfo=brussels),
        approval_required=True,
        decided_by="comms-2",
        decided_by_name="Comms Twee",
        decision_note="Goed zo.",
        started_at=T0 + 2 * MINUTE,
        finished_at=T0 + 3 * MINUTE,
        edits=2,
    )
    assert await store.save(after, added.version)
    stored = await store.get(added.id)
    assert stored == after
    assert stored is not None and stored.send_at is not None and stored.send_at.tzinfo is UTC
    # No audience, no English: both come back as None.
    bare = replace(after, audience=None, english=None, version=3)
    assert await store.save(bare, 2)
    assert await store.get(added.id) == bare


async def test_of_author_is_newest_first(store: AnnouncementRepository) -> None:
    old = await store.add(new_announcement(at=T0))
    new = await store.add(new_announcement(at=T0 + 2 * MINUTE))
    middle = await store.add(new_announcement(at=T0 + MINUTE))
    await store.add(new_announcement("comms-2", T0 + 3 * MINUTE))
    assert await store.of_author("comms-1") == [new, middle, old]
    assert await store.of_author("comms-1", limit=1) == [new]
    assert await store.of_author("nobody") == []


# --- saves on a version -----------------------------------------------------------------------


async def test_a_save_writes_its_audit_lines_and_messages(database: Database) -> None:
    store, outbox = SqlAnnouncementRepository(database), SqlOutboxRepository(database)
    draft = await store.add(new_announcement(), [line("announcements.create")])
    submitted = step(draft, Step.SUBMIT, T0 + MINUTE, approval_required=True)
    assert await store.save(
        submitted, draft.version, [line("announcements.submit", draft.reference)], [notice("ask")]
    )
    assert await store.get(draft.id) == submitted
    audited = await SqlAuditLog(database).recent()
    assert [(e.action, e.object_type, e.object_id) for e in audited] == [
        ("announcements.submit", "", draft.reference),
        # The add's line names the announcement it made.
        ("announcements.create", "announcement", draft.reference),
    ]
    queued = await outbox.by_dedupe_key("ask")
    assert queued is not None and queued.created_at == T0 + MINUTE  # at the step's time


async def test_a_stale_save_returns_false_and_writes_nothing(database: Database) -> None:
    store, outbox = SqlAnnouncementRepository(database), SqlOutboxRepository(database)
    draft = await store.add(new_announcement())
    waiting = step(draft, Step.SUBMIT, T0 + MINUTE, approval_required=True)
    assert await store.save(waiting, draft.version)
    approved = step(waiting, Step.APPROVE, T0 + 2 * MINUTE, by="comms-2")
    rejected = step(waiting, Step.REJECT, T0 + 2 * MINUTE, by="comms-3")
    assert await store.save(approved, waiting.version, [line("approve")], [notice("go")])
    # Decided on the same version: the second decision loses, whole.
    assert not await store.save(rejected, waiting.version, [line("reject")], [notice("no")])
    assert await store.get(draft.id) == approved
    assert [entry.action for entry in await SqlAuditLog(database).recent()] == ["approve"]
    assert await outbox.by_dedupe_key("no") is None
    assert (await outbox.counts())[OutboxStatus.PENDING] == 1


async def test_of_two_deciders_at_once_exactly_one_wins(database: Database) -> None:
    replicas = [Database(database.url), Database(database.url)]
    try:
        stores = [SqlAnnouncementRepository(replica) for replica in replicas]
        draft = await stores[0].add(new_announcement())
        waiting = step(draft, Step.SUBMIT, T0, approval_required=True)
        assert await stores[0].save(waiting, draft.version)
        decisions = [
            step(waiting, Step.APPROVE, T0 + MINUTE, by="comms-2"),
            step(waiting, Step.REJECT, T0 + MINUTE, by="comms-3"),
        ]
        outcomes = await asyncio.gather(
            *(stores[n].save(decision, waiting.version) for n, decision in enumerate(decisions))
        )
        assert sorted(outcomes) == [False, True]
        assert await stores[1].get(draft.id) == decisions[outcomes.index(True)]
    finally:
        for replica in replicas:
            await replica.dispose()


async def test_a_save_never_undoes_the_snapshots_size(store: AnnouncementRepository) -> None:
    draft = await store.add(new_announcement())
    sending = step(draft, Step.SUBMIT, T0 + MINUTE)
    assert await store.save(sending, draft.version)
    await store.add_recipients(draft.id, [NewRecipient("u-1"), NewRecipient("u-2")])
    assert await store.mark_resolved(draft.id) == 2
    # The sender's copy was read before the snapshot was complete.
    finished = step(sending, Step.FINISH, T0 + 2 * MINUTE)
    assert (finished.audience_size, finished.resolved) == (0, False)
    assert await store.save(finished, sending.version)
    stored = await store.get(draft.id)
    assert stored is not None
    assert (stored.state, stored.audience_size, stored.resolved) == (
        AnnouncementState.SENT,
        2,
        True,
    )


# --- API idempotency keys ---------------------------------------------------------------------


async def test_a_client_key_names_one_announcement_per_source(
    store: AnnouncementRepository,
) -> None:
    first = await store.add(new_announcement(source="power-automate", client_key="k-1"))
    again = await store.add(
        new_announcement(source="power-automate", client_key="k-1", at=T0 + MINUTE)
    )
    assert again == first
    other_source = await store.add(new_announcement(source="hr-system", client_key="k-1"))
    chat = [await store.add(new_announcement()) for _ in range(2)]  # no key: never the same
    assert await store.by_client_key("power-automate", "k-1") == first
    assert await store.by_client_key("hr-system", "k-1") == other_source
    assert await store.by_client_key("power-automate", "k-2") is None
    assert await store.by_client_key("", "") is None
    # The skipped add gave its reference number back.
    assert [a.reference for a in (first, other_source, *chat)] == [
        f"ANN-2026-{n:06d}" for n in range(1, 5)
    ]


async def test_racing_retries_with_one_client_key_make_one(database: Database) -> None:
    replicas = [Database(database.url), Database(database.url)]
    try:
        stores = [SqlAnnouncementRepository(replica) for replica in replicas]
        made = await asyncio.gather(
            *(
                stores[n % 2].add(new_announcement(source="api", client_key="same"))
                for n in range(6)
            )
        )
    finally:
        for replica in replicas:
            await replica.dispose()
    assert len({a.id for a in made}) == 1
    assert made[0].reference == "ANN-2026-000001"


# --- delete -----------------------------------------------------------------------------------


async def test_deleting_a_draft_takes_its_recipients_along(database: Database) -> None:
    store = SqlAnnouncementRepository(database)
    draft = await store.add(new_announcement())
    kept = await store.add(new_announcement())
    await store.add_recipients(draft.id, [NewRecipient("u-1"), NewRecipient("u-2")])
    await store.add_recipients(kept.id, [NewRecipient("u-1")])
    assert not await store.delete(draft.id, draft.version + 1)  # stale
    assert await store.get(draft.id) == draft
    assert await store.delete(draft.id, draft.version, [line("announcements.delete")])
    assert await store.get(draft.id) is None
    assert not await store.delete(draft.id, draft.version)  # gone already
    async with database.connect() as connection:
        left = (
            await connection.execute(sa.select(announcement_recipients.c.announcement_id))
        ).scalars()
        assert list(left) == [kept.id]
    assert [e.action for e in await SqlAuditLog(database).recent()] == ["announcements.delete"]


async def test_only_drafts_and_rejected_ones_are_deleted(store: AnnouncementRepository) -> None:
    draft = await store.add(new_announcement())
    sending = step(draft, Step.SUBMIT, T0)
    assert await store.save(sending, draft.version)
    assert not await store.delete(draft.id, sending.version)
    assert await store.get(draft.id) == sending
    other = await store.add(new_announcement())
    waiting = step(other, Step.SUBMIT, T0, approval_required=True)
    rejected = step(waiting, Step.REJECT, T0 + MINUTE, by="comms-2")
    assert await store.save(waiting, other.version)
    assert await store.save(rejected, waiting.version)
    assert await store.delete(other.id, rejected.version)


# --- what the sender works on -----------------------------------------------------------------


async def test_active_is_sending_and_due_scheduled_ones(store: AnnouncementRepository) -> None:
    async def in_state(what: Step | None, send_at: datetime | None = None) -> Announcement:
        draft = await store.add(new_announcement(send_at=send_at))
        if what is None:
            return draft
        moved = step(draft, Step.SUBMIT, T0)
        if what is Step.CANCEL:
            moved = step(moved, Step.CANCEL, T0)
        assert await store.save(moved, draft.version)
        return moved

    await in_state(None)  # a draft
    sending = await in_state(Step.SUBMIT)
    due = await in_state(Step.SUBMIT, T0 + 10 * MINUTE)
    later = await in_state(Step.SUBMIT, T0 + 30 * MINUTE)
    await in_state(Step.CANCEL, T0 + 5 * MINUTE)
    assert (due.state, later.state) == (AnnouncementState.SCHEDULED,) * 2
    assert await store.active(T0 + 10 * MINUTE) == [sending, due]
    assert await store.active(T0 + 10 * MINUTE, limit=1) == [sending]
    assert await store.active(T0) == [sending]
