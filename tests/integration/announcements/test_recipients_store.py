"""The recipient snapshot on both dialects: added once per person, queued into the outbox a batch
at a time only while sending (never twice, also by two replicas at once), figures that add up
from the outbox's verdicts, withdrawing what is still pending, read receipts compared as Teams
ids, acknowledgements once, and the people the bot can reach."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from bot.domain.announcements.announcements import Announcement, Step, step
from bot.domain.announcements.recipients import (
    EntityFigures,
    Figures,
    NewRecipient,
    Outcome,
    Recipient,
    recipient_dedupe_key,
)
from bot.domain.platform.conversations import ConversationRef
from bot.domain.platform.outbox import NewOutboxMessage, OutboxStatus
from bot.ports.platform import FinalVerdict
from bot.store import Database, SqlConversationRefRepository, SqlOutboxRepository
from bot.store.announcements.announcements import SqlAnnouncementRepository
from bot.store.platform.tables import outbox as outbox_table
from tests.integration.announcements import store_support
from tests.integration.announcements.store_support import messages_for

T0 = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
LEASE = 60.0


@pytest.fixture
def store(database: Database) -> SqlAnnouncementRepository:
    return SqlAnnouncementRepository(database)


@pytest.fixture
def outbox(database: Database) -> SqlOutboxRepository:
    return SqlOutboxRepository(database)


# As the other store tests make them, at this file's time.
draft_of = partial(store_support.draft_of, at=T0)
sending = partial(store_support.sending, at=T0)


def people(count: int, entity: str = "DOMG", prefix: str = "U") -> list[NewRecipient]:
    return [NewRecipient(f"{prefix}-{n:05d}", entity=entity, locale="nl") for n in range(count)]


async def deliver(
    outbox: SqlOutboxRepository, verdicts: dict[str, tuple[OutboxStatus, str]]
) -> None:
    """Claim every due message and record its verdict by dedupe key (the rest go back)."""
    claimed = await outbox.claim(1000, T0, LEASE)
    await outbox.finish_many(
        [
            FinalVerdict(message.id, *verdicts[message.dedupe_key])
            for message in claimed
            if message.dedupe_key in verdicts
        ],
        T0 + MINUTE,
    )
    for message in claimed:
        if message.dedupe_key not in verdicts:
            await outbox.release(message.id, message.lease_until or T0)


# --- the snapshot -----------------------------------------------------------------------------


async def test_a_person_is_added_once(store: SqlAnnouncementRepository) -> None:
    draft = await draft_of(store)
    added = await store.add_recipients(
        draft.id,
        [NewRecipient("ABC-1", "DOMG", "nl"), NewRecipient("abc-1", "OMG"), NewRecipient("d-2")],
    )
    assert added == 2
    assert await store.add_recipients(draft.id, [NewRecipient("Abc-1"), NewRecipient("e-3")]) == 1
    page = await store.recipients(draft.id)
    assert [(r.user_id, r.entity) for r in page] == [("abc-1", "DOMG"), ("d-2", ""), ("e-3", "")]
    assert all(r.outcome is Outcome.NOT_REACHED for r in page)
    assert await store.recipient(draft.id, "ABC-1") == page[0]
    assert await store.recipient(draft.id, "nobody") is None
    assert await store.mark_resolved(draft.id) == 3
    stored = await store.get(draft.id)
    assert stored is not None and (stored.audience_size, stored.resolved) == (3, True)


async def test_thousands_are_added_in_chunks_and_paged(store: SqlAnnouncementRepository) -> None:
    draft = await draft_of(store)
    everyone = people(2500)
    assert await store.add_recipients(draft.id, everyone[:1800]) == 1800
    # Resolving again after a restart: only the rest is new.
    assert await store.add_recipients(draft.id, everyone) == 700
    assert await store.unqueued(draft.id) == 2500
    first = await store.recipients(draft.id, limit=1000)
    second = await store.recipients(draft.id, after=first[-1].user_id, limit=1000)
    assert first[0].user_id == "u-00000" and second[0].user_id == "u-01000"
    assert len(await store.recipients(draft.id, after="u-02400")) == 99


async def test_clearing_empties_what_is_not_queued(store: SqlAnnouncementRepository) -> None:
    announcement = await sending(store, *people(5))
    assert await store.mark_resolved(announcement.id) == 5
    assert await store.queue_next(announcement.id, 2, messages_for, T0) == 2
    await store.clear_recipients(announcement.id)
    assert [r.user_id for r in await store.recipients(announcement.id)] == ["u-00000", "u-00001"]
    stored = await store.get(announcement.id)
    assert stored is not None and (stored.audience_size, stored.resolved) == (0, False)


# --- queueing ---------------------------------------------------------------------------------


async def test_queueing_writes_one_message_per_person_by_user_id(
    store: SqlAnnouncementRepository, outbox: SqlOutboxRepository
) -> None:
    channel = NewRecipient("19:Team@thread.tacv2", conversation_id="19:Team@thread.tacv2")
    announcement = await sending(store, NewRecipient("Zed"), NewRecipient("amy"), channel)
    # Stored (and handed over) lower-cased; the conversation id as Teams gave it.
    team = NewRecipient("19:team@thread.tacv2", conversation_id="19:Team@thread.tacv2")
    given: list[tuple[int, list[NewRecipient]]] = []

    def recorded(a: Announcement, batch: Sequence[NewRecipient]) -> list[NewOutboxMessage]:
        given.append((a.id, list(batch)))
        return messages_for(a, batch)

    assert await store.queue_next(announcement.id, 2, recorded, T0) == 2
    assert await store.queue_next(announcement.id, 2, recorded, T0) == 1
    assert await store.queue_next(announcement.id, 2, recorded, T0) == 0
    assert given == [
        (announcement.id, [team, NewRecipient("amy")]),
        (announcement.id, [NewRecipient("zed")]),
    ]
    for user_id in ("amy", "zed", team.user_id):
        key = f"ann:{announcement.id}:{user_id}"
        assert key == recipient_dedupe_key(announcement.id, user_id.upper())
        message = await outbox.by_dedupe_key(key)
        assert message is not None and message.created_at == T0
    assert (await outbox.counts())[OutboxStatus.PENDING] == 3
    assert (await store.unqueued(announcement.id), await store.in_flight(announcement.id)) == (0, 3)


async def test_nothing_is_queued_unless_sending(
    store: SqlAnnouncementRepository, outbox: SqlOutboxRepository
) -> None:
    draft = await draft_of(store)
    await store.add_recipients(draft.id, people(3))
    assert await store.queue_next(draft.id, 10, messages_for, T0) == 0
    running = step(draft, Step.SUBMIT, T0)
    assert await store.save(running, draft.version)
    assert await store.queue_next(running.id, 1, messages_for, T0) == 1
    cancelled = step(running, Step.CANCEL, T0 + MINUTE)
    assert await store.save(cancelled, running.version)
    assert await store.queue_next(running.id, 10, messages_for, T0) == 0
    assert await store.queue_next(running.id + 1000, 10, messages_for, T0) == 0
    assert sum((await outbox.counts()).values()) == 1
    assert await store.unqueued(draft.id) == 2


async def test_a_failing_batch_queues_nothing(
    store: SqlAnnouncementRepository, outbox: SqlOutboxRepository
) -> None:
    announcement = await sending(store, *people(3))

    def broken(a: Announcement, batch: Sequence[NewRecipient]) -> list[NewOutboxMessage]:
        raise RuntimeError("card builder failed")

    with pytest.raises(RuntimeError):
        await store.queue_next(announcement.id, 10, broken, T0)
    assert await store.unqueued(announcement.id) == 3
    assert sum((await outbox.counts()).values()) == 0


async def test_two_replicas_queueing_at_once_never_take_one_person_twice(
    database: Database,
) -> None:
    replicas = [Database(database.url), Database(database.url)]
    taken: list[str] = []

    def recorded(a: Announcement, batch: Sequence[NewRecipient]) -> list[NewOutboxMessage]:
        taken.extend(recipient.user_id for recipient in batch)
        return messages_for(a, batch)

    async def drain(store: SqlAnnouncementRepository, announcement_id: int) -> int:
        total = 0
        while queued := await store.queue_next(announcement_id, 25, recorded, T0):
            total += queued
        return total

    try:
        stores = [SqlAnnouncementRepository(replica) for replica in replicas]
        announcement = await sending(stores[0], *people(600))
        totals = await asyncio.gather(*(drain(stores[n % 2], announcement.id) for n in range(4)))
        assert sum(totals) == 600
        assert len(taken) == 600 and len(set(taken)) == 600
        counts = await SqlOutboxRepository(replicas[0]).counts()
        assert counts[OutboxStatus.PENDING] == 600
        assert await stores[1].unqueued(announcement.id) == 0
    finally:
        for replica in replicas:
            await replica.dispose()


# --- figures ----------------------------------------------------------------------------------


async def test_figures_add_up_with_every_outbox_verdict(
    database: Database, store: SqlAnnouncementRepository, outbox: SqlOutboxRepository
) -> None:
    """3,000 people in two entities; each person's fate set on the outbox row by number."""
    crowd = people(1800, "DOMG") + people(1200, "OMG", prefix="V")
    announcement = await sending(store, *crowd)
    other = await sending(store, *people(40))  # never counted with the first
    assert await store.mark_resolved(announcement.id) == 3000
    for _ in range(3):  # 2,700 queued; the last 300 never are
        assert await store.queue_next(announcement.id, 900, messages_for, T0) == 900
    while await store.queue_next(other.id, 1000, messages_for, T0):
        pass
    fates = [
        (OutboxStatus.SENT, 1, 0),
        (OutboxStatus.SENT, 3, 2),  # throttled twice, then sent
        (OutboxStatus.SENT, 2, 0),  # claimed again after its sender died: no throttling
        (OutboxStatus.UNREACHABLE, 1, 0),
        (OutboxStatus.GONE, 1, 0),
        (OutboxStatus.FAILED, 1, 0),
        (OutboxStatus.DEAD, 5, 4),
        (OutboxStatus.IN_FLIGHT, 1, 0),
        (OutboxStatus.PENDING, 0, 0),
    ]
    queued = [r.user_id for r in await store.recipients(announcement.id, limit=5000)][:2700]
    async with database.transaction() as connection:
        for index, (status, attempts, retries) in enumerate(fates):
            keys = [recipient_dedupe_key(announcement.id, u) for u in queued[index :: len(fates)]]
            await connection.execute(
                sa.update(outbox_table)
                .where(outbox_table.c.dedupe_key.in_(keys))
                .values(status=status.value, attempts=attempts, retries=retries, activity_id="1")
            )
    sent = [u for n, u in enumerate(queued) if n % len(fates) in (0, 1, 2)]
    for user_id in sent[:100]:
        assert await store.acknowledge(announcement.id, user_id, T0)
    assert await store.mark_read(sent[0], "1", T0) == 1

    figures = await store.figures(announcement.id)
    share = 2700 // len(fates)  # 300 each
    assert figures == Figures(
        audience=3000,
        sent=2 * share,  # a message claimed twice after a crash was not throttled
        throttled_sent=share,
        blocked=share,
        not_found=share,
        failed=2 * share,
        not_reached=2 * share + 300,
        read=1,
        acknowledged=100,
    )
    assert figures.adds_up
    per_entity = await store.entity_figures(announcement.id)
    assert [e.entity for e in per_entity] == ["DOMG", "OMG"]
    assert [e.figures.audience for e in per_entity] == [1800, 1200]
    assert all(e.figures.adds_up for e in per_entity)
    assert sum(e.figures.sent + e.figures.throttled_sent for e in per_entity) == figures.reached
    assert await store.figures(other.id) == Figures(audience=40, not_reached=40)
    assert await store.entity_figures(other.id) == [
        EntityFigures("DOMG", Figures(audience=40, not_reached=40))
    ]
    assert await store.in_flight(announcement.id) == 2 * share
    assert len(await store.not_acknowledged(announcement.id, limit=5000)) == len(sent) - 100


