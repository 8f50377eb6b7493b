"""Notices of the licence capability as Teams activities (bot.ports.licences.LicenceCards).

The flow renders each notice when it saves the transition that caused it, in the recipient's
language; the outbox sends the activity as it is. `summary` is what Teams shows in the
notification and the chat list instead of "sent a card".
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from bot.domain.licences.notices import LicenceNotice
from bot.i18n import Translator, pick_locale
from cards.licences.status import notice_card, notice_title

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


class LicenceNoticeCards:
    def __init__(self, tz: tzinfo) -> None:
        self._tz = tz

    def render(self, notice: LicenceNotice, locale: str) -> dict[str, Any]:
        t = Translator(pick_locale(locale))
        return {
            "type": "message",
            "summary": notice_title(notice, t),
            "attachments": [
                {"contentType": ADAPTIVE_CARD, "content": notice_card(notice, t, self._tz)}
            ],
        }
