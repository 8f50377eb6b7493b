"""The gate every activity passes: a Teams retry is handled once; installing remembers the chat."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from app import DATABASE
from bot.store import SqlConversationRefRepository
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.bot.conftest import TENANT, StartBot, activity

JEF = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"
CHAT = "a:jef-chat"


@pytest.fixture
async def client(start_bot: StartBot) -> TestClient:
    return await start_bot()


async def test_a_redelivered_activity_is_answered_once(
    client: TestClient, connector_emulator: ConnectorEmulator
) -> None:
    message = activity(connector_emulator.service_url, text="hulp", user=JEF, conversation=CHAT)
    first = await client.post("/api/messages", json=message)
    again = await client.post("/api/messages", json=message)
    assert first.status in (200, 202) and again.status in (200, 202)
    # The SDK sends a typing indicator when a turn takes longer than 500 ms (a busy machine):
    # that is not an answer.
    replies = [
        r
        for r in connector_emulator.activities
        if r.activity.get("replyToId") == message["id"] and r.activity.get("type") != "typing"
    ]
    assert len(replies) == 1


async def test_installing_sends_one_welcome_and_remembers_the_chat(
    client: TestClient, connector_emulator: ConnectorEmulator
) -> None:
    service_url = connector_emulator.service_url
    install = activity(service_url, "installationUpdate", user=JEF, conversation=CHAT, action="add")
    members = activity(
        service_url,
        "conversationUpdate",
        user=JEF,
        conversation=CHAT,
        membersAdded=[{"id": f"29:{JEF}", "aadObjectId": JEF}, {"id": "28:werkplek"}],
    )
    for update in (install, members):
        assert (await client.post("/api/messages", json=update)).status in (200, 202)
    welcomes = [r.activity for r in connector_emulator.activities if r.activity.get("attachments")]
    assert len(welcomes) == 1, "Teams sends both events on install; greet once"
    card = welcomes[0]["attachments"][0]["content"]
    assert "Dag Jef!" in str(card)
    ref = await SqlConversationRefRepository(client.app[DATABASE]).get(TENANT, JEF)
    assert ref is not None and ref.conversation_id == CHAT
    assert ref.service_url.rstrip("/") == service_url.rstrip("/")
