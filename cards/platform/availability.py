"""What a person sees when Werkplek cannot reach its database: not an error of theirs, nothing
lost, try again shortly. The reference is the log line's, for the service desk."""

from __future__ import annotations

from bot.i18n import Translator
from cards.base import Card, card, heading, text
from cards.platform.system import Retry, help_button, retry_button


def unavailable_card(reference: str, t: Translator, *, retry: Retry | None = None) -> Card:
    """`retry`: the command and words to run again ("Opnieuw proberen"), else the help button."""
    body = [
        heading(t("availability.title")),
        text(t("availability.body")),
        text(t("availability.reference", reference=reference), subtle=True),
    ]
    return card(body, [retry_button(retry, t) if retry is not None else help_button(t)])


def unavailable_text(reference: str, t: Translator) -> str:
    """The same in one line, for the answer to a card click (the clicked card stays as it was)."""
    return t("availability.short", reference=reference)
