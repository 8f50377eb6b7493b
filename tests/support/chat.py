"""The tests' one chat harness: a fake Turn, and `say`, `click` and `send`, which drive the real
dispatcher (bot/commands/dispatcher.py) as Teams would: a message, a card button, files. For
tests that go through the SDK over HTTP, `card_click` is the same button as Teams posts it.

Each call makes a fresh turn from the keyword arguments (who, in which conversation, in which
language) and returns it with what the bot answered, so a test reads as a conversation:

    turn = await say(dispatcher, "status", user_id=ANN, roles=AGENT)
    turn, result = await click(dispatcher, Verb.ACCESS_SHOW, {"user": JAN}, user_id=ANN)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, TypedDict, Unpack

from bot.commands.dispatcher import ActionResult, Dispatcher
from bot.domain.platform.actors import Actor
from bot.domain.platform.roles import Role
from bot.i18n import Translator
from bot.turn import PERSONAL, Card, IncomingFile

STAFF = frozenset({Role.STAFF})


class FakeTurn:
    """A Turn (bot/turn.py) that records what the bot sends: `texts` and `cards`, in order."""

    def __init__(
        self,
        *,
        user_id: str = "user-1",
        tenant_id: str = "tenant-1",
        name: str = "Lotte Janssens",
        roles: frozenset[Role] = STAFF,
        locale: str = "nl",
        files: Sequence[IncomingFile] = (),
        correlation_id: str = "activity-1",
        conversation_type: str = PERSONAL,
        conversation_id: str = "",
    ) -> None:
        self.caller = Actor(user_id, tenant_id, name, roles, correlation_id)
        self.t = Translator(locale)
        self.correlation_id = correlation_id
        self.conversation_type = conversation_type
        self.conversation_id = conversation_id or "a:chat-with-" + user_id
        self.files: Sequence[IncomingFile] = tuple(files)
        self.texts: list[str] = []
        self.cards: list[Card] = []

    async def send_text(self, text: str) -> None:
        self.texts.append(text)

    async def send_card(self, card: Card) -> None:
        self.cards.append(card)


class TurnOptions(TypedDict, total=False):
    """Who speaks, where and how: FakeTurn's keyword arguments (files go through `send`)."""

    user_id: str
    tenant_id: str
    name: str
    roles: frozenset[Role]
    locale: str
    correlation_id: str
    conversation_type: str
    conversation_id: str


class Clicked(NamedTuple):
    """A click's turn (what was sent besides the answer) and the invoke's answer."""

    turn: FakeTurn
    result: ActionResult


async def say(dispatcher: Dispatcher, text: str, **options: Unpack[TurnOptions]) -> FakeTurn:
    """A message typed in the chat."""
    turn = FakeTurn(**options)
    await dispatcher.on_text(turn, text)
    return turn


async def click(
    dispatcher: Dispatcher, verb: str, data: object, **options: Unpack[TurnOptions]
) -> Clicked:
    """A card's Action.Execute button: its verb and data, as the card carries them."""
    turn = FakeTurn(**options)
    return Clicked(turn, await dispatcher.on_action(turn, verb, data))


async def send(
    dispatcher: Dispatcher,
    files: Sequence[IncomingFile],
    text: str = "",
    **options: Unpack[TurnOptions],
) -> FakeTurn:
    """Files sent in the chat, with the message's text (often none)."""
    turn = FakeTurn(files=files, **options)
    await dispatcher.on_files(turn, text)
    return turn


def card_click(verb: str, data: object) -> dict[str, Any]:
    """What makes an activity a click on an Action.Execute button (an invoke Teams posts to
    /api/messages): merge it into an activity of the right person and conversation."""
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "value": {
            "action": {"type": "Action.Execute", "verb": verb, "data": data},
            "trigger": "manual",
        },
    }
