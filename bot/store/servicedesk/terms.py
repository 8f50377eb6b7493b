"""The words the knowledge base is searched by, the same for articles and questions: folded,
small words left out, each stemmed in its language (PyStemmer's Snowball stemmers), so
"licenties" finds "licentie" and "aangevraagd" meets "aanvragen" in "aanvrag". Both engines'
indexes hold these stems (bot/store/servicedesk/articles.py), so they compare the same words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from functools import lru_cache

import Stemmer

from bot.domain.platform.text import fold

# A question longer than this is cut before it is searched: its first words say what it asks.
MAX_SEARCHED = 500
# A word this long may be a compound; each of its parts has at least _MIN_PART letters.
_MIN_COMPOUND = 7
_MIN_PART = 3
_WORD = re.compile(r"\w+")

# Words that say nothing about what is asked; the stems of the rest are compared. Search
# weighs words by how rare they are too, so this list only keeps the index small and the
# question's few telling words from drowning.
_SMALL_WORDS_TEXT = """
    aan af al alle als ben bij dan dat de deze die dit doe doen door een en er ga gaat ge
    geen had heb hebben heeft het hier hij hoe hun ik in is je jij jou jouw ja kan kun kunt
    maar me meer men met mij mijn moet moeten na naar nee niet nog nu of om omdat ons onze
    ook op over te tot u uit van veel voor waar wanneer want was wat we wel welk welke wie
    wij wil wilt word wordt zal ze zich zij zijn zo zou zoals efkes eens allee eigenlijk
    graag aub alsjeblieft alstublieft dank bedankt hallo hoi dag goeiemorgen goeiedag
    a an and are as at be been but by can could do does for from has have how i if in is it
    its me my no not of on or our please should so that the their them there this to was we
    what when where which who why will with would you your hi hello thanks thank
"""
_SMALL_WORDS = frozenset(_SMALL_WORDS_TEXT.split())

# Words staff use for the same thing, each group read as its first word on both sides, so an
# article written with "aanmelden" answers "inloggen" and one about a "gsm" a "smartphone".
# Workplace words only: what an article's own question variants cannot all foresee.
_SAME_TEXT = """
    aanmelden inloggen login inlog log aanmelding signin sign-in logon
    servicedesk helpdesk supportdesk ict-dienst
    gsm smartphone telefoon iphone android mobiel phone mobile
    laptop pc computer portable notebook
    wachtwoord ww paswoord password passwoord
    geblokkeerd vergrendeld slot locked blocked lockout
    mfa tweestapsverificatie authenticator tweeledige 2fa verificatiecode
    leidinggevende diensthoofd afdelingshoofd teamleider teamverantwoordelijke chef manager
    rapport dashboard rapporten dashboards report reports
    vernieuwen verversen bijwerken refresh refreshen
    extern externe consultant externen external
    brief brieven letter letters
"""
_SAME = {
    word: group.split()[0] for group in _SAME_TEXT.strip().splitlines() for word in group.split()
}


def index_terms(text: str, language: str) -> list[str]:
    """The words a text is searched by: folded, small words left out, each stemmed in the
    language ("aanvragen" and "aangevraagd" meet in "aanvrag"), in order, repeats kept (how
    often a word occurs in an article says something)."""
    stem = _stemmer(language).stemWord
    return [
        stem(_SAME.get(word, word))
        for word in (fold(w) for w in _WORD.findall(text))
        if word not in _SMALL_WORDS and not word.isdigit() and len(word) < 40
    ]


def query_terms(
    question: str, language: str, vocabulary: Collection[str] | None = None
) -> list[str]:
    """The distinct words a question is searched by, in the order asked (a long question is
    cut first: MAX_SEARCHED characters). With the index's `vocabulary`, a Dutch compound that
    no article holds is searched by its last part when an article holds that: Dutch compounds
    are head-final, a "werklaptop" is a laptop and "zwangerschapsverlof" leave."""
    cut = question[:MAX_SEARCHED]
    terms = index_terms(cut, language)
    if vocabulary and language != "en":
        stem = _stemmer(language).stemWord
        words = [_SAME.get(w, w) for w in (fold(w) for w in _WORD.findall(cut))]
        heads = {stem(w): _head(w, vocabulary, stem) for w in words if len(w) >= _MIN_COMPOUND}
        terms = [heads.get(term) or term if term not in vocabulary else term for term in terms]
    return list(dict.fromkeys(terms))


def _head(word: str, vocabulary: Collection[str], stem: Callable[[str], str]) -> str | None:
    """The stem of the longest last part of `word` that the vocabulary holds (at least
    _MIN_PART letters on each side), or None."""
    for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
        head = stem(word[cut:])
        if head in vocabulary and word[cut:] not in _SMALL_WORDS:
            return head
    return None


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english" if language == "en" else "dutch")
