"""The connector emulator's Teams batch operations over real HTTP: creating, polling, failed
entries and their pages, limits, cancelling, and duplicates across batch and single sends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import pytest

from devtools.connector_emulator import ConnectorEmulator
from devtools.connector_emulator.batches import CANCELLED_ENTRY_STATUS
from tests.support.connector import EmulatorFactory

TENANT = "tenant-1"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, method: str, url: str, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any], Mapping[str, str]]:
    async with http.request(method, url, json=body) as response:
        data = await response.json() if response.content_length else {}
        return response.status, data, response.headers


def batch(members: list[str], key: str = "", tenant: str | None = TENANT) -> dict[str, Any]:
    channel_data: dict[str, Any] = {"tenant": {"id": TENANT}}
    if key:
        channel_data["werkplekDedupeKey"] = key
    body: dict[str, Any] = {
        "activity": {"type": "message", "text": "Mededeling", "channelData": channel_data},
        "members": [{"id": member} for member in members],
    }
    if tenant is not None:
        body["tenantId"] = tenant
    return body


async def create(
    http: aiohttp.ClientSession, emulator: ConnectorEmulator, body: dict[str, Any], kind: str
) -> str:
    status, data, _ = await call(
        http, "POST", f"{emulator.service_url}v3/batch/conversation/{kind}", body
    )
    assert status == 201, data
    return str(data["operationId"])


async def state_of(
    http: aiohttp.ClientSession, emulator: ConnectorEmulator, operation_id: str
) -> dict[str, Any]:
    url = f"{emulator.service_url}v3/batch/conversation/{operation_id}"
    status, data, _ = await call(http, "GET", url)
    assert status == 200, data
    return data


async def failed_entries(
    http: aiohttp.ClientSession, emulator: ConnectorEmulator, operation_id: str
) -> tuple[list[tuple[str, str]], int]:
    """Every failed entry, following the continuation token; and how many pages it took."""
    entries: list[tuple[str, str]] = []
    token: str | None = ""
    pages = 0
    while token is not None:
        url = f"{emulator.service_url}v3/batch/conversation/failedEntries/{operation_id}"
        async with http.get(url, params={"continuationToken": token} if token else None) as r:
            assert r.status == 200
            page = await r.json()
        entries += [(entry["id"], entry["error"]) for entry in page["failedEntryResponses"]]
        token = page["continuationToken"]
        pages += 1
    return entries, pages


async def test_a_batch_to_people_reaches_each_in_their_personal_chat(
    connector_emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    emulator = await connector_emulator_factory(batch_entries_per_second=20.0)
    emulator.add_conversation("a:1known", TENANT, "user-1")

    operation_id = await create(http, emulator, batch(["user-1", "user-2", "user-3"]), "users")

    first = await state_of(http, emulator, operation_id)
    assert first["state"] in ("NotStarted", "InProgress")
    assert first["totalEntriesCount"] == 3 and first["retryAfter"] is None
    for _ in range(100):
        state = await state_of(http, emulator, operation_id)
        if state["state"] == "Completed":
            break
        await asyncio.sleep(0.02)
    assert state == {
        "state": "Completed",
        "statusMap": {"201": 3},
        "retryAfter": None,
        "totalEntriesCount": 3,
    }
    delivered = emulator.batch_sends()
    assert [entry.member_id for entry in delivered] == ["user-1", "user-2", "user-3"]
    assert delivered[0].conversation_id == "a:1known"
    assert {entry.operation_id for entry in delivered} == {operation_id}
    assert all(emulator.message(entry.activity_id) is not None for entry in delivered)
    assert emulator.sends() == []
    assert emulator.stats.created_conversations == 2
    stats = emulator.stats
    assert (stats.batch_operations, stats.batch_sent, stats.batch_failed) == (1, 3, 0)
    assert [operation.id for operation in emulator.batch_operations()] == [operation_id]
    assert emulator.stats.to_json()["batch_sent"] == 3


async def test_failed_entries_are_paged_and_a_batch_failure_happens_once(
    connector_emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    emulator = await connector_emulator_factory(failed_entries_page=2)
    emulator.block_user("user-1")
    emulator.block_user("user-2", "BotNotInConversationRoster")
    emulator.fail_in_batch("user-3", 503, "ServiceUnavailable")
    members = ["user-1", "user-2", "user-3", "user-4", "user-5"]

    operation_id = await create(http, emulator, batch(members), "users")
    await emulator.wait_batches_idle()

    state = await state_of(http, emulator, operation_id)
    assert state["state"] == "Completed"
    assert state["statusMap"] == {"403": 2, "503": 1, "201": 2}
    entries, pages = await failed_entries(http, emulator, operation_id)
    assert entries == [
        ("user-1", "MessageWritesBlocked"),
        ("user-2", "BotNotInConversationRoster"),
        ("user-3", "ServiceUnavailable"),
    ]
    assert pages == 2
    assert (emulator.stats.batch_sent, emulator.stats.batch_failed) == (2, 3)

    again = await create(http, emulator, batch(["user-3"]), "users")
    await emulator.wait_batches_idle()
    assert (await state_of(http, emulator, again))["statusMap"] == {"201": 1}
    url = f"{emulator.service_url}v3/batch/conversation/failedentries/{operation_id}"
    status, error, _ = await call(http, "GET", url + "?continuationToken=bogus")
    assert (status, error["error"]["code"]) == (400, "BadArgument")


async def test_a_batch_to_channels_posts_in_each_and_a_dropped_one_is_not_found(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    connector_emulator.add_conversation("19:general@thread.tacv2", TENANT)
    connector_emulator.drop_conversation("19:gone@thread.tacv2")

    members = ["19:general@thread.tacv2", "19:gone@thread.tacv2"]
    operation_id = await create(http, connector_emulator, batch(members), "channels")
    await connector_emulator.wait_batches_idle()

    delivered = connector_emulator.batch_sends()
    assert [entry.conversation_id for entry in delivered] == ["19:general@thread.tacv2"]
    entries, _ = await failed_entries(http, connector_emulator, operation_id)
    assert entries == [("19:gone@thread.tacv2", "ConversationNotFound")]


async def test_at_most_100_members_and_a_complete_request(
    connector_emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    emulator = await connector_emulator_factory(batch_create_per_second=None)
    url = f"{emulator.service_url}v3/batch/conversation/users"
    hundred = [f"user-{n}" for n in range(100)]

    assert (await call(http, "POST", url, batch(hundred)))[0] == 201
    no_activity = {"members": [{"id": "user-1"}], "tenantId": TENANT}
    refused = [
        batch([*hundred, "user-100"]),
        batch([]),
        batch(["user-1"], tenant=None),
        {**batch(["user-1"]), "members": [{"name": "no id"}]},
        {**batch(["user-1"]), "members": "user-1"},
        no_activity,
    ]
    for body in refused:
        status, error, _ = await call(http, "POST", url, body)
        assert (status, error["error"]["code"]) == (400, "BadArgument"), body
    assert emulator.stats.batch_operations == 1


async def test_creates_are_throttled_per_app_and_tenant_with_retry_after(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    url = f"{connector_emulator.service_url}v3/batch/conversation/users"
    statuses = []
    for _ in range(5):
        status, _, headers = await call(http, "POST", url, batch(["user-1"]))
        statuses.append(status)
    assert statuses == [201, 201, 201, 201, 429]
    assert headers["Retry-After"] == "1"
    assert connector_emulator.stats.throttled == 1
    other_tenant = await call(http, "POST", url, batch(["user-1"], tenant="tenant-2"))
    assert other_tenant[0] == 201


async def test_cancelling_stops_the_entries_not_yet_sent(
    connector_emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    emulator = await connector_emulator_factory(batch_entries_per_second=50.0)
    members = [f"user-{n}" for n in range(40)]
    operation_id = await create(http, emulator, batch(members), "users")
    await asyncio.sleep(0.1)

    url = f"{emulator.service_url}v3/batch/conversation/{operation_id}"
    assert (await call(http, "DELETE", url))[:2] == (200, {})
    sent_at_cancel = len(emulator.batch_sends())
    await emulator.wait_batches_idle()
    await asyncio.sleep(0.1)

    assert 0 < sent_at_cancel < 40
    assert len(emulator.batch_sends()) == sent_at_cancel
    state = await state_of(http, emulator, operation_id)
    assert state["state"] == "Cancelled"
    unsent = 40 - sent_at_cancel
    assert state["statusMap"] == {"201": sent_at_cancel, str(CANCELLED_ENTRY_STATUS): unsent}
    entries, _ = await failed_entries(http, emulator, operation_id)
    assert entries == [(member, "OperationCancelled") for member in members[sent_at_cancel:]]
    assert emulator.stats.batch_cancelled == unsent


async def test_an_unknown_operation_is_not_found(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    base = f"{connector_emulator.service_url}v3/batch/conversation/"
    for method, path in (("GET", "nope"), ("GET", "failedentries/nope"), ("DELETE", "nope")):
        status, error, _ = await call(http, method, base + path)
        assert (status, error["error"]["code"]) == (404, "NotFound")


async def test_a_batch_entry_and_a_single_send_to_the_same_person_are_a_duplicate(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    await create(http, connector_emulator, batch(["User-A", "user-b"], key="ann:7"), "users")
    await connector_emulator.wait_batches_idle()
    entry = connector_emulator.batch_sends()[0]
    assert entry.dedupe_key == "ann:7:user-a"
    assert connector_emulator.duplicates == 0

    single = {"type": "message", "text": "x", "channelData": {"werkplekDedupeKey": "ann:7:user-a"}}
    send_url = (
        f"{connector_emulator.service_url}v3/conversations/{entry.conversation_id}/activities"
    )
    assert (await call(http, "POST", send_url, single))[0] == 201
    assert connector_emulator.duplicates == 1
    assert connector_emulator.requests[0].dedupe_key == "ann:7"


async def test_entries_do_not_count_against_the_tenant_window_but_requests_do(
    connector_emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    emulator = await connector_emulator_factory(
        tenant_rate_per_second=2, batch_entries_per_second=None
    )
    members = [f"user-{n}" for n in range(100)]
    operation_id = await create(http, emulator, batch(members), "users")
    await emulator.wait_batches_idle()
    assert emulator.stats.batch_sent == 100

    assert (await state_of(http, emulator, operation_id))["state"] == "Completed"
    url = f"{emulator.service_url}v3/batch/conversation/{operation_id}"
    status, _, headers = await call(http, "GET", url)
    assert (status, headers["Retry-After"]) == (429, "1")
    assert emulator.stats.max_per_second_window == 2


async def test_injected_faults_apply_to_batch_requests(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    connector_emulator.inject(503, 1)
    url = f"{connector_emulator.service_url}v3/batch/conversation/users"
    status, error, _ = await call(http, "POST", url, batch(["user-1"]))
    assert (status, error["error"]["code"]) == (503, "ServiceUnavailable")
    assert (await call(http, "POST", url, batch(["user-1"])))[0] == 201


async def test_the_control_endpoints_steer_batches(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    control = f"{connector_emulator.service_url}_emulator/"
    reset = {"batch_entries_per_second": None, "batch_create_per_second": 1}
    assert (await call(http, "POST", control + "reset", reset))[0] == 200
    assert connector_emulator.batch_entries_per_second is None
    assert connector_emulator.batch_create_per_second == 1.0
    batch_fail = {"member_id": "user-1", "status": 403, "code": "MessageWritesBlocked"}
    assert (await call(http, "POST", control + "batch_fail", batch_fail))[0] == 200

    operation_id = await create(http, connector_emulator, batch(["user-1"]), "users")
    await connector_emulator.wait_batches_idle()
    entries, _ = await failed_entries(http, connector_emulator, operation_id)
    assert entries == [("user-1", "MessageWritesBlocked")]
    url = f"{connector_emulator.service_url}v3/batch/conversation/users"
    assert (await call(http, "POST", url, batch(["user-2"])))[0] == 429
    _, stats, _ = await call(http, "GET", control + "stats")
    assert (stats["batch_operations"], stats["batch_failed"]) == (1, 1)
    assert stats["batch_entries_waiting"] == 0
