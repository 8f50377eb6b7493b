"""Personal answers only in personal chats, through the whole bot: a request typed with an
@mention in a team channel gets one neutral line there, and its form, with the person's own
words as the draft justification (the mention stripped), arrives in their 1:1 chat through the
outbox. Real store (SQLite and PostgreSQL), Graph emulator, connector emulator; local anonymous
mode, as the Playground drives it."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from app import DATABASE
from bot.store import SqlCatalogueRepository
from bot.store.platform.tables import outbox
from devtools.card_inspection import adaptive_cards, card_text
from devtools.connector_emulator import ConnectorEmulator
from devtools.demo_catalogue import demo_catalogue
from tests.integration.bot.conftest import LOTTE, TENANT, StartBot, activity
from tests.support.chat import card_click

NEUTRAL = "Ik stuur je het antwoord in je persoonlijke chat."
PERSONAL_CHAT = "a:personal-1"
CHANNEL = "19:werkplek-test-channel@thread.tacv2"
ASKED = "<at>Werkplek</at> licentie ik heb Power BI nodig om rapporten te delen met mijn team"
DRAFT = "licentie ik heb Power BI nodig om rapporten te delen met mijn team"
DELIVERY_SECONDS = 15.0


def in_channel(
    service_url: str, text: str, *, mention_entity: bool = True, **fields: Any
) -> dict[str, Any]:
    """A message in a team channel, with the bot's mention as Teams sends it (or, as some
    clients do, only its markup in the text: then the SDK leaves it there)."""
    message = activity(service_url, text=text, **fields)
    thread = f"{CHANNEL};messageid={uuid.uuid4().int % 10**13}"
    message["conversation"] = {"id": thread, "conversationType": "channel", "tenantId": TENANT}
    message["channelData"] = {
        "tenant": {"id": TENANT},
        "team": {"id": "19:team@thread.tacv2"},
        "channel": {"id": CHANNEL},
    }
    message["entities"] = (
        []
        if not mention_entity
        else [
            {
                "type": "mention",
                "mentioned": {"id": message["recipient"]["id"], "name": "Werkplek"},
                "text": "<at>Werkplek</at>",
            }
        ]
    )
    return message


@pytest.fixture
async def client(start_bot: StartBot, connector_emulator: ConnectorEmulator) -> TestClient:
    bot = await start_bot(outbox_enabled=True, default_service_url=connector_emulator.service_url)
    await SqlCatalogueRepository(bot.app[DATABASE]).replace(demo_catalogue())
    return bot


def posted_in(emulator: ConnectorEmulator, conversation: str) -> list[dict[str, Any]]:
    return [
        received.activity
        for received in emulator.activities
        if received.conversation_id.split(";")[0] == conversation
    ]


def form_inputs(card: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input.") and "id" in node:
                found[node["id"]] = node.get("value")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def private_cards(emulator: ConnectorEmulator) -> list[dict[str, Any]]:
    """The cards that reached Lotte's 1:1 chat, once the outbox delivered them."""
    deadline = asyncio.get_running_loop().time() + DELIVERY_SECONDS
    while True:
        cards = [
            card
            for sent in posted_in(emulator, PERSONAL_CHAT)
            if "licence.submit" in json.dumps(sent)
            for card in adaptive_cards(sent.get("attachments") or [])
        ]
        if cards or asyncio.get_running_loop().time() > deadline:
            return cards
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("mention_entity", [True, False], ids=["entity", "markup-only"])
async def test_a_request_typed_in_a_channel_is_answered_in_the_personal_chat(
    client: TestClient, connector_emulator: ConnectorEmulator, mention_entity: bool
) -> None:
    service_url = connector_emulator.service_url
    # Lotte has talked to the bot before: her 1:1 chat is known.
    hello = activity(service_url, text="hulp", conversation=PERSONAL_CHAT)
    assert (await client.post("/api/messages", json=hello)).status in (200, 202)

    asked = in_channel(service_url, ASKED, mention_entity=mention_entity)
    assert (await client.post("/api/messages", json=asked)).status in (200, 202)

    in_the_channel = posted_in(connector_emulator, CHANNEL)
    assert [sent.get("text") for sent in in_the_channel] == [NEUTRAL]
    assert not any(sent.get("attachments") for sent in in_the_channel)
    (form,) = await private_cards(connector_emulator)
    inputs = form_inputs(form)
    assert inputs["justification"] == DRAFT, "the mention is not part of the person's words"
    assert "Werkplek" not in json.dumps(inputs) and "<at>" not in json.dumps(form)
    assert "Power BI" in card_text(form)


@pytest.mark.parametrize(
    "text", ["licentie Power BI graag", "Wie neemt vandaag de telefoon?", ""], ids=str
)
async def test_channel_talk_that_does_not_mention_the_bot_gets_no_answer(
    client: TestClient, connector_emulator: ConnectorEmulator, text: str
) -> None:
    """With the channel-message permission (for the service desk's threads) Teams sends the bot
    everything said in a channel: what is not for it stays unanswered, anywhere."""
    said = in_channel(connector_emulator.service_url, text, mention_entity=False)
    assert (await client.post("/api/messages", json=said)).status in (200, 202)
    await asyncio.sleep(0.3)  # anything the outbox might have queued has had time to go
    assert connector_emulator.activities == []


async def test_a_personal_click_in_a_channel_is_answered_privately(
    client: TestClient, connector_emulator: ConnectorEmulator
) -> None:
    """The request form's item picker clicked in a channel: the invoke answer there is the
    neutral line, the form is queued for the clicker (the outbox row holds it)."""
    click = in_channel(connector_emulator.service_url, "")
    click.update(card_click("licence.pick", {}))
    click.pop("text", None)
    click.pop("entities", None)

    answer = await client.post("/api/messages", json=click)

    assert answer.status == 200
    body = await answer.json()
    assert body == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": NEUTRAL,
    }
    async with client.app[DATABASE].connect() as connection:
        rows = (await connection.execute(sa.select(outbox))).mappings().all()
    queued = [row for row in rows if row["recipient_id"] == LOTTE]
    assert len(queued) == 1 and not queued[0]["conversation_id"]
    assert "licence.pick" in json.dumps(queued[0]["activity"])
