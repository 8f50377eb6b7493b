"""Cards of the chat's workbook inbox: a file it will not take, and how to send a workbook."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Translator
from cards.base import Card, card, heading, text
from cards.platform.system import help_button


def inbox_refused_card(t: Translator) -> Card:
    """Someone who may import no workbook at all sent a file."""
    return card(
        [
            heading(t("workbooks.refused_title")),
            text(t("workbooks.refused_body")),
        ],
        [help_button(t)],
    )


def one_workbook_card(hints: Sequence[str], t: Translator) -> Card:
    """No .xlsx file, or several at once. `hints`: the workbooks this person may send."""
    return _with_hints(t("workbooks.one_title"), t("workbooks.one_body"), hints, t)


def unknown_workbook_card(hints: Sequence[str], t: Translator) -> Card:
    """A workbook whose sheets say neither what it is."""
    return _with_hints(t("workbooks.unknown_title"), t("workbooks.unknown_body"), hints, t)


def download_failed_card(message: str, t: Translator) -> Card:
    """`message`: card text (a DomainError through cards.platform.system.explained)."""
    return card(
        [
            heading(t("licence_admin.files.download_failed_title")),
            text(message),
        ],
        [help_button(t)],
    )


def _with_hints(title: str, body: str, hints: Sequence[str], t: Translator) -> Card:
    """What to send instead; the way on is sending the right file, else what Werkplek can do."""
    blocks = [heading(title), text(body)]
    if hints:
        blocks.append(text("\n".join(f"- {hint}" for hint in hints)))
    return card(blocks, [help_button(t)])
