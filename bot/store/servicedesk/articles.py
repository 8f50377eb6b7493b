"""The knowledge base: its articles (replaced as a whole), their full-text index, its searches.

The index holds each article's stemmed words (bot/store/servicedesk/terms.py: index_terms),
a heading (title and questions) and a body (the answer) per language, and a question is
stemmed the same way before it is looked up, so both engines compare the same words:

- SQLite: an FTS5 table; a question's words are OR-ed, FTS5's BM25 (the heading weighing
  HEADING_WEIGHT times the body) picks the best RERANKED, and those are ranked as on PostgreSQL
  (below), in Python, so both engines rank alike. BM25's length normalisation alone
  made an article with many question variants lose to a short one holding one of the words.
- PostgreSQL: a tsvector per article and language (heading weight A, body weight B) under a
  GIN index; the words are OR-ed in a tsquery and ranked by ts_rank_cd with the same weights.
  ts_rank_cd knows no word rarity, so each word's rank is weighed by its rarity among the
  articles (counted per search), and saturates (normalisation 32: rank / (rank + 1)) as BM25's
  term frequency does, so an article that says "rapport" ten times does not outrank one that
  holds the question's rarer words.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.domain.servicedesk.articles import (
    Article,
    ArticleLink,
    Category,
    KnowledgeBase,
    SearchHit,
    languages_of,
)
from bot.store.database import Database
from bot.store.servicedesk.tables import INDEX_TABLE, articles, searches
from bot.store.servicedesk.terms import index_terms, query_terms

# How much more a word in the title or questions counts than one in the answer.
HEADING_WEIGHT = 4.0
# How long a replica keeps the articles' words before it reads them again.
_VOCABULARY_SECONDS = 60.0
# The heading's share in PostgreSQL's weights {D, C, B, A}: A heading, B body.
_PG_WEIGHTS = f"{{0, 0, {round(1.0 / HEADING_WEIGHT, 3)}, 1.0}}"
MAX_QUESTION_STORED = 500
# SQLite: how many of FTS5's best are ranked again as on PostgreSQL.
RERANKED = 50


class SqlKnowledgeBase:
    """Implements bot.ports.servicedesk.KnowledgeBaseRepository."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._vocabularies: dict[str, tuple[float, frozenset[str]]] = {}

    async def load(self) -> KnowledgeBase:
        async with self._db.connect() as connection:
            rows = (await connection.execute(articles.select().order_by(articles.c.position))).all()
        return KnowledgeBase(tuple(_article(row) for row in rows))

    async def article(self, key: str) -> Article | None:
        async with self._db.connect() as connection:
            row = (await connection.execute(articles.select().where(articles.c.key == key))).first()
        return _article(row) if row is not None else None

    async def replace(self, knowledge: KnowledgeBase) -> None:
        """The whole knowledge base and its index in one transaction: a search sees the old
        one or the new one, never half of each."""
        rows = [_article_row(n, article) for n, article in enumerate(knowledge.articles)]
        entries = [
            (
                article.key,
                language,
                _joined(article.heading_text(language), language),
                _joined(article.body_text(language), language),
            )
            for article in knowledge.articles
            for language in languages_of(article)
        ]
        self._vocabularies.clear()
        async with self._db.transaction() as connection:
            await connection.execute(articles.delete())
            await connection.exec_driver_sql(f"DELETE FROM {INDEX_TABLE}")
            if rows:
                await connection.execute(articles.insert(), rows)
            if entries and self._db.dialect == "postgresql":
                await connection.execute(
                    sa.text(
                        f"INSERT INTO {INDEX_TABLE} (article_key, language, document) VALUES"
                        " (:key, :language, setweight(to_tsvector('simple', :heading), 'A')"
                        " || setweight(to_tsvector('simple', :body), 'B'))"
                    ),
                    [_entry(*entry) for entry in entries],
                )
            elif entries:
                await connection.execute(
                    sa.text(
                        f"INSERT INTO {INDEX_TABLE} (article_key, language, heading, body)"
                        " VALUES (:key, :language, :heading, :body)"
                    ),
                    [_entry(*entry) for entry in entries],
                )

    async def search(self, question: str, language: str, limit: int = 3) -> list[SearchHit]:
        """The articles that answer `question` best, best first (at most `limit`); none when
        no word of substance in it occurs in any article of the language."""
        terms = query_terms(question, language, await self._vocabulary(language))
        if not terms:
            return []
        if self._db.dialect != "postgresql":
            return await self._search_sqlite(terms, language, limit)
        ranked = await self._search_postgres(terms, language, limit)
        held = await self._words_of([hit.key for hit in ranked], language)
        return [
            SearchHit(hit.key, hit.rank, len(set(terms) & held.get(hit.key, set())), len(terms))
            for hit in ranked
        ]

    async def _vocabulary(self, language: str) -> frozenset[str]:
        """Every stem the language's articles hold (for compounds no article holds whole),
        kept for a minute: another replica's import shows within that."""
        cached = self._vocabularies.get(language)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        query = sa.text(
            f"SELECT {self._words_sql()} AS words FROM {INDEX_TABLE} WHERE language = :language"
        )
        async with self._db.connect() as connection:
            rows = (await connection.execute(query, {"language": language})).all()
        words = frozenset(word for row in rows for word in row.words.split())
        self._vocabularies[language] = (time.monotonic() + _VOCABULARY_SECONDS, words)
        return words

    def _words_sql(self) -> str:
        if self._db.dialect == "postgresql":
            return "array_to_string(tsvector_to_array(document), ' ')"
        return "heading || ' ' || body"

    async def _words_of(self, keys: list[str], language: str) -> dict[str, set[str]]:
        """The stems each article's index entry holds (to tell how much of a question it
        shares)."""
        if not keys:
            return {}
        query = sa.text(
            f"SELECT article_key, {self._words_sql()} AS words FROM {INDEX_TABLE}"
            " WHERE language = :language AND article_key IN :keys"
        ).bindparams(sa.bindparam("keys", expanding=True))
        async with self._db.connect() as connection:
            rows = (await connection.execute(query, {"language": language, "keys": keys})).all()
        return {row.article_key: set(row.words.split()) for row in rows}

    async def _search_sqlite(self, terms: list[str], language: str, limit: int) -> list[SearchHit]:
        """FTS5's best candidates by its BM25, ranked again as on PostgreSQL (_ranked), with how
        much of the question each shares: BM25
        divides by an entry's length, so an article with many question variants lost to a short
        one that held a single word of the question."""
        match = " OR ".join(f'"{term}"' for term in terms)
        candidates = sa.text(
            f"SELECT article_key, heading, body FROM {INDEX_TABLE}"
            f" WHERE {INDEX_TABLE} MATCH :match AND language = :language"
            f" ORDER BY bm25({INDEX_TABLE}, 0, 0, :heading, 1.0) LIMIT {RERANKED}"
        )
        holding = ", ".join(
            f"(SELECT count(*) FROM {INDEX_TABLE}"
            f" WHERE {INDEX_TABLE} MATCH :t{i} AND language = :language)"
            for i in range(len(terms))
        )
        counts = sa.text(
            f"SELECT (SELECT count(*) FROM {INDEX_TABLE} WHERE language = :language), {holding}"
        )
        params: dict[str, Any] = {
            "match": "{heading body} : (" + match + ")",
            "language": language,
            "heading": HEADING_WEIGHT,
        }
        params |= {f"t{i}": '{heading body} : "' + term + '"' for i, term in enumerate(terms)}
        async with self._db.connect() as connection:
            rows = (await connection.execute(candidates, params)).all()
            total, *each = (await connection.execute(counts, params)).one()
        holding_each = Counter(dict(zip(terms, each, strict=True)))
        hits = []
        for row in rows:
            # The entry is at hand: how much of the question it shares needs no second read.
            weights = _weights(terms, row.heading, row.body)
            rank = _ranked(weights, total, holding_each)
            hits.append(SearchHit(row.article_key, rank, len(weights), len(terms)))
        hits.sort(key=lambda hit: (-hit.rank, hit.key))
        return hits[:limit]

    async def _search_postgres(
        self, terms: list[str], language: str, limit: int
    ) -> list[SearchHit]:
        """Candidates through the GIN index, ranked by ts_rank_cd per word times the word's
        rarity (log of articles over articles holding it), summed: BM25's idea on PostgreSQL's
        own ranking."""
        async with self._db.connect() as connection:
            total, holding = await self._documents_holding(connection, terms, language)
            present = [term for term in terms if holding.get(term)]
            if not present:
                return []
            weights = {t: _rarity(total, holding[t]) for t in present}
            ranks = " + ".join(
                f"{weights[t]:.6f} * ts_rank_cd('{_PG_WEIGHTS}'::float4[], document,"
                f" to_tsquery('simple', :t{i}), 32)"
                for i, t in enumerate(present)
            )
            query = sa.text(
                f"SELECT article_key, ({ranks}) AS rank FROM {INDEX_TABLE}"
                " WHERE language = :language AND document @@ to_tsquery('simple', :any)"
                " ORDER BY rank DESC, article_key LIMIT :limit"
            )
            params: dict[str, Any] = {f"t{i}": _lexeme(t) for i, t in enumerate(present)}
            params |= {
                "language": language,
                "any": " | ".join(_lexeme(t) for t in present),
                "limit": limit,
            }
            rows = (await connection.execute(query, params)).all()
        return [SearchHit(row.article_key, float(row.rank)) for row in rows]

    async def _documents_holding(
        self, connection: Any, terms: list[str], language: str
    ) -> tuple[int, Counter[str]]:
        """The language's articles, and how many hold each word: one scan of the index."""
        counts = ", ".join(
            f"count(*) FILTER (WHERE document @@ to_tsquery('simple', :t{i}))"
            for i in range(len(terms))
        )
        query = sa.text(f"SELECT count(*), {counts} FROM {INDEX_TABLE} WHERE language = :language")
        params = {f"t{i}": _lexeme(term) for i, term in enumerate(terms)} | {"language": language}
        total, *each = (await connection.execute(query, params)).one()
        return total, Counter(dict(zip(terms, each, strict=True)))

    async def record_search(
        self,
        *,
        reference: str,
        tenant_id: str,
        asked_by: str,
        at: datetime,
        language: str,
        question: str,
        article_key: str | None,
    ) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                searches.insert().values(
                    reference=reference,
                    tenant_id=tenant_id,
                    asked_by=asked_by,
                    asked_at=at,
                    language=language,
                    question=question[:MAX_QUESTION_STORED],
                    article_key=article_key,
                )
            )

    async def record_feedback(
        self, reference: str, asked_by: str, helped: bool, at: datetime
    ) -> bool:
        """Whether it helped, once per search and only from who asked: False when the search
        is unknown, someone else's or already answered (the first answer counts)."""
        async with self._db.transaction() as connection:
            done = await connection.execute(
                searches.update()
                .where(
                    searches.c.reference == reference,
                    searches.c.asked_by == asked_by,
                    searches.c.helped.is_(None),
                )
                .values(helped=helped, answered_at=at)
            )
        return bool(done.rowcount)

    async def search_figures(self, since: datetime, until: datetime) -> dict[str, int]:
        """Searches in [since, until): asked, answered with an article, said to have helped,
        said not to have helped (the knowledge base's deflection)."""
        window = sa.and_(searches.c.asked_at >= since, searches.c.asked_at < until)
        query = sa.select(
            sa.func.count(),
            sa.func.count(searches.c.article_key),
            sa.func.count().filter(searches.c.helped.is_(True)),
            sa.func.count().filter(searches.c.helped.is_(False)),
        ).where(window)
        async with self._db.connect() as connection:
            asked, answered, helped, not_helped = (await connection.execute(query)).one()
        return {
            "asked": asked,
            "answered": answered,
            "helped": helped,
            "not_helped": not_helped,
        }


