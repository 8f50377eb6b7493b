"""The database is down (a PostgreSQL URL whose port nobody listens on): the real app stays up
and says so. The intake answers 503 problem+json with Retry-After and stores nothing; a chat
message gets the "even niet beschikbaar" card with a reference that is in the log; a card click
gets the same as one line of text, so the clicked card stays as it was; /readyz says not ready.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from devtools.card_inspection import adaptive_cards, card_text
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.bot.conftest import StartBot, activity
from tests.integration.post.files import tiny_pdf
from tests.integration.store.test_store_failures import closed_port
from tests.support.chat import card_click

INTAKE_TOKEN = "scanner-token-outage-8d2f"
REFERENCE = re.compile(r"WP-[0-9A-F]{8}")
UNAVAILABLE_NL = "Werkplek is even niet beschikbaar"


@pytest.fixture
def database_url() -> str:
    """Overrides the store fixture: a database server that is not there."""
    return f"postgresql+asyncpg://werkplek@127.0.0.1:{closed_port()}/werkplek"


@pytest.fixture
async def client(
    start_bot: StartBot, tmp_path: Path, connector_emulator: ConnectorEmulator
) -> TestClient:
    return await start_bot(
        default_service_url=connector_emulator.service_url,
        migrate_on_start=False,  # with migrations at start, the app would refuse to start
        licence_worker_enabled=False,
        post_worker_enabled=False,
        intake_tokens=[f"scanner-1:{hashlib.sha256(INTAKE_TOKEN.encode()).hexdigest()}"],
        documents_dir=str(tmp_path / "scans"),
    )


async def test_the_intake_answers_503_with_retry_after_and_stores_nothing(
    client: TestClient, tmp_path: Path
) -> None:
    form = aiohttp.FormData()
    form.add_field("metadata", json.dumps(letter()), content_type="application/json")
    form.add_field("file", tiny_pdf(), filename="scan.pdf", content_type="application/pdf")

    response = await client.post(
        "/api/post/items", data=form, headers={"Authorization": f"Bearer {INTAKE_TOKEN}"}
    )

    assert response.status == 503
    assert response.content_type == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    body = await response.json()
    assert body["reason"] == "post.intake.unavailable"
    assert body["reference"] == response.headers["X-Request-Id"]
    scans = tmp_path / "scans"
    assert not scans.exists() or not [p for p in scans.rglob("*") if p.is_file()]


async def test_a_message_gets_the_unavailable_card_with_a_reference_in_the_log(
    client: TestClient, connector_emulator: ConnectorEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    response = await client.post(
        "/api/messages", json=activity(connector_emulator.service_url, text="status")
    )

    assert response.status in (200, 202)
    (reply,) = [received.activity for received in connector_emulator.activities]
    (card,) = adaptive_cards(reply.get("attachments", []))
    shown = card_text(card)
    assert UNAVAILABLE_NL in shown
    reference = REFERENCE.search(shown)
    assert reference is not None
    assert any(
        reference.group() in record.getMessage() and record.exc_info for record in caplog.records
    ), "the log line under the reference says what failed"


async def test_an_english_client_is_answered_in_english(
    client: TestClient, connector_emulator: ConnectorEmulator
) -> None:
    message = activity(connector_emulator.service_url, text="help", locale="en-US")
    await client.post("/api/messages", json=message)
    (reply,) = [received.activity for received in connector_emulator.activities]
    (card,) = adaptive_cards(reply.get("attachments", []))
    assert "Werkplek is briefly unavailable" in card_text(card)


async def test_a_click_is_answered_with_text_and_the_card_stays(
    client: TestClient, connector_emulator: ConnectorEmulator
) -> None:
    click = activity(connector_emulator.service_url, **card_click("access.refresh", {}))

    response = await client.post("/api/messages", json=click)

    assert response.status == 200
    body: dict[str, Any] = await response.json()
    assert body["type"] == "application/vnd.microsoft.activity.message"  # not a card: it stays
    assert body["value"].startswith(UNAVAILABLE_NL)
    assert REFERENCE.search(body["value"])


async def test_readiness_says_the_database_is_unreachable(client: TestClient) -> None:
    response = await client.get("/readyz")
    assert response.status == 503
    assert (await response.json())["checks"] == {"database": False, "migrations": False}
    assert (await client.get("/healthz")).status == 200  # alive: restarting would not help


def letter() -> dict[str, object]:
    return {
        "externalId": "scan-outage-1",
        "receivedAt": "2026-11-30T07:45:00+01:00",
        "scannedAt": "2026-11-30T08:10:00+01:00",
        "sender": {"name": "Karel Claes", "organisation": "FOD Financiën"},
        "addressee": "T.a.v. Lotte Janssens",
        "subject": "Aanslagbiljet",
        "documentType": "letter",
    }
