"""The knowledge base's search on questions people type, on both engines: the demo's thirty
articles against questions written blind from the articles' titles alone (questions.json: 90
Dutch, 30 English, each with the article that answers it). Run with -s for the misses.

The issue asks the right article first for 80% and among the first three for 95%. Measured
once, blind, before anything was tuned for these questions (Dutch / English, top-1 and top-3):
SQLite 75.6% / 90.0% and 86.7% / 100%, PostgreSQL 77.8% / 92.2% and 96.7% / 100%. With the
workplace synonyms (bot/store/servicedesk/terms.py), and counting a first article only when it
is sure enough to be shown (SearchHit.relevant: it drops 3 right answers of 71): SQLite 75.6% /
88.9% and 86.7% / 96.7%, PostgreSQL (each word's rank saturating as BM25's does) 80.0% /
95.6% and 86.7% / 100%. SQLite is short of the bar on Dutch questions; these floors keep
what is reached from sliding back (Dutch compounds, "aanmeldapp" for "app", are next).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.store import Database
from bot.store.servicedesk.articles import SqlKnowledgeBase
from devtools.demo_articles import demo_knowledge

QUESTIONS = json.loads(Path(__file__).with_name("questions.json").read_text(encoding="utf-8"))
TOP_1_BAR = 0.75
TOP_3_BAR = 0.88


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_the_right_article_comes_first(database: Database, language: str) -> None:
    store = SqlKnowledgeBase(database)
    await store.replace(demo_knowledge())
    first = among_three = 0
    asked = QUESTIONS[language]
    for question in asked:
        hits = await store.search(question["text"], language)
        found = [hit.key for hit in hits]
        # First, and sure enough to be shown (a weak match is not offered as the answer).
        first += found[:1] == [question["article"]] and hits[0].relevant
        among_three += question["article"] in found[:3]
        if found[:1] != [question["article"]]:
            print(f"  ✗ {question['text']!r}: {question['article']} -> {found}")
    print(
        f"\n{database.dialect} {language}: top-1 {first / len(asked):.1%}, top-3 "
        f"{among_three / len(asked):.1%} of {len(asked)}"
    )
    assert first / len(asked) >= TOP_1_BAR
    assert among_three / len(asked) >= TOP_3_BAR
