"""What a recipient does with an announcement: "Gelezen en begrepen" on an urgent one.

The click is recorded once per person (a second click, on another device, shows the first
time) and the person's own card is updated in place to say when they acknowledged it. Only
someone the announcement was sent to can acknowledge it; the author's preview records nothing.
"""

from __future__ import annotations

from datetime import tzinfo

from bot.commands.dispatcher import ActionResult, refuse
from bot.commands.registry import card_action
from bot.domain.platform.errors import InvalidInput, NotFound
from bot.services.announcements.receipts import AnnouncementReceipts
from bot.services.platform.audit import Auditor
from bot.turn import Card, Turn
from cards.announcements.message import announcement_message
from cards.verbs import Verb
from dialogs.announcements.payloads import Acknowledged


class AnnouncementReceiptDialog:
    def __init__(self, receipts: AnnouncementReceipts, auditor: Auditor, zone: tzinfo) -> None:
        self._receipts = receipts
        self._auditor = auditor
        self._zone = zone

    @card_action(Verb.ANNOUNCEMENT_ACKNOWLEDGE, payload=Acknowledged)
    async def acknowledge(self, turn: Turn, data: Acknowledged) -> Card | ActionResult:
        try:
            announcement, at = await self._receipts.acknowledge(
                turn.caller, data.announcement, data.preview
            )
        except InvalidInput as refused:
            return ActionResult(message=turn.t(refused.message_key), shareable=True)
        except NotFound as refused:
            return await refuse(
                self._auditor,
                turn,
                action="announcements.acknowledge",
                object_type="announcement",
                object_id=str(data.announcement),
                message_key=refused.message_key,
            )
        return announcement_message(announcement, turn.t, acknowledged_at=at, zone=self._zone)
