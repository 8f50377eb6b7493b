"""Lotte asks something no command does: the service desk's knowledge base answers.

The stack stored the demo's articles through `werkplek articles import` before the bot started;
the question goes through the Playground, the understanding step, the search of the bot's own
database, and back as a card whose "Nee" updates it in place with the next articles."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

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
    assert "Stel je vraag aan de servicedesk" in updated

    # The "Nee" becomes a ticket: the form, with the question filled in, sent from the card.
    form = await playground.click(_as_shown(answer, no), "Stel je vraag aan de servicedesk")
    assert form.get("type") == CARD_TYPE
    assert "mijn rapport ververst niet automatisch" in str(form["value"])
    sent = await playground.click(
        _as_shown(answer, form), "servicedesk.ticket.submit", {"category": "power_platform"}
    )
    assert sent.get("type") == CARD_TYPE
    assert re.search(r"SD-\d{4}-\d{6}", str(sent["value"])) is not None, sent


def _as_shown(message: BotMessage, response: dict[str, object]) -> BotMessage:
    """The message as Teams shows it after a click answered with a card: updated in place."""
    return replace(message, attachments=[{"contentType": CARD_TYPE, "content": response["value"]}])


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


async def test_lotte_and_the_agent_talk_through_the_ticket_thread(
    playground: PlaygroundClient,
) -> None:
    """The relay: Lotte's free message is offered for her open ticket and, once she says yes,
    appears in the ticket's thread in the desk's channel; the agent answers in that thread and
    Lotte reads it in her chat; she stops the relay, the agent resolves, she rates."""
    await playground.send_text("ticket mijn tweede scherm flikkert om de paar minuten")
    form = await playground.next_message(predicate=about("Stel je vraag aan de servicedesk"))
    sent = await playground.click(form, "servicedesk.ticket.submit", {"category": "other"})
    reference = re.search(r"SD-\d{4}-\d{6}", str(sent["value"]))
    assert reference is not None, sent
    desk = await playground.next_message(TIMEOUT, about(reference.group()))

    await playground.send_text("het gebeurt vooral als ik het laptopdeksel dichtdoe")
    offer = await playground.next_message(TIMEOUT, about("Hoort dit bij je melding"))
    assert reference.group() in offer.all_text
    added = await playground.click(offer, "servicedesk.relay.yes")
    assert "Toegevoegd aan melding" in str(added["value"])

    # In the ticket's thread, under the desk's card: what Lotte wrote.
    in_thread = await playground.next_message(
        TIMEOUT,
        lambda m: m.conversation_id == desk.thread_id and "laptopdeksel" in m.all_text,
    )
    assert "Lotte" in in_thread.all_text

    # Jef answers in the thread (the Playground passes channel messages on only when they
    # mention the bot; Teams, with the channel-message permission, passes them all).
    jef = playground.user_id_of("Jef Peeters")
    await playground.send_text(
        "Zet je scherm eens op 60 Hz.",
        conversation_id=desk.thread_id,
        mention_bot=True,
        as_user=jef,
    )
    answer = await playground.next_message(TIMEOUT, about("Zet je scherm eens op 60 Hz."))
    assert answer.conversation_id == playground.personal_chat_id
    # (The name on it is the sender's as the activity gives it; the Playground names every
    # typed message after its current user, so Jef's name is checked in the unit tests.)
    assert "Antwoord van de servicedesk" in answer.all_text

    # Lotte's next free message goes straight to the ticket, until she says stop.
    await playground.send_text("dat helpt, dank je")
    relayed = await playground.next_message(
        TIMEOUT, lambda m: "Doorgegeven aan de servicedesk" in m.all_text
    )
    assert reference.group() in relayed.all_text
    await playground.send_text("stop")
    stopped = await playground.next_message(TIMEOUT, about("niet meer door"))
    assert reference.group() in stopped.all_text

    # Jef resolves it from the desk's card; Lotte is asked "Ben je geholpen?" and rates it.
    resolved = await playground.click(
        desk,
        "servicedesk.ticket.resolve",
        {"resolution": "Verversingsfrequentie op 60 Hz."},
        as_user=jef,
    )
    assert "De melding is opgelost." in str(resolved["value"])
    asked = await playground.next_message(TIMEOUT, about("Ben je geholpen?"))
    assert asked.conversation_id == playground.personal_chat_id
    rated = await playground.click(asked, "servicedesk.ticket.rate", {"rating": "5"})
    assert "Bedankt voor je beoordeling." in str(rated["value"])
