"""Cues compiled from bot/commands/phrases.py and a command's keywords, and finding them.

A cue is a set of terms that must all be in the message (and terms that must not); a term is a
choice between alternatives; an alternative is one word, words next to each other, or words
that must all be somewhere in the message (a catalogue synonym: "rapporten ... delen").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from bot.commands.lemmas import Token, lemmas
from bot.commands.phrases import (
    CLASSES,
    DAY_NAMES,
    GREETING_PHRASES,
    KEYWORD_NOT,
    KEYWORD_WEIGHT,
    KEYWORD_WEIGHTS,
    MONTHS,
    MULTI_WORD_KEYWORD_WEIGHT,
    PHRASES,
    SHARED_PHRASES,
    STOPWORDS,
)
from bot.commands.registry import CommandSpec
from bot.domain.platform.text import folded_words

# A product the caller names from the catalogue weighs as one of the phrases' products.
EXTRA_TERM_WEIGHT = 2.5
# The cue word for any day: "14/12", "2026-12-14", "januari", "vrijdag", "morgen".
DAY = ":day"
# The cue word for a person's name or e-mail address: "naar Els Maes", "jan.peeters@...".
NAME = ":name"
# Words that stand together may have this many small words between them ("the new").
_MAX_GAP = 2
# Lemmas this short are noise from the other language ("ver" -> "ve", "baas" -> "baa").
_MIN_LEMMA = 4


@dataclass(frozen=True, slots=True)
class Alternative:
    words: tuple[str, ...]
    adjacent: bool = True  # False: each word anywhere in the message


@dataclass(frozen=True, slots=True)
class Term:
    alternatives: tuple[Alternative, ...]
    # Looked up at once: the forms of its plain one-word alternatives (most of them) ...
    forms: frozenset[str] = frozenset()
    # ... and one by one: several words, or a word written as is ("=", "~", ":day").
    special: tuple[Alternative, ...] = ()
    not_on: frozenset[str] = frozenset()  # words (folded) it never stands on, though its forms


def _indexed(alternatives: tuple[Alternative, ...]) -> Term:
    plain = [a.words[0] for a in alternatives if len(a.words) == 1 and a.words[0][:1].isalnum()]
    special = tuple(a for a in alternatives if len(a.words) > 1 or not a.words[0][:1].isalnum())
    return Term(alternatives, word_forms(plain), special)


@dataclass(frozen=True, slots=True)
class Cue:
    terms: tuple[Term, ...]
    absent: tuple[Term, ...]
    weight: float
    keyword: bool = False  # one of the command's declared keywords
    shared: bool = False  # one of the cues every command has (phrases.SHARED_PHRASES)


@dataclass(frozen=True, slots=True)
class Book:
    """One command's cues, the forms of the words it knows, and of all words its cues use."""

    name: str
    cues: tuple[Cue, ...]
    positive: frozenset[str]  # forms of the words of its positive cues: these it explains
    vocabulary: frozenset[str]  # forms of every word its cues use (typos are read as these)


def compile_book(spec: CommandSpec, extra_terms: tuple[str, ...] = ()) -> Book:
    """The cues of one command: its keywords, its phrases and the extra terms (catalogue)."""
    keywords = tuple(sorted(spec.all_keywords()))
    return _compiled(spec.name, keywords, extra_terms)


@lru_cache(maxsize=256)
def _compiled(
    name: str, keywords: tuple[tuple[str, str], ...], extra_terms: tuple[str, ...]
) -> Book:
    shared = [replace(cue, shared=True) for cue in compile_cues(SHARED_PHRASES)]
    cues = [*_keyword_cues(keywords), *compile_cues(PHRASES.get(name, ())), *shared]
    extra = [tuple(folded_words(term)) for term in extra_terms]
    if any(extra):
        alternatives = tuple(Alternative(words, adjacent=False) for words in extra if words)
        cues.append(Cue((_indexed(alternatives),), (), EXTRA_TERM_WEIGHT))
    positive = word_forms(w for cue in cues if cue.weight > 0 for w in words_of(cue.terms))
    everything = word_forms(w for cue in cues for w in words_of(cue.terms + cue.absent))
    return Book(name, tuple(cues), positive, everything)


def compile_cues(phrases: Iterable[tuple[str, float]]) -> tuple[Cue, ...]:
    compiled = []
    for text, weight in phrases:
        parts = text.split()
        terms = tuple(_term(part) for part in parts if not part.startswith("!"))
        absent = tuple(_term(part[1:]) for part in parts if part.startswith("!"))
        compiled.append(Cue(terms, absent, weight))
    return tuple(compiled)


