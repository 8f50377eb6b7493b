"""Teams read receipts: the `application/vnd.microsoft.readReceipt` event, handed to the
optional ReadReceipts port (bot.ports.platform).

Teams sends it in a person's 1:1 chat with the bot when they have read it (to apps holding the
ChatMessageReadReceipt.Read.Chat resource-specific permission, for people whose read receipts
are on), with value {"lastReadMessageId": "<Teams message id>"}. The host's gate has checked
the connector host and the tenant like for any activity; here only a receipt from a personal
chat is believed, and who read is the channel's sender, never anything in the event's value.
Nothing is answered to Teams, also not when the port fails: Teams would only send the event
again, and the person could do nothing about it.
"""

from __future__ import annotations

import logging
import re

from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import TurnContext

from bot.ports.platform import ReadReceipts
from bot.teams.turn import conversation_type_of, tenant_of
from bot.turn import PERSONAL

logger = logging.getLogger(__name__)

READ_RECEIPT = "application/vnd.microsoft.readReceipt"
# Teams message ids are epoch milliseconds: digits only (the port compares them as numbers).
_MESSAGE_ID = re.compile(r"[0-9]{1,20}")


def is_read_receipt(context: TurnContext) -> bool:
    """The route selector: a read receipt event, wherever it says it comes from."""
    activity = context.activity
    return activity.type == ActivityTypes.event and activity.name == READ_RECEIPT


async def hand_on(activity: Activity, receipts: ReadReceipts | None) -> bool:
    """Give a read receipt to `receipts`; False when it was ignored (no port, not a personal
    chat, no Entra id for the sender, no readable message id). A failing port is logged with
    ids only and counts as handed on."""
    sender = activity.from_property
    person = sender.aad_object_id if sender else None
    last_read = last_read_message_id(activity.value)
    if (
        receipts is None
        or conversation_type_of(activity) != PERSONAL
        or not person
        or last_read is None
    ):
        return False
    tenant = tenant_of(activity)
    try:
        await receipts.read(tenant, person, last_read)
    except Exception as error:
        # The type only: an error's text may carry what the port stored or looked up.
        logger.warning(
            "read receipt not recorded (%s)",
            type(error).__name__,
            extra={"user_id": person, "tenant_id": tenant},
        )
    return True


def last_read_message_id(value: object) -> str | None:
    """The receipt's lastReadMessageId when it is a Teams message id, else None."""
    found = value.get("lastReadMessageId") if isinstance(value, dict) else None
    return found if isinstance(found, str) and _MESSAGE_ID.fullmatch(found) else None
