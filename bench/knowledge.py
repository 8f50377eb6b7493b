"""The knowledge base's search: p95 per question over 1,000 articles and 500 questions.

Werkplek's search (bot/store/servicedesk/articles.py: each engine's full-text index, stemmed
words on both sides, ranked) against the plain scan a database offers without one, in the same
run on the same rows: every question word LIKE-matched against every article's title, questions
and answer, articles ranked by how many words they hold. On SQLite and, when it answers, on
PostgreSQL (a throwaway database). The articles are the demo's thirty and 970 made from their
sentences (other keys, titles and mixes), the questions the blind question set and more made
from the articles' own question variants.

    python -m bench.knowledge [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import BenchResult, Row, percentile, ratio, verdict
from bench.post_intake import postgres_database
from bot.domain.servicedesk.articles import Article, KnowledgeBase
from bot.store import Database
from bot.store.servicedesk.articles import SqlKnowledgeBase
from bot.store.servicedesk.tables import articles
from bot.store.servicedesk.terms import query_terms
from devtools.demo_articles import demo_knowledge

ARTICLES = 1000
QUESTIONS = 500
QUICK_QUESTIONS = 100
# The index must answer faster than the scan it replaces.
TARGET_RATIO = 1.0
_QUESTIONS_FILE = (
    Path(__file__).parent.parent / "tests" / "integration" / "servicedesk" / "questions.json"
)


def knowledge(size: int = ARTICLES, seed: int = 7) -> KnowledgeBase:
    """The demo's articles and `size - 30` more mixed from their sentences."""
    demo = list(demo_knowledge().articles)
    sentences = [s for a in demo for s in a.answer_nl.split(". ") if len(s) > 20]
    rng = random.Random(seed)
    made: list[Article] = list(demo)
    while len(made) < size:
        base = rng.choice(demo)
        answer = ". ".join(rng.sample(sentences, 6))
        made.append(
            replace(
                base,
                key=f"{base.key}-{len(made)}",
                title_nl=f"{base.title_nl} ({len(made)})",
                answer_nl=answer,
                questions_nl=tuple(rng.sample(base.questions_nl, min(2, len(base.questions_nl)))),
            )
        )
    return KnowledgeBase(tuple(made))


def questions(count: int, seed: int = 11) -> list[str]:
    blind = json.loads(_QUESTIONS_FILE.read_text(encoding="utf-8"))["nl"]
    asked = [q["text"] for q in blind]
    variants = [q for a in demo_knowledge().articles for q in a.questions_nl]
    rng = random.Random(seed)
    while len(asked) < count:
        asked.append(rng.choice(variants))
    return asked[:count]


async def _like_scan(database: Database, question: str, limit: int = 3) -> list[str]:
    """What a database does without a text index: every word against every text column."""
    words = [w for w in question.split() if len(w) > 3][:12]
    if not words:
        return []
    columns = (articles.c.title_nl, articles.c.answer_nl, sa.cast(articles.c.questions, sa.Text))
    held = sum(
        (sa.case((sa.or_(*(c.ilike(f"%{w}%") for c in columns)), 1), else_=0) for w in words),
        start=sa.literal(0),
    )
    query = (
        sa.select(articles.c.key, held.label("held"))
        .where(held > 0)
        .order_by(sa.desc("held"), articles.c.key)
        .limit(limit)
    )
    async with database.connect() as connection:
        return [row.key for row in (await connection.execute(query)).all()]


async def _timed(search: Any, asked: list[str]) -> list[float]:
    seconds = []
    for question in asked:
        started = time.perf_counter()
        await search(question)
        seconds.append(time.perf_counter() - started)
    return seconds


async def measure_engine(url: str, asked: list[str]) -> dict[str, float]:
    database = Database(url)
    try:
        await database.migrate()
        store = SqlKnowledgeBase(database)
        await store.replace(knowledge())
        for question in asked[:20]:  # warm both paths (caches, prepared statements)
            await store.search(question, "nl")
            await _like_scan(database, question)
        index = await _timed(lambda q: store.search(q, "nl"), asked)
        scan = await _timed(lambda q: _like_scan(database, q), asked)
    finally:
        await database.dispose()
    return {
        "search_p95_ms": percentile(index, 95) * 1000,
        "search_p50_ms": percentile(index, 50) * 1000,
        "like_p95_ms": percentile(scan, 95) * 1000,
        "like_p50_ms": percentile(scan, 50) * 1000,
        "terms_per_question": sum(len(query_terms(q, "nl")) for q in asked) / len(asked),
    }


async def run_knowledge_bench(quick: bool = False) -> BenchResult:
    asked = questions(QUICK_QUESTIONS if quick else QUESTIONS)
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        figures["sqlite"] = await measure_engine(
            f"sqlite+aiosqlite:///{folder}/knowledge.db", asked
        )
    async with postgres_database() as postgres_url:
        if postgres_url is not None:
            figures["postgres"] = await measure_engine(postgres_url, asked)
    table: list[Row] = []
    for engine, found in figures.items():
        share = ratio(found["search_p95_ms"], found["like_p95_ms"])
        table.append(
            Row(
                f"article search p95 ({engine}, {ARTICLES} articles, {len(asked)} questions)",
                found["search_p95_ms"],
                found["like_p95_ms"],
                "ms",
                f"<= {TARGET_RATIO:.1f}x LIKE scan",
                verdict(share is not None and share <= TARGET_RATIO),
                share,
            )
        )
    details = {"articles": ARTICLES, "questions": len(asked), **figures}
    return BenchResult("knowledge", table, details)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    result = asyncio.run(run_knowledge_bench(parser.parse_args().quick))
    result.print_table()
    result.write()


if __name__ == "__main__":
    main()
