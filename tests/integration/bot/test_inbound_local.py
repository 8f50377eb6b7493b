"""Local anonymous mode: no token to check, so nothing a web page in a browser can send gets in.

A page can POST cross-site without a CORS preflight only as text/plain, form or multipart, and
its browser always adds `Origin` (and `Sec-Fetch-Site`) to a POST. The Playground posts JSON
server-to-server, with neither header.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient

from app import DATABASE
from bot.store import SqlAuditLog, SqlConversationRefRepository, SqlProcessedActivities
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.bot.conftest import LOTTE, TENANT, StartBot, activity


@pytest.fixture
async def client(start_bot: StartBot) -> TestClient:
    return await start_bot()  # no bot identity, loopback: anonymous local mode


async def send(
    client: TestClient, connector: ConnectorEmulator, headers: dict[str, str]
) -> tuple[int, str]:
    body = json.dumps(activity(connector.service_url, text="help"))
    response = await client.post("/api/messages", data=body, headers=headers)
    return response.status, response.content_type


async def nothing_happened(client: TestClient, connector: ConnectorEmulator) -> None:
    database = client.app[DATABASE]
    assert connector.activities == []
    assert await SqlAuditLog(database).recent() == []
    assert await SqlConversationRefRepository(database).get(TENANT, LOTTE) is None
    since = datetime(2000, 1, 1, tzinfo=UTC)
    assert await SqlProcessedActivities(database).keys_since(since, 10) == []


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/octet-stream",
        "",
    ],
)
async def test_only_json_is_accepted(
    client: TestClient, connector_emulator: ConnectorEmulator, content_type: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    assert await send(client, connector_emulator, headers) == (415, "application/problem+json")
    await nothing_happened(client, connector_emulator)


@pytest.mark.parametrize(
    "browser_header",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed iframe or a file:// page
        {"Origin": "http://127.0.0.1:3978"},  # even "same origin": no page of ours posts here
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
async def test_requests_from_a_browser_are_refused(
    client: TestClient, connector_emulator: ConnectorEmulator, browser_header: dict[str, str]
) -> None:
    for content_type in ("text/plain", "application/json"):
        headers = {"Content-Type": content_type, **browser_header}
        assert await send(client, connector_emulator, headers) == (
            403,
            "application/problem+json",
        )
    await nothing_happened(client, connector_emulator)


async def test_plain_json_from_the_playground_is_served(
    client: TestClient, connector_emulator: ConnectorEmulator
) -> None:
    # What the Playground sends: axios, Content-Type application/json, no Origin.
    headers = {"Content-Type": "application/json", "User-Agent": "axios/1.7.9"}
    status, _ = await send(client, connector_emulator, headers)
    assert status in (200, 202)
    replies = [r for r in connector_emulator.activities if r.activity["type"] == "message"]
    assert len(replies) == 1
    charset = {"Content-Type": "application/json; charset=utf-8"}
    assert (await send(client, connector_emulator, charset))[0] in (200, 202)


async def test_a_token_is_not_needed_but_a_bad_one_is_not_believed_either(
    client: TestClient, connector_emulator: ConnectorEmulator
) -> None:
    headers = {"Content-Type": "application/json", "Authorization": "Bearer not-a-token"}
    assert await send(client, connector_emulator, headers) == (401, "application/problem+json")
    await nothing_happened(client, connector_emulator)
