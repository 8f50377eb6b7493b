"""What the bot logs: structured JSON with ids, never what people typed or who they are."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from app import DATABASE
from bot.observability import JsonFormatter, configure_logging
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.bot.conftest import LOTTE, StartBot, activity
from tests.integration.post.files import tiny_pdf
from tests.support.refusals import refuse_inserts

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


# --- a database error during a turn and during an intake -------------------------------------
# Recognisable personal data, each of which the failing statement carries as a value.
NAME = "Marieke Vandersteen-Oosterlinck"
ADDRESS = "marieke.vandersteen@voorbeeld.be"
SENDER = "Godelieve Verschueren-Baert"
SUBJECT = "Bezwaarschrift perceel Kapelleveld 42"
OCR_TEXT = "Rijksregisternummer 85.07.30-033.61, schuldbemiddeling lopende"
INTAKE_TOKEN = "scanner-token-logging-5e1c"
PERSONAL = (NAME, "Vandersteen", ADDRESS, SENDER, "Verschueren", SUBJECT, "Kapelleveld", OCR_TEXT)


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], str]]:
    """All log output at DEBUG, as production logs it with WERKPLEK_LOG_LEVEL=DEBUG: the JSON
    lines, and every record pytest saw (messages and stack traces)."""
    configure_logging("DEBUG", "json")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    caplog.set_level(logging.DEBUG)

    def everything() -> str:
        plain = logging.Formatter("%(levelname)s %(name)s %(message)s")
        records = "\n".join(plain.format(record) for record in caplog.records)
        return stream.getvalue() + "\n" + records

    yield everything
    logging.getLogger().removeHandler(handler)
    configure_logging("INFO", "json")


async def test_a_database_error_during_a_turn_logs_no_personal_data(
    start_bot: StartBot,
    connector_emulator: ConnectorEmulator,
    everything_logged: Callable[[], str],
) -> None:
    client = await start_bot()
    await refuse_inserts(client.app[DATABASE], "users")  # the gate remembers every sender
    message = activity(
        connector_emulator.service_url, text=f"status, en mail {ADDRESS} als het misloopt"
    )
    message["from"]["name"] = NAME

    response = await client.post("/api/messages", json=message)

    assert response.status in (200, 202)
    (reply,) = [received.activity for received in connector_emulator.activities]
    reference = re.search(r"WP-[0-9A-F]{8}", json.dumps(reply))
    assert reference is not None, "the person gets a reference"
    logged = everything_logged()
    assert reference.group() in logged, "and the log has the failure under that reference"
    assert "users" in logged  # what failed is there, for whoever reads the log
    for personal in PERSONAL:
        assert personal not in logged


async def test_a_database_error_during_an_intake_logs_no_personal_data(
    start_bot: StartBot, tmp_path: Path, everything_logged: Callable[[], str]
) -> None:
    documents = tmp_path / "scans"
    client = await start_bot(
        intake_tokens=[f"scanner-1:{hashlib.sha256(INTAKE_TOKEN.encode()).hexdigest()}"],
        documents_dir=str(documents),
        post_worker_enabled=False,
    )
    await refuse_inserts(client.app[DATABASE], "post_items")
    form = aiohttp.FormData()
    form.add_field("metadata", json.dumps(letter_metadata()), content_type="application/json")
    form.add_field("file", tiny_pdf(), filename="scan.pdf", content_type="application/pdf")

    response = await client.post(
        "/api/post/items", data=form, headers={"Authorization": f"Bearer {INTAKE_TOKEN}"}
    )

    assert response.status == 500
    assert response.content_type == "application/problem+json"
    reference = (await response.json())["reference"]
    logged = everything_logged()
    assert reference in logged and "post_items" in logged
    for personal in PERSONAL:
        assert personal not in logged
    # Nothing half-written: the scan stored before the item's row went with it.
    assert not documents.exists() or not [p for p in documents.rglob("*") if p.is_file()]


def letter_metadata() -> dict[str, object]:
    return {
        "externalId": "scan-logging-1",
        "receivedAt": "2026-11-30T07:45:00+01:00",
        "scannedAt": "2026-11-30T08:10:00+01:00",
        "sender": {"name": SENDER, "organisation": f"Advocatenkantoor {SENDER}"},
        "addressee": f"T.a.v. {NAME}",
        "subject": SUBJECT,
        "documentType": "letter",
        "ocrText": f"{OCR_TEXT}. Antwoord graag aan {ADDRESS}.",
    }
