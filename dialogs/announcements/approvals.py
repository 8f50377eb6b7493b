"""The second person's decision on an announcement (when approval is required): "Goedkeuren" or
"Afwijzen" with a note, on the card every approver got in their chat.

The first decision wins: the service saves it only on the version the card showed, and every
approver's card is then edited in place (through the outbox) to say who decided what. The
clicker reads the outcome at once as a message; their card follows with the others'.
"""

from __future__ import annotations

from bot.commands.dispatcher import ActionResult, refuse
from bot.commands.registry import card_action
from bot.domain.platform.errors import Forbidden, NotFound
from bot.domain.platform.roles import Role
from bot.services.announcements.approvals import AnnouncementApprovals
from bot.services.platform.audit import Auditor
from bot.turn import Turn
from cards.verbs import Verb
from dialogs.announcements.payloads import Decision


class AnnouncementApprovalDialog:
    def __init__(self, approvals: AnnouncementApprovals, auditor: Auditor) -> None:
        self._approvals = approvals
        self._auditor = auditor

    @card_action(Verb.ANNOUNCEMENT_APPROVE, payload=Decision, role=Role.COMMS)
    async def approve(self, turn: Turn, data: Decision) -> ActionResult:
        return await self._decide(turn, data, approve=True)

    @card_action(Verb.ANNOUNCEMENT_REJECT, payload=Decision, role=Role.COMMS)
    async def reject(self, turn: Turn, data: Decision) -> ActionResult:
        return await self._decide(turn, data, approve=False)

    async def _decide(self, turn: Turn, data: Decision, *, approve: bool) -> ActionResult:
        try:
            after = await self._approvals.decide(
                turn.caller, data.announcement, data.version, approve, data.note
            )
        except (NotFound, Forbidden) as refused:
            return await refuse(
                self._auditor,
                turn,
                action="announcements.approve" if approve else "announcements.reject",
                object_type="announcement",
                object_id=str(data.announcement),
                message_key=refused.message_key,
            )
        key = "announcements.approved_notice" if approve else "announcements.rejected_notice"
        return ActionResult(message=turn.t(key, reference=after.reference))
