"""The knowledge base's search on questions people type, on both engines: the demo's thirty
articles against questions written blind from the articles' titles alone (questions.json, each
with the article that answers it). Run with -s for the misses.

The issue asks the right article first for 80% and among the first three for 95%.
- The first 90 Dutch and 30 English, measured once, blind, before anything was tuned for them
  (Dutch / English, top-1 and top-3): SQLite 75.6% / 90.0% and 86.7% / 100%, PostgreSQL 77.8% /
  92.2% and 96.7% / 100%. After the workplace synonyms (bot/store/servicedesk/terms.py) and
  counting a first article only when it is sure enough to be shown (SearchHit.relevant):
  SQLite 75.6% / 88.9% and 86.7% / 96.7%, PostgreSQL 80.0% / 95.6% and 86.7% / 100%.
- 60 Dutch and 20 English more, written blind by someone who saw only the titles (symptoms
  in staff's own words, Flemish, typos), measured once on 2026-12-04 before they were added:
  SQLite 66.7% / 88.3% and 75.0% / 90.0%, PostgreSQL 70.0% / 90.0% and 85.0% / 95.0%.
- All 150 Dutch and 50 English then: SQLite 72.0% / 88.7% and 82.0% / 94.0%, PostgreSQL
  76.0% / 93.3% and 86.0% / 98.0%. With a Dutch compound no article holds searched by its
  last part ("werklaptop" by "laptop": terms.query_terms): SQLite 75.3% / 88.7%, PostgreSQL
  79.3% / 94.7% on the Dutch ones (English unchanged).
- 2026-12-05: a third blind set, 60 Dutch and 20 English written from the titles alone by
  someone who saw neither the other questions nor the articles' question variants, measured
  once on the shipped articles: SQLite 73.3% / 90.0% and 95.0% / 100%, PostgreSQL 73.3% / 96.7%
  and 85.0% / 100%. Then two changes, neither made from a question here:
  - the articles' question variants, 2-4 per language, became 12 Dutch and 6 English each,
    written by an editor from the articles' titles and answers, who saw no test question: the
    phrasings staff use (symptoms, "gsm", "Bedrijfsportal"). The editor's brief listed a few
    everyday words, two of which ("baas", "code") earlier misses had shown, so the third set
    is the cleaner measure;
  - SQLite ranks FTS5's best candidates again as PostgreSQL does: its BM25's length
    normalisation made an article with many variants lose to a short one.
  The third set then read SQLite 83.3% / 96.7% and 90.0% / 100%, PostgreSQL the same; the
  first two sets (Dutch) SQLite 75.3% / 88.7% -> 86.7% / 97.3%, PostgreSQL 79.3% / 94.7% ->
  86.7% / 97.3%.
- All 210 Dutch and 70 English, on both engines: 85.7% / 97.1% and 88.6% / 100%. The test
  holds the issue's bar.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.store import Database
from bot.store.servicedesk.articles import SqlKnowledgeBase
from devtools.demo_articles import demo_knowledge

QUESTIONS = json.loads(Path(__file__).with_name("questions.json").read_text(encoding="utf-8"))
TOP_1_BAR = 0.80
TOP_3_BAR = 0.95


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
