"""What a dialog sees of one incoming message or card click, independent of the Teams SDK."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.domain.roles import Role, may_act_as
from bot.i18n import Translator

Card = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Caller:
    """The person behind the activity, as far as we trust it (ids come from the channel)."""

    user_id: str  # Entra object id
    tenant_id: str
    name: str = ""
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.STAFF}))

    def has(self, role: Role) -> bool:
        return may_act_as(self.roles, role)


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

    caller: Caller
    t: Translator
    correlation_id: str
    conversation_type: str  # "personal", "groupChat" or "channel"
    files: Sequence[IncomingFile]  # files sent with the message; empty for most turns

    async def send_text(self, text: str) -> None: ...

    async def send_card(self, card: Card) -> None: ...
