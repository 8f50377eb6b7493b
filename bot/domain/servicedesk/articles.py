"""The service desk's knowledge base: articles that answer the questions people ask most.

Admins keep it as an Excel workbook (bot/excel/servicedesk/articles.py), like the licence
catalogue: a workbook is read row by row, and the knowledge base it makes is checked as a whole
before it replaces the stored one, so a half-valid workbook never reaches the database.

An article has a title, the questions it answers in the words people use, and an answer in the
Markdown subset Teams renders, each in Dutch and (optionally) English, with a category, links,
the team that owns it and when it was last reviewed. Search (bot/store/servicedesk/) finds the
article whose title and questions, then answer, share the most telling words with a question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

MAX_KEY = 64
MAX_TITLE = 200
MAX_QUESTION = 300
MAX_QUESTIONS = 20
MAX_ANSWER = 4000
MAX_LINKS = 5
MAX_URL = 500
MAX_OWNER = 200
MAX_ARTICLES = 5000
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Markdown links in an answer: [text](url).
_MARKDOWN_LINK = re.compile(r"\]\(([^)\s]*)")
LANGUAGES = ("nl", "en")


class Category(StrEnum):
    ACCESS = "access"  # toegang en aanmelden
    LICENCES = "licences"
    POWER_PLATFORM = "power_platform"  # Power BI en Power Platform
    POST = "post"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ArticleLink:
    title_nl: str
    title_en: str
    url: str

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title_nl


@dataclass(frozen=True, slots=True)
class Article:
    key: str  # stable id, e.g. "mfa-registreren"
    category: Category
    title_nl: str
    answer_nl: str  # Markdown (the subset Teams renders)
    title_en: str = ""
    answer_en: str = ""
    questions_nl: tuple[str, ...] = ()
    questions_en: tuple[str, ...] = ()
    links: tuple[ArticleLink, ...] = ()
    owner: str = ""  # who keeps it up to date (a team's address)
    last_reviewed: date | None = None

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title_nl

    def answer(self, locale: str) -> str:
        return self.answer_en if locale == "en" and self.answer_en else self.answer_nl

    def heading_text(self, language: str) -> str:
        """What search weighs most: the title and the questions, in one language."""
        if language == "en":
            return " ".join((self.title_en, *self.questions_en))
        return " ".join((self.title_nl, *self.questions_nl))

    def body_text(self, language: str) -> str:
        return self.answer_en if language == "en" else self.answer_nl


@dataclass(frozen=True, slots=True)
class SearchHit:
    """An article a search found, with its rank: larger is better, comparable within one
    search only (each engine ranks its own way)."""

    key: str
    rank: float
    # How many of the question's distinct words of substance the article holds, of how many.
    matched: int = 0
    asked: int = 0

    @property
    def relevant(self) -> bool:
        """Whether the article shares enough of the question to be offered as its answer:
        every word of a short question, or two and a third of a longer one. One shared word
        of many ("ik zoek de sleutel van de fietsenstalling" and an article on security keys)
        is a coincidence, not an answer."""
        if self.asked <= 1 or self.matched == self.asked:
            return self.matched == self.asked and self.asked > 0
        return self.matched >= 2 and self.matched * 3 >= self.asked


@dataclass(frozen=True, slots=True)
class ArticleProblem:
    """One reason a knowledge base cannot be used: where (row, column) and a message id."""

    row: int | None
    column: str
    message_key: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    articles: tuple[Article, ...] = ()
    _by_key: dict[str, Article] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {article.key: article for article in self.articles})

    def article(self, key: str) -> Article | None:
        return self._by_key.get(key)

    def problems(self) -> list[ArticleProblem]:
        """Everything that makes the knowledge base unusable as a whole (rows are checked on
        read: article_problems)."""
        found: list[ArticleProblem] = []
        if len(self.articles) > MAX_ARTICLES:
            found.append(
                ArticleProblem(None, "key", "articles.problem.too_many", str(MAX_ARTICLES))
            )
        keys = [article.key for article in self.articles]
        for key in sorted({k for k in keys if keys.count(k) > 1}):
            found.append(ArticleProblem(None, "key", "articles.problem.duplicate", key))
        for article in self.articles:
            found += article_problems(article, None)
        return found


def article_problems(article: Article, row: int | None) -> list[ArticleProblem]:
    """What is wrong with one article: a key that is no key, something required left empty,
    a text longer than the store keeps, a link that is not https."""
    found: list[ArticleProblem] = []

    def problem(column: str, key: str, value: str = "") -> None:
        found.append(ArticleProblem(row, column, key, value))

    if not _KEY.match(article.key) or len(article.key) > MAX_KEY:
        problem("key", "articles.problem.key", article.key[:MAX_KEY])
    for column, text in (("title_nl", article.title_nl), ("answer_nl", article.answer_nl)):
        if not text.strip():
            problem(column, "articles.problem.required")
    for column, text, limit in (
        ("title_nl", article.title_nl, MAX_TITLE),
        ("title_en", article.title_en, MAX_TITLE),
        ("answer_nl", article.answer_nl, MAX_ANSWER),
        ("answer_en", article.answer_en, MAX_ANSWER),
        ("owner", article.owner, MAX_OWNER),
    ):
        if len(text) > limit:
            problem(column, "articles.problem.too_long", str(limit))
    for column, questions in (
        ("questions_nl", article.questions_nl),
        ("questions_en", article.questions_en),
    ):
        if len(questions) > MAX_QUESTIONS or any(len(q) > MAX_QUESTION for q in questions):
            problem(column, "articles.problem.questions", str(MAX_QUESTIONS))
    if len(article.links) > MAX_LINKS:
        problem("links", "articles.problem.links", str(MAX_LINKS))
    urls = [link.url for link in article.links]
    for column, answer in (("answer_nl", article.answer_nl), ("answer_en", article.answer_en)):
        for url in _MARKDOWN_LINK.findall(answer):
            if not _is_https(url):
                problem(column, "articles.problem.link", url[:MAX_URL])
    for url in urls:
        if not _is_https(url):
            problem("links", "articles.problem.link", url[:MAX_URL])
    return found


def _is_https(url: str) -> bool:
    return url.startswith("https://") and len(url) <= MAX_URL and len(url) > len("https://")


def languages_of(article: Article) -> Iterable[str]:
    """The languages an article can be searched in: Dutch always, English when written."""
    yield "nl"
    if article.title_en.strip() and article.answer_en.strip():
        yield "en"
