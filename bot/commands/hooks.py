"""What the dispatcher hands on to the capabilities that take messages no command claims: files,
greetings, questions for the knowledge base, and the service desk's relay."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.turn import Turn

# Receives a message that came with files (turn.files), and the message's text.
FileHandler = Callable[[Turn, str], Awaitable[None]]
# Answers a greeting (False) or thanks (True) (the start dialog's welcome).
GreetingHandler = Callable[[Turn, bool], Awaitable[None]]
# Answers what no command claims (the knowledge base); False: no answer.
QuestionHandler = Callable[[Turn, str], Awaitable[bool]]


class Relay(Protocol):
    """The service desk's relay (dialogs/servicedesk/relay.py): each returns whether it took the
    message."""

    async def take(self, turn: Turn, text: str) -> bool:
        """A free message in the person's chat while it goes to their open ticket."""
        ...

    async def offer(self, turn: Turn, text: str) -> bool:
        """A message nothing claimed, from someone with an open ticket not asked about."""
        ...

    async def from_thread(self, turn: Turn, text: str) -> bool:
        """A message in a ticket's thread in the desk's channel."""
        ...

    async def take_files(self, turn: Turn, text: str) -> bool:
        """Files sent in the person's chat while it goes to their open ticket."""
        ...
