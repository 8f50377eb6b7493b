"""The service desk's knowledge base as an Excel workbook: what admins download, edit and upload
again.

Sheets: Artikels (English "Articles" accepted on upload), one article per row, and Toelichting,
which explains every column and is never read. Questions and links sit one per line inside their
cell; answers are Markdown; the last review is a real Excel date. The layout is in
articles_layout.py, the row checks in articles_reader.py.

`read_articles` checks every cell of every row and reports all problems at once, each with its
row and column, so an admin fixes a workbook in one go; it returns a knowledge base only when
there is nothing to report (the store then replaces the whole knowledge base: all or nothing).
It is the import pipeline of bot/excel/importing.py with the articles' layout and row parser, so
a file past the limits of bot/excel/package.py is one problem, found before the rows are
checked. `describe_problem` turns a problem into the sentence the admin reads: "blad Artikels,
rij 7, kolom Categorie: ...".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from bot.domain.servicedesk.articles import Article, ArticleLink, ArticleProblem, KnowledgeBase
from bot.excel.importing import describe_problem as describe_in_workbook
from bot.excel.layout import Col
from bot.excel.servicedesk.articles_layout import (
    ARTICLES,
    DATE_COLUMNS,
    LINE_JOIN,
    LINK_JOIN,
    MULTILINE,
    README,
    SHEETS,
    readme_lines,
)
from bot.excel.servicedesk.articles_reader import placed, read_articles
from bot.excel.workbook import (
    DATE_FORMAT,
    CellValue,
    Column,
    add_sheet,
    add_text_sheet,
    new_workbook,
    workbook_bytes,
)
from bot.i18n import Translator

__all__ = ["describe_problem", "read_articles", "write_articles"]

Cells = dict[str, CellValue]


def write_articles(knowledge: KnowledgeBase) -> bytes:
    """The knowledge base as an .xlsx workbook that read_articles reads back to an equal one
    (articles in their order)."""
    workbook = new_workbook()
    add_text_sheet(
        workbook,
        README[0],
        ("Blad", "Kolom", "Verplicht", "Uitleg"),
        readme_lines(),
        widths=(12, 22, 11, 100),
    )
    rows = [_cells(article) for article in knowledge.articles]
    add_sheet(workbook, ARTICLES.nl, [_column(c) for c in ARTICLES.columns], rows, timezone=UTC)
    workbook.active = 1  # open on the articles; the explanation is one tab to the left
    return workbook_bytes(workbook)


def describe_problem(problem: ArticleProblem, t: Translator) -> str:
    """ "blad Artikels, rij 7, kolom Categorie: ..." in the translator's language (the message
    alone for a problem with the file as a whole)."""
    return describe_in_workbook(placed(problem), t, SHEETS)


# --- writing -------------------------------------------------------------------------------------
def _column(column: Col) -> Column[Cells]:
    """As write_layout_sheet writes a column, but dates as dates and lists and Markdown wrapped:
    text columns stay text when edited (Excel would turn "1-2" into a date), dropdown columns
    keep the general format."""
    number_format = "" if column.choices else "@"
    if column.key in DATE_COLUMNS:
        number_format = DATE_FORMAT
    return Column(
        column.nl,
        _getter(column.key),
        width=column.width,
        number_format=number_format,
        choices=column.choices,
        wrap=column.key in MULTILINE,
    )


def _getter(key: str) -> Callable[[Cells], CellValue]:
    return lambda row: row.get(key)


def _cells(article: Article) -> Cells:
    return {
        "key": article.key,
        "category": article.category.value,
        "title_nl": article.title_nl,
        "title_en": article.title_en,
        "questions_nl": LINE_JOIN.join(article.questions_nl),
        "questions_en": LINE_JOIN.join(article.questions_en),
        "answer_nl": article.answer_nl,
        "answer_en": article.answer_en,
        "links": LINE_JOIN.join(_link(link) for link in article.links),
        "owner": article.owner,
        "last_reviewed": article.last_reviewed,
    }


def _link(link: ArticleLink) -> str:
    titles = (link.title_nl, link.title_en) if link.title_en else (link.title_nl,)
    return LINK_JOIN.join((*titles, link.url))
