"""Lotte, one of the intranet's editors, sends an urgent announcement to the digital-workplace
ambassadors (issue #13), through the Playground and everything behind it.

She composes it, previews it in her own chat, and submits it; Pieter-Jan, the other editor, gets
the approval card in his own chat and approves it (Thomas, an admin, was asked too and sees who
decided); the sender resolves the group through the Graph emulator and the outbox delivers it to
Nora, Griet and Thomas in their chats; Nora confirms "Gelezen en begrepen"; Lotte's status card
ends with figures that add up to the audience, with one acknowledgement.

What the bot sends into other people's chats is read from the Playground's events recording
(devtools/playground_client.py); the demo's announcement settings are devtools/demo.py's.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from devtools.demo import DEMO_ANNOUNCEMENT_GROUP_ID, DEMO_ANNOUNCEMENT_GROUP_NAME
from devtools.playground import BotMessage, PlaygroundClient
from devtools.stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_TYPE = "application/vnd.microsoft.activity.message"
# Sends go through the outbox and the sender's rounds (a second apart): seconds, not more.
TIMEOUT = 30.0

TITLE = "Vanaf maandag is MFA verplicht"
SUMMARY = "Installeer **Microsoft Authenticator** op je smartphone vóór maandag."
AMBASSADORS = ("Nora El Amrani", "Griet Van Damme", "Thomas Claes")
# The status card's figures (bot/i18n/nl announcements.po): the audience, and the buckets every
# recipient is counted in exactly once.
AUDIENCE = "Ontvangers"
OUTCOMES = (
    "Verstuurd",
    "Verstuurd na vertraging",
    "Mislukt",
    "Geblokkeerd of Werkplek verwijderd",
    "Niet gevonden",
    "Nog niet bereikt",
)
ACKNOWLEDGED = "Bevestigd"


def about(text: str) -> Callable[[BotMessage], bool]:
    return lambda message: message.card is not None and text in message.all_text


def announcement(message: BotMessage) -> bool:
    """The announcement as a recipient gets it (not an approval card, which shows it too)."""
    return (
        message.card is not None
        and TITLE in message.all_text
        and "Gelezen en begrepen" in message.all_text
        and "ter goedkeuring" not in message.all_text
    )


def refreshed(clicked: BotMessage, answer: dict[str, Any]) -> BotMessage:
    """The clicked message as it is now: the invoke answered with the card that replaces it."""
    assert answer.get("type") == CARD_TYPE, answer
    return BotMessage(
        action="updateMessage",
        conversation_id=clicked.conversation_id,
        id=clicked.id,
        text=None,
        attachments=[{"contentType": CARD_TYPE, "content": answer["value"]}],
        raw={},
        to=clicked.to,
    )


def figures(card: dict[str, Any]) -> dict[str, int]:
    """The status card's facts that are numbers, by their Dutch label."""
    found: dict[str, int] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "FactSet":
                for fact in node.get("facts", []):
                    value = str(fact.get("value", "")).replace(".", "")
                    if value.isdigit():
                        found[str(fact.get("title"))] = int(value)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


