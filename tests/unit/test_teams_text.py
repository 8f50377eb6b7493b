"""What the Teams adapter reads from a message (mentions stripped) and refuses to send (a signed
link in a conversation others read)."""

from __future__ import annotations

from typing import Any

import pytest
from microsoft_agents.activity import Activity

from bot.domain.platform.actors import Actor
from bot.i18n import Translator
from bot.teams.auth import without_nul
from bot.teams.turn import SignedLinkOutsidePersonalChat, TeamsTurn, message_text
from bot.turn import carries_signed_link

BOT = "28:werkplek-app-id"


def message(text: str, *, mentions: list[dict[str, Any]] | None = None, **fields: Any) -> Activity:
    return Activity.model_validate(
        {
            "type": "message",
            "id": "1",
            "text": text,
            "channelId": "msteams",
            "from": {"id": "29:lotte", "aadObjectId": "lotte", "name": "Lotte Janssens"},
            "recipient": {"id": BOT, "name": "Werkplek"},
            "conversation": {"id": "19:x@thread.tacv2", "conversationType": "channel"},
            "entities": mentions or [],
            **fields,
        }
    )


def mention(name: str, who: str, text: str | None = None) -> dict[str, Any]:
    return {
        "type": "mention",
        "mentioned": {"id": who, "name": name},
        "text": text if text is not None else f"<at>{name}</at>",
    }


@pytest.mark.parametrize(
    ("text", "mentions", "expected"),
    [
        # As Teams sends it in a channel: the bot's mention with its entity.
        (
            "<at>Werkplek</at> licentie ik heb Power BI nodig",
            [mention("Werkplek", BOT)],
            "licentie ik heb Power BI nodig",
        ),
        # No entity (a client that sends only the markup): the bot's name still goes.
        ("<at>Werkplek</at>&nbsp;status", [], "status"),
        ("licentie voor R&amp;D", [], "licentie voor R&D"),
        ("<AT>werkplek</AT> status", [], "status"),
        # The bot renamed in the team ("Werkplek Bot"): its entity says it is the bot.
        ("<at>Werkplek Bot</at> post", [mention("Werkplek Bot", BOT)], "post"),
        # Other people keep their name, without the markup.
        (
            "<at>Werkplek</at> post doorsturen naar <at>Jef Peeters</at> tot vrijdag",
            [mention("Werkplek", BOT), mention("Jef Peeters", "29:jef")],
            "post doorsturen naar Jef Peeters tot vrijdag",
        ),
        ("help", [], "help"),
        ("", [], ""),
        ("<at></at> hulp", [], "hulp"),
        ('<at id="0">Werkplek</at> hulp', [], "hulp"),
    ],
)
def test_mentions_are_stripped_before_parsing(
    text: str, mentions: list[dict[str, Any]], expected: str
) -> None:
    assert message_text(message(text, mentions=mentions)) == expected


def test_a_mention_in_the_middle_leaves_one_space() -> None:
    assert message_text(message("ik wil <at>Werkplek</at>licentie")) == "ik wil licentie"


LINK = "https://werkplek.example/api/exports/catalogue?lang=nl&by=u&exp=1764230400&sig=abc"


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        ({"actions": [{"type": "Action.OpenUrl", "url": LINK}]}, True),
        ({"body": [{"type": "TextBlock", "text": f"Klik [hier]({LINK})"}]}, True),
        ({"body": [{"type": "TextBlock", "text": "https://werkplek.example/help?q=sig"}]}, False),
        ({"actions": [{"type": "Action.OpenUrl", "url": "https://desk.example"}]}, False),
        ({"body": [{"type": "TextBlock", "text": "geen link"}]}, False),
    ],
)
def test_signed_links_are_recognised_anywhere_on_a_card(
    card: dict[str, Any], expected: bool
) -> None:
    assert carries_signed_link(card) is expected


class Context:
    """The part of the SDK's TurnContext a TeamsTurn uses."""

    def __init__(self, activity: Activity) -> None:
        self.activity = activity
        self.sent: list[Any] = []

    async def send_activity(self, activity: Any) -> None:
        self.sent.append(activity)


@pytest.mark.parametrize("scope", ["channel", "groupChat"])
async def test_a_signed_link_never_leaves_for_a_shared_conversation(scope: str) -> None:
    activity = message("catalogus")
    activity.conversation.conversation_type = scope
    context = Context(activity)
    turn = TeamsTurn(context, Actor("lotte", "t"), Translator("nl"))  # type: ignore[arg-type]
    with pytest.raises(SignedLinkOutsidePersonalChat):
        await turn.send_card({"actions": [{"type": "Action.OpenUrl", "url": LINK}]})
    assert context.sent == []
    await turn.send_card({"body": [{"type": "TextBlock", "text": "hulp"}]})
    assert len(context.sent) == 1
    assert turn.conversation_id == "19:x@thread.tacv2"


async def test_a_signed_link_goes_out_in_the_personal_chat() -> None:
    activity = message("catalogus")
    activity.conversation.conversation_type = "personal"
    context = Context(activity)
    turn = TeamsTurn(context, Actor("lotte", "t"), Translator("nl"))  # type: ignore[arg-type]
    await turn.send_card({"actions": [{"type": "Action.OpenUrl", "url": LINK}]})
    assert len(context.sent) == 1


def test_nul_characters_leave_what_a_person_typed_and_nothing_else() -> None:
    typed = {"action": {"data": {"note\x00": ["a\x00b", {"c": "d\x00"}], "n": 1, "ok": None}}}
    assert without_nul(typed) == {
        "action": {"data": {"note": ["ab", {"c": "d"}], "n": 1, "ok": None}}
    }
    assert without_nul("status\x00") == "status"
    assert without_nul(3.5) == 3.5
