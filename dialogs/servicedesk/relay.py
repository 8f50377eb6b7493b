"""The relay in chat: the person's free messages to their open ticket, the agents' thread to
the person (bot/services/servicedesk/relay.py).

The dispatcher calls this dialog at three points (Dispatcher.relay_with):
- `take`: a message in the person's 1:1 chat that does not open with a command's keyword, while
  their messages go to a ticket: relayed (or, "stop", no longer);
- `offer`: a message nothing claimed, from someone with an open ticket not asked about yet:
  "Hoort dit bij je melding SD-…?";
- `from_thread`: a message in a ticket's thread in the desk's channel, from an agent of that
  desk: to the person, or an internal note. Anyone else's message there is left to the rest
  of the bot (which answers only when it is mentioned).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.commands.dispatcher import ActionResult, refuse
from bot.commands.hooks import QuestionHandler
from bot.commands.registry import card_action
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError, Forbidden, NotFound
from bot.domain.platform.roles import Role
from bot.domain.platform.text import folded_words
from bot.domain.servicedesk.tickets import Ticket
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.relay import FromThread, TicketRelay
from bot.services.servicedesk.tickets import OBJECT_TYPE
from bot.turn import Card, Turn, is_personal
from cards.servicedesk.relay import (
    relay_declined_card,
    relay_offer_card,
    relay_started_card,
    relay_stopped_card,
)
from cards.servicedesk.ticket_parts import MAX_REPLY
from cards.verbs import Verb

logger = logging.getLogger(__name__)

MAX_TICKET_ID = 2**63 - 1
# What ends the relay, in either language (a message of these words alone).
_STOP = frozenset({"stop", "stoppen", "stop relay", "stop doorgeven", "stop doorsturen"})


class RelayTarget(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ticket: int = Field(strict=True, gt=0, le=MAX_TICKET_ID)


class RelayAsk(RelayTarget):
    text: Annotated[str, StringConstraints(max_length=MAX_REPLY)] = ""


class RelayDialog:
    def __init__(
        self, relay: TicketRelay, auditor: Auditor, *, fallback: QuestionHandler | None = None
    ) -> None:
        """fallback: what answers a message the person said is not for their ticket (the
        dispatcher, reading it as if no ticket were open)."""
        self._relay = relay
        self._auditor = auditor
        self._fallback = fallback

    # --- the person's chat ------------------------------------------------------------------
    async def take(self, turn: Turn, text: str) -> bool:
        if not is_personal(turn):
            return False
        ticket = await self._relay.relaying(turn.caller)
        if ticket is None:
            return False
        if " ".join(folded_words(text)) in _STOP:
            await self._relay.decline(turn.caller, ticket.id)
            await turn.send_card(relay_stopped_card(ticket, turn.t))
            return True
        await self._relay.relay(turn.caller, ticket, text[:MAX_REPLY])
        await turn.send_text(turn.t("servicedesk.relay.relayed", reference=ticket.reference))
        return True

    async def offer(self, turn: Turn, text: str) -> bool:
        if not is_personal(turn):
            return False
        ticket = await self._relay.to_offer(turn.caller)
        if ticket is None:
            return False
        await turn.send_card(relay_offer_card(ticket, text, turn.t))
        return True

    @card_action(Verb.TICKET_RELAY_YES, payload=RelayAsk)
    async def yes(self, turn: Turn, data: RelayAsk) -> Card | ActionResult:
        try:
            ticket = await self._relay.accept(turn.caller, data.ticket, data.text)
        except NotFound as refused:
            return await self._refused(turn, "servicedesk.relay.yes", data, refused)
        return relay_started_card(ticket, turn.t)

    @card_action(Verb.TICKET_RELAY_NO, payload=RelayAsk)
    async def no(self, turn: Turn, data: RelayAsk) -> Card | ActionResult:
        try:
            ticket = await self._relay.decline(turn.caller, data.ticket)
        except NotFound as refused:
            return await self._refused(turn, "servicedesk.relay.no", data, refused)
        if self._fallback is not None and data.text.strip():
            await self._answer_instead(turn, data.text)
        return relay_declined_card(ticket, turn.t)

    @card_action(Verb.TICKET_RELAY_STOP, payload=RelayTarget)
    async def stop(self, turn: Turn, data: RelayTarget) -> Card | ActionResult:
        try:
            ticket = await self._relay.decline(turn.caller, data.ticket)
        except NotFound as refused:
            return await self._refused(turn, "servicedesk.relay.stop", data, refused)
        return relay_stopped_card(ticket, turn.t)

    # --- the desk's channel -----------------------------------------------------------------
    async def from_thread(self, turn: Turn, text: str) -> bool:
        """A message in a ticket's thread: True when it was the relay's to handle (relayed,
        noted, or refused with a word in the thread)."""
        if turn.conversation_type != "channel":
            return False
        if not (turn.caller.has(Role.AGENT) or turn.caller.has(Role.ADMIN)):
            return False
        ticket_id = await self._relay.ticket_of_thread(turn.conversation_id)
        if ticket_id is None:
            return False
        try:
            done = await self._relay.from_thread(turn.caller, ticket_id, text)
        except (NotFound, Forbidden) as refused:
            await self._auditor.record(
                actor_id=turn.caller.user_id,
                tenant_id=turn.caller.tenant_id,
                action="servicedesk.relay.thread",
                outcome=Outcome.DENIED,
                object_type=OBJECT_TYPE,
                object_id=str(ticket_id),
                correlation_id=turn.caller.correlation_id,
                reason=refused.message_key,
            )
            await turn.send_text(turn.t(refused.message_key))
            return True
        except DomainError as error:  # resolved or closed, too long, empty
            reason = turn.t(error.message_key, **error.params)
            await turn.send_text(turn.t("servicedesk.relay.thread.not_sent", reason=reason))
            return True
        if done is FromThread.ANSWER:
            logger.info("thread message relayed", extra={"ticket_id": ticket_id})
        return True

    # --- helpers ----------------------------------------------------------------------------
    async def _answer_instead(self, turn: Turn, text: str) -> None:
        assert self._fallback is not None
        try:
            await self._fallback(turn, text)
        except Exception:  # the "Nee" stands; only the extra answer is lost
            logger.warning("fallback answer failed", exc_info=True)

    async def _refused(
        self, turn: Turn, action: str, data: RelayTarget, refused: NotFound | Forbidden
    ) -> ActionResult:
        return await refuse(
            self._auditor,
            turn,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=str(data.ticket),
            message_key=refused.message_key,
        )

    # --- files the person sends (dialogs/servicedesk/ticket_files.py) ------------------------
    # Attaches the files of the turn to the ticket and answers (TicketFilesDialog.attach_sent).
    _attach_files: Callable[[Turn, Ticket], Awaitable[None]] | None = None

    def attach_files_with(self, attach: Callable[[Turn, Ticket], Awaitable[None]]) -> None:
        self._attach_files = attach

    async def take_files(self, turn: Turn, text: str) -> bool:
        """Files sent in the person's 1:1 chat while it goes to their open ticket: attached,
        and the message's words relayed as any other. False, having done nothing, otherwise
        (the files then go where they went before: the workbook inbox)."""
        if self._attach_files is None or not is_personal(turn) or not turn.files:
            return False
        ticket = await self._relay.relaying(turn.caller)
        if ticket is None:
            return False
        if text.strip():
            await self._relay.relay(turn.caller, ticket, text[:MAX_REPLY])
            await turn.send_text(turn.t("servicedesk.relay.relayed", reference=ticket.reference))
        await self._attach_files(turn, ticket)
        return True