def words_of(terms: Iterable[Term]) -> Iterator[str]:
    for term in terms:
        for alternative in term.alternatives:
            yield from alternative.words


def word_forms(words: Iterable[str]) -> frozenset[str]:
    return frozenset(form for word in words for form in forms_of(word))


@lru_cache(maxsize=8192)
def forms_of(word: str) -> frozenset[str]:
    if word in (DAY, NAME):
        return frozenset()
    if word[:1] in "=~":  # as written: its own lemmas are not its forms
        return frozenset({word[1:]})
    return frozenset({word} | {f for f in lemmas(word) if len(f) >= _MIN_LEMMA})


def _keyword_cues(keywords: Iterable[tuple[str, str]]) -> Iterator[Cue]:
    for _, keyword in keywords:
        words = tuple(folded_words(keyword))
        if not words:
            continue
        default = KEYWORD_WEIGHT if len(words) == 1 else MULTI_WORD_KEYWORD_WEIGHT
        weight = KEYWORD_WEIGHTS.get(" ".join(words), default)
        never = KEYWORD_NOT.get(keyword, frozenset())
        term = replace(_indexed((Alternative(words),)), not_on=never)
        yield Cue((term,), (), weight, keyword=True)


@lru_cache(maxsize=1024)
def _term(text: str) -> Term:
    """`a|b|@class`, where each choice may join words or classes with `+`."""
    alternatives: list[Alternative] = []
    for choice in text.split("|"):
        pieces = [_piece(part) for part in choice.split("+")]
        for combination in itertools.product(*pieces):
            alternatives.append(Alternative(tuple(w for words in combination for w in words)))
    return _indexed(tuple(alternatives))


def _piece(part: str) -> list[tuple[str, ...]]:
    if part.startswith("@"):
        return [tuple(member.split("+")) for member in CLASSES[part[1:]].split()]
    return [(part,)]


