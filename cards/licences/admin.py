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
from bot.i18n import N_, Translator
from cards.base import (
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
from cards.platform.workbooks import MAX_PROBLEM_CHARS as MAX_PROBLEM_CHARS
from cards.platform.workbooks import ProblemTexts, problem_cards

# Characters of problem lines per card: well under Teams' card size limit, with room for markup.
_PROBLEM_TEXTS = ProblemTexts(
    title=N_("licence_admin.import.rejected_title"),
    body=N_("licence_admin.import.rejected_body"),
    more=N_("licence_admin.import.rejected_more"),
    next_step=N_("licence_admin.import.rejected_next"),
)


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
    return problem_cards(problems, t, _PROBLEM_TEXTS, _show_catalogue(t))


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
