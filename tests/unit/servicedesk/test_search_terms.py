"""The words the knowledge base is searched by (bot/store/servicedesk/terms.py): stems, the
workplace synonyms, and Dutch compounds no article holds, searched by their last part."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.store.servicedesk.terms import MAX_SEARCHED, index_terms, query_terms

ARTICLES = (
    "Een nieuwe laptop inschrijven. Verlof en je post. Je gsm kwijt? Het scherm blijft zwart."
)
VOCABULARY = frozenset(index_terms(ARTICLES, "nl"))


def test_a_compound_no_article_holds_is_searched_by_its_last_part() -> None:
    asked = query_terms(
        "mijn werklaptop en mijn dienstgsm, en tijdens zwangerschapsverlof", "nl", VOCABULARY
    )
    assert asked == query_terms("mijn laptop en mijn gsm, en tijdens verlof", "nl")


def test_a_word_the_articles_hold_is_not_cut() -> None:
    vocabulary = VOCABULARY | frozenset(index_terms("werklaptop", "nl"))
    assert query_terms("werklaptop", "nl", vocabulary) == index_terms("werklaptop", "nl")


def test_without_a_part_the_articles_hold_the_word_stays_whole() -> None:
    assert query_terms("fietsvergoeding", "nl", VOCABULARY) == index_terms("fietsvergoeding", "nl")


def test_english_words_are_not_cut() -> None:
    assert query_terms("worklaptop", "en", VOCABULARY) == index_terms("worklaptop", "en")


@given(st.text(max_size=2 * MAX_SEARCHED))
def test_any_text_gives_distinct_terms_no_longer_than_the_words(text: str) -> None:
    terms = query_terms(text, "nl", VOCABULARY)
    assert len(terms) == len(set(terms))
    assert len(terms) <= len(index_terms(text[:MAX_SEARCHED], "nl"))
