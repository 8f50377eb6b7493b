"""Files on tickets in chat (bot/services/servicedesk/ticket_files.py).

- `attach_sent`: the relay (dialogs/servicedesk/relay.py, `take_files`) hands over the files a
  person sent in their 1:1 chat while it goes to their open ticket; they are attached, and the
  person is told which were and which not, with why.
- "Openen" on a file's card in the ticket's thread (Verb.TICKET_FILE): a link made for the
  clicker. The verb is personal, so clicked in the desk's channel the link card goes to the
  clicker's 1:1 chat (bot/commands/privacy.py) and the thread's card stays as it is. Anyone on
  staff may click; the service lets through the person who asked, an agent of the ticket's desk
  and admins, and a refusal is audited with the card left as it was.
- `TicketFileNoticeCards`: the file's card for the ticket's thread, as an activity for the
  outbox (in the organisation's language: the channel is shared).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.commands.dispatcher import ActionResult, refuse
from bot.commands.registry import card_action
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError, Forbidden, NotFound
from bot.domain.servicedesk.ticket_files import TicketFile
from bot.domain.servicedesk.tickets import Ticket
from bot.i18n import Translator, pick_locale
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.ticket_files import ATTACH, OPEN, TicketFiles
from bot.services.servicedesk.tickets import OBJECT_TYPE
from bot.turn import Card, Turn
from cards.platform.system import explained
from cards.servicedesk.ticket_files import file_link_card, file_thread_card, files_attached_card
from cards.verbs import Verb

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
MAX_ID = 2**63 - 1


class FileTarget(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ticket: int = Field(strict=True, gt=0, le=MAX_ID)
    file: int = Field(strict=True, gt=0, le=MAX_ID)


class TicketFilesDialog:
    def __init__(self, files: TicketFiles, auditor: Auditor) -> None:
        self._files = files
        self._auditor = auditor

    async def attach_sent(self, turn: Turn, ticket: Ticket) -> None:
        """The files of this message, to the person's ticket; the answer says what became of
        each."""
        try:
            attached = await self._files.attach(turn.caller, ticket.id, turn.files)
        except DomainError as error:  # no longer open (or, forged, not theirs)
            await self._audit(turn, ticket, Outcome.REJECTED, error.message_key)
            await turn.send_text(explained(error, turn.t))
            return
        refused = [(r.name, r.reason_key, dict(r.params)) for r in attached.refused]
        await turn.send_card(files_attached_card(attached.ticket, attached.files, refused, turn.t))

    @card_action(Verb.TICKET_FILE, payload=FileTarget)
    async def open_file(self, turn: Turn, data: FileTarget) -> Card | ActionResult:
        try:
            opened = await self._files.open_file(turn.caller, data.ticket, data.file)
        except (NotFound, Forbidden) as refused:
            return await refuse(
                self._auditor,
                turn,
                action=OPEN,
                object_type=OBJECT_TYPE,
                object_id=str(data.ticket),
                message_key=refused.message_key,
            )
        return file_link_card(opened.ticket, opened.file, opened.url, opened.minutes, turn.t)

    async def _audit(self, turn: Turn, ticket: Ticket, outcome: Outcome, reason: str) -> None:
        caller = turn.caller
        await self._auditor.record(
            actor_id=caller.user_id,
            action=ATTACH,
            outcome=outcome,
            role=caller.role,
            tenant_id=caller.tenant_id,
            object_type=OBJECT_TYPE,
            object_id=ticket.reference,
            correlation_id=caller.correlation_id,
            reason=reason,
        )


class TicketFileNoticeCards:
    """Implements bot.services.servicedesk.ticket_files.TicketFileCards."""

    def __init__(self, desk_locale: str = "nl") -> None:
        self._desk = Translator(pick_locale(desk_locale))

    def in_thread(self, ticket: Ticket, file: TicketFile, requester_name: str) -> dict[str, Any]:
        t = self._desk
        return {
            "type": "message",
            "summary": t("servicedesk.files.thread.summary", reference=ticket.reference),
            "attachments": [
                {
                    "contentType": ADAPTIVE_CARD,
                    "content": file_thread_card(ticket, file, requester_name, t),
                }
            ],
        }