async def test_a_recipients_outcome_and_times_come_from_the_outbox(
    store: SqlAnnouncementRepository, outbox: SqlOutboxRepository
) -> None:
    announcement = await sending(store, NewRecipient("a", "DOMG"), NewRecipient("b"))
    await store.queue_next(announcement.id, 10, messages_for, T0)
    key_a, key_b = (recipient_dedupe_key(announcement.id, u) for u in "ab")
    await deliver(outbox, {key_a: (OutboxStatus.SENT, ""), key_b: (OutboxStatus.UNREACHABLE, "")})
    assert await store.recipient(announcement.id, "A") == Recipient(
        announcement.id, "a", "DOMG", Outcome.SENT, sent_at=T0 + MINUTE
    )
    assert await store.recipient(announcement.id, "b") == Recipient(
        announcement.id, "b", "", Outcome.BLOCKED
    )
    assert await store.reached(announcement.id) == [("a", key_a)]
    assert await store.reached(announcement.id, after="a") == []


# --- cancelling -------------------------------------------------------------------------------


async def test_withdrawing_deletes_only_this_announcements_pending_deliveries(
    store: SqlAnnouncementRepository, outbox: SqlOutboxRepository
) -> None:
    announcement = await sending(store, *people(6))
    other = await sending(store, *people(2))
    await store.queue_next(announcement.id, 4, messages_for, T0)
    await store.queue_next(other.id, 10, messages_for, T0)
    keys = [recipient_dedupe_key(announcement.id, f"u-{n:05d}") for n in range(4)]
    edit = NewOutboxMessage("t1", keys[0] + ":edit", {"type": "message"}, replaces=keys[0])
    await outbox.enqueue([edit], T0)
    # u-0: sent, u-1: in flight, u-2 and u-3 pending; u-4 and u-5 not queued.
    claimed = {m.dedupe_key: m for m in await outbox.claim(1000, T0, LEASE)}
    await outbox.finish(claimed[keys[0]].id, OutboxStatus.SENT, T0 + MINUTE, activity_id="7")
    for message in claimed.values():
        if message.dedupe_key not in keys[:2]:
            await outbox.release(message.id, message.lease_until or T0)

    assert await store.withdraw_pending(announcement.id) == 2
    assert await outbox.by_dedupe_key(keys[2]) is None
    assert await outbox.by_dedupe_key(keys[1]) is not None  # in flight: it finishes
    assert await outbox.by_dedupe_key(edit.dedupe_key) is not None  # not a delivery
    assert await store.withdraw_pending(announcement.id) == 0
    assert (await store.figures(other.id)).not_reached == 2
    assert await outbox.by_dedupe_key(recipient_dedupe_key(other.id, "u-00000")) is not None
    figures = await store.figures(announcement.id)
    assert (figures.sent, figures.not_reached, figures.adds_up) == (1, 5, True)
    assert await store.in_flight(announcement.id) == 1


