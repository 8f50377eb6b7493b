"""Our `Turn` on top of the Agents SDK's TurnContext, and reading the caller from an activity."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microsoft_agents.activity import Activity, Attachment
from microsoft_agents.hosting.core import MessageFactory, TurnContext

from bot.i18n import Translator
from bot.turn import Caller, Card, IncomingFile

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
# How Teams delivers a file sent to a bot in a personal chat (the bot's supportsFiles is on).
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


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
    return sender.aad_object_id or sender.id or "", sender.name or ""


def conversation_type_of(activity: Activity) -> str:
    conversation = activity.conversation
    return (conversation.conversation_type if conversation else None) or "personal"


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
    def __init__(self, context: TurnContext, caller: Caller, t: Translator) -> None:
        self._context = context
        self.caller = caller
        self.t = t
        self.correlation_id = context.activity.id or ""
        self.conversation_type = conversation_type_of(context.activity)
        self.files: Sequence[IncomingFile] = files_of(context.activity)

    async def send_text(self, text: str) -> None:
        await self._context.send_activity(MessageFactory.text(text))

    async def send_card(self, card: Card) -> None:
        await self._context.send_activity(MessageFactory.attachment(card_attachment(card)))
