"""Personal answers only in personal chats.

A message or a card in a channel or group chat is read by everyone in it. Every command and card
verb declares whether its answer is personal (bot.commands.registry: personal unless
declared otherwise); the dispatcher is the one place that acts on it. Asked for a personal answer
outside the caller's 1:1 chat, it runs the command or click on a `PrivateTurn`, which keeps what
the handler answers instead of sending it; the kept answer then goes to the caller's 1:1 chat
through the durable outbox (which opens that chat when the bot never spoke with the person), and the
conversation where they asked gets one neutral line.

Decisions (and why):
- The handler still sees where it was asked (`conversation_type`, `conversation_id`): a card a
  team's channel already holds (an item of that team's post) may be refreshed there, and a scan
  link is never made for a click in a channel at all (dialogs/post/items.py).
- Nothing is half-shown: if the outbox cannot take the answer (the database is down), the
  conversation gets the failure card with a reference and the kept answer is dropped, never sent
  where everyone reads it.
- Without a notifier (a bot built without the outbox) the person is asked to repeat the question
  in the 1:1 chat: the answer is not sent anywhere.
- One outbox message per card or text, in the order the handler sent them. Dedupe keys come from
  the activity (a hash of tenant, person, conversation and activity id), so a redelivered
  activity the gate let through twice is still queued once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from typing import Any

from bot.domain.platform.actors import Actor
from bot.i18n import N_, Translator
from bot.ports.platform import Notifier
from bot.turn import Card, IncomingFile, Turn, is_personal

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
SENT_PRIVATELY = N_("privacy.sent_privately")
ASK_PRIVATELY = N_("privacy.ask_privately")
SUMMARY = N_("privacy.summary")
_KEY_PREFIX = "private:"

Activity = dict[str, Any]


class PrivateTurn:
    """A turn whose answers are kept for the caller's 1:1 chat instead of being sent where the
    caller asked. Everything else is the original turn's."""

    def __init__(self, origin: Turn) -> None:
        self.caller: Actor = origin.caller
        self.t: Translator = origin.t
        self.conversation_type = origin.conversation_type
        self.conversation_id = origin.conversation_id
        self.files: Sequence[IncomingFile] = origin.files
        self.kept: list[Activity] = []

    async def send_text(self, text: str) -> None:
        self.keep_text(text)

    async def send_card(self, card: Card) -> None:
        self.keep_card(card)

    def keep_text(self, text: str) -> None:
        if text:
            self.kept.append({"type": "message", "text": text})

    def keep_card(self, card: Card) -> None:
        self.kept.append(
            {
                "type": "message",
                # What Teams shows in the notification and chat list instead of "sent a card".
                "summary": self.t(SUMMARY),
                "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}],
            }
        )


def goes_privately(turn: Turn, personal: bool) -> bool:
    """Must a personal answer asked for on this turn be kept for the 1:1 chat?"""
    return personal and not is_personal(turn) and not isinstance(turn, PrivateTurn)


class PrivateReplies:
    """Queues what a PrivateTurn kept to the caller's 1:1 chat (bot.ports.platform.Notifier: the
    outbox)."""

    def __init__(self, notifier: Notifier | None) -> None:
        self._notifier = notifier

    async def deliver(self, turn: PrivateTurn) -> bool:
        """Queue every kept answer; False when there is no way to reach the 1:1 chat. Raises
        what the notifier raises (nothing is then shown in the conversation)."""
        if self._notifier is None:
            return False
        base = _dedupe_base(turn)
        caller = turn.caller
        for index, activity in enumerate(turn.kept):
            await self._notifier.notify_user(
                caller.tenant_id, caller.user_id, activity, f"{base}:{index}"
            )
        return True


def _dedupe_base(turn: Turn) -> str:
    caller = turn.caller
    activity = caller.correlation_id or secrets.token_hex(16)  # no id: nothing to repeat either
    seen = "\x1f".join((caller.tenant_id, caller.user_id, turn.conversation_id, activity))
    return _KEY_PREFIX + hashlib.sha256(seen.encode("utf-8")).hexdigest()[:40]
