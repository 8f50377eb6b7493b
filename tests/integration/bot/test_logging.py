"""What the bot logs: structured JSON with ids, never what people typed or who they are."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from aiohttp.test_utils import TestClient

from bot.observability import JsonFormatter, configure_logging
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.bot.conftest import LOTTE, StartBot, activity

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
async def client(start_bot: StartBot) -> TestClient:
    return await start_bot()


async def test_logs_carry_ids_but_no_text_names_or_addresses(
    client: TestClient, connector_emulator: ConnectorEmulator, captured: io.StringIO
) -> None:
    sent = []
    for text in (SECRET_TEXT, "wie ben ik?", "help"):
        sent_activity = activity(connector_emulator.service_url, text=text)
        sent.append(sent_activity["id"])
        response = await client.post("/api/messages", json=sent_activity)
        assert response.status in (200, 202)
    # A person the directory does not know: the lookups fail and are logged.
    stranger = str(uuid.uuid4())
    await client.post(
        "/api/messages",
        json=activity(connector_emulator.service_url, text="wie ben ik?", user=stranger),
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
