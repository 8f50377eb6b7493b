"""Lotte asks something no command does: the service desk's knowledge base answers.

The stack stored the demo's articles through `werkplek articles import` before the bot started;
the question goes through the Playground, the understanding step, the search of the bot's own
database, and back as a card whose "Nee" updates it in place with the next articles."""

from __future__ import annotations

import re
from collections.abc import Callable

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
    assert "Stel je vraag aan de servicedesk" in updated  # the ticket form, question filled in


TIMEOUT = 30.0


def about(text: str) -> Callable[[BotMessage], bool]:
    return lambda message: message.card is not None and text in message.all_text


async def test_a_ticket_reaches_the_desk_and_the_agents_answer_reaches_lotte(
    playground: PlaygroundClient,
) -> None:
    await playground.send_text("ticket mijn docking station geeft geen beeld meer")
    form = await playground.next_message(predicate=about("Stel je vraag aan de servicedesk"))

    sent = await playground.click(form, "servicedesk.ticket.submit", {"category": "other"})

    assert sent.get("type") == CARD_TYPE
    reference = re.search(r"SD-\d{4}-\d{6}", str(sent["value"]))
    assert reference is not None, sent
    # The desk's card, in the team's service-desk channel, with the question on it.
    desk = await playground.next_message(TIMEOUT, about(reference.group()))
    assert desk.conversation_id.startswith(playground.channel_ids["Servicedesk escalaties"])
    assert "docking station geeft geen beeld" in desk.all_text

    jef = playground.user_id_of("Jef Peeters")  # a service-desk agent in the demo tenant
    taken = await playground.click(desk, "servicedesk.ticket.take", as_user=jef)
    assert "Je behandelt deze melding." in str(taken["value"])
    await playground.click(
        desk, "servicedesk.ticket.reply", {"reply": "Probeer een andere USB-C-poort."}, as_user=jef
    )

    answer = await playground.next_message(TIMEOUT, about("Probeer een andere USB-C-poort."))
    assert answer.conversation_id == playground.personal_chat_id
    assert "Jef Peeters" in answer.all_text
    # The channel's card is edited in place with the answer too (and the next test starts
    # with nothing of this one still on its way).
    channel = playground.channel_ids["Servicedesk escalaties"]
    edited = await playground.next_message(
        TIMEOUT,
        lambda m: m.conversation_id.startswith(channel) and "USB-C-poort" in m.all_text,
    )
    assert edited.action == "updateMessage" and reference.group() in edited.all_text
