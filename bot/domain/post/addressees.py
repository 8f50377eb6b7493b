"""Who an envelope is for: the addressee line as written, matched to one person of the directory.

The envelope is read by bot/domain/post/envelope.py (`parse_envelope`) and the directory asked
what bot/domain/post/search_terms.py says; `match_addressee` scores the people found and names
one only when exactly one fits clearly.

Decisions (and why):
- Wrong is worse than unknown. An item sent to the wrong person is read by the wrong person; an
  unknown one costs the mailroom a click. So every doubt ends in triage: two people equally
  likely, a family ("Fam. Peeters"), two people on one line ("Dhr. en Mevr. Peeters"), a role
  without a name ("t.a.v. de directeur"), a first name alone.
- A surname decides, a given name or initial confirms. A surname alone is enough when exactly one
  person of those found carries it; a first name alone never is.
- A given name that contradicts ("Jan Peeters" for Jef Peeters, "K. Peeters") rules the person
  out; extra words after an agreeing initial ("J. Karel Peeters") do not.
- Particles are compared without spaces: "Vandenbroeck" is "Van den Broeck" and "Desmet" is
  "De Smet". Flemish civil registers write both, and so do clerks; pairs that differ only there
  are rare enough. The surname without its particles ("Amrani" for "El Amrani") and one part of a
  double surname ("Janssens" for "Janssens-De Smet") also match, but count for less.
- A one-letter typo in a long surname (6 letters or more, lengths differing by one at most,
  difflib ratio >= 0.85, never swallowing a neighbouring word) counts only with the full given
  name: "Lotte Jansens" is Lotte Janssens, "L. Janssen" is nobody (Janssen and Janssens are two
  different families).
- "M." is read as an initial, not as French "Monsieur": "M. De Clercq" is nobody when the only De
  Clercq is Wouter. Genders in titles are ignored (the directory does not know them).
- An e-mail address of a person on the envelope decides on its own.
- People whose account is disabled (they left, or are suspended) are matched like everyone
  else. Leaving them out would let "J. Peeters" for Jan, who left, match Jef Peeters, the only
  Peeters still active: wrong. Where a match with a disabled account goes is routing's
  decision (bot.domain.post.routing: their delegate, else triage), not the matcher's.
- The organisation part of an envelope (bot/domain/post/envelope.py) is never matched: rules
  may use it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.text import fold
from bot.domain.post.envelope import (
    HYPHEN,
    PARTICLES,
    PLACES,
    EnvelopeName,
    is_initial,
    name_words,
    word_key,
)

# Points (0-100) of one person against one envelope; see _POINTS.
CONFIDENT = 60  # the best candidate needs at least this ...
MARGIN = 10  # ... and this many points more than the runner-up
CANDIDATE = 40  # below this a person is not listed as a candidate at all
EMAIL_POINTS = 100
_FUZZY_RATIO = 0.85
_FUZZY_MIN_LENGTH = 6
_GIVEN_FUZZY_RATIO = 0.8
_GIVEN_FUZZY_MIN_LENGTH = 5
_MAX_SURNAME_WORDS = 4


@dataclass(frozen=True, slots=True)
class AddresseeMatch:
    """`person` when exactly one candidate fits clearly; `candidates`, best first, are everyone
    who fits at all (for the mailroom's pick list); `score` is the best fit, 0..1."""

    person: DirectoryUser | None
    candidates: tuple[DirectoryUser, ...] = ()
    score: float = 0.0

    @property
    def ambiguous(self) -> bool:
        """Several people fit and none clearly better: the mailroom chooses."""
        return self.person is None and len(self.candidates) > 1


_EXACT, _PART, _FUZZY = 3, 2, 1  # how the surname matched
_FULL, _SOME, _NONE, _CONTRADICTS = 2, 1, 0, -1  # how the given name matched
_POINTS = {
    (_EXACT, _FULL): 95,
    (_EXACT, _SOME): 85,  # an initial, the first of two given names, a typo
    (_EXACT, _NONE): 60,
    (_PART, _FULL): 85,
    (_PART, _SOME): 70,
    (_PART, _NONE): 55,  # too close to an exact surname alone to decide between them
    (_FUZZY, _FULL): 80,
    (_FUZZY, _SOME): 50,
    (_FUZZY, _NONE): 40,
}


@dataclass(frozen=True, slots=True)
class _Name:
    surname: str  # compact: folded words joined ("vandenbroeck")
    parts: frozenset[str]  # compact parts of a double surname, and the surname without particles
    given: tuple[str, ...]  # folded words of the given name ("pieter", "jan")
    word_count: int  # words of the surname as the directory writes it (3 for Van den Broeck)


@dataclass(frozen=True, slots=True)
class _Segment:
    words: tuple[str, ...]
    initials: tuple[str, ...]


def match_addressee(envelope: EnvelopeName, people: Sequence[DirectoryUser]) -> AddresseeMatch:
    """The one person the envelope names, if exactly one fits clearly (see the module notes)."""
    segments = [_segment(seg) for seg in envelope.segments]
    best: dict[str, tuple[int, DirectoryUser]] = {}
    for person in people:
        points = _points(envelope, segments, person)
        key = person.id.casefold()
        if points >= CANDIDATE and points > best.get(key, (-1, person))[0]:
            best[key] = (points, person)
    ranked = sorted(best.values(), key=lambda item: (-item[0], fold(item[1].display_name)))
    if not ranked:
        return AddresseeMatch(None)
    top = ranked[0][0]
    clear = len(ranked) == 1 or ranked[1][0] <= top - MARGIN
    chosen = ranked[0][1] if top >= CONFIDENT and clear and not envelope.collective else None
    return AddresseeMatch(chosen, tuple(person for _, person in ranked), top / 100)


def _segment(tokens: tuple[str, ...]) -> _Segment:
    words = tuple(w for t in tokens if not is_initial(t) for w in name_words(t))
    initials = tuple(fold(t[0]) for t in tokens if is_initial(t))
    return _Segment(words, initials)


def _points(envelope: EnvelopeName, segments: list[_Segment], person: DirectoryUser) -> int:
    addresses = {a.casefold() for a in (person.mail, person.user_principal_name) if a}
    if addresses & set(envelope.emails):
        return EMAIL_POINTS
    name = _person_name(person)
    if not name.surname:
        return 0
    best = 0
    for index, segment in enumerate(segments):
        words = segment.words
        for start in range(len(words)):
            for end in range(start + 1, min(len(words), start + _MAX_SURNAME_WORDS) + 1):
                run = words[start:end]
                if all(word in PARTICLES for word in run):
                    continue
                surname = _surname_match(run, name)
                if surname is None:
                    continue
                rest = _Segment(words[:start] + words[end:], segment.initials)
                given = _given_match(_evidence(rest, segments, index), name.given)
                if given != _CONTRADICTS:
                    best = max(best, _POINTS[(surname, given)])
    return best


def _person_name(person: DirectoryUser) -> _Name:
    given_text = person.given_name or ""
    surname_text = person.surname or ""
    if not surname_text:
        given_text, surname_text = _split_display_name(person.display_name, given_text)
    words = name_words(surname_text)
    parts = {"".join(name_words(piece)) for piece in HYPHEN.split(surname_text)}
    core = list(words)
    while len(core) > 1 and core[0] in PARTICLES:
        core.pop(0)
    parts.add("".join(core))
    surname = "".join(words)
    parts.discard(surname)
    parts.discard("")
    return _Name(surname, frozenset(parts), tuple(name_words(given_text)), len(words))


def _split_display_name(display_name: str, given_text: str) -> tuple[str, str]:
    """(given, surname) from "Sofie Van den Broeck (extern)" when the directory has no surname:
    what follows the known given name, else the last word with the particles before it."""
    display = re.sub(r"\(.*?\)", " ", display_name).split()
    given = given_text.split()
    if (
        given
        and len(given) < len(display)
        and [fold(w) for w in display[: len(given)]] == [fold(w) for w in given]
    ):
        return given_text, " ".join(display[len(given) :])
    start = len(display) - 1
    while start > 0 and word_key(display[start - 1]) in PARTICLES:
        start -= 1
    return given_text or " ".join(display[:start]), " ".join(display[start:])


def _surname_match(run: tuple[str, ...], name: _Name) -> int | None:
    """How a run of envelope words matches the surname. A typo is one letter in as many words
    as the surname has (or in the surname written as one word): a neighbouring word is never
    swallowed as a typo ("An Peeters" is not "Peeters" misspelt)."""
    compact = "".join(run)
    if compact == name.surname:
        return _EXACT
    if compact in name.parts:
        return _PART
    if (
        len(name.surname) >= _FUZZY_MIN_LENGTH
        and len(run) in (1, name.word_count)
        and abs(len(compact) - len(name.surname)) <= 1
        and SequenceMatcher(None, compact, name.surname).ratio() >= _FUZZY_RATIO
    ):
        return _FUZZY
    return None


def _evidence(rest: _Segment, segments: list[_Segment], index: int) -> _Segment:
    """What may say the given name: the rest of the surname's own part or, when that part holds
    the surname alone ("PEETERS, Jef"), the nearest other name part. Particles and places left
    over say nothing."""
    useful = _useful(rest)
    if useful.words or useful.initials:
        return useful
    for other in (index + 1, index - 1):
        if 0 <= other < len(segments):
            near = _useful(segments[other])
            if near.words or near.initials:
                return near
    return useful


def _useful(segment: _Segment) -> _Segment:
    words = tuple(w for w in segment.words if w not in PARTICLES and w not in PLACES)
    return _Segment(words, segment.initials)


def _given_match(evidence: _Segment, given: tuple[str, ...]) -> int:
    words, initials = evidence.words, evidence.initials
    if not words and not initials:
        return _NONE
    if not given:
        return _NONE  # the directory does not say: nothing to confirm or contradict
    whole = "".join(given)
    for start in range(len(words)):
        for end in range(start + 1, len(words) + 1):
            if "".join(words[start:end]) == whole:
                return _FULL
    first = given[0]
    if any(_same_first_name(word, first) for word in words):
        return _SOME
    if initials and _initials_agree(initials, given):
        return _SOME
    return _CONTRADICTS


def _same_first_name(word: str, first: str) -> bool:
    if word == first:
        return True
    return (
        min(len(word), len(first)) >= _GIVEN_FUZZY_MIN_LENGTH
        and SequenceMatcher(None, word, first).ratio() >= _GIVEN_FUZZY_RATIO
    )


def _initials_agree(initials: tuple[str, ...], given: tuple[str, ...]) -> bool:
    """The first initial is the first given name's; later ones, where the directory knows more
    given names, agree too. More initials than given names are middle names: fine."""
    return all(initial == word[0] for initial, word in zip(initials, given, strict=False) if word)
