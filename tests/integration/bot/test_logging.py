"""What the bot logs: structured JSON with ids, never what people typed or who they are."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.observability import JsonFormatter, configure_logging
from bot.settings import Settings
from devtools.connector_emulator import ConnectorEmulator

TENANT = "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
LOTTE = "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"
SECRET_TEXT = "mijn wachtwoord is Zomer2026 en mail naar lotte.janssens@demo.werkplek.be"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    configure_logging("INFO", "json")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    yield stream
    logging.getLogger().removeHandler(handler)


@pytest.fixture
async def client(
    graph_settings: Settings, database_url: str, connector_emulator: ConnectorEmulator
) -> AsyncIterator[TestClient]:
    settings = graph_settings.model_copy(
        update={"database_url": database_url, "allowed_tenants": [TENANT], "outbox_enabled": False}
    )
    async with TestClient(TestServer(create_app(settings))) as test_client:
        yield test_client


def message(service_url: str, text: str, user: str = LOTTE) -> dict[str, Any]:
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "text": text,
        "locale": "nl-BE",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": "29:lotte", "aadObjectId": user, "name": "Lotte Janssens"},
        "recipient": {"id": "28:werkplek", "name": "Werkplek"},
        "conversation": {"id": "a:lotte", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
    }


async def test_logs_carry_ids_but_no_text_names_or_addresses(
    client: TestClient, connector_emulator: ConnectorEmulator, captured: io.StringIO
) -> None:
    sent = []
    for text in (SECRET_TEXT, "wie ben ik?", "help"):
        activity = message(connector_emulator.service_url, text)
        sent.append(activity["id"])
        response = await client.post("/api/messages", json=activity)
        assert response.status in (200, 202)
    # A person the directory does not know: the lookups fail and are logged.
    await client.post(
        "/api/messages",
        json=message(connector_emulator.service_url, "wie ben ik?", user=str(uuid.uuid4())),
    )
    lines = [json.loads(line) for line in captured.getvalue().splitlines() if line.strip()]
    assert lines, "the turns above should have logged something (requests, lookups)"
    written = captured.getvalue()
    for forbidden in ("Zomer2026", "wachtwoord", "lotte.janssens@", "Lotte Janssens", "Bearer "):
        assert forbidden not in written
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    accepted = [line for line in lines if line["message"] == "activity accepted"]
    assert [line["correlation_id"] for line in accepted][:3] == sent
    assert {line["user_id"] for line in accepted[:3]} == {LOTTE}
