"""Cards of the chat's workbook inbox: a file it will not take, and how to send a workbook."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator
from cards.base import MAX_LINE, Card, Element, card, heading, text
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


# What the problems of one refused workbook may take on one card (Teams takes about 28 KB).
MAX_PROBLEM_CHARS = 12_000


@dataclass(frozen=True, slots=True)
class ProblemTexts:
    """The catalog ids of a workbook's problem cards: the first card's title and counted body,
    the next cards' title ({part} of {parts}) and the last card's next step."""

    title: str
    body: str
    more: str
    next_step: str


def problem_cards(
    problems: Sequence[str], t: Translator, texts: ProblemTexts, way_on: Element
) -> list[Card]:
    """Every problem of a refused workbook, one line each, over as many cards as they need
    (the first explains, the last has `way_on`). A line quotes the workbook's cells, so the
    whole line is escaped (it holds no Markdown of ours); the bullets are ours."""
    chunks: list[list[str]] = [[]]
    size = 0
    for line in problems:
        entry = f"- {escape_text(line, limit=MAX_LINE)}"
        if chunks[-1] and size + len(entry) > MAX_PROBLEM_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(entry)
        size += len(entry) + 1
    cards: list[Card] = []
    for number, chunk in enumerate(chunks, start=1):
        body: list[Element] = []
        if number == 1:
            body += [heading(t(texts.title)), text(t.n(texts.body, len(problems)))]
        else:
            body.append(heading(t(texts.more, part=number, parts=len(chunks))))
        if chunk:
            body.append(text("\n".join(chunk)))
        last = number == len(chunks)
        if last:
            body.append(text(t(texts.next_step), subtle=True))
        cards.append(card(body, [way_on] if last else None))
    return cards
