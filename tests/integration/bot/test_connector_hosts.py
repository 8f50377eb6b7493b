"""An activity whose serviceUrl is not an allowed connector host gets no answer there and is not
remembered as the way to reach the person (the app, the store and the connector emulator)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from app import DATABASE, METRICS
from bot.store import SqlConversationRefRepository
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.bot.conftest import LOTTE, TENANT, StartBot, activity


def refused_count(client: TestClient) -> float:
    value = client.app[METRICS].registry.get_sample_value(
        "werkplek_activities_total", {"type": "message", "result": "connector_refused"}
    )
    return value or 0.0


async def test_an_activity_from_a_connector_host_not_allowed_is_neither_answered_nor_kept(
    start_bot: StartBot, connector_emulator: ConnectorEmulator
) -> None:
    # The same emulator, named by a host the bot was not told about (start_bot allows 127.0.0.1).
    elsewhere = connector_emulator.service_url.replace("127.0.0.1", "localhost")
    client = await start_bot()
    answer = await client.post("/api/messages", json=activity(elsewhere, text="hulp"))
    assert answer.status < 500
    assert connector_emulator.requests == []  # not a reply, not a typing indicator
    refs = SqlConversationRefRepository(client.app[DATABASE])
    assert await refs.get(TENANT, LOTTE) is None
    assert refused_count(client) == 1


async def test_the_same_activity_from_an_allowed_host_is_answered_and_kept(
    start_bot: StartBot, connector_emulator: ConnectorEmulator
) -> None:
    client = await start_bot()
    sent = activity(connector_emulator.service_url, text="hulp")
    assert (await client.post("/api/messages", json=sent)).status in (200, 202)
    assert [r for r in connector_emulator.activities if r.activity.get("replyToId") == sent["id"]]
    ref = await SqlConversationRefRepository(client.app[DATABASE]).get(TENANT, LOTTE)
    assert ref is not None and ref.service_url == connector_emulator.service_url
    assert refused_count(client) == 0
