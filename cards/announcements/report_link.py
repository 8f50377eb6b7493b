"""The link to an announcement's report, in the author's 1:1 chat: a signed link that works
once, for a few minutes (the workbook is made from current figures when it is opened)."""

from __future__ import annotations

from bot.i18n import Translator
from cards.base import Card, card, heading, open_url, text


def report_link_card(reference: str, url: str, minutes: int, t: Translator) -> Card:
    body = [
        heading(t("announcements.report_link.title", reference=reference)),
        text(t("announcements.report_link.contents")),
        text(t.n("announcements.report_link.lifetime", minutes), subtle=True),
    ]
    return card(body, [open_url(t("announcements.report_link.download"), url)])
