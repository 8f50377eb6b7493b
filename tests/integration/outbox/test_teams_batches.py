"""TeamsBatchOperations against the connector emulator over HTTP: starting operations, polling
them, their failed entries, cancelling, and each connector failure as its domain error."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.announcements.batches import BATCH_SIZE, FailedEntry, OperationStatus
from bot.domain.announcements.recipients import batch_dedupe_key, recipient_dedupe_key
from bot.domain.platform.connector_hosts import ConnectorHosts
from bot.domain.platform.delivery import Verdict
from bot.domain.platform.errors import (
    AppNotPermitted,
    InvalidInput,
    NotFound,
    Throttled,
    Unavailable,
)
from bot.domain.platform.outbox import OutboxMessage, OutboxStatus
from bot.teams.batches import TeamsBatchOperations
from bot.teams.delivery import ConnectorDelivery
from devtools.connector_emulator import BatchOperation, ConnectorEmulator
from tests.support.connector import EmulatorFactory
from tests.unit.outbox.fakes import FakeConversationRefs

TENANT = "tenant-1"
# The connector emulator stands in for Teams on a local port.
LOCAL = ConnectorHosts(["127.0.0.1"])
BatchesFactory = Callable[[ConnectorEmulator], TeamsBatchOperations]


class Tokens:
    """A token provider that counts how often it was asked."""

    def __init__(self) -> None:
        self.issued = 0

    async def __call__(self) -> str:
        self.issued += 1
        return f"token-{self.issued}"


@pytest.fixture
async def tokens() -> Tokens:
    return Tokens()


@pytest.fixture
async def make_batches(tokens: Tokens) -> AsyncIterator[BatchesFactory]:
    made: list[TeamsBatchOperations] = []

    def make(emulator: ConnectorEmulator) -> TeamsBatchOperations:
        batches = TeamsBatchOperations(
            service_url=emulator.service_url,
            connector_hosts=LOCAL,
            token_provider=tokens,
            request_timeout_seconds=5.0,
            max_connections_per_service=10,
        )
        made.append(batches)
        return batches

    yield make
    for batches in made:
        await batches.close()


@pytest.fixture
async def batches(
    connector_emulator: ConnectorEmulator, make_batches: BatchesFactory
) -> TeamsBatchOperations:
    return make_batches(connector_emulator)


def announcement(announcement_id: int = 42) -> dict[str, Any]:
    return {
        "type": "message",
        "text": "Mededeling",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": {"a": 1}}
        ],
        "channelData": {
            "tenant": {"id": TENANT},
            "werkplekDedupeKey": batch_dedupe_key(announcement_id),
        },
    }


async def finished(batches: TeamsBatchOperations, operation_id: str) -> OperationStatus:
    for _ in range(200):
        status = await batches.status(operation_id)
        if status.finished:
            return status
        await asyncio.sleep(0.02)
    raise AssertionError("the operation did not finish")


async def all_failed(batches: TeamsBatchOperations, operation_id: str) -> list[list[FailedEntry]]:
    pages = [await batches.failed_entries(operation_id)]
    while pages[-1].continuation:
        pages.append(await batches.failed_entries(operation_id, pages[-1].continuation))
    return [list(page.entries) for page in pages]


async def test_sends_to_users_and_reports_the_state_until_completed(
    connector_emulator: ConnectorEmulator, batches: TeamsBatchOperations
) -> None:
    activity = announcement()
    operation_id = await batches.send_to_users(TENANT, activity, ["user-1", "user-2", "user-3"])

    status = await finished(batches, operation_id)
    assert status == OperationStatus("Completed", 3, {201: 3}, None)
    delivered = connector_emulator.batch_sends()
    assert [entry.member_id for entry in delivered] == ["user-1", "user-2", "user-3"]
    assert delivered[0].activity == activity  # channelData and its dedupe key intact
    assert delivered[0].had_token
    assert (await batches.failed_entries(operation_id)).entries == ()


async def test_sends_to_channels_and_lists_the_one_that_is_gone(
    connector_emulator: ConnectorEmulator, batches: TeamsBatchOperations
) -> None:
    connector_emulator.add_conversation("19:general@thread.tacv2", TENANT)
    connector_emulator.drop_conversation("19:gone@thread.tacv2")

    operation_id = await batches.send_to_channels(
        TENANT, announcement(), ["19:general@thread.tacv2", "19:gone@thread.tacv2"]
    )
    status = await finished(batches, operation_id)

    assert status.status_map == {201: 1, 404: 1}
    page = await batches.failed_entries(operation_id)
    assert page.entries == (FailedEntry("19:gone@thread.tacv2", "ConversationNotFound"),)
    assert page.continuation == ""


async def test_failed_entries_are_read_page_by_page(
    connector_emulator_factory: EmulatorFactory, make_batches: BatchesFactory
) -> None:
    emulator = await connector_emulator_factory(failed_entries_page=2)
    batches = make_batches(emulator)
    people = [f"user-{n}" for n in range(6)]
    for person in people[:5]:
        emulator.block_user(person)

    operation_id = await batches.send_to_users(TENANT, announcement(), people)
    await finished(batches, operation_id)

    pages = await all_failed(batches, operation_id)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [entry.member_id for page in pages for entry in page] == people[:5]
    assert {entry.error for page in pages for entry in page} == {"MessageWritesBlocked"}


async def test_a_cancelled_operation_sends_nothing_more(
    connector_emulator_factory: EmulatorFactory, make_batches: BatchesFactory
) -> None:
    emulator = await connector_emulator_factory(batch_entries_per_second=50.0)
    batches = make_batches(emulator)
    people = [f"user-{n}" for n in range(40)]
    operation_id = await batches.send_to_users(TENANT, announcement(), people)
    await asyncio.sleep(0.1)

    await batches.cancel(operation_id)
    status = await batches.status(operation_id)

    assert status.state == "Cancelled" and status.finished
    sent = len(emulator.batch_sends())
    assert 0 < sent < len(people)
    errors = [entry.error for page in await all_failed(batches, operation_id) for entry in page]
    assert errors == ["OperationCancelled"] * (len(people) - sent)


async def test_throttling_is_throttled_with_retry_after(
    connector_emulator: ConnectorEmulator, batches: TeamsBatchOperations
) -> None:
    for _ in range(4):  # the emulator's batch create limit: 4 a second per app and tenant
        await batches.send_to_users(TENANT, announcement(), ["user-1"])
    with pytest.raises(Throttled) as throttled:
        await batches.send_to_users(TENANT, announcement(), ["user-1"])
    assert throttled.value.retry_after == 1.0

    connector_emulator.inject(429, 1, retry_after=7)
    with pytest.raises(Throttled) as injected:
        await batches.status("any")
    assert injected.value.retry_after == 7.0


async def test_refusals_and_failures_are_domain_errors(
    connector_emulator: ConnectorEmulator, batches: TeamsBatchOperations
) -> None:
    with pytest.raises(InvalidInput):  # no tenant: Teams refuses the request itself
        await batches.send_to_users("", announcement(), ["user-1"])
    for call in (batches.status, batches.failed_entries, batches.cancel):
        with pytest.raises(NotFound):
            await call("no-such-operation")
    connector_emulator.inject(503, 1)
    with pytest.raises(Unavailable):
        await batches.send_to_users(TENANT, announcement(), ["user-1"])
    connector_emulator.inject(403, 1)
    with pytest.raises(AppNotPermitted):
        await batches.send_to_channels(TENANT, announcement(), ["19:c@thread.tacv2"])


async def test_a_401_is_not_permitted_and_the_next_call_renews_the_token(
    connector_emulator: ConnectorEmulator, batches: TeamsBatchOperations, tokens: Tokens
) -> None:
    connector_emulator.inject(401, 1)
    with pytest.raises(AppNotPermitted):
        await batches.send_to_users(TENANT, announcement(), ["user-1"])
    assert tokens.issued == 1

    await batches.send_to_users(TENANT, announcement(), ["user-1"])
    assert tokens.issued == 2


async def test_a_connector_that_does_not_answer_is_unavailable(tokens: Tokens) -> None:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: nothing listens there
    batches = TeamsBatchOperations(
        service_url=f"http://127.0.0.1:{port}/",
        connector_hosts=LOCAL,
        token_provider=None,
        request_timeout_seconds=2.0,
        max_connections_per_service=1,
    )
    try:
        with pytest.raises(Unavailable):
            await batches.status("op-1")
    finally:
        await batches.close()


async def test_a_bad_request_from_the_caller_is_refused_before_sending(
    connector_emulator: ConnectorEmulator, batches: TeamsBatchOperations
) -> None:
    too_many = [f"user-{n}" for n in range(BATCH_SIZE + 1)]
    for members in (too_many, []):
        with pytest.raises(ValueError, match="members"):
            await batches.send_to_users(TENANT, announcement(), members)
    with pytest.raises(InvalidInput):
        await batches.send_to_users(TENANT, {"type": "message", "locale": ""}, ["user-1"])
    with pytest.raises(ValueError, match="allowed connector host"):
        TeamsBatchOperations(
            service_url="https://evil.example.net/",
            connector_hosts=LOCAL,
            token_provider=None,
        )
    assert connector_emulator.requests == []


async def test_a_status_with_a_retry_after_date_is_seconds_from_now(
    batches: TeamsBatchOperations, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The emulator never asks to wait: an answer with a date shows that it is read.
    operation_id = await batches.send_to_users(TENANT, announcement(), ["user-1"])
    later = datetime.fromtimestamp(datetime.now(UTC).timestamp() + 30, UTC).isoformat()
    original = BatchOperation.state_json

    def with_retry_after(operation: BatchOperation) -> dict[str, Any]:
        return {**original(operation), "retryAfter": later}

    monkeypatch.setattr(BatchOperation, "state_json", with_retry_after)
    status = await batches.status(operation_id)
    assert status.retry_after_seconds is not None and 25 < status.retry_after_seconds <= 30


async def test_a_person_reached_by_a_batch_then_sent_singly_is_a_duplicate(
    connector_emulator: ConnectorEmulator, batches: TeamsBatchOperations
) -> None:
    """The benchmark's duplicate count depends on batch and outbox keys meeting."""
    operation_id = await batches.send_to_users(TENANT, announcement(42), ["Person-X"])
    await finished(batches, operation_id)
    [entry] = connector_emulator.batch_sends()
    delivery = ConnectorDelivery(
        conversations=FakeConversationRefs(),
        bot_app_id="28:bot",
        default_service_url=connector_emulator.service_url,
        connector_hosts=LOCAL,
    )
    single = OutboxMessage(
        id=1,
        tenant_id=TENANT,
        dedupe_key=recipient_dedupe_key(42, "Person-X"),
        activity={"type": "message", "text": "Mededeling"},
        status=OutboxStatus.IN_FLIGHT,
        attempts=0,
        created_at=datetime.now(UTC),
        recipient_id="Person-X",
        conversation_id=entry.conversation_id,
    )
    try:
        outcome = await delivery.deliver(single, _no_permit)
    finally:
        await delivery.close()

    assert outcome.verdict is Verdict.SENT
    assert connector_emulator.duplicates == 1


@contextlib.asynccontextmanager
async def _permit() -> AsyncIterator[None]:
    yield


def _no_permit() -> contextlib.AbstractAsyncContextManager[None]:
    return _permit()
