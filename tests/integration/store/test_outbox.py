"""The outbox on both dialects: bulk enqueue with dedupe, leased claims, verdicts, counts,
edits in place (replaces, activity_id) and the migration that added them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from bot.domain.platform.outbox import NewOutboxMessage, OutboxStatus
from bot.ports.platform import FinalVerdict
from bot.store import Database, SqlOutboxRepository
from bot.store.migrator import alembic_config
from bot.store.platform.outbox import enqueue_in
from tests.support.db import DIALECTS, MakeDatabaseUrl

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
LEASE = 60.0


def message(key: str, **fields: object) -> NewOutboxMessage:
    activity = {"type": "message", "text": f"Aankondiging {key}", "attachments": []}
    return NewOutboxMessage(
        tenant_id="t1", dedupe_key=key, activity=activity, recipient_id=f"user-{key}", **fields
    )


@pytest.fixture
def outbox(database: Database) -> SqlOutboxRepository:
    return SqlOutboxRepository(database)


async def test_enqueue_skips_known_dedupe_keys_even_within_one_batch(
    outbox: SqlOutboxRepository,
) -> None:
    assert await outbox.enqueue([message("a"), message("b"), message("a")], T0) == 2
    assert await outbox.enqueue([message("b"), message("c")], T0) == 1
    assert await outbox.enqueue([], T0) == 0
    assert (await outbox.counts())[OutboxStatus.PENDING] == 3


async def test_enqueue_takes_ten_thousand_messages_in_one_call(
    outbox: SqlOutboxRepository,
) -> None:
    batch = [message(f"ann-1:{i}") for i in range(10_000)]
    assert await outbox.enqueue(batch, T0) == 10_000
    assert await outbox.enqueue([*batch[:100], message("ann-1:extra")], T0) == 1
    assert (await outbox.counts())[OutboxStatus.PENDING] == 10_001


async def test_a_claim_leases_the_oldest_due_messages_whole(outbox: SqlOutboxRepository) -> None:
    target = NewOutboxMessage(
        "t1", "chan", {"type": "message", "text": "x"}, conversation_id="19:c", service_url="s/"
    )
    await outbox.enqueue([message("a"), message("b"), target, message("d")], T0)
    claimed = await outbox.claim(3, T0, LEASE)
    assert [m.dedupe_key for m in claimed] == ["a", "b", "chan"]
    assert claimed[0].id < claimed[1].id < claimed[2].id
    first = claimed[0]
    assert first.status is OutboxStatus.IN_FLIGHT
    assert first.lease_until == T0 + timedelta(seconds=LEASE)
    assert first.created_at == T0 and first.attempts == 1  # the claim is the attempt
    assert first.activity == {"type": "message", "text": "Aankondiging a", "attachments": []}
    assert (first.recipient_id, claimed[2].conversation_id, claimed[2].service_url) == (
        "user-a",
        "19:c",
        "s/",
    )
    assert [m.dedupe_key for m in await outbox.claim(10, T0, LEASE)] == ["d"]
    assert await outbox.claim(10, T0, LEASE) == []


async def test_an_expired_lease_is_claimed_again(outbox: SqlOutboxRepository) -> None:
    await outbox.enqueue([message("a"), message("b")], T0)
    claimed = await outbox.claim(10, T0, LEASE)
    await outbox.finish(claimed[1].id, OutboxStatus.SENT, T0 + timedelta(seconds=1))
    assert await outbox.claim(10, T0 + timedelta(seconds=LEASE), LEASE) == []  # not yet expired
    later = T0 + timedelta(seconds=LEASE + 1)
    again = await outbox.claim(10, later, LEASE)
    assert [(m.id, m.lease_until) for m in again] == [
        (claimed[0].id, later + timedelta(seconds=LEASE))
    ]


async def test_deferred_messages_wait_for_not_before(outbox: SqlOutboxRepository) -> None:
    await outbox.enqueue([message("later", not_before=T0 + timedelta(minutes=5))], T0)
    assert await outbox.claim(10, T0, LEASE) == []
    claimed = await outbox.claim(10, T0 + timedelta(minutes=5), LEASE)
    assert [m.dedupe_key for m in claimed] == ["later"]


async def test_retry_later_defers_and_each_claim_counts_one_attempt(
    outbox: SqlOutboxRepository,
) -> None:
    await outbox.enqueue([message("a")], T0)
    (claimed,) = await outbox.claim(1, T0, LEASE)
    retry_at = T0 + timedelta(seconds=30)
    await outbox.retry_later(claimed.id, retry_at, "HTTP 502 from the connector")
    assert (await outbox.counts())[OutboxStatus.PENDING] == 1
    assert await outbox.claim(1, retry_at - timedelta(microseconds=1), LEASE) == []
    (again,) = await outbox.claim(1, retry_at, LEASE)
    assert (again.attempts, again.not_before, again.last_error) == (
        2,
        retry_at,
        "HTTP 502 from the connector",
    )


async def test_finish_records_the_verdict_and_counts_add_up(outbox: SqlOutboxRepository) -> None:
    await outbox.enqueue([message(key) for key in "abcdef"], T0)
    a, b, c, d, _e = await outbox.claim(5, T0, LEASE)
    done = T0 + timedelta(seconds=2)
    await outbox.finish(a.id, OutboxStatus.SENT, done)
    await outbox.finish(b.id, OutboxStatus.SENT, done)
    await outbox.finish(c.id, OutboxStatus.UNREACHABLE, done, "403 MessageWritesBlocked")
    await outbox.finish(d.id, OutboxStatus.GONE, done, "404")
    assert await outbox.counts() == {
        OutboxStatus.PENDING: 1,
        OutboxStatus.IN_FLIGHT: 1,
        OutboxStatus.SENT: 2,
        OutboxStatus.UNREACHABLE: 1,
        OutboxStatus.GONE: 1,
        OutboxStatus.FAILED: 0,
        OutboxStatus.DEAD: 0,
    }
    # Finished messages never come back, however old their lease.
    later = await outbox.claim(10, done + timedelta(hours=1), LEASE)
    assert sorted(m.dedupe_key for m in later) == ["e", "f"]


async def test_finish_refuses_a_status_that_is_not_final(outbox: SqlOutboxRepository) -> None:
    with pytest.raises(ValueError, match="final"):
        await outbox.finish(1, OutboxStatus.PENDING, T0)


async def test_concurrent_claimers_never_share_a_message(database: Database) -> None:
    """Two replicas (separate engines and connections), four claimers each, until drained."""
    await SqlOutboxRepository(database).enqueue([message(f"m{i}") for i in range(3000)], T0)
    replicas = [Database(database.url), Database(database.url)]

    async def drain(outbox: SqlOutboxRepository) -> list[int]:
        taken: list[int] = []
        while batch := await outbox.claim(37, T0, LEASE):
            taken.extend(m.id for m in batch)
        return taken

    try:
        claimers = [SqlOutboxRepository(replica) for replica in replicas for _ in range(4)]
        results = await asyncio.gather(*(drain(claimer) for claimer in claimers))
    finally:
        for replica in replicas:
            await replica.dispose()
    everything = [message_id for taken in results for message_id in taken]
    assert len(everything) == len(set(everything)) == 3000
    assert sum(1 for taken in results if taken) > 1  # the claimers really did interleave


async def test_finish_many_records_every_verdict_in_one_go(outbox: SqlOutboxRepository) -> None:
    await outbox.enqueue([message(f"m{i}") for i in range(300)], T0)
    claimed = await outbox.claim(300, T0, LEASE)
    statuses = [OutboxStatus.SENT, OutboxStatus.GONE, OutboxStatus.FAILED]
    verdicts = [
        FinalVerdict(m.id, statuses[i % 3], "" if i % 3 == 0 else "nope", f"1:{i}")
        for i, m in enumerate(claimed)
    ]
    await outbox.finish_many(verdicts, T0 + timedelta(seconds=1))
    await outbox.finish_many([], T0)
    counts = await outbox.counts()
    assert [counts[status] for status in statuses] == [100, 100, 100]
    assert counts[OutboxStatus.IN_FLIGHT] == 0
    last = await outbox.by_dedupe_key("m299")
    assert last is not None
    assert (last.status, last.last_error, last.activity_id) == (
        OutboxStatus.FAILED,
        "nope",
        "1:299",
    )


async def test_finish_many_writes_nothing_when_one_verdict_is_not_final(
    outbox: SqlOutboxRepository,
) -> None:
    await outbox.enqueue([message("a"), message("b")], T0)
    a, b = await outbox.claim(2, T0, LEASE)
    with pytest.raises(ValueError, match="final"):
        await outbox.finish_many(
            [FinalVerdict(a.id, OutboxStatus.SENT), FinalVerdict(b.id, OutboxStatus.PENDING)], T0
        )
    assert (await outbox.counts())[OutboxStatus.IN_FLIGHT] == 2


async def test_a_replacing_message_names_the_one_it_edits(outbox: SqlOutboxRepository) -> None:
    await outbox.enqueue([message("card:1"), message("card:1:v2", replaces="card:1")], T0)
    original, replacing = await outbox.claim(2, T0, LEASE)
    assert (original.replaces, replacing.replaces) == ("", "card:1")
    assert (original.activity_id, replacing.activity_id) == ("", "")
    sent = T0 + timedelta(seconds=1)
    await outbox.finish(original.id, OutboxStatus.SENT, sent, activity_id="1:1717171717")
    stored = await outbox.by_dedupe_key("card:1")
    assert stored is not None
    assert (stored.id, stored.status, stored.sent_at, stored.activity_id) == (
        original.id,
        OutboxStatus.SENT,
        sent,
        "1:1717171717",
    )
    assert stored.activity == original.activity
    again = await outbox.by_dedupe_key("card:1:v2")
    assert again is not None and again.replaces == "card:1"
    assert await outbox.by_dedupe_key("card:unknown") is None


async def test_finish_many_still_takes_plain_tuples(outbox: SqlOutboxRepository) -> None:
    """Callers written before FinalVerdict pass (id, status, error)."""
    await outbox.enqueue([message("a")], T0)
    (a,) = await outbox.claim(1, T0, LEASE)
    await outbox.finish_many([(a.id, OutboxStatus.GONE, "404")], T0)  # type: ignore[list-item]
    stored = await outbox.by_dedupe_key("a")
    assert stored is not None and (stored.status, stored.activity_id) == (OutboxStatus.GONE, "")


async def test_enqueue_in_joins_the_callers_transaction(database: Database) -> None:
    outbox = SqlOutboxRepository(database)
    await outbox.enqueue([message("a")], T0)
    with pytest.raises(RuntimeError, match="changed my mind"):
        async with database.transaction() as connection:
            assert await enqueue_in(connection, [message("a"), message("b")], T0) == 1
            raise RuntimeError("changed my mind")
    assert await outbox.by_dedupe_key("b") is None
    async with database.transaction() as connection:
        assert await enqueue_in(connection, [message("b"), message("c", replaces="a")], T0) == 2
        assert await enqueue_in(connection, [], T0) == 0
    stored = await outbox.by_dedupe_key("c")
    assert stored is not None and stored.replaces == "a"
    assert (await outbox.counts())[OutboxStatus.PENDING] == 3


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_messages_queued_before_0002_survive_the_upgrade(
    dialect: str, make_database_url: MakeDatabaseUrl
) -> None:
    """A bot upgraded with messages in its outbox sends them; a downgrade keeps them too."""
    database = Database(make_database_url(dialect, migrated=False))

    def to_revision(revision: str, down: bool = False) -> Callable[[sa.Connection], None]:
        def run(connection: sa.Connection) -> None:
            move = command.downgrade if down else command.upgrade
            move(alembic_config(connection), revision)

        return run

    try:
        async with database.transaction() as connection:
            await connection.run_sync(to_revision("0001"))
            await connection.execute(
                sa.text(
                    "INSERT INTO outbox (tenant_id, dedupe_key, activity, created_at) "
                    "VALUES ('t1', 'old', :activity, :at)"
                ),
                {"activity": '{"type": "message", "text": "Oud"}', "at": T0.replace(tzinfo=None)},
            )
        assert await database.readiness() == (True, False)
        await database.migrate()
        assert await database.readiness() == (True, True)
        outbox = SqlOutboxRepository(database)
        (old,) = await outbox.claim(10, T0, LEASE)
        assert (old.dedupe_key, old.activity, old.replaces, old.activity_id) == (
            "old",
            {"type": "message", "text": "Oud"},
            "",
            "",
        )
        await outbox.finish(old.id, OutboxStatus.SENT, T0, activity_id="1:42")
        async with database.transaction() as connection:
            await connection.run_sync(to_revision("0001", down=True))
        async with database.connect() as connection:
            rows = (
                await connection.execute(sa.text("SELECT dedupe_key, status FROM outbox"))
            ).all()
        assert [tuple(row) for row in rows] == [("old", "sent")]
    finally:
        await database.dispose()


async def test_a_claim_whose_sender_died_comes_back_with_the_attempt_counted(
    outbox: SqlOutboxRepository,
) -> None:
    await outbox.enqueue([message("a")], T0)
    for expected in (1, 2, 3):  # each sender killed before it could record a verdict
        now = T0 + timedelta(seconds=(expected - 1) * (LEASE + 1))
        (claimed,) = await outbox.claim(1, now, LEASE)
        assert claimed.attempts == expected


async def test_release_gives_the_claim_and_its_attempt_back_only_while_it_is_ours(
    outbox: SqlOutboxRepository,
) -> None:
    await outbox.enqueue([message("a"), message("b")], T0)
    a, b = await outbox.claim(2, T0, LEASE)
    assert a.lease_until is not None and b.lease_until is not None
    assert await outbox.release(a.id, a.lease_until)
    (again,) = await outbox.claim(1, T0, LEASE)
    assert (again.id, again.attempts) == (a.id, 1)  # claimable at once, the attempt returned
    await outbox.finish(a.id, OutboxStatus.SENT, T0)
    assert not await outbox.release(a.id, again.lease_until or T0)  # finished: nothing to give
    # b's lease ran out and another sender claimed it: the first sender's give-back is too late
    later = T0 + timedelta(seconds=LEASE + 1)
    (taken,) = await outbox.claim(1, later, LEASE)
    assert taken.id == b.id and taken.attempts == 2
    assert not await outbox.release(b.id, b.lease_until)
    stored = await outbox.by_dedupe_key("b")
    assert stored is not None
    assert (stored.status, stored.attempts, stored.lease_until) == (
        OutboxStatus.IN_FLIGHT,
        2,
        taken.lease_until,
    )


async def test_a_dead_letter_is_final_and_never_claimed_again(outbox: SqlOutboxRepository) -> None:
    await outbox.enqueue([message("a")], T0)
    (a,) = await outbox.claim(1, T0, LEASE)
    await outbox.finish(a.id, OutboxStatus.DEAD, T0, "no verdict after 8 attempts")
    assert await outbox.claim(1, T0 + timedelta(days=1), LEASE) == []
    counts = await outbox.counts()
    assert (counts[OutboxStatus.DEAD], counts[OutboxStatus.FAILED]) == (1, 0)
    stored = await outbox.by_dedupe_key("a")
    assert stored is not None and stored.last_error == "no verdict after 8 attempts"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_0004_allows_dead_letters_and_its_downgrade_keeps_them_as_failed(
    dialect: str, make_database_url: MakeDatabaseUrl
) -> None:
    database = Database(make_database_url(dialect, migrated=False))

    def to_revision(revision: str, down: bool = False) -> Callable[[sa.Connection], None]:
        def run(connection: sa.Connection) -> None:
            (command.downgrade if down else command.upgrade)(alembic_config(connection), revision)

        return run

    insert = sa.text(
        "INSERT INTO outbox (tenant_id, dedupe_key, activity, created_at, status) "
        "VALUES ('t1', :key, '{}', :at, :status)"
    )
    try:
        async with database.transaction() as connection:
            await connection.run_sync(to_revision("0003"))
            await connection.execute(
                insert, {"key": "old", "at": T0.replace(tzinfo=None), "status": "sent"}
            )
        async with database.transaction() as connection:
            await connection.run_sync(to_revision("0004"))
            await connection.execute(
                insert, {"key": "dead", "at": T0.replace(tzinfo=None), "status": "dead"}
            )
            await connection.execute(
                insert, {"key": "fresh", "at": T0.replace(tzinfo=None), "status": "pending"}
            )
        with pytest.raises(sa.exc.IntegrityError):  # the check still refuses what is unknown
            async with database.transaction() as connection:
                await connection.execute(
                    insert, {"key": "odd", "at": T0.replace(tzinfo=None), "status": "lost"}
                )
        async with database.connect() as connection:
            ids = dict(
                (await connection.execute(sa.text("SELECT dedupe_key, id FROM outbox"))).all()
            )
        assert ids["old"] < ids["dead"] < ids["fresh"]  # ids kept across the table's copy
        async with database.transaction() as connection:
            await connection.run_sync(to_revision("0003", down=True))
        async with database.connect() as connection:
            rows = (
                await connection.execute(
                    sa.text("SELECT dedupe_key, status FROM outbox ORDER BY id")
                )
            ).all()
        assert [tuple(row) for row in rows] == [
            ("old", "sent"),
            ("dead", "failed"),
            ("fresh", "pending"),
        ]
    finally:
        await database.dispose()
