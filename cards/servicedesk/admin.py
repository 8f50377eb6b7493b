"""Cards of the knowledge base's admin side: what it holds (per category), its workbook's
download link and how to import an edited one, and the import's results.

As the licence catalogue's: the download button is an Action.OpenUrl to a signed link that works
for a few minutes (the card says so, and that asking again gives a fresh one); an import that is
refused lists every problem, over further cards when there are many (a Teams card holds about
28 KB), and ends with the way on: the knowledge base as it is now, to edit and send again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.domain.servicedesk.articles import Category, KnowledgeBase
from bot.i18n import N_, Translator
from cards.base import Card, Element, card, facts, heading, open_url, run_button, text
from cards.platform.system import help_button
from cards.platform.workbooks import ProblemTexts, problem_cards

ARTICLES_COMMAND = "articles"  # dialogs/servicedesk/admin.py
# Characters of problem lines per card: well under Teams' card size limit, with room for markup.
_PROBLEM_TEXTS = ProblemTexts(
    title=N_("articles_admin.import.rejected_title"),
    body=N_("articles_admin.import.rejected_body"),
    more=N_("articles_admin.import.rejected_more"),
    next_step=N_("articles_admin.import.rejected_next"),
)
CATEGORY_KEYS = {
    Category.ACCESS: N_("articles_admin.category.access"),
    Category.LICENCES: N_("articles_admin.category.licences"),
    Category.POWER_PLATFORM: N_("articles_admin.category.power_platform"),
    Category.POST: N_("articles_admin.category.post"),
    Category.OTHER: N_("articles_admin.category.other"),
}


def category_facts(knowledge: KnowledgeBase, t: Translator) -> list[tuple[str, str]]:
    """How many articles each category holds, every category (an empty one says 0)."""
    counts = Counter(article.category for article in knowledge.articles)
    return [(t(CATEGORY_KEYS[category]), str(counts[category])) for category in Category]


def articles_card(knowledge: KnowledgeBase, download_url: str, minutes: int, t: Translator) -> Card:
    body = [
        heading(t("articles_admin.title")),
        text(t.n("articles_admin.intro", len(knowledge.articles))),
        facts(category_facts(knowledge, t)),
        text(t("articles_admin.import_title"), weight="Bolder"),
        text(t("articles_admin.import_how")),
        text(t.n("articles_admin.link.lifetime", minutes), subtle=True),
    ]
    return card(body, [open_url(t("articles_admin.download"), download_url)])


def import_done_card(knowledge: KnowledgeBase, t: Translator) -> Card:
    body = [
        heading(t("articles_admin.import.done_title")),
        text(t.n("articles_admin.import.done_body", len(knowledge.articles))),
        facts(category_facts(knowledge, t)),
    ]
    return card(body, [_show_articles(t)])


def import_problem_cards(problems: Sequence[str], t: Translator) -> list[Card]:
    """Every problem, one line each, over as many cards as they need (the first explains)."""
    return problem_cards(problems, t, _PROBLEM_TEXTS, _show_articles(t))


def import_refused_card(t: Translator) -> Card:
    """Someone who is not a Werkplek admin sent the knowledge base's workbook."""
    return card(
        [
            heading(t("articles_admin.files.refused_title")),
            text(t("articles_admin.files.refused_body")),
        ],
        [help_button(t)],
    )


def _show_articles(t: Translator) -> Element:
    """The way on: the knowledge base as it is now, its counts and a fresh download link."""
    return run_button(t("articles_admin.show"), ARTICLES_COMMAND)
