"""Only allowed connector hosts are sent to, and no connector answer holds a tenant for long: the
outbox (store on both dialects, ConnectorDelivery, the sender) against the connector emulator."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.domain.platform.connector_hosts import ConnectorHosts
from bot.domain.platform.conversations import ConversationRef
from bot.domain.platform.delivery import Verdict
from bot.domain.platform.outbox import DeadReason, NewOutboxMessage, OutboxMessage, OutboxStatus
from bot.store import Database
from bot.store.platform.tables import outbox
from bot.teams.connector_clients import MAX_SERVICE_URLS
from bot.teams.delivery import ConnectorDelivery
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.outbox.stack import BOT_ID, TENANT, Stack
from tests.integration.outbox.test_connector_delivery import Permits, outbox_message

# Where an attacker's activity or a stale reference might point: same emulator, other host name.
FOREIGN = "http://localhost:{port}/"


@pytest.fixture
async def stack(database: Database, connector_emulator: ConnectorEmulator) -> AsyncIterator[Stack]:
    stack = Stack(database, connector_emulator)
    yield stack
    await stack.close()


def foreign(emulator: ConnectorEmulator) -> str:
    return FOREIGN.format(port=emulator.service_url.rstrip("/").rsplit(":", 1)[1])


async def test_a_reference_on_a_host_not_allowed_is_set_aside_and_never_sent_to(
    stack: Stack,
) -> None:
    fine = await stack.known_people(2)
    stack.emulator.add_conversation("a:1stale", TENANT, "stale", BOT_ID)
    await stack.refs.save(
        ConversationRef("stale", TENANT, foreign(stack.emulator), "a:1stale", BOT_ID)
    )
    dead: list[tuple[str, DeadReason]] = []

    async def record(message: OutboxMessage, why: DeadReason) -> None:
        dead.append((message.dedupe_key, why))

    await stack.queue([*fine, "stale"])
    await stack.run_until_done(stack.sender(on_dead_letter=record))
    assert sorted(a.dedupe_key for a in stack.emulator.sends()) == [f"m:{p}" for p in fine]
    stale = await stack.repo.by_dedupe_key("m:stale")
    assert stale is not None
    assert (stale.status, stale.last_error, stale.attempts) == (
        OutboxStatus.DEAD,
        "connector host not allowed",
        1,
    )
    assert dead == [("m:stale", DeadReason.HOST_REFUSED)]


async def test_a_channel_message_or_an_edit_aimed_elsewhere_is_refused_without_a_request(
    stack: Stack,
) -> None:
    elsewhere = foreign(stack.emulator)
    channel = outbox_message("chan", conversation_id="19:c@thread.tacv2", service_url=elsewhere)
    outcome = await stack.delivery.deliver(channel, Permits())
    assert (outcome.verdict, outcome.error) == (Verdict.REFUSED, "connector host not allowed")

    await stack.repo.enqueue(
        [NewOutboxMessage(TENANT, "orig", {"type": "message"}, conversation_id="19:c")], _now()
    )
    (original,) = await stack.repo.claim(1, _now(), 30.0)
    await stack.repo.finish(original.id, OutboxStatus.SENT, _now(), activity_id="1:1")
    async with stack.database.transaction() as connection:  # sent before the host was dropped
        await connection.execute(
            outbox.update().where(outbox.c.id == original.id).values(service_url=elsewhere)
        )
    edit = outbox_message("orig:v2", conversation_id="", replaces="orig")
    outcome = await stack.delivery.deliver(edit, Permits())
    assert outcome.verdict is Verdict.REFUSED
    assert stack.emulator.requests == []


async def test_the_default_service_url_must_itself_be_allowed(stack: Stack) -> None:
    with pytest.raises(ValueError, match="not on an allowed connector host"):
        ConnectorDelivery(
            conversations=stack.refs,
            bot_app_id=BOT_ID,
            default_service_url=foreign(stack.emulator),
            connector_hosts=ConnectorHosts(["127.0.0.1"]),
        )


async def test_a_day_long_retry_after_pauses_the_tenant_only_for_the_cap(stack: Stack) -> None:
    people = await stack.known_people(6)
    stack.emulator.inject(429, times=1, retry_after=86_400)
    keys = await stack.queue(people)
    started = time.monotonic()
    await stack.run_until_done(stack.sender(max_retry_after_seconds=1.0), patience=30.0)
    assert time.monotonic() - started < 15.0  # a day's pause would have timed out
    assert set(stack.accepted_per_key()) == set(keys)
    assert (await stack.repo.counts())[OutboxStatus.SENT] == len(people)


async def test_the_sessions_kept_per_service_url_are_bounded(stack: Stack) -> None:
    delivery = stack.delivery
    pool = delivery._clients
    base = stack.emulator.service_url
    clients = [await pool.client(f"{base}region-{index}/") for index in range(40)]
    assert len(pool._open) == MAX_SERVICE_URLS
    assert len(pool._closing) == 40 - MAX_SERVICE_URLS  # each closed once its requests end
    assert clients[-1] is await pool.client(f"{base}region-39/")
    await delivery.close()
    assert all(client.client.closed for client in clients)


def _now() -> datetime:
    return datetime.now(UTC)