def _weights(terms: Sequence[str], heading: str, body: str) -> dict[str, float]:
    """How much each question word weighs in an article's index entry: 1 each time in the
    heading, 1/HEADING_WEIGHT in the body (PostgreSQL's weights A and B)."""
    in_heading, in_body = Counter(heading.split()), Counter(body.split())
    weights = {term: in_heading[term] + in_body[term] / HEADING_WEIGHT for term in terms}
    return {term: weight for term, weight in weights.items() if weight}


def _ranked(weights: dict[str, float], total: int, holding: Counter[str]) -> float:
    """PostgreSQL's rank of an article: per question word, its rarity times its weight
    saturated as ts_rank_cd's normalisation 32 does (weight / (weight + 1))."""
    return sum(
        _rarity(total, holding[term]) * weight / (weight + 1) for term, weight in weights.items()
    )


def _rarity(total: int, holding: int) -> float:
    """BM25's weight of a word held by `holding` of `total` articles."""
    return math.log(1 + (total - holding + 0.5) / (holding + 0.5))


def _joined(text: str, language: str) -> str:
    return " ".join(index_terms(text, language))


def _entry(key: str, language: str, heading: str, body: str) -> dict[str, str]:
    return {"key": key, "language": language, "heading": heading, "body": body}


def _lexeme(term: str) -> str:
    """A stem as a tsquery lexeme, quoted (stems are word characters only, quoting is belt and
    braces)."""
    return "'" + term.replace("'", "") + "'"


def _article_row(position: int, article: Article) -> dict[str, Any]:
    return {
        "key": article.key,
        "position": position,
        "category": article.category.value,
        "title_nl": article.title_nl,
        "title_en": article.title_en,
        "answer_nl": article.answer_nl,
        "answer_en": article.answer_en,
        "questions": {"nl": list(article.questions_nl), "en": list(article.questions_en)},
        "links": [
            {"title_nl": link.title_nl, "title_en": link.title_en, "url": link.url}
            for link in article.links
        ],
        "owner": article.owner,
        "last_reviewed": article.last_reviewed,
    }


def _article(row: sa.Row[Any]) -> Article:
    questions: dict[str, Sequence[str]] = row.questions
    return Article(
        key=row.key,
        category=Category(row.category),
        title_nl=row.title_nl,
        title_en=row.title_en,
        answer_nl=row.answer_nl,
        answer_en=row.answer_en,
        questions_nl=tuple(questions.get("nl", ())),
        questions_en=tuple(questions.get("en", ())),
        links=tuple(
            ArticleLink(link["title_nl"], link.get("title_en", ""), link["url"])
            for link in row.links
        ),
        owner=row.owner,
        last_reviewed=row.last_reviewed,
    )
