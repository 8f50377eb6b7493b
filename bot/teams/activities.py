"""The activity of a request to /api/messages as the SDK will read it: parsed once, quietly,
refusing what would fail a turn half-way, and handed to the SDK with the identity we checked."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from microsoft_agents.activity import Activity, DeliveryModes
from microsoft_agents.hosting.core.authorization import ClaimsIdentity

logger = logging.getLogger(__name__)

# Delivery modes Teams uses (None: not said, the normal way).
_DELIVERY_MODES = (None, DeliveryModes.normal, DeliveryModes.notification)
# The SDK's own log of an activity it cannot read carries the whole activity: filtered out.
_SDK_ACTIVITY_LOG = logging.getLogger("microsoft_agents.activity.activity")


def readable_activity(body: dict[str, Any]) -> Activity | None:
    """The body as the SDK's Activity, or None. Read here, once, and quietly: the SDK logs an
    activity it cannot read at ERROR with the activity itself in the message (names, text), and
    one refusal of its validator is a bare Exception (a channelId whose sub-channel contradicts
    its productInfo entity), which would otherwise be a 500."""
    try:
        activity = Activity.model_validate(body)
    except Exception as error:  # a parse, nothing else: every failure means "no activity"
        logger.info("activity refused: not readable (%s)", type(error).__name__)
        return None
    # The SDK's turn state is kept per channel, conversation and sender, and answers go from
    # the recipient (the bot) to the sender: a turn without one of them fails half-way (every
    # Teams activity has them all).
    sender, conversation, bot = activity.from_property, activity.conversation, activity.recipient
    if not (activity.channel_id and conversation and conversation.id and sender and sender.id):
        logger.info("activity refused: no channel, conversation or sender")
        return None
    if bot is None:
        logger.info("activity refused: no recipient")
        return None
    ids = (sender.id, sender.aad_object_id, bot.id, conversation.id, conversation.tenant_id)
    if any("\x00" in str(value) for value in ids):  # PostgreSQL text cannot hold U+0000
        logger.info("activity refused: U+0000 in an id")
        return None
    # Teams expects answers through its connector. The SDK sends none for a "stream" turn (it
    # fails on the first reply) and returns them in the HTTP answer for "expectReplies", which
    # the bot's card updates and the connector host allow-list do not go through.
    if activity.delivery_mode not in _DELIVERY_MODES:
        logger.info("activity refused: delivery mode %s", activity.delivery_mode)
        return None
    return activity


def hide_activity_dumps() -> None:
    """Keep the SDK's own log line of an activity it cannot read (the whole activity: names,
    text) out of the log. Adding it again does nothing: a logger keeps a filter once."""
    _SDK_ACTIVITY_LOG.addFilter(_no_activity_dumps)


def _no_activity_dumps(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("Validation error for Activity")


class ChannelRequest:
    """The SDK's view of the HTTP request: the identity we validated, the body we parsed once."""

    def __init__(self, request: web.Request, identity: ClaimsIdentity, body: Activity) -> None:
        self._request = request
        self._identity = identity
        self._body = body  # the SDK's model_validate takes an Activity as it is
        self.method = request.method
        self.headers = request.headers

    async def json(self) -> Any:
        return self._body

    def get_claims_identity(self) -> ClaimsIdentity:
        return self._identity

    def get_path_param(self, name: str) -> str:
        return self._request.match_info[name]
