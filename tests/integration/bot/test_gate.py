"""The gate every activity passes: a Teams retry is handled once; installing remembers the chat."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import DATABASE, create_app
from bot.settings import Settings
from bot.store import SqlConversationRefRepository
from devtools.connector_emulator import ConnectorEmulator

TENANT = "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
JEF = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"


@pytest.fixture
async def client(
    graph_settings: Settings, database_url: str, connector_emulator: ConnectorEmulator
) -> AsyncIterator[TestClient]:
    settings = graph_settings.model_copy(
        update={"database_url": database_url, "allowed_tenants": [TENANT], "outbox_enabled": False}
    )
    async with TestClient(TestServer(create_app(settings))) as test_client:
        yield test_client


def activity(service_url: str, kind: str = "message", **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "id": uuid.uuid4().hex,
        "locale": "nl-BE",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": "29:jef", "aadObjectId": JEF},
        "recipient": {"id": "28:werkplek", "name": "Werkplek"},
        "conversation": {"id": "a:jef-chat", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        **fields,
    }


async def test_a_redelivered_activity_is_answered_once(
    client: TestClient, connector_emulator: ConnectorEmulator
) -> None:
    message = activity(connector_emulator.service_url, text="hulp")
    first = await client.post("/api/messages", json=message)
    again = await client.post("/api/messages", json=message)
    assert first.status in (200, 202) and again.status in (200, 202)
    replies = [
        r for r in connector_emulator.activities if r.activity.get("replyToId") == message["id"]
    ]
    assert len(replies) == 1


async def test_installing_sends_one_welcome_and_remembers_the_chat(
    client: TestClient, connector_emulator: ConnectorEmulator
) -> None:
    service_url = connector_emulator.service_url
    install = activity(service_url, "installationUpdate", action="add")
    members = activity(
        service_url,
        "conversationUpdate",
        membersAdded=[{"id": "29:jef", "aadObjectId": JEF}, {"id": "28:werkplek"}],
    )
    for update in (install, members):
        assert (await client.post("/api/messages", json=update)).status in (200, 202)
    welcomes = [r.activity for r in connector_emulator.activities if r.activity.get("attachments")]
    assert len(welcomes) == 1, "Teams sends both events on install; greet once"
    card = welcomes[0]["attachments"][0]["content"]
    assert "Dag Jef!" in str(card)
    ref = await SqlConversationRefRepository(client.app[DATABASE]).get(TENANT, JEF)
    assert ref is not None and ref.conversation_id == "a:jef-chat"
    assert ref.service_url.rstrip("/") == service_url.rstrip("/")
