"""The connector emulator over real HTTP: operations, limits, simulated people, faults."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import pytest

from devtools.connector_emulator import ConnectorEmulator
from tests.support.connector import EmulatorFactory

TENANT = "tenant-1"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    body: dict[str, Any] | None = None,
    token: str | None = None,
) -> tuple[int, dict[str, Any], Mapping[str, str]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.request(method, url, json=body, headers=headers) as response:
        data = await response.json() if response.content_length else {}
        return response.status, data, response.headers


def create_body(member: str, tenant: str = TENANT) -> dict[str, Any]:
    return {
        "bot": {"id": "28:bot"},
        "members": [{"id": member}],
        "channelData": {"tenant": {"id": tenant}},
        "isGroup": False,
    }


def message(key: str = "", tenant: str = TENANT) -> dict[str, Any]:
    channel_data: dict[str, Any] = {"tenant": {"id": tenant}}
    if key:
        channel_data["werkplekDedupeKey"] = key
    return {"type": "message", "text": "hallo", "channelData": channel_data}


async def test_creates_a_personal_chat_once_per_member_and_serves_activities(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    base = connector_emulator.service_url
    status, created, _ = await call(http, "POST", base + "v3/conversations", create_body("29:u1"))
    assert status == 201
    conversation = created["id"]
    _, again, _ = await call(http, "POST", base + "v3/Conversations", create_body("29:u1"))
    assert again["id"] == conversation
    assert connector_emulator.stats.created_conversations == 1

    send_url = f"{base}v3/conversations/{conversation}/activities"
    status, sent, _ = await call(http, "POST", send_url, message("k1"), token="abc")
    assert status == 201 and sent["id"]
    status, reply, _ = await call(http, "POST", f"{send_url}/{sent['id']}", message("k2"))
    assert status == 201 and reply["id"] != sent["id"]
    status, updated, _ = await call(http, "PUT", f"{send_url}/{sent['id']}", message())
    assert (status, updated["id"]) == (200, sent["id"])
    status, _, _ = await call(http, "DELETE", f"{send_url}/{sent['id']}")
    assert status == 200
    roster_url = f"{base}v3/conversations/{conversation}/pagedMembers"
    status, roster, _ = await call(http, "GET", roster_url)
    assert status == 200 and roster["members"][0]["id"] == "29:u1"

    operations = [(a.operation, a.conversation_id) for a in connector_emulator.activities]
    assert operations == [("send", conversation), ("reply", conversation), ("update", conversation)]
    first = connector_emulator.activities[0]
    assert first.had_token and first.dedupe_key == "k1" and first.tenant_id == TENANT
    assert not connector_emulator.activities[1].had_token
    assert connector_emulator.stats.with_token == 1


async def test_a_path_prefix_like_real_service_urls_is_accepted(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    url = connector_emulator.service_url + "teams/v3/conversations/a:1x/activities"
    status, _, _ = await call(http, "POST", url, message("k"))
    assert status == 201


async def test_creating_without_tenant_or_member_is_a_bad_request(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    url = connector_emulator.service_url + "v3/conversations"
    status, body, _ = await call(http, "POST", url, {"members": [{"id": "29:u"}]})
    assert status == 400 and body["error"]["code"] == "BadArgument"
    status, _, _ = await call(
        http, "POST", url, {"members": [], "channelData": {"tenant": {"id": "t"}}}
    )
    assert status == 400


async def test_tenant_limit_answers_429_with_retry_after_and_counts_only_admitted(
    connector_emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    emulator = await connector_emulator_factory(tenant_rate_per_second=5)
    url = emulator.service_url + "v3/conversations/c{}/activities"
    statuses = []
    for index in range(8):
        status, body, headers = await call(http, "POST", url.format(index), message(f"k{index}"))
        statuses.append(status)
    assert statuses == [201] * 5 + [429] * 3
    assert body["error"]["code"] == "TooManyRequests"
    assert int(headers["Retry-After"]) >= 1
    assert emulator.stats.throttled == 3
    assert emulator.stats.accepted == 5
    assert emulator.max_per_second_window == 5
    # another tenant has its own budget
    status, _, _ = await call(http, "POST", url.format("x"), message("other", tenant="tenant-2"))
    assert status == 201


async def test_conversation_limit_seven_per_second(
    connector_emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    emulator = await connector_emulator_factory(tenant_rate_per_second=None)
    url = emulator.service_url + "v3/conversations/c1/activities"
    statuses = [(await call(http, "POST", url, message()))[0] for _ in range(9)]
    assert statuses == [201] * 7 + [429] * 2
    other = emulator.service_url + "v3/conversations/c2/activities"
    assert (await call(http, "POST", other, message()))[0] == 201


async def test_conversation_limits_can_be_switched_off(
    connector_emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    emulator = await connector_emulator_factory(
        tenant_rate_per_second=None, enforce_conversation_limits=False
    )
    url = emulator.service_url + "v3/conversations/c1/activities"
    statuses = {(await call(http, "POST", url, message()))[0] for _ in range(20)}
    assert statuses == {201}
    assert emulator.max_per_second_window == 20


async def test_blocked_people_and_gone_conversations(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    base = connector_emulator.service_url
    _, created, _ = await call(http, "POST", base + "v3/conversations", create_body("29:blocker"))
    connector_emulator.block_user("29:blocker")
    url = f"{base}v3/conversations/{created['id']}/activities"
    status, body, _ = await call(http, "POST", url, message())
    assert (status, body["error"]["code"]) == (403, "MessageWritesBlocked")

    connector_emulator.block_user("29:never", "BotNotInConversationRoster")
    status, body, _ = await call(http, "POST", base + "v3/conversations", create_body("29:never"))
    assert (status, body["error"]["code"]) == (403, "BotNotInConversationRoster")

    connector_emulator.drop_conversation("a:gone")
    status, body, _ = await call(
        http, "POST", base + "v3/conversations/a:gone/activities", message()
    )
    assert (status, body["error"]["code"]) == (404, "ConversationNotFound")
    assert connector_emulator.stats.blocked == 2
    assert connector_emulator.stats.not_found == 1
    assert connector_emulator.stats.accepted == 1  # only the first creation


async def test_strict_mode_does_not_know_unknown_conversations(
    connector_emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    emulator = await connector_emulator_factory(strict_conversations=True)
    emulator.add_conversation("a:known", TENANT, "29:u")
    base = emulator.service_url + "v3/conversations/{}/activities"
    assert (await call(http, "POST", base.format("a:known"), message()))[0] == 201
    assert (await call(http, "POST", base.format("a:unknown"), message()))[0] == 404


async def test_injected_faults_answer_the_next_requests_then_stop(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    connector_emulator.add_conversation("a:1", TENANT, "29:u1")
    connector_emulator.inject(502, times=2, user_id="29:u1")
    connector_emulator.inject(429, times=1, retry_after=3)
    base = connector_emulator.service_url + "v3/conversations/{}/activities"
    first = await call(http, "POST", base.format("a:1"), message())
    second = await call(http, "POST", base.format("a:1"), message())
    assert (first[0], second[0]) == (502, 502)
    status, body, headers = await call(http, "POST", base.format("a:2"), message())
    assert (status, headers["Retry-After"], body["error"]["code"]) == (429, "3", "TooManyRequests")
    assert (await call(http, "POST", base.format("a:1"), message()))[0] == 201
    assert connector_emulator.stats.injected == 3
    assert connector_emulator.stats.throttled == 0  # injected, not the limiter


async def test_counts_a_dedupe_key_accepted_twice_as_a_duplicate(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    url = connector_emulator.service_url + "v3/conversations/c1/activities"
    for key in ("a", "b", "a"):
        await call(http, "POST", url, message(key))
    assert connector_emulator.duplicates == 1


async def test_control_endpoints(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    control = connector_emulator.service_url + "_emulator/"
    conversations = {"conversations": [{"id": "a:9", "tenant_id": TENANT, "member_id": "29:9"}]}
    assert (await call(http, "POST", control + "conversations", conversations))[0] == 200
    await call(http, "POST", control + "block", {"user_id": "29:9"})
    url = connector_emulator.service_url + "v3/conversations/a:9/activities"
    assert (await call(http, "POST", url, message()))[0] == 403
    await call(http, "POST", control + "inject", {"status": 504, "times": 1})
    assert (await call(http, "POST", url, message()))[0] == 504
    await call(http, "POST", control + "drop", {"conversation_id": "a:8"})
    _, stats, _ = await call(http, "GET", control + "stats")
    assert (stats["blocked"], stats["injected"], stats["requests"]) == (1, 1, 2)

    await call(http, "POST", control + "reset", {"tenant_rate_per_second": 1})
    assert connector_emulator.tenant_rate_per_second == 1
    statuses = [(await call(http, "POST", url, message("z")))[0] for _ in range(2)]
    assert statuses == [201, 429]
    _, activities, _ = await call(http, "GET", control + "activities")
    _, requests, _ = await call(http, "GET", control + "requests?since=1")
    assert [a["conversation_id"] for a in activities] == ["a:9"]
    assert [r["status"] for r in requests] == [429]


def card(title: str) -> dict[str, Any]:
    content = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": title}],
    }
    return {"contentType": "application/vnd.microsoft.card.adaptive", "content": content}


async def test_an_update_edits_the_message_in_place_and_keeps_every_version(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    url = connector_emulator.service_url + "v3/conversations/a:1/activities"
    first = {**message("card"), "attachments": [card("Goedkeuren?")]}
    _, sent, _ = await call(http, "POST", url, first)
    edited = {**message("card-closed"), "text": "", "attachments": [card("Goedgekeurd")]}
    status, body, _ = await call(http, "PUT", f"{url}/{sent['id']}", edited)
    assert (status, body) == (200, {"id": sent["id"]})

    posted = connector_emulator.message(sent["id"])
    assert posted is not None
    assert posted.attachments == [card("Goedgekeurd")] and posted.text == ""
    assert posted.versions == [first, edited] and posted.edits == 1
    assert [a.operation for a in connector_emulator.updates()] == ["update"]
    assert len(connector_emulator.sends()) == 1
    assert connector_emulator.stats.updated == 1 and connector_emulator.duplicates == 0
    control = connector_emulator.service_url + f"_emulator/messages/{sent['id']}"
    status, shown, _ = await call(http, "GET", control)
    assert (status, shown["versions"][-1]["attachments"]) == (200, [card("Goedgekeurd")])


async def test_updating_or_deleting_an_unknown_message_is_not_found(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    base = connector_emulator.service_url + "v3/conversations/{}/activities"
    _, sent, _ = await call(http, "POST", base.format("a:1"), message())
    unknown = await call(http, "PUT", base.format("a:1") + "/1234", message())
    elsewhere = await call(http, "PUT", base.format("a:2") + f"/{sent['id']}", message())
    assert (unknown[0], unknown[1]["error"]["code"]) == (404, "ActivityNotFound")
    assert elsewhere[0] == 404  # the id exists, but in another conversation
    assert (await call(http, "DELETE", base.format("a:1") + f"/{sent['id']}"))[0] == 200
    assert (await call(http, "PUT", base.format("a:1") + f"/{sent['id']}", message()))[0] == 404
    assert (await call(http, "DELETE", base.format("a:1") + "/1234"))[0] == 404
    assert connector_emulator.updates() == []
    assert connector_emulator.stats.not_found == 4


async def test_a_deletion_is_recorded_once_and_a_second_one_is_not_found(
    connector_emulator: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    base = connector_emulator.service_url + "v3/conversations/{}/activities"
    _, sent, _ = await call(http, "POST", base.format("a:1"), message())
    first = await call(http, "DELETE", base.format("a:1") + f"/{sent['id']}")
    again = await call(http, "DELETE", base.format("a:1") + f"/{sent['id']}")
    elsewhere = await call(http, "DELETE", base.format("a:2") + f"/{sent['id']}")
    assert (first[0], again[0], elsewhere[0]) == (200, 404, 404)
    assert again[1]["error"]["code"] == "ActivityNotFound"
    [deletion] = connector_emulator.deletions()
    assert (deletion.conversation_id, deletion.activity_id) == ("a:1", sent["id"])
    assert connector_emulator.stats.deleted == 1
    control = connector_emulator.service_url + "_emulator/deletions"
    async with http.get(control) as response:
        listed = await response.json()
    assert [d["activity_id"] for d in listed] == [sent["id"]]


async def test_updates_count_against_the_conversation_and_tenant_limits(
    connector_emulator_factory: EmulatorFactory, http: aiohttp.ClientSession
) -> None:
    emulator = await connector_emulator_factory(tenant_rate_per_second=10)
    url = emulator.service_url + "v3/conversations/c1/activities"
    _, sent, _ = await call(http, "POST", url, message())
    statuses = [(await call(http, "PUT", f"{url}/{sent['id']}", message()))[0] for _ in range(7)]
    assert statuses == [200] * 6 + [429]  # one send and six edits: seven writes in a second
    other = emulator.service_url + "v3/conversations/d{}/activities"
    statuses = [(await call(http, "POST", other.format(i), message()))[0] for i in range(5)]
    assert statuses == [201] * 3 + [429] * 2  # 7 admitted to the tenant already, limit 10
