"""Lotte asks Werkplek whether her access is in order, then refreshes the card in place.

The bot runs as a real process; every fact on the card comes from the Graph emulator through
msgraph-sdk, gathered concurrently."""

from __future__ import annotations

import pytest

from devtools.playground import BotMessage, PlaygroundClient

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def has_card(message: BotMessage) -> bool:
    return message.card is not None


async def test_status_shows_the_access_card_and_refreshes_it(playground: PlaygroundClient) -> None:
    await playground.send_text("is mijn toegang in orde?")

    card = await playground.next_message(predicate=has_card)

    text = card.all_text
    assert "Jouw toegang" in text
    # Lotte's demo data: an Authenticator app and Windows Hello, a compliant laptop.
    for line in ("Account", "MFA", "Licenties", "Toestellen", "Aanvragen en post"):
        assert line.lower() in text.lower(), f"the card has no {line} line"
    # Her open requests and post come from the bot's own store, each with a button to its list.
    assert "Toon mijn aanvragen" in text and "Toon mijn post" in text

    refreshed = await playground.click(card, "access.refresh")

    assert refreshed.get("type") == CARD_TYPE
    assert "Jouw toegang" in str(refreshed["value"])
    assert "Aanvragen en post" in str(refreshed["value"])


async def test_the_open_work_line_opens_the_requests_list(playground: PlaygroundClient) -> None:
    await playground.send_text("status")
    card = await playground.next_message(predicate=has_card)

    await playground.click(card, "Toon mijn aanvragen")

    requests = await playground.next_message(predicate=has_card)
    assert "Je aanvragen" in requests.all_text


async def test_a_service_desk_agent_looks_up_a_colleague(
    playground: PlaygroundClient,
) -> None:
    # Lotte is a service-desk agent in the demo tenant: she may look up Jef.
    await playground.send_text("status jef.peeters@demo.werkplek.be")

    card = await playground.next_message(predicate=has_card)

    assert "Toegang van Jef Peeters" in card.all_text
    # Jef's open work is on it; the buttons to Lotte's own lists are not.
    assert "Aanvragen en post" in card.all_text
    assert "Toon mijn aanvragen" not in card.all_text
