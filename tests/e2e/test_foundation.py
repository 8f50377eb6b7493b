"""The Werkplek bot as Lotte Janssens meets it in the Playground: welcome, help, an unknown
sentence, and a card button. The bot runs as a real process against the Graph emulator; the
Playground sends the Dutch client locale (nl-BE)."""

from __future__ import annotations

import json

import pytest

from devtools.playground import BotMessage, PlaygroundClient, card_actions

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
# The commands the foundation ships; capabilities add theirs as they land.
KEYWORDS = ("hulp", "profiel")


def has_card(message: BotMessage) -> bool:
    return message.card is not None


def buttons(message: BotMessage) -> list[dict[str, object]]:
    assert message.card is not None, f"expected a card, got text {message.text!r}"
    return [a for a in card_actions(message.card) if a.get("type") != "Action.ShowCard"]


async def test_install_sends_a_welcome_card_with_buttons(playground: PlaygroundClient) -> None:
    await playground.install()

    welcome = await playground.next_message(predicate=has_card)

    assert welcome.conversation_id == playground.personal_chat_id
    assert buttons(welcome), "the welcome card offers no buttons"


@pytest.mark.parametrize("word", ["help", "hulp"])
async def test_help_answers_with_a_help_card(playground: PlaygroundClient, word: str) -> None:
    await playground.send_text(word)

    reply = await playground.next_message()

    assert reply.card is not None, f"expected a help card, got text {reply.text!r}"
    listed = [keyword for keyword in KEYWORDS if keyword in reply.all_text.lower()]
    assert listed == list(KEYWORDS), f"help lists {listed}"
    assert "Wat kan ik voor je doen?" in reply.all_text


async def test_a_typo_still_reaches_its_command(playground: PlaygroundClient) -> None:
    await playground.send_text("kan je mijn profeil tonen?")

    reply = await playground.next_message()

    assert "Zo ken ik je" in reply.all_text


async def test_two_readings_are_asked_about(playground: PlaygroundClient) -> None:
    await playground.send_text("mijn toegang en mijn profiel")

    reply = await playground.next_message()

    assert "Wat bedoel je?" in reply.all_text
    titles = [a.get("title") for a in buttons(reply)]
    assert "Mijn toegang" in titles and "Mijn profiel" in titles


async def test_an_unknown_sentence_gets_a_help_button(playground: PlaygroundClient) -> None:
    await playground.send_text("ik zoek de sleutel van de fietsenstalling")

    reply = await playground.next_message()

    assert "begreep ik niet" in reply.all_text
    assert "Toon hulp" in [a.get("title") for a in buttons(reply)]


async def test_profile_comes_from_the_directory(playground: PlaygroundClient) -> None:
    await playground.send_text("wie ben ik?")

    reply = await playground.next_message()

    # Graph emulator data, fetched by the bot through msgraph-sdk with an azure-identity token;
    # the roles come from Lotte's nested group memberships.
    assert "Lotte Janssens" in reply.all_text
    assert "Jef Peeters" in reply.all_text
    assert "servicedeskmedewerker" in reply.all_text
    assert "communicatiebeheerder" in reply.all_text


async def test_card_button_returns_a_refreshed_card(playground: PlaygroundClient) -> None:
    await playground.send_text("help")
    help_message = await playground.next_message(predicate=has_card)
    execute = [a for a in buttons(help_message) if a.get("type") == "Action.Execute"]
    assert execute, "the help card has no Action.Execute button"
    action = execute[0]

    answer = await playground.click(help_message, str(action.get("verb") or action["title"]))

    # Universal Actions: the invoke answers with the card that replaces the clicked one, or the
    # bot replaces the message itself (updateMessage) and answers the invoke plainly.
    if answer.get("type") == CARD_TYPE:
        assert answer["value"].get("type") == "AdaptiveCard"
        refreshed = json.dumps(answer["value"], ensure_ascii=False)
        assert "Bijvoorbeeld" in refreshed, "the refreshed help card should show examples"
    else:
        updated = await playground.next_message(
            predicate=lambda m: m.action == "updateMessage" and m.id == help_message.id
        )
        assert updated.card is not None