# --- read receipts and acknowledgements --------------------------------------------------------


async def test_read_receipts_compare_teams_ids_as_numbers(
    store: SqlAnnouncementRepository, outbox: SqlOutboxRepository
) -> None:
    ids = {"9": "", "10": "", "100": "", "abc": "", "pending": ""}
    made = {name: await sending(store, NewRecipient("Person-1")) for name in ids}
    unrelated = await sending(store, NewRecipient("person-2"))
    for announcement in (*made.values(), unrelated):
        await store.queue_next(announcement.id, 10, messages_for, T0)
    claimed = await outbox.claim(1000, T0, LEASE)
    by_key = {m.dedupe_key: m for m in claimed}
    verdicts = []
    for name, announcement in made.items():
        message = by_key[recipient_dedupe_key(announcement.id, "person-1")]
        if name != "pending":
            verdicts.append(FinalVerdict(message.id, OutboxStatus.SENT, "", name))
    other_key = recipient_dedupe_key(unrelated.id, "person-2")
    verdicts.append(FinalVerdict(by_key[other_key].id, OutboxStatus.SENT, "", "1"))
    await outbox.finish_many(verdicts, T0)

    assert await store.mark_read("PERSON-1", "not-a-number", T0) == 0
    # "9" sorts after "10" as text, but 9 <= 10; 100 > 10; "abc" is no Teams id.
    assert await store.mark_read("PERSON-1", "10", T0 + MINUTE) == 2
    assert await store.mark_read("person-1", "10", T0 + 2 * MINUTE) == 0  # read already
    read = {name: await store.recipient(a.id, "person-1") for name, a in made.items()}
    assert {name for name, r in read.items() if r is not None and r.read_at} == {"9", "10"}
    assert read["9"] is not None and read["9"].read_at == T0 + MINUTE
    assert await store.mark_read("person-1", "1000", T0 + 3 * MINUTE) == 1  # "100"
    assert (await store.recipient(unrelated.id, "person-2")) == Recipient(
        unrelated.id, "person-2", "", Outcome.SENT, sent_at=T0
    )


