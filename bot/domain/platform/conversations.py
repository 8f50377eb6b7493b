"""People the bot has met and how to reach them again (conversation references)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SeenUser:
    user_id: str  # Entra object id
    tenant_id: str
    user_principal_name: str = ""
    display_name: str = ""
    locale: str = "nl"
    entity: str = ""


@dataclass(frozen=True, slots=True)
class ConversationRef:
    """Enough of a Bot Framework conversation reference to post into it later."""

    user_id: str  # Entra object id of the person this personal chat is with
    tenant_id: str
    service_url: str
    conversation_id: str
    bot_id: str
    channel_id: str = "msteams"
    locale: str = "nl"
    updated_at: datetime | None = None
