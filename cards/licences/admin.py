"""Cards of the licence admin side: the catalogue (download, how to import), import results and
the licence report's download link.

Download buttons are Action.OpenUrl to a signed link that works for a few minutes; the card says
so, and that asking again gives a fresh one. An import that is refused lists every problem; when
there are many, they continue on further cards (a Teams card holds about 28 KB).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.domain.licences.catalogue import Catalogue
from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator
from cards.base import (
    MAX_LINE,
    MAX_NAME,
    Card,
    Element,
    card,
    facts,
    heading,
    open_url,
    run_button,
    text,
)
from cards.platform.system import help_button

# Characters of problem lines per card: well under Teams' card size limit, with room for markup.
MAX_PROBLEM_CHARS = 12_000


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def catalogue_facts(catalogue: Catalogue, t: Translator) -> list[tuple[str, str]]:
    questions = sum(len(item.questions) for item in catalogue.items)
    return [
        (t("licence_admin.count.items"), str(len(catalogue.items))),
        (t("licence_admin.count.questions"), str(questions)),
        (t("licence_admin.count.entities"), str(len(catalogue.entities))),
        (t("licence_admin.count.policies"), str(len(catalogue.policies))),
        (t("licence_admin.count.offers"), str(len(catalogue.offers))),
    ]


def catalogue_card(catalogue: Catalogue, download_url: str, minutes: int, t: Translator) -> Card:
    body = [
        heading(t("licence_admin.catalogue.title")),
        text(t("licence_admin.catalogue.intro")),
        facts(catalogue_facts(catalogue, t)),
        text(t("licence_admin.catalogue.import_title"), weight="Bolder"),
        text(t("licence_admin.catalogue.import_how")),
        text(t.n("licence_admin.link.lifetime", minutes), subtle=True),
    ]
    return card(body, [open_url(t("licence_admin.catalogue.download"), download_url)])


def report_card(
    start: date,
    end: date,
    entity: str,
    download_url: str,
    minutes: int,
    t: Translator,
) -> Card:
    """entity: the entity's code and name as shown, or "" for every entity."""
    entity = escape_text(entity, limit=MAX_NAME)
    body = [
        heading(t("licence_admin.report.title")),
        facts(
            [
                (t("licence_admin.report.period"), f"{_day(start)} – {_day(end)}"),
                (t("licence_admin.report.entity"), entity or t("licence_admin.report.all")),
            ]
        ),
        text(t("licence_admin.report.contents")),
        text(t.n("licence_admin.link.lifetime", minutes), subtle=True),
    ]
    return card(body, [open_url(t("licence_admin.report.download"), download_url)])


def import_done_card(catalogue: Catalogue, t: Translator) -> Card:
    body = [
        heading(t("licence_admin.import.done_title")),
        text(t("licence_admin.import.done_body")),
        facts(catalogue_facts(catalogue, t)),
    ]
    return card(body)


def import_problem_cards(problems: Sequence[str], t: Translator) -> list[Card]:
    """Every problem, one line each, over as many cards as they need (the first explains).
    A line quotes the workbook's cells, so the whole line is escaped (it holds no Markdown of
    ours); the bullets are ours."""
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
        body = []
        if number == 1:
            body += [
                heading(t("licence_admin.import.rejected_title")),
                text(t.n("licence_admin.import.rejected_body", len(problems))),
            ]
        else:
            more = t("licence_admin.import.rejected_more", part=number, parts=len(chunks))
            body.append(heading(more))
        if chunk:
            body.append(text("\n".join(chunk)))
        last = number == len(chunks)
        if last:
            body.append(text(t("licence_admin.import.rejected_next"), subtle=True))
        # The way on: the catalogue as it is now, to edit and send again.
        cards.append(card(body, [_show_catalogue(t)] if last else None))
    return cards


def import_refused_card(t: Translator) -> Card:
    """Someone who is not a Werkplek admin sent a file."""
    return card(
        [
            heading(t("licence_admin.files.refused_title")),
            text(t("licence_admin.files.refused_body")),
        ],
        [help_button(t)],
    )


def _show_catalogue(t: Translator) -> Element:
    return run_button(t("licence_admin.show_catalogue"), "catalogue")
