"""Microsoft 365 refuses Werkplek itself (Graph answers 403 to the app's token): the person reads
that Werkplek lacks a permission and that the service desk must be told, with a WP- reference
that is in the log next to the Graph operation, never "Daar heb je geen toegang toe" (that is a
person's own missing right). The real app, the Graph emulator's fault injection, the connector
emulator."""

from __future__ import annotations

import logging
import re

import pytest
from aiohttp.test_utils import TestClient

from devtools.card_inspection import adaptive_cards, card_text
from devtools.connector_emulator import ConnectorEmulator
from devtools.graph_emulator import GraphEmulator
from tests.integration.bot.conftest import LOTTE, StartBot, activity

REFERENCE = re.compile(r"WP-[0-9A-F]{8}")


@pytest.fixture
async def client(start_bot: StartBot, connector_emulator: ConnectorEmulator) -> TestClient:
    return await start_bot(
        default_service_url=connector_emulator.service_url,
        licence_worker_enabled=False,
        post_worker_enabled=False,
    )


async def test_a_graph_403_tells_the_person_werkplek_lacks_a_permission(
    client: TestClient,
    connector_emulator: ConnectorEmulator,
    graph_emulator: GraphEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    graph_emulator.add_fault(
        rf"/users/{LOTTE}$", 403, count=None, method="GET", code="Authorization_RequestDenied"
    )
    caplog.set_level(logging.WARNING, logger="bot.graph.errors")

    response = await client.post(
        "/api/messages", json=activity(connector_emulator.service_url, text="profiel")
    )

    assert response.status in (200, 202)
    (reply,) = [received.activity for received in connector_emulator.activities]
    (card,) = adaptive_cards(reply.get("attachments", []))
    shown = card_text(card)
    assert "Werkplek mist een toestemming in Microsoft 365" in shown
    assert "servicedesk" in shown
    assert "Daar heb je geen toegang toe" not in shown
    reference = REFERENCE.search(shown)
    assert reference is not None
    (line,) = [r.getMessage() for r in caplog.records if reference.group() in r.getMessage()]
    assert "Authorization_RequestDenied" in line and "403" in line
    assert graph_emulator.request_count(rf"/users/{LOTTE}$") >= 1
