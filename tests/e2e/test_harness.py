"""The Playground harness itself, against the bare echo bot: if these fail, the product e2e
tests cannot be trusted either way."""

from __future__ import annotations

import aiohttp
import pytest

from devtools.playground import BotMessage, PlaygroundClient, card_text, find_action
from devtools.stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def has_card(message: BotMessage) -> bool:
    return message.card is not None


async def test_config_names_the_demo_user_and_conversations(
    echo_playground: PlaygroundClient,
) -> None:
    settings = echo_playground.settings
    assert settings["tenantId"] == "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
    assert settings["currentUser"]["name"] == "Lotte Janssens"
    assert settings["currentUser"]["aadObjectId"] == "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"
    assert echo_playground.personal_chat_id.startswith("a:")
    assert set(echo_playground.channel_ids) == {"General", "Servicedesk escalaties"}
    assert echo_playground.channel_ids["General"] == echo_playground.team_id


async def test_install_delivers_a_card_with_a_button(echo_playground: PlaygroundClient) -> None:
    await echo_playground.install()

    welcome = await echo_playground.next_message(predicate=has_card)

    assert welcome.conversation_id == echo_playground.personal_chat_id
    assert welcome.card is not None
    assert find_action(welcome.card, "Tel op")["type"] == "Action.Execute"


async def test_text_round_trip_with_dutch_locale(echo_playground: PlaygroundClient) -> None:
    await echo_playground.send_text("hallo werkplek")

    reply = await echo_playground.next_message()

    assert reply.text == "echo: hallo werkplek"


async def test_action_execute_returns_the_refreshed_card(
    echo_playground: PlaygroundClient,
) -> None:
    await echo_playground.install()
    card_message = await echo_playground.next_message(predicate=has_card)

    answer = await echo_playground.click(card_message, "echo.count", {"count": 41})

    assert answer["type"] == CARD_TYPE
    text = card_text(answer["value"])
    assert "Teller: 42" in text
    assert "Locale: nl-BE" in text


async def test_locale_can_be_switched_to_english(
    echo_playground: PlaygroundClient, echo_stack: LocalStack
) -> None:
    assert echo_stack.playground is not None
    echo_stack.playground.locale = "en-US"
    await echo_playground.install()
    card_message = await echo_playground.next_message(predicate=has_card)

    answer = await echo_playground.click(card_message, "Tel op")

    assert "Locale: en-US" in card_text(answer["value"])


async def test_group_chat_and_channel_reach_the_bot_when_mentioned(
    echo_playground: PlaygroundClient,
) -> None:
    await echo_playground.send_text(
        "in de groep", conversation_id=echo_playground.group_chat_id, mention_bot=True
    )
    group_reply = await echo_playground.next_message()
    await echo_playground.send_text(
        "in het kanaal", conversation_id=echo_playground.team_id, mention_bot=True
    )
    channel_reply = await echo_playground.next_message()

    assert (group_reply.conversation_id, group_reply.text) == (
        echo_playground.group_chat_id,
        "echo: in de groep",
    )
    # A channel message starts a thread: "<channel id>;messageid=<post id>".
    assert channel_reply.conversation_id.startswith(echo_playground.team_id + ";messageid=")
    assert channel_reply.text == "echo: in het kanaal"


async def test_bot_side_send_and_update_reach_the_client(
    echo_playground: PlaygroundClient, echo_stack: LocalStack
) -> None:
    # What the bot's connector client does for proactive sends and card refreshes.
    assert echo_stack.playground is not None
    activities = (
        f"{echo_stack.playground.service_url}/v3/conversations/"
        f"{echo_playground.personal_chat_id}/activities"
    )
    async with aiohttp.ClientSession() as session:
        async with session.post(activities, json={"type": "message", "text": "eerst"}) as sent:
            assert sent.status == 201
            sent_id = (await sent.json())["id"]
        first = await echo_playground.next_message()
        async with session.put(
            f"{activities}/{sent_id}", json={"type": "message", "text": "daarna"}
        ) as updated:
            assert updated.status == 200
        second = await echo_playground.next_message()

    assert (first.action, first.id, first.text) == ("createMessage", sent_id, "eerst")
    assert (second.action, second.id, second.text) == ("updateMessage", sent_id, "daarna")
