"""The knowledge base's store on both dialects: round trips, all-or-nothing replaces, search
through each engine's full-text index, and the search figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.servicedesk.articles import Article, ArticleLink, Category, KnowledgeBase
from bot.store import Database
from bot.store.servicedesk.articles import SqlKnowledgeBase

MFA = Article(
    key="mfa-registreren",
    category=Category.ACCESS,
    title_nl="MFA instellen met de Authenticator-app",
    title_en="Set up MFA with the Authenticator app",
    answer_nl="Open **https://aka.ms/mfasetup** en volg de stappen.\n\n- Scan de QR-code.",
    answer_en="Open https://aka.ms/mfasetup and follow the steps.",
    questions_nl=("hoe stel ik tweestapsverificatie in?", "waar registreer ik mijn gsm?"),
    questions_en=("how do I set up two-step verification?",),
    links=(ArticleLink("MFA instellen", "Set up MFA", "https://aka.ms/mfasetup"),),
    owner="identiteit@vlaanderen.example",
    last_reviewed=date(2026, 11, 2),
)
SHARE = Article(
    key="powerbi-delen",
    category=Category.POWER_PLATFORM,
    title_nl="Een Power BI-rapport delen met collega's",
    answer_nl="Deel een rapport vanuit een werkruimte; wie het bekijkt, heeft Pro nodig.",
    questions_nl=("hoe deel ik een dashboard?", "mijn collega kan mijn rapport niet openen"),
)
LETTER = Article(
    key="post-gescande-brief",
    category=Category.POST,
    title_nl="Een gescande brief ontvangen: wat doe je ermee?",
    answer_nl="Open de brief in Werkplek, handel hem af of stuur hem door.",
    questions_nl=("wat moet ik met een gescande brief doen?",),
)
KNOWLEDGE = KnowledgeBase((MFA, SHARE, LETTER))
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(database: Database) -> SqlKnowledgeBase:
    repository = SqlKnowledgeBase(database)
    await repository.replace(KNOWLEDGE)
    return repository


async def test_articles_come_back_as_stored(store: SqlKnowledgeBase) -> None:
    assert await store.load() == KNOWLEDGE
    assert await store.article("powerbi-delen") == SHARE
    assert await store.article("nope") is None


async def test_a_question_finds_the_article_that_shares_its_telling_words(
    store: SqlKnowledgeBase,
) -> None:
    # Stemmed on both sides: "dashboards"/"delen" meet "dashboard"/"deel".
    hits = await store.search("Hoe kan ik mijn dashboards delen met een collega?", "nl")
    assert hits[0].key == "powerbi-delen"
    assert (await store.search("tweestapsverificatie instellen", "nl"))[0].key == MFA.key
    assert (await store.search("two-step verification", "en"))[0].key == MFA.key


async def test_words_in_no_article_find_nothing(store: SqlKnowledgeBase) -> None:
    assert await store.search("koffiemachine kapot", "nl") == []
    assert await store.search("de het een?", "nl") == []  # nothing of substance
    assert await store.search("", "nl") == []


async def test_an_article_without_english_is_not_searched_in_english(
    store: SqlKnowledgeBase,
) -> None:
    assert [hit.key for hit in await store.search("gescande brief", "en")] == []


async def test_search_syntax_in_a_question_is_only_words(store: SqlKnowledgeBase) -> None:
    # FTS5 and tsquery operators typed by a person are words or nothing, never syntax.
    hostile = ('"MFA" OR NEAR(x y) * ^ : {heading}', "mfa & !xyz | (", "mfa') --'")
    for question in hostile:
        hits = await store.search(question, "nl")
        assert [hit.key for hit in hits][:1] == ["mfa-registreren"]


async def test_replace_is_all_or_nothing_and_reindexes(store: SqlKnowledgeBase) -> None:
    await store.replace(KnowledgeBase((LETTER,)))
    assert await store.load() == KnowledgeBase((LETTER,))
    assert await store.search("tweestapsverificatie", "nl") == []
    assert (await store.search("gescande brief", "nl"))[0].key == LETTER.key


async def test_feedback_counts_once_and_only_from_who_asked(store: SqlKnowledgeBase) -> None:
    for reference, key in (("KB-1", MFA.key), ("KB-2", None), ("KB-3", SHARE.key)):
        await store.record_search(
            reference=reference,
            tenant_id="t",
            asked_by="u1",
            at=NOW,
            language="nl",
            question="vraag",
            article_key=key,
        )
    assert not await store.record_feedback("KB-1", "someone-else", True, NOW)
    assert await store.record_feedback("KB-1", "u1", True, NOW)
    assert not await store.record_feedback("KB-1", "u1", False, NOW)  # the first answer counts
    assert await store.record_feedback("KB-3", "u1", False, NOW)
    assert not await store.record_feedback("KB-404", "u1", True, NOW)
    figures = await store.search_figures(NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert figures == {"asked": 3, "answered": 2, "helped": 1, "not_helped": 1}
    assert (await store.search_figures(NOW + timedelta(days=1), NOW + timedelta(days=2)))[
        "asked"
    ] == 0
