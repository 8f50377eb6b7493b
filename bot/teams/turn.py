"""Our `Turn` on top of the Agents SDK's TurnContext, and reading the caller from an activity."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from typing import Any

from microsoft_agents.activity import Activity, Attachment
from microsoft_agents.hosting.core import MessageFactory, TurnContext
from pydantic import ValidationError

from bot.domain.platform.actors import Actor
from bot.i18n import Translator
from bot.turn import PERSONAL, Card, IncomingFile, carries_signed_link

logger = logging.getLogger(__name__)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
# How Teams delivers a file sent to a bot in a personal chat (the bot's supportsFiles is on).
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
# Teams writes a mention as "<at>Name</at>" in the text (with a "mention" entity beside it).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A name never holds another tag: each match stops at the next "<", so a message of unclosed
# "<at>"s is read in linear time, not each one to the end of the text (seconds for 48 KB).
_MENTION = re.compile(r"<at(?:\s[^<>]*)?>([^<]*)</at\s*>", re.IGNORECASE)


class SignedLinkOutsidePersonalChat(RuntimeError):
    """A card with a signed download link was about to go to a channel or group chat. Never
    expected (the dispatcher sends personal answers privately): a bug, made loud."""


def tenant_of(activity: Activity) -> str:
    if activity.conversation and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    channel_data: Any = activity.channel_data or {}
    if not isinstance(channel_data, dict):
        channel_data = getattr(channel_data, "__dict__", {})
    tenant = channel_data.get("tenant") or {}
    return str(tenant.get("id", "")) if isinstance(tenant, dict) else ""


def user_of(activity: Activity) -> tuple[str, str]:
    """(Entra object id, display name) of the sender; the channel id when Teams gives no AAD id."""
    sender = activity.from_property
    if sender is None:
        return "", ""
    # A name is shown and stored: control characters are no part of one, and PostgreSQL text
    # cannot hold U+0000 at all (every turn of that person failed on remembering them).
    return sender.aad_object_id or sender.id or "", _CONTROL.sub("", sender.name or "")


def conversation_type_of(activity: Activity) -> str:
    conversation = activity.conversation
    return (conversation.conversation_type if conversation else None) or PERSONAL


def message_text(activity: Activity) -> str:
    """What the person typed, without any @mention markup: the bot's own mention goes (the SDK
    removes it when Teams sends a matching mention entity; without one it stays in the text),
    other people's mentions keep only their name ("post doorsturen naar Jef Peeters"); HTML
    entities become characters and runs of whitespace one space."""
    own = {name.casefold() for name in _own_names(activity)}

    def unwrap(found: re.Match[str]) -> str:
        name = html.unescape(found.group(1)).strip()
        return " " if not name or name.casefold() in own else f" {name} "

    # Teams writes the text around a mention as HTML ("<at>Werkplek</at>&nbsp;status").
    text = html.unescape(_MENTION.sub(unwrap, activity.text or ""))
    return " ".join(text.replace("\x00", "").split())  # U+0000: PostgreSQL text cannot hold it


def addresses_bot(activity: Activity) -> bool:
    """Whether the message is for the bot: any message in a 1:1 chat; elsewhere one that
    mentions it (by a mention entity, or by its name in mention markup). With the channel-message
    permission the bot also receives what people say to each other: that is not for it."""
    if conversation_type_of(activity) == PERSONAL:
        return True
    recipient = activity.recipient
    if recipient is not None and recipient.id:
        try:
            mentions = activity.get_mentions()
        except ValidationError:
            mentions = []
        if any(m.mentioned is not None and m.mentioned.id == recipient.id for m in mentions):
            return True
    own = {name.casefold() for name in _own_names(activity)}
    marked = (
        html.unescape(found.group(1)).strip() for found in _MENTION.finditer(activity.text or "")
    )
    return any(name.casefold() in own for name in marked)


def _own_names(activity: Activity) -> list[str]:
    """The names the bot goes by in this activity: the recipient's, and every mention entity's
    text that points at the recipient."""
    recipient = activity.recipient
    names = [recipient.name] if recipient is not None and recipient.name else []
    if recipient is None or not recipient.id:
        return names
    try:
        mentions = activity.get_mentions()
    except ValidationError:  # a malformed entity: the recipient's name still counts
        return names
    for mention in mentions:
        if mention.mentioned is not None and mention.mentioned.id == recipient.id:
            names += [mention.mentioned.name or ""]
            if mention.text:
                names += [inner.group(1) for inner in _MENTION.finditer(mention.text)]
    return [html.unescape(name).strip() for name in names if name]


def files_of(activity: Activity) -> tuple[IncomingFile, ...]:
    """The files sent with a message; other attachments (cards, inline images) are not files."""
    files: list[IncomingFile] = []
    for attachment in activity.attachments or []:
        if attachment.content_type != FILE_DOWNLOAD_INFO:
            continue
        content: Any = attachment.content
        if not isinstance(content, dict):
            content = getattr(content, "__dict__", {})
        url = content.get("downloadUrl")
        if isinstance(url, str) and url:
            file_type = content.get("fileType")
            files.append(
                IncomingFile(
                    name=attachment.name or "",
                    download_url=url,
                    file_type=file_type if isinstance(file_type, str) else "",
                )
            )
    return tuple(files)


def card_attachment(card: Card) -> Attachment:
    return Attachment(content_type=ADAPTIVE_CARD, content=card)


class TeamsTurn:
    def __init__(self, context: TurnContext, caller: Actor, t: Translator) -> None:
        self._context = context
        # The activity's id ties the turn's audit lines to its log lines.
        self.caller = caller.correlated(context.activity.id or "")
        self.t = t
        self.conversation_type = conversation_type_of(context.activity)
        conversation = context.activity.conversation
        self.conversation_id = conversation.id if conversation else ""
        self.files: Sequence[IncomingFile] = files_of(context.activity)

    async def send_text(self, text: str) -> None:
        await self._context.send_activity(MessageFactory.text(text))

    async def send_card(self, card: Card) -> None:
        # The last line of defence: whatever the dialog meant, a signed link never goes out in
        # a conversation other people read.
        if self.conversation_type != PERSONAL and carries_signed_link(card):
            raise SignedLinkOutsidePersonalChat(self.conversation_type)
        await self._context.send_activity(MessageFactory.attachment(card_attachment(card)))
