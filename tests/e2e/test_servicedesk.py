"""Lotte asks something no command does: the service desk's knowledge base answers.

The stack stored the demo's articles through `werkplek articles import` before the bot started;
the question goes through the Playground, the understanding step, the search of the bot's own
database, and back as a card whose "Nee" updates it in place with the next articles."""

from __future__ import annotations

import pytest

from devtools.playground import BotMessage, PlaygroundClient

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def has_card(message: BotMessage) -> bool:
    return message.card is not None


async def test_a_question_is_answered_by_an_article_and_no_offers_more(
    playground: PlaygroundClient,
) -> None:
    await playground.send_text("mijn rapport ververst niet automatisch, hoe los ik dat op?")

    answer = await playground.next_message(predicate=has_card)

    assert "Heeft dit geholpen?" in answer.all_text
    assert "vernieuw" in answer.all_text.lower()  # the refresh article (gateway, schedule)

    no = await playground.click(answer, "Nee")

    assert no.get("type") == CARD_TYPE
    updated = str(no["value"])
    assert "Jammer dat dit niet hielp." in updated
    assert "Contacteer de servicedesk" in updated
