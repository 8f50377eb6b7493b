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
    for line in ("Account", "MFA", "Licenties", "Toestellen"):
        assert line.lower() in text.lower(), f"the card has no {line} line"

    refreshed = await playground.click(card, "access.refresh")

    assert refreshed.get("type") == CARD_TYPE
    assert "Jouw toegang" in str(refreshed["value"])


async def test_a_service_desk_agent_looks_up_a_colleague(
    playground: PlaygroundClient,
) -> None:
    # Lotte is a service-desk agent in the demo tenant: she may look up Jef.
    await playground.send_text("status jef.peeters@demo.werkplek.be")

    card = await playground.next_message(predicate=has_card)

    assert "Toegang van Jef Peeters" in card.all_text
