"""The BATCH mode's bookkeeping on both dialects: recipients claimed into batches of one language
and all people or all channels (a hundred at most), only while sending and never twice (also by
two replicas at once); a batch's way through RUNNING to SETTLED, settled once, its failed
members handed to the outbox only while sending; and figures that add up from the batches and
the outbox's verdicts together."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from bot.domain.announcements.announcements import Announcement, Step, step
from bot.domain.announcements.batches import (
    BATCH_SIZE,
    SUBMIT_LEASE,
    Batch,
    BatchPhase,
    DeliveryMode,
)
from bot.domain.announcements.recipients import (
    Figures,
    NewRecipient,
    Outcome,
    recipient_dedupe_key,
)
from bot.domain.platform.outbox import NewOutboxMessage, OutboxStatus
from bot.ports.platform import FinalVerdict
from bot.store import Database, SqlOutboxRepository
from bot.store.announcements.announcements import SqlAnnouncementRepository
from tests.integration.announcements import store_support
from tests.integration.announcements.store_support import messages_for

T0 = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
LATER = T0 + 60 * MINUTE  # every claim's hold (SUBMIT_LEASE) has passed
LEASE = 60.0


@pytest.fixture
def store(database: Database) -> SqlAnnouncementRepository:
    return SqlAnnouncementRepository(database)


@pytest.fixture
def outbox(database: Database) -> SqlOutboxRepository:
    return SqlOutboxRepository(database)


# As the other store tests make them, at this file's time, sent in batches.
draft_of = partial(store_support.draft_of, at=T0, delivery=DeliveryMode.BATCH)
sending = partial(store_support.sending, at=T0, delivery=DeliveryMode.BATCH)


async def cancel(store: SqlAnnouncementRepository, announcement: Announcement) -> None:
    cancelled = step(announcement, Step.CANCEL, T0 + MINUTE)
    assert await store.save(cancelled, announcement.version)


def people(
    count: int, locale: str = "nl", prefix: str = "U", entity: str = "DOMG"
) -> list[NewRecipient]:
    return [NewRecipient(f"{prefix}-{n:05d}", entity, locale) for n in range(count)]


def channels(count: int, locale: str = "nl") -> list[NewRecipient]:
    ids = [f"19:Chan{locale.upper()}{n}@thread.tacv2" for n in range(count)]
    return [NewRecipient(c, "DOMG", locale, conversation_id=c) for c in ids]


async def deliver(outbox: SqlOutboxRepository, verdicts: dict[str, OutboxStatus]) -> None:
    """Claim every due message and record its verdict by dedupe key."""
    claimed = await outbox.claim(1000, T0, LEASE)
    await outbox.finish_many(
        [FinalVerdict(m.id, verdicts[m.dedupe_key]) for m in claimed if m.dedupe_key in verdicts],
        T0 + MINUTE,
    )


# --- the delivery mode ------------------------------------------------------------------------


async def test_the_delivery_mode_is_stored_and_saved(store: SqlAnnouncementRepository) -> None:
    automatic = await draft_of(store, delivery=DeliveryMode.AUTOMATIC)
    batch = await draft_of(store)
    assert batch.delivery is DeliveryMode.BATCH
    assert (await store.get(automatic.id)) == automatic
    assert (await store.get(batch.id)) == batch
    chosen = replace(batch, delivery=DeliveryMode.PER_RECIPIENT, version=batch.version + 1)
    assert await store.save(chosen, batch.version)
    stored = await store.get(batch.id)
    assert stored is not None and stored.delivery is DeliveryMode.PER_RECIPIENT


# --- claiming ---------------------------------------------------------------------------------


async def test_a_claim_groups_by_language_and_channel_a_hundred_at_most(
    store: SqlAnnouncementRepository,
) -> None:
    crowd = [*people(150), *people(30, "en", "E"), *channels(5), *channels(2, "en")]
    announcement = await sending(store, *crowd)

    claimed = await store.claim_batches(announcement.id, 1000, T0)

    shapes = sorted((b.locale, b.in_channel, len(b.members)) for b in claimed)
    assert shapes == [
        ("en", False, 30),
        ("en", True, 2),
        ("nl", False, 50),
        ("nl", False, 100),
        ("nl", True, 5),
    ]
    assert all(
        b.phase is BatchPhase.CLAIMED and b.announcement_id == announcement.id for b in claimed
    )
    assert all(len(b.members) <= BATCH_SIZE and b.operation_id == "" for b in claimed)
    members = [m for b in claimed for m in b.members]
    assert len(members) == len(set(members)) == len(crowd)
    # People by their (lower-cased) user id; channels by their conversation id as Teams gave it.
    assert {m for b in claimed if not b.in_channel for m in b.members} == {
        r.user_id.lower() for r in crowd if not r.conversation_id
    }
    assert {m for b in claimed if b.in_channel for m in b.members} == {
        r.conversation_id for r in crowd if r.conversation_id
    }
    assert await store.claimed_batches(announcement.id, T0) == []  # held by their claimer
    assert await store.claimed_batches(announcement.id, LATER) == sorted(
        claimed, key=lambda b: b.id
    )
    assert await store.open_batches(announcement.id) == 5
    assert await store.unqueued(announcement.id) == 0
    assert await store.in_flight(announcement.id) == len(crowd)  # Teams is yet to send them
    assert await store.claim_batches(announcement.id, 1000, T0) == []
    figures = await store.figures(announcement.id)
    assert figures == Figures(audience=len(crowd), not_reached=len(crowd))


async def test_a_claim_takes_at_most_its_limit_by_user_id(store: SqlAnnouncementRepository) -> None:
    announcement = await sending(store, *people(250))
    first = await store.claim_batches(announcement.id, 120, T0)
    assert [len(b.members) for b in first] == [100, 20]
    assert first[0].members[0] == "u-00000" and first[1].members[-1] == "u-00119"
    assert await store.unqueued(announcement.id) == 130
    assert await store.claim_batches(announcement.id, 0, T0) == []
    rest = await store.claim_batches(announcement.id, 1000, T0)
    assert [len(b.members) for b in rest] == [100, 30]


async def test_nothing_is_claimed_unless_sending(store: SqlAnnouncementRepository) -> None:
    draft = await draft_of(store)
    await store.add_recipients(draft.id, people(3))
    assert await store.claim_batches(draft.id, 10, T0) == []
    running = step(draft, Step.SUBMIT, T0)
    assert await store.save(running, draft.version)
    assert [b.members for b in await store.claim_batches(running.id, 1, T0)] == [("u-00000",)]
    await cancel(store, running)
    assert await store.claim_batches(running.id, 10, T0) == []
    assert await store.claim_batches(running.id + 1000, 10, T0) == []
    assert await store.unqueued(running.id) == 2


async def test_two_replicas_claiming_at_once_never_take_one_person_twice(
    database: Database,
) -> None:
    replicas = [Database(database.url), Database(database.url)]

    async def drain(store: SqlAnnouncementRepository, announcement_id: int) -> list[Batch]:
        taken: list[Batch] = []
        while claimed := await store.claim_batches(announcement_id, 130, T0):
            taken += claimed
        return taken

    try:
        stores = [SqlAnnouncementRepository(replica) for replica in replicas]
        announcement = await sending(stores[0], *people(900), *people(300, "en", "E"))
        drained = await asyncio.gather(*(drain(stores[n % 2], announcement.id) for n in range(4)))
        claimed = [b for batches in drained for b in batches]
        members = [m for b in claimed for m in b.members]
        assert len(members) == len(set(members)) == 1200
        assert len({b.id for b in claimed}) == len(claimed)
        stored = await stores[1].claimed_batches(announcement.id, LATER)
        assert sorted(stored, key=lambda b: b.id) == sorted(claimed, key=lambda b: b.id)
        assert await stores[1].unqueued(announcement.id) == 0
    finally:
        for replica in replicas:
            await replica.dispose()


# --- running and settling ---------------------------------------------------------------------


async def test_a_batch_runs_is_checked_when_due_and_is_settled_once(
    store: SqlAnnouncementRepository, outbox: SqlOutboxRepository
) -> None:
    announcement = await sending(store, *people(150), *channels(3))
    by_id = {b.id: b for b in await store.claim_batches(announcement.id, 1000, T0)}
    first, second, team = sorted(by_id.values(), key=lambda b: (b.in_channel, b.id))
    await store.batch_started(first.id, "op-1", T0 + MINUTE)
    await store.batch_started(first.id, "op-again", T0)  # only a CLAIMED batch starts
    await store.batch_started(second.id, "op-2", T0 + 2 * MINUTE)

    assert await store.due_batches(announcement.id, T0) == []
    due = await store.due_batches(announcement.id, T0 + 5 * MINUTE)
    assert [(b.id, b.operation_id, b.phase) for b in due] == [
        (first.id, "op-1", BatchPhase.RUNNING),
        (second.id, "op-2", BatchPhase.RUNNING),
    ]
    assert due[0] == replace(
        first, phase=BatchPhase.RUNNING, operation_id="op-1", next_check_at=T0 + MINUTE
    )
    await store.postpone_batch(first.id, T0 + 10 * MINUTE)
    assert [b.id for b in await store.due_batches(announcement.id, T0 + 5 * MINUTE)] == [second.id]
    assert [b.id for b in await store.due_batches(announcement.id, T0 + 10 * MINUTE, limit=1)] == [
        second.id
    ]
    assert [b.id for b in await store.running_batches(announcement.id)] == [first.id, second.id]
    assert [b.id for b in await store.claimed_batches(announcement.id, LATER)] == [team.id]

    # Teams names failed members in its own case; strangers to the batch are ignored.
    failed = [first.members[3].upper(), first.members[7], "someone-else", second.members[0]]
    assert await store.settle_batch(first.id, failed, messages_for, T0 + 11 * MINUTE) == 2
    assert await store.settle_batch(first.id, failed, messages_for, T0 + 12 * MINUTE) == 0
    for member in (first.members[3], first.members[7]):
        assert await outbox.by_dedupe_key(recipient_dedupe_key(announcement.id, member))
    assert sum((await outbox.counts()).values()) == 2
    assert [b.id for b in await store.running_batches(announcement.id)] == [second.id]
    await store.postpone_batch(first.id, T0)  # a settled batch is never due again
    assert await store.due_batches(announcement.id, T0 + 60 * MINUTE) == [
        replace(
            second, phase=BatchPhase.RUNNING, operation_id="op-2", next_check_at=T0 + 2 * MINUTE
        )
    ]

    # A channel's failed entry is its conversation id, in any case; a CLAIMED batch (refused by
    # Teams) settles too.
    assert await store.settle_batch(team.id, [team.members[1].lower()], messages_for, T0) == 1
    channel = await outbox.by_dedupe_key(recipient_dedupe_key(announcement.id, team.members[1]))
    assert channel is not None and channel.conversation_id == team.members[1]
    await store.batch_started(team.id, "op-late", T0)  # settled: it stays so
    assert await store.claimed_batches(announcement.id, LATER) == []
    assert await store.open_batches(announcement.id) == 1
    assert await store.settle_batch(second.id, [], messages_for, T0 + 13 * MINUTE) == 0
    assert await store.open_batches(announcement.id) == 0
    assert await store.settle_batch(second.id, second.members, messages_for, T0) == 0


async def test_two_replicas_settling_one_batch_queue_its_failures_once(
    database: Database,
) -> None:
    replicas = [Database(database.url), Database(database.url)]
    try:
        stores = [SqlAnnouncementRepository(replica) for replica in replicas]
        announcement = await sending(stores[0], *people(100))
        (batch,) = await stores[0].claim_batches(announcement.id, 100, T0)
        await stores[0].batch_started(batch.id, "op-1", T0)
        failed = batch.members[:40]
        queued = await asyncio.gather(
            *(stores[n % 2].settle_batch(batch.id, failed, messages_for, T0) for n in range(4))
        )
        assert sorted(queued) == [0, 0, 0, 40]
        counts = await SqlOutboxRepository(replicas[1]).counts()
        assert counts[OutboxStatus.PENDING] == 40
    finally:
        for replica in replicas:
            await replica.dispose()


async def test_a_cancelled_announcements_failures_stay_not_reached(
    store: SqlAnnouncementRepository, outbox: SqlOutboxRepository
) -> None:
    announcement = await sending(store, *people(10))
    (batch,) = await store.claim_batches(announcement.id, 100, T0)
    await store.batch_started(batch.id, "op-1", T0)
    await cancel(store, announcement)

    assert await store.settle_batch(batch.id, batch.members[:4], messages_for, T0) == 0

    assert sum((await outbox.counts()).values()) == 0
    assert await store.open_batches(announcement.id) == 0
    assert await store.in_flight(announcement.id) == 0
    assert await store.figures(announcement.id) == Figures(audience=10, sent=6, not_reached=4)
    assert await store.settle_batch(batch.id, batch.members, messages_for, T0) == 0


async def test_a_failing_settle_writes_nothing(
    store: SqlAnnouncementRepository, outbox: SqlOutboxRepository
) -> None:
    announcement = await sending(store, *people(5))
    (batch,) = await store.claim_batches(announcement.id, 100, T0)

    def broken(a: Announcement, recipients: Sequence[NewRecipient]) -> list[NewOutboxMessage]:
        raise RuntimeError("card builder failed")

    with pytest.raises(RuntimeError):
        await store.settle_batch(batch.id, batch.members[:1], broken, T0)
    assert await store.claimed_batches(announcement.id, LATER) == [batch]
    assert await store.settle_batch(batch.id, batch.members[:1], messages_for, T0) == 1
    assert sum((await outbox.counts()).values()) == 1


# --- figures ----------------------------------------------------------------------------------


async def test_figures_add_up_from_batches_and_the_outbox(
    store: SqlAnnouncementRepository, outbox: SqlOutboxRepository
) -> None:
    """320 people in two entities: three batches settle (failed members sent one by one, some
    sent, some blocked, some still pending), one keeps running, twenty are never claimed."""
    crowd = people(200) + people(120, "nl", "V", entity="OMG")
    announcement = await sending(store, *crowd)
    assert await store.mark_resolved(announcement.id) == 320
    first, second, third = await store.claim_batches(announcement.id, 300, T0)
    for batch in (first, second, third):
        await store.batch_started(batch.id, f"op-{batch.id}", T0)
    settled_at = T0 + 3 * MINUTE
    assert await store.settle_batch(first.id, first.members[:10], messages_for, settled_at) == 10
    assert await store.settle_batch(second.id, [], messages_for, settled_at) == 0
    assert await store.in_flight(announcement.id) == 10 + 100  # pending ones and the third batch
    keys = [recipient_dedupe_key(announcement.id, m) for m in first.members[:10]]
    await deliver(
        outbox,
        {key: OutboxStatus.SENT for key in keys[:6]}
        | {key: OutboxStatus.UNREACHABLE for key in keys[6:8]},
    )  # the last two stay in flight
    batch_sent = first.members[10], second.members[0]
    for member in batch_sent:
        assert await store.acknowledge(announcement.id, member, T0)

    figures = await store.figures(announcement.id)

    assert figures == Figures(
        audience=320,
        sent=90 + 100 + 6,  # by the settled batches, and one by one
        blocked=2,
        not_reached=2 + 100 + 20,  # in flight, in the running batch, never claimed
        acknowledged=2,
    )
    assert figures.adds_up
    per_entity = await store.entity_figures(announcement.id)
    assert [(e.entity, e.figures.audience) for e in per_entity] == [("DOMG", 200), ("OMG", 120)]
    assert all(e.figures.adds_up for e in per_entity)
    assert sum(e.figures.sent for e in per_entity) == figures.sent
    assert await store.in_flight(announcement.id) == 2 + 100
    by_batch = await store.recipient(announcement.id, first.members[10])
    assert by_batch is not None and (by_batch.outcome, by_batch.sent_at) == (
        Outcome.SENT,
        settled_at,
    )
    one_by_one = await store.recipient(announcement.id, first.members[0])
    assert one_by_one is not None
    assert (one_by_one.outcome, one_by_one.sent_at) == (Outcome.SENT, T0 + MINUTE)
    blocked = await store.recipient(announcement.id, first.members[6])
    assert blocked is not None and (blocked.outcome, blocked.sent_at) == (Outcome.BLOCKED, None)
    running = await store.recipient(announcement.id, third.members[0])
    assert running is not None and (running.outcome, running.sent_at) == (Outcome.NOT_REACHED, None)
    # Only the messages sent one by one can be edited or recalled; all the reached are reminded.
    assert [user for user, _ in await store.reached(announcement.id)] == list(first.members[:6])
    not_acknowledged = await store.not_acknowledged(announcement.id, limit=1000)
    assert len(not_acknowledged) == 90 + 100 + 6 - 2
    assert not set(batch_sent) & set(not_acknowledged)


async def test_a_claimed_batch_is_submitted_by_one_replica_at_a_time(
    store: SqlAnnouncementRepository, database: Database
) -> None:
    announcement = await sending(store, *people(5))
    (batch,) = await store.claim_batches(announcement.id, 100, T0)
    assert batch.next_check_at == T0 + SUBMIT_LEASE
    # Held by its claimer: nobody else may take it, not even to stop it.
    assert not await store.take_batch(batch.id, T0 + SUBMIT_LEASE / 2)

    # Throttled: free again after the wait, for whoever comes first.
    await store.postpone_batch(batch.id, T0 + MINUTE)
    assert await store.claimed_batches(announcement.id, T0 + MINUTE / 2) == []
    replicas = [Database(database.url), Database(database.url)]
    try:
        stores = [SqlAnnouncementRepository(replica) for replica in replicas]
        later = T0 + 2 * MINUTE
        takes = await asyncio.gather(*(each.take_batch(batch.id, later) for each in stores * 3))
    finally:
        for replica in replicas:
            await replica.dispose()
    assert sorted(takes) == [False] * 5 + [True]
    (held,) = await store.claimed_batches(announcement.id, later + SUBMIT_LEASE)
    assert held.next_check_at == later + SUBMIT_LEASE

    await store.batch_started(batch.id, "op-1", later)
    assert not await store.take_batch(batch.id, LATER)  # running: nothing to take