async def test_an_urgent_announcement_is_approved_sent_to_a_group_and_acknowledged(
    playground: PlaygroundClient, werkplek_stack: LocalStack
) -> None:
    pieter_jan = playground.user_id_of("Pieter-Jan Wouters")  # the other editor (comms)
    nora = playground.user_id_of("Nora El Amrani")

    # --- Lotte composes: the form offers the ambassadors' group, "Bewaren" keeps the draft.
    await playground.send_text("aankondiging")
    form = await playground.next_message(TIMEOUT, about("Nieuwe aankondiging"))
    assert DEMO_ANNOUNCEMENT_GROUP_NAME in str(form.card)
    saved = await playground.click(
        form,
        "announcement.save",
        {
            "title": TITLE,
            "summary": SUMMARY,
            "importance": "urgent",
            "audience_kind": "groups",
            "groups": DEMO_ANNOUNCEMENT_GROUP_ID,
        },
    )
    draft = refreshed(form, saved)
    assert TITLE in draft.all_text
    assert "Concept" in draft.all_text
    assert f"Groepen: {DEMO_ANNOUNCEMENT_GROUP_NAME}" in draft.all_text
    assert "ongeveer 3 personen" in draft.all_text  # the size before sending

    # --- "Voorbeeld bekijken": the real card in her own chat, marked as a preview.
    answer = await playground.click(draft, "announcement.preview")
    assert answer.get("type") == MESSAGE_TYPE, answer
    preview = await playground.next_message(TIMEOUT, about("Voorbeeld: alleen jij ziet dit"))
    assert preview.conversation_id == playground.personal_chat_id
    assert TITLE in preview.all_text and "Microsoft Authenticator" in preview.all_text
    assert "Dringend" in preview.all_text

    # --- "Ter goedkeuring voorleggen": approval is required in the demo.
    submitted = await playground.click(draft, "Ter goedkeuring voorleggen")
    waiting = refreshed(draft, submitted)
    assert "Wacht op goedkeuring" in waiting.all_text
    found = re.search(r"ANN-\d{4}-\d{6}", waiting.all_text)
    assert found is not None, waiting.all_text
    reference = found.group()

    # --- Pieter-Jan gets the approval card in his own chat and approves it.
    asked = await playground.next_message(
        TIMEOUT, about("Aankondiging ter goedkeuring"), to=pieter_jan
    )
    assert asked.conversation_id != playground.personal_chat_id
    assert "Lotte Janssens vraagt je deze aankondiging goed te keuren" in asked.all_text
    assert TITLE in asked.all_text and reference in asked.all_text
    approved = await playground.click(asked, "announcement.approve", as_user=pieter_jan)
    assert approved.get("type") == MESSAGE_TYPE, approved
    assert reference in str(approved["value"]), approved
    # His card is edited in place: decided, no buttons left to click.
    decided = await playground.next_message(
        TIMEOUT,
        lambda m: m.action == "updateMessage" and m.id == asked.id,
        to=pieter_jan,
    )
    assert "Goedgekeurd door Pieter-Jan Wouters" in decided.all_text
    assert not (decided.card or {}).get("actions")
    assert "wacht op je goedkeuring" not in str(decided.raw["request"]["body"].get("summary"))
    # Thomas, an admin, was asked too: the first decision wins, and his card says whose.
    other = await playground.next_message(
        TIMEOUT,
        lambda m: m.action == "updateMessage" and "Goedgekeurd door Pieter-Jan" in m.all_text,
        to=playground.user_id_of("Thomas Claes"),
    )
    assert not (other.card or {}).get("actions")
    # Lotte is told who approved it.
    notice = await playground.next_message(TIMEOUT, about("is goedgekeurd door Pieter-Jan"))
    assert reference in notice.all_text

    # --- The ambassadors get it, each in their own chat, with "Gelezen en begrepen".
    received: dict[str, BotMessage] = {}
    for name in AMBASSADORS:
        person = playground.user_id_of(name)
        received[name] = await playground.next_message(TIMEOUT, announcement, to=person)
        assert "Dringend" in received[name].all_text
        assert "Voorbeeld" not in received[name].all_text
    assert len({m.conversation_id for m in received.values()}) == len(AMBASSADORS)

    # --- Nora confirms; her card says so instead of offering the button again.
    confirmed = await playground.click(
        received["Nora El Amrani"], "announcement.acknowledge", as_user=nora
    )
    assert confirmed.get("type") == CARD_TYPE, confirmed
    assert "Je bevestigde dit op" in str(confirmed["value"])
    assert "Gelezen en begrepen" not in str(confirmed["value"])

    # --- Lotte's status card: sent to all three, and the figures add up.
    status = await playground.next_message(
        TIMEOUT,
        lambda m: m.card is not None and TITLE in m.all_text and _state_of(m.card) == "Verstuurd",
    )
    assert status.conversation_id == playground.personal_chat_id
    latest = refreshed(status, await playground.click(status, "announcement.status"))
    counts = figures(latest.card or {})
    assert counts[AUDIENCE] == len(AMBASSADORS), counts
    assert sum(counts[outcome] for outcome in OUTCOMES) == counts[AUDIENCE], counts
    assert counts["Verstuurd"] + counts["Verstuurd na vertraging"] == len(AMBASSADORS), counts
    assert counts[ACKNOWLEDGED] == 1, counts

    # --- The audit log says who did what, in order (the approval by the second person).
    steps = [(actor, action) for actor, action, _ in audit_rows(werkplek_stack, reference)]
    assert steps[:3] == [
        (playground.user_id, "announcements.create"),
        (playground.user_id, "announcements.submit"),
        (pieter_jan, "announcements.approve"),
    ], steps
    # Nora may have confirmed before or after the sender saw the last delivery.
    assert sorted(steps[3:], key=lambda step: step[1]) == [
        (nora, "announcements.acknowledge"),
        ("system", "announcements.finish"),
    ], steps


def _state_of(card: dict[str, Any]) -> str:
    """The state word under the title (the second text of the card)."""
    texts = [e.get("text", "") for e in card.get("body", []) if e.get("type") == "TextBlock"]
    return texts[1] if len(texts) > 1 else ""


def audit_rows(stack: LocalStack, object_id: str) -> list[tuple[str, str, str]]:
    """(actor, action, outcome) of the bot's audit lines about one object, oldest first, read
    from its database file the way an auditor would (read-only)."""
    path = stack.database_url.split(":///", 1)[1]
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT actor_id, action, outcome FROM audit_log WHERE object_id = ? ORDER BY id",
            (object_id,),
        ).fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]
