"""The outbox end to end: real store (SQLite and PostgreSQL), real ConnectorDelivery, and the
connector emulator over HTTP enforcing the Teams limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.domain.platform.delivery import Verdict
from bot.domain.platform.outbox import OutboxStatus
from bot.store import Database, SqlRateBudget
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.outbox.stack import TENANT, Stack
from tests.support.connector import EmulatorFactory
from tests.support.db import MakeDatabaseUrl
from tests.unit.outbox.fakes import eventually

LIMIT = 20


@pytest.fixture
async def emulator(connector_emulator_factory: EmulatorFactory) -> ConnectorEmulator:
    return await connector_emulator_factory(tenant_rate_per_second=LIMIT)


@pytest.fixture
async def stack(database: Database, emulator: ConnectorEmulator) -> AsyncIterator[Stack]:
    stack = Stack(database, emulator)
    yield stack
    await stack.close()


async def test_delivers_everything_once_within_the_tenant_limit(stack: Stack) -> None:
    people = await stack.known_people(40)
    people += [f"newcomer-{index}" for index in range(5)]  # no chat yet: opened on the way
    keys = await stack.queue(people)
    await stack.run_until_done(stack.sender(rate=LIMIT))

    assert (await stack.repo.counts())[OutboxStatus.SENT] == 45
    assert stack.accepted_per_key() == dict.fromkeys(keys, 1)
    assert stack.emulator.duplicates == 0
    assert stack.emulator.max_per_second_window <= LIMIT


async def test_the_sender_itself_keeps_under_its_rate(
    database: Database, connector_emulator_factory: EmulatorFactory
) -> None:
    """With the emulator only measuring, the sender alone keeps every sliding second within the
    limit, as the connector counts it: exactly, at full pace, whatever the delays."""
    measuring = await connector_emulator_factory(tenant_rate_per_second=None)
    stack = Stack(database, measuring)
    try:
        keys = await stack.queue(await stack.known_people(45))
        await stack.run_until_done(stack.sender(rate=LIMIT, concurrency=16))
    finally:
        await stack.close()
    assert stack.accepted_per_key() == dict.fromkeys(keys, 1)
    assert measuring.max_per_second_window <= LIMIT


async def test_a_429_pauses_sending_for_retry_after(stack: Stack) -> None:
    people = await stack.known_people(4)
    stack.emulator.inject(429, times=1, retry_after=1, user_id=people[0])
    keys = await stack.queue(people)
    await stack.run_until_done(stack.sender(concurrency=1))

    assert stack.accepted_per_key() == dict.fromkeys(keys, 1)
    throttled = next(r for r in stack.emulator.requests if r.status == 429)
    assert throttled.dedupe_key == keys[0]
    later = [r for r in stack.emulator.requests if r.at > throttled.at]
    assert len(later) == 4
    # nothing at all was sent to the tenant until Retry-After had passed
    assert all(r.at - throttled.at >= 1.0 for r in later)


async def test_transient_failures_are_retried(stack: Stack) -> None:
    people = await stack.known_people(3)
    stack.emulator.inject(502, times=1, user_id=people[0])
    stack.emulator.inject(412, times=1, user_id=people[1])
    stack.emulator.inject(504, times=2, user_id=people[2])
    keys = await stack.queue(people)
    await stack.run_until_done(stack.sender())

    assert stack.accepted_per_key() == dict.fromkeys(keys, 1)
    assert (await stack.repo.counts())[OutboxStatus.SENT] == 3


async def test_blocked_and_gone_are_recorded_apart_from_failures(stack: Stack) -> None:
    blocker, gone, fine = await stack.known_people(3)
    stack.emulator.block_user(blocker, "ConversationBlockedByUser")
    stack.emulator.drop_conversation(f"a:1person{1}")
    never_installed = "not-installed"
    stack.emulator.block_user(never_installed, "BotNotInConversationRoster")
    await stack.queue([blocker, gone, fine, never_installed])
    await stack.run_until_done(stack.sender())

    counts = await stack.repo.counts()
    assert counts[OutboxStatus.UNREACHABLE] == 2
    assert counts[OutboxStatus.GONE] == 1
    assert counts[OutboxStatus.SENT] == 1
    assert counts[OutboxStatus.FAILED] == 0
    assert [a.dedupe_key for a in stack.emulator.sends()] == [f"m:{fine}"]


async def test_opens_a_personal_chat_and_keeps_the_reference(stack: Stack) -> None:
    assert await stack.refs.get(TENANT, "stranger") is None
    await stack.queue(["stranger"], tag="first")
    await stack.run_until_done(stack.sender())

    ref = await stack.refs.get(TENANT, "stranger")
    assert ref is not None
    conversation = stack.emulator.conversations[ref.conversation_id]
    assert conversation.member_ids == ("stranger",)
    assert conversation.tenant_id == TENANT and not conversation.is_group
    assert ref.service_url == stack.emulator.service_url

    await stack.queue(["stranger"], tag="second")
    await stack.run_until_done(stack.sender())
    assert stack.emulator.stats.created_conversations == 1
    assert [a.conversation_id for a in stack.emulator.sends()] == [ref.conversation_id] * 2


async def test_a_killed_sender_loses_nothing_and_repeats_only_in_flight_messages(
    stack: Stack,
) -> None:
    keys = await stack.queue(await stack.known_people(40))
    concurrency = 4
    first = stack.sender(lease_seconds=1.0, concurrency=concurrency)
    task = asyncio.create_task(first.run(asyncio.Event()))
    await eventually(lambda: len(stack.emulator.sends()) >= 10)
    task.cancel()  # as good as kill -9 for this process's sends: nothing more is recorded
    with pytest.raises(asyncio.CancelledError):
        await task
    sent_before_kill = len(stack.emulator.sends())
    assert sent_before_kill < 40

    # a new sender takes over once the dead one's leases have expired
    await stack.run_until_done(stack.sender(lease_seconds=1.0, concurrency=concurrency))
    accepted = stack.accepted_per_key()
    assert set(accepted) == set(keys)  # nothing lost
    repeated = [key for key, times in accepted.items() if times > 1]
    assert all(accepted[key] == 2 for key in repeated)
    assert len(repeated) <= concurrency  # only what was in flight at the kill
    assert (await stack.repo.counts())[OutboxStatus.SENT] == 40


async def test_two_replicas_share_the_limit_and_never_send_twice(
    make_database_url: MakeDatabaseUrl, connector_emulator_factory: EmulatorFactory
) -> None:
    url = make_database_url("postgres")
    # Only measuring: the shared budget alone must keep both replicas together under the limit.
    emulator = await connector_emulator_factory(tenant_rate_per_second=None)
    replicas = [Database(url), Database(url)]
    stacks = [Stack(database, emulator) for database in replicas]
    try:
        keys = await stacks[0].queue(await stacks[0].known_people(60))
        delivered_by: list[list[Verdict]] = [[], []]
        senders = [
            stack.sender(
                rate=LIMIT * 0.9,
                budget=SqlRateBudget(stack.database, LIMIT * 0.9),
                # A send begun a fifth of the lease before its end may outlast the lease when
                # the loop stalls (2 s left 0.4 s: a fresh-clone CI run sent one message twice);
                # 5 s leaves a second, and still splits 60 messages over both replicas. Bots
                # run with 60 s (WERKPLEK_OUTBOX_LEASE_SECONDS).
                lease_seconds=5.0,
                on_result=lambda verdict, _, results=results: results.append(verdict),
            )
            for stack, results in zip(stacks, delivered_by, strict=True)
        ]
        await stacks[0].run_until_done(*senders)
        assert stacks[0].accepted_per_key() == dict.fromkeys(keys, 1)
        assert emulator.duplicates == 0
        assert emulator.max_per_second_window <= LIMIT
        assert all(results for results in delivered_by)  # both replicas took part
    finally:
        for stack in stacks:
            await stack.close()
        for database in replicas:
            await database.dispose()
