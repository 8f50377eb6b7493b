"""Announcements' proactive messages as Teams activities
(bot.services.announcements.parts.AnnouncementCards): the announcement as its recipients get it,
what a recalled one becomes, the author's status card, an approver's card and short notices.

Each is rendered in its reader's language; `summary` is what Teams shows in the notification and
the chat list (the announcement's own title for the announcement).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.announcements.recipients import Progress
from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator, pick_locale
from cards.announcements.approval import approval_card
from cards.announcements.message import announcement_message, announcement_recalled
from cards.announcements.status import status_card
from cards.base import MAX_NAME, card, card_activity, text, worded


class AnnouncementNoticeCards:
    def __init__(self, zone: tzinfo, default_locale: str = "nl") -> None:
        self._zone = zone
        self._default = pick_locale(default_locale)

    def message(
        self,
        announcement: Announcement,
        locale: str,
        *,
        reminder: bool = False,
        in_channel: bool = False,
    ) -> dict[str, Any]:
        t = self._t(locale)
        content = announcement_message(
            announcement, t, reminder=reminder, in_channel=in_channel, zone=self._zone
        )
        title = escape_text(announcement.text(t.locale).title, limit=MAX_NAME)
        return card_activity(title, content)

    def recalled(self, locale: str) -> dict[str, Any]:
        t = self._t(locale)
        return card_activity(t("announcements.recalled_summary"), announcement_recalled(t))

    def status(self, announcement: Announcement, progress: Progress, locale: str) -> dict[str, Any]:
        t = self._t(locale)
        content = status_card(announcement, progress, t, self._zone)
        return card_activity(
            t("announcements.status_summary", reference=announcement.reference), content
        )

    def approval(
        self,
        announcement: Announcement,
        locale: str,
        *,
        audience_names: Sequence[str],
        audience_size: int | None,
    ) -> dict[str, Any]:
        t = self._t(locale)
        content = approval_card(
            announcement,
            t,
            self._zone,
            audience_names=audience_names,
            audience_size=audience_size,
            decided=False,
        )
        # The same card, edited once decided, must not go on saying it waits for them.
        waiting = announcement.state is AnnouncementState.AWAITING_APPROVAL
        key = "announcements.approval_summary" if waiting else "announcements.status_summary"
        return card_activity(t(key, reference=announcement.reference), content)

    def notice(self, key: str, locale: str, **values: object) -> dict[str, Any]:
        t = self._t(locale)
        said = worded(key, values, t)
        return card_activity(said, card([text(said)]))

    def _t(self, locale: str) -> Translator:
        return Translator(pick_locale(locale or self._default))
