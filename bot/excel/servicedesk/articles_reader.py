"""Reads the knowledge base sheet row by row, collecting every problem instead of stopping.

The knowledge base's row parser for the import pipeline (bot/excel/importing.py), so a file
past the limits of bot/excel/package.py (too large, too many rows, a cell longer than Excel
allows, ...) is one problem, found before a row is checked. Each cell is read as what its column
must hold (text, one of the categories, lines, links, a date); a wrong cell adds a problem with
its row and column and the row goes on, so an admin fixes the whole workbook in one go. Then
each article is checked by the domain (bot/domain/servicedesk/articles.py: its key, lengths,
https links), with the row it came from, and the knowledge base as a whole. Nothing is returned
as valid unless every row is.

One problem per cell: when the row already reported a cell (a required title left empty), the
domain's check of that cell is not repeated; a column missing from the sheet is reported once
(missing_column), never on every row.

The pipeline names a problem's sheet; the domain's ArticleProblem does not, the knowledge base
having one sheet. `SheetProblem` carries the sheet through the pipeline and `placed` puts it
back for describing: a problem without row and column is about the file as a whole.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.servicedesk.articles import (
    MAX_TITLE,
    Article,
    ArticleLink,
    ArticleProblem,
    Category,
    KnowledgeBase,
    article_problems,
)
from bot.excel.cells import RowCells, excerpt, shown
from bot.excel.importing import WORKBOOK, ImportKind, Problems, Sheets, import_workbook
from bot.excel.servicedesk.articles_layout import (
    ARTICLES,
    CATEGORY_WORDS,
    LINE_JOIN,
    LINK_SEPARATOR,
    SHEETS,
)
from bot.excel.workbook import ReadSheet, header_name

__all__ = ["KNOWLEDGE", "SheetProblem", "placed", "read_article_rows", "read_articles"]

MESSAGES = "articles.problem."  # the domain's message ids: articles.problem.required, ...
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


@dataclass(frozen=True, slots=True)
class SheetProblem:
    """An ArticleProblem with the sheet it is on, as the import pipeline reports problems."""

    sheet: str
    row: int | None
    column: str
    message_key: str
    value: str = ""

    def article_problem(self) -> ArticleProblem:
        return ArticleProblem(self.row, self.column, self.message_key, self.value)


def placed(problem: ArticleProblem) -> SheetProblem:
    """The problem on its sheet: the file as a whole when it has neither row nor column (not a
    workbook, refused before its rows, the sheet missing), else the articles sheet."""
    sheet = WORKBOOK if problem.row is None and not problem.column else ARTICLES.key
    return SheetProblem(sheet, problem.row, problem.column, problem.message_key, problem.value)


def read_article_rows(sheets: Sheets, problems: Problems[SheetProblem]) -> KnowledgeBase:
    """The knowledge base the sheet describes (meaningful only when no problems were found)."""
    return ArticleRows(problems).knowledge(sheets.get(ARTICLES.key))


# The knowledge base's part of the import pipeline.
KNOWLEDGE = ImportKind(SHEETS, SheetProblem, MESSAGES, read_article_rows)


def read_articles(data: bytes) -> tuple[KnowledgeBase | None, list[ArticleProblem]]:
    """The knowledge base in the workbook, or None with every problem found (never both)."""
    knowledge, problems = import_workbook(data, KNOWLEDGE)
    return knowledge, [problem.article_problem() for problem in problems]


class ArticleRows:
    """One workbook's articles; problems go to the import's list."""

    def __init__(self, problems: Problems[SheetProblem]) -> None:
        self.problems = problems

    def knowledge(self, sheet: ReadSheet | None) -> KnowledgeBase:
        articles: list[Article] = []
        keys: set[str] = set()
        for number, values in sheet.rows() if sheet is not None else ():
            first = len(self.problems.found)
            cells = Cells(self.problems, ARTICLES.key, number, values)
            key = cells.text("key", required=True)
            if key and key.casefold() in keys:
                cells.report("key", "duplicate", key)
            elif key:
                keys.add(key.casefold())
            article = Article(
                key=key,
                category=cells.category() or Category.OTHER,
                title_nl=cells.text("title_nl", required=True),
                answer_nl=cells.multiline("answer_nl", required=True),
                title_en=cells.text("title_en"),
                answer_en=cells.multiline("answer_en"),
                questions_nl=cells.lines("questions_nl"),
                questions_en=cells.lines("questions_en"),
                links=cells.links("links"),
                owner=cells.text("owner"),
                last_reviewed=cells.date("last_reviewed"),
            )
            reported = {problem.column for problem in self.problems.found[first:]}
            for found in article_problems(article, number):
                if found.column in values and found.column not in reported:
                    self._add(found)
            articles.append(article)
        knowledge = KnowledgeBase(tuple(articles))
        self._add_whole_problems(knowledge)
        return knowledge

    def _add_whole_problems(self, knowledge: KnowledgeBase) -> None:
        """The domain's checks of the knowledge base as a whole (too many articles, a key twice),
        for anything the rows did not already report; its checks of each article were made
        with their rows."""
        per_article = Counter(
            problem for article in knowledge.articles for problem in article_problems(article, None)
        )
        seen = {(p.message_key, p.value.casefold()) for p in self.problems}
        for found in knowledge.problems():
            if per_article[found]:
                per_article[found] -= 1
                continue
            if (found.message_key, excerpt(found.value).casefold()) not in seen:
                self._add(found)

    def _add(self, found: ArticleProblem) -> None:
        """A problem the domain found, on the sheet, quoted as the rows quote."""
        value = excerpt(found.value)
        self.problems.add(
            SheetProblem(ARTICLES.key, found.row, found.column, found.message_key, value)
        )


class Cells(RowCells[SheetProblem]):
    """One row's values, read as what each column must hold."""

    def multiline(self, column: str, *, required: bool = False) -> str:
        """Text of several lines (Markdown), its line ends as Excel's: "\\n"."""
        return _lines_joined(self.text(column, required=required))

    def lines(self, column: str) -> tuple[str, ...]:
        """One entry per line; blank lines left out."""
        return tuple(_entries(self.values.get(column)))

    def category(self) -> Category | None:
        """One of the categories, by its value or a word for it."""
        text = self.text("category", required=True)
        if not text:
            return None
        wanted = header_name(text)
        for category in Category:
            if wanted in {header_name(w) for w in (category.value, *CATEGORY_WORDS[category])}:
                return category
        self.report("category", "unknown_category", text)
        return None

    def links(self, column: str) -> tuple[ArticleLink, ...]:
        """One link per line: "title | url" or "title (nl) | title (en) | url". Whether the url
        is https is the domain's check."""
        found: list[ArticleLink] = []
        for line in _entries(self.values.get(column)):
            parts = [part.strip() for part in line.split(LINK_SEPARATOR)]
            if len(parts) not in (2, 3) or not parts[0] or not parts[-1]:
                self.report(column, "bad_link", line)
                continue
            title_nl, title_en, url = parts if len(parts) == 3 else (parts[0], "", parts[1])
            if len(title_nl) > MAX_TITLE or len(title_en) > MAX_TITLE:
                self.report(column, "too_long", MAX_TITLE)
            found.append(ArticleLink(title_nl, title_en, url))
        return tuple(found)

    def date(self, column: str) -> date | None:
        """A date: a date cell, or text as 14/03/2025 (day first) or 2025-03-14."""
        value = self.values.get(column)
        if self.blank(column):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        found = _parsed_date(value) if isinstance(value, str) else None
        if found is None:
            self.report(column, "bad_date", value)
        return found


def _lines_joined(text: str) -> str:
    return text.replace("\r\n", LINE_JOIN).replace("\r", LINE_JOIN)


def _entries(value: object) -> list[str]:
    lines = _lines_joined(shown(value)).split(LINE_JOIN)
    return [line.strip() for line in lines if line.strip()]


def _parsed_date(text: str) -> date | None:
    text = text.strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _DAY_FIRST_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None
