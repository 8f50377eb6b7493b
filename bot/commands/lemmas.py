"""Words as the understanding step compares them: tokens with their Dutch and English lemmas.

A token keeps where it stands in the text (arguments are cut from the caller's own words) and
carries its forms: the folded word and its lemmas in both languages, so "aanvragen", "aanvraag"
and "requests" meet "request" whatever language the client is set to (people mix them).

Lemmas come from simplemma in its low-memory mode (its dictionaries are read from the packed
files on first use: about 7 MB for Dutch and English instead of 70 MB as Python dicts) behind a
cache, so a message costs dictionary look-ups only for words not seen before. Typos are repaired
against the vocabulary the commands use, with rapidfuzz's edit distance: a word that is in no
dictionary and one or two edits from a command's word is read as that word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.domain.platform.text import fold

if TYPE_CHECKING:
    from simplemma import Lemmatizer
    from simplemma.strategies.dictionary_lookup import DictionaryLookupStrategy

# An e-mail address, a day written with digits, or a word; @mentions are read and dropped.
MENTION = re.compile(r"(?<![\w.+-])@\w+")
_TOKEN = re.compile(
    r"(?P<mention>(?<![\w.+-])@\w+)"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<day>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?)"
    r"|(?P<word>\w+)"
)
_LANGUAGES = ("nl", "en")
# A long message is mostly an explanation; what it asks for is in its first words.
MAX_TOKENS = 60
# Shorter words are too often another real word one edit away ("post" and "pest").
_MIN_REPAIR_LENGTH = 4
_LONG_WORD = 8
# Separable Dutch verbs: "stuur mijn post door" is "doorsturen", "pas de regels toe" "toepassen".
_PARTICLES = frozenset({"aan", "af", "door", "in", "na", "op", "over", "terug", "toe", "uit"})
# Linking letters between the parts of a Dutch compound ("routering-s-regels").
_LINKS = ("", "s", "e", "en")
_MIN_PART = 4


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as typed
    folded: str
    forms: frozenset[str]  # the folded word, its lemmas and what a typo repair read
    start: int
    end: int
    kind: str  # "word", "email" or "day"

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def tokens(text: str, vocabulary: frozenset[str] = frozenset()) -> list[Token]:
    """The words of text with their forms; vocabulary (folded forms the commands use) lets
    typos, separable verbs and compounds be read as the commands' own words."""
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "word"
        if kind == "mention":
            continue
        word = match.group()
        folded = fold(word)
        forms = lemmas(folded) if kind == "word" else frozenset({folded})
        found.append(Token(word, folded, forms, match.start(), match.end(), kind))
        if len(found) == MAX_TOKENS:
            break
    if vocabulary:
        found = [_widened(token, index, found, vocabulary) for index, token in enumerate(found)]
    return found


@lru_cache(maxsize=16384)
def lemmas(folded: str) -> frozenset[str]:
    """The word and its lemmas in Dutch and English ("goedgekeurd" -> "goedkeuren")."""
    lemmatizer = _lemmatizer()
    forms = {folded}
    for language in _LANGUAGES:
        forms.add(fold(lemmatizer.lemmatize(folded, lang=language)).replace("_", ""))
    return frozenset(forms)


def _widened(token: Token, index: int, sentence: list[Token], vocabulary: frozenset[str]) -> Token:
    if token.kind != "word":
        return token
    extra = _separable(token, sentence, vocabulary)
    if not token.forms & vocabulary:
        extra |= _compound(token.folded, vocabulary)
        if not extra and _repairable(token, index):
            extra = _repaired(token.folded, vocabulary)
    if not extra:
        return token
    return Token(token.text, token.folded, token.forms | extra, token.start, token.end, token.kind)


def _repairable(token: Token, index: int) -> bool:
    # A capital inside a sentence is a name (Maes, Vos, Claes), not a typo of ours.
    if index > 0 and token.capitalised:
        return False
    return len(token.folded) >= _MIN_REPAIR_LENGTH and not token.folded.isdigit()


def _separable(token: Token, sentence: list[Token], vocabulary: frozenset[str]) -> frozenset[str]:
    particles = {t.folded for t in sentence if t.folded in _PARTICLES and t is not token}
    if not particles:
        return frozenset()
    stems = _infinitives(token.folded) | token.forms
    return frozenset(p + s for p in particles for s in stems if p + s in vocabulary)


def _infinitives(stem: str) -> set[str]:
    """Infinitives a Dutch verb stem may belong to: pas -> passen, neem -> nemen, stuurt ->
    sturen. Over-generating is harmless: only forms in the vocabulary are kept."""
    found = set()
    for base in {stem, stem.removesuffix("t")}:
        found |= {base + "en", base + base[-1:] + "en"}
        if len(base) > 2 and base[-2] == base[-3]:  # neem -> nemen, vraag -> vragen
            found.add(base[:-2] + base[-1] + "en")
    return found


def _compound(folded: str, vocabulary: frozenset[str]) -> frozenset[str]:
    """Both parts of a compound when both are the commands' words: "licentieaanvraag"."""
    for cut in range(_MIN_PART, len(folded) - _MIN_PART + 1):
        head = folded[cut:]
        head_forms = {form for form in lemmas(head) & vocabulary if len(form) >= _MIN_PART}
        if not head_forms:
            continue
        for link in _LINKS:
            modifier = folded[:cut].removesuffix(link) if link else folded[:cut]
            if len(modifier) >= _MIN_PART and (lemmas(modifier) & vocabulary):
                return frozenset(head_forms | (lemmas(modifier) & vocabulary))
    return frozenset()


def _repaired(folded: str, vocabulary: frozenset[str]) -> frozenset[str]:
    if _known(folded):
        return frozenset()
    return _nearest(folded, vocabulary)


@lru_cache(maxsize=8192)
def _nearest(folded: str, vocabulary: frozenset[str]) -> frozenset[str]:
    allowed = 2 if len(folded) >= _LONG_WORD else 1
    best = process.extractOne(folded, vocabulary, scorer=OSA.distance, score_cutoff=allowed)
    return frozenset({best[0]}) if best is not None else frozenset()


@lru_cache(maxsize=16384)
def _known(folded: str) -> bool:
    lookup = _lookup()
    return any(lookup.get_lemma(folded, language) is not None for language in _LANGUAGES)


@lru_cache(maxsize=1)
def _lemmatizer() -> Lemmatizer:
    # Imported here: the packed dictionaries load on the first message, not at start-up.
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    return Lemmatizer(lemmatization_strategy=DefaultStrategy(low_memory=True))


@lru_cache(maxsize=1)
def _lookup() -> DictionaryLookupStrategy:
    from simplemma.strategies.dictionaries import LOW_MEMORY_DICTIONARY_FACTORY
    from simplemma.strategies.dictionary_lookup import DictionaryLookupStrategy

    return DictionaryLookupStrategy(LOW_MEMORY_DICTIONARY_FACTORY)