@dataclass
class Hits:
    """Where the words of the cues stand in one message (each word and term looked up once)."""

    words: Sequence[Token]
    known: frozenset[int] = frozenset()  # positions of words the commands use
    _positions: dict[str, frozenset[int]] = field(default_factory=dict)
    _terms: dict[int, frozenset[int]] = field(default_factory=dict)
    _at: dict[str, set[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, token in enumerate(self.words):
            for form in token.forms:
                self._at.setdefault(form, set()).add(i)

    def of(self, word: str) -> frozenset[int]:
        """Where the word stands, in any of its forms; "=word" only as written."""
        found = self._positions.get(word)
        if found is None:
            if word == DAY:
                found = self._days()
            elif word == NAME:
                found = frozenset(i for i, t in enumerate(self.words) if self._is_name(i, t))
            elif word.startswith("="):
                found = frozenset(i for i, t in enumerate(self.words) if t.folded == word[1:])
            elif word.startswith("~"):
                found = frozenset(i for i, t in enumerate(self.words) if word[1:] in t.forms)
            else:
                found = self.positions_of(forms_of(word))
            self._positions[word] = found
        return found

    def _days(self) -> frozenset[int]:
        """Days, and the number of a day written with its month ("24 december", "jan 8")."""
        found = {i for i, t in enumerate(self.words) if _is_day(t)}
        for i, token in enumerate(self.words):
            if token.folded.isdigit() and any(
                0 <= j < len(self.words) and self.words[j].folded in MONTHS for j in (i - 1, i + 1)
            ):
                found.add(i)
        return frozenset(found)

    def _is_name(self, index: int, token: Token) -> bool:
        """An e-mail address, or a capitalised word no command uses, not first: "Els Maes"."""
        if token.kind == "email":
            return True
        return (
            index > 0
            and token.capitalised
            and index not in self.known
            and token.folded not in STOPWORDS
        )

    def positions_of(self, forms: frozenset[str]) -> frozenset[int]:
        present = forms & self._at.keys() if len(forms) > len(self._at) else forms
        return frozenset().union(*(self._at[f] for f in present if f in self._at))

    def cue(self, cue: Cue) -> frozenset[int] | None:
        found: set[int] = set()
        for term in cue.terms:
            positions = self.term(term)
            if not positions:
                return None
            found |= positions
        if any(self.term(term) for term in cue.absent):
            return None
        return frozenset(found)

    def term(self, term: Term) -> frozenset[int]:
        # Terms are compiled once and shared by the cues, so their identity is their key.
        found = self._terms.get(id(term))
        if found is None:
            found = self.positions_of(term.forms).union(
                *(self._alternative(alternative) for alternative in term.special)
            )
            if term.not_on:
                found = frozenset(i for i in found if self.words[i].folded not in term.not_on)
            self._terms[id(term)] = found
        return found

    def _alternative(self, alternative: Alternative) -> frozenset[int]:
        places = []
        for word in alternative.words:
            place = self.of(word)
            if not place:
                return frozenset()
            places.append(place)
        if not alternative.adjacent or len(places) == 1:
            return frozenset().union(*places)
        found: set[int] = set()
        for start in places[0]:
            run = self._run(start, places[1:])
            if run:
                found |= run
        return frozenset(found)

    def _run(self, start: int, rest: list[frozenset[int]]) -> set[int] | None:
        """The words in order from start, with at most a few small words between them:
        "apply the new routing rules", "neem de regels maar over"."""
        run = {start}
        at = start
        for place in rest:
            for gap in range(_MAX_GAP + 1):
                if at + 1 + gap in place and all(
                    self.words[i].folded in STOPWORDS for i in range(at + 1, at + 1 + gap)
                ):
                    at = at + 1 + gap
                    run.add(at)
                    break
            else:
                return None
        return run


def _is_day(token: Token) -> bool:
    return token.kind == "day" or token.folded in MONTHS or token.folded in DAY_NAMES


# The vocabulary of the last sets of books (they are compiled once and shared, so their
# identities are the key; the books themselves are kept to check them).
_VOCABULARIES: dict[tuple[int, ...], tuple[list[Book], frozenset[str], frozenset[str]]] = {}
_MAX_VOCABULARIES = 64


def vocabulary_of(
    commands: Sequence[CommandSpec], books: list[Book]
) -> tuple[frozenset[str], frozenset[str]]:
    """The forms all the books use, and those only the extra terms (the catalogue's names) use."""
    key = tuple(id(book) for book in books)
    known = _VOCABULARIES.get(key)
    if known is not None and all(a is b for a, b in zip(known[0], books, strict=True)):
        return known[1], known[2]
    greeting = greeting_book().vocabulary
    vocabulary = frozenset().union(*(book.vocabulary for book in books), greeting)
    plain = frozenset().union(*(compile_book(spec).vocabulary for spec in commands), greeting)
    if len(_VOCABULARIES) >= _MAX_VOCABULARIES:
        _VOCABULARIES.clear()
    _VOCABULARIES[key] = (books, vocabulary, vocabulary - plain)
    return vocabulary, vocabulary - plain


@lru_cache(maxsize=1)
def greeting_book() -> Book:
    """Greetings and thanks, scored like a command's cues."""
    cues = compile_cues(GREETING_PHRASES)
    positive = word_forms(w for cue in cues if cue.weight > 0 for w in words_of(cue.terms))
    return Book("greeting", cues, positive, positive)


@dataclass(frozen=True, slots=True)
class Fired:
    """A cue found in a message: the words it stands on, its weight, and what kind it is."""

    where: frozenset[int]
    weight: float
    keyword: bool
    shared: bool = False


def fired_cues(book: Book, hits: Hits) -> list[Fired]:
    """The cues of a command found in the message."""
    found = [(hits.cue(cue), cue) for cue in book.cues]
    return [
        Fired(where, cue.weight, cue.keyword, cue.shared)
        for where, cue in found
        if where is not None
    ]


def evidence(fired: list[Fired], foreign: list[frozenset[int]]) -> float:
    """The weight of the cues found. The same words count once, at their strongest reading:
    "power bi" is a keyword, a product and a catalogue synonym, but one piece of evidence.
    Words inside another command's longer keyword are that command's ("rapport licenties" is
    the report, not the licence form; "post doorsturen" is the delegation, not the post list).
    A keyword inside a longer keyword of the same command is that one: "my mail" counts once,
    not as "my mail" and "mail". A cue every command has (a how-to verb) does not count against
    a command whose own cues read the same words: "regels wijzigen" is the rules' workbook,
    "post tijdens afwezigheid instellen" a delegation."""
    strongest: dict[frozenset[int], float] = {}
    against: dict[frozenset[int], float] = {}
    keywords = [found.where for found in fired if found.keyword]
    own = frozenset().union(*(f.where for f in fired if f.weight > 0 and not f.shared))
    for found in fired:
        where = found.where
        if found.shared and found.weight < 0 and where <= own:
            continue
        if found.weight < 0:
            against[where] = min(against.get(where, 0.0), found.weight)
        elif found.keyword and any(where < longer for longer in keywords):
            continue
        elif not any(where <= span for span in foreign):
            strongest[where] = max(strongest.get(where, 0.0), found.weight)
    return sum(strongest.values()) + sum(against.values())