async def test_an_acknowledgement_counts_once(store: SqlAnnouncementRepository) -> None:
    announcement = await sending(store, NewRecipient("u-1"))
    assert await store.acknowledge(announcement.id, "U-1", T0)
    assert not await store.acknowledge(announcement.id, "u-1", T0 + MINUTE)
    assert not await store.acknowledge(announcement.id, "stranger", T0)
    recipient = await store.recipient(announcement.id, "u-1")
    assert recipient is not None and recipient.acknowledged_at == T0
    assert (await store.figures(announcement.id)).acknowledged == 1


# --- everyone the bot can reach ---------------------------------------------------------------


async def test_reachable_pages_the_tenants_chats_by_user_id(
    database: Database, store: SqlAnnouncementRepository
) -> None:
    refs = SqlConversationRefRepository(database)
    for tenant, user in [("t1", "c"), ("t1", "a"), ("t2", "b"), ("t1", "b"), ("t1", "d")]:
        await refs.save(
            ConversationRef(
                user, tenant, "https://smba.example/", f"a:{user}", "bot", updated_at=T0
            )
        )
    assert await store.reachable("t1", limit=2) == ["a", "b"]
    assert await store.reachable("t1", after="b", limit=2) == ["c", "d"]
    assert await store.reachable("t1", after="d") == []
    assert await store.reachable("t2") == ["b"]
    assert await store.reachable("t3") == []
