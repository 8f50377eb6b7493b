"""What a dialog sees of one incoming message or card click, independent of the Teams SDK."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from bot.domain.platform.actors import Actor
from bot.domain.platform.signing import SIGNATURE
from bot.i18n import Translator

Card = dict[str, Any]

# Teams' conversation types; only "personal" is a chat between the bot and one person.
PERSONAL = "personal"
_URL = re.compile(r"https?://[^\s<>()\[\]\"']+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """A file the caller sent with the message (Teams: personal chat, "file.download.info").

    download_url is pre-authorised and short-lived: fetch it through the FileDownloads port
    (which checks its host), never log it.
    """

    name: str
    download_url: str
    file_type: str = ""  # the extension Teams reports, e.g. "xlsx"


class Turn(Protocol):
    """One exchange with one caller. Implemented by bot.teams for real and by tests' fakes."""

    caller: Actor  # the person behind the activity, carrying the turn's correlation id
    t: Translator
    conversation_type: str  # "personal", "groupChat" or "channel"
    conversation_id: str  # where the message or click happened (a channel's id, a chat's)
    files: Sequence[IncomingFile]  # files sent with the message; empty for most turns

    async def send_text(self, text: str) -> None: ...

    async def send_card(self, card: Card) -> None: ...


def is_personal(turn: Turn) -> bool:
    """Does only the caller see what this turn answers (their 1:1 chat with the bot)?"""
    return turn.conversation_type == PERSONAL


def carries_signed_link(card: object) -> bool:
    """Does the card hold one of the bot's signed links (a URL with a signature parameter),
    anywhere: a button's URL, a Markdown link in a text? Such a link works for whoever has it,
    so it may only ever be sent in a 1:1 chat (checked where answers are sent, bot.teams)."""
    return any(SIGNATURE in parse_qs(urlsplit(url).query) for url in _urls_in(card))


def _urls_in(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield from _URL.findall(node)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _urls_in(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _urls_in(value)
