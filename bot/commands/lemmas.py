"""Words as the understanding step compares them: tokens with their Dutch and English lemmas.

A token keeps where it stands in the text (arguments are cut from the caller's own words) and
carries its forms: the folded word and its lemmas in both languages, so "aanvragen", "aanvraag"
and "requests" meet "request" whatever language the client is set to (people mix them).

Lemmas come from simplemma in its low-memory mode (its dictionaries are read from the packed
files on first use: about 7 MB for Dutch and English instead of 70 MB as Python dicts) behind a
cache, so a message costs dictionary look-ups only for words not seen before.

A word the commands do not know is read further, in this order, keeping only readings that are
the commands' words:
- a separable verb with its particle elsewhere in the sentence ("stuur ... door");
- a letter held down ("HELPPP", "postttt"): a run of three or more read once or twice;
- Flemish forms with the pronoun glued on ("kunde" is "kunt ge", "hebde" "hebt ge");
- a diminutive ("briefke", "pakske", "merciekes", "licentierapportje");
- a Dutch compound: both parts when both are the commands' words ("licentieaanvraag"), its
  head (the last part, which carries the meaning) when the modifier is a word too
  ("beveiligingsgroep"), its modifier when the head only names an aspect of it
  ("catalogusbestand", "routeringsregelbestand");
- an English inflection simplemma misses ("cancelling"), by a command word's Snowball stem;
- a typo: in no dictionary and one or two edits from a command's word (rapidfuzz's OSA).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.domain.licences.requests import REFERENCE_PREFIX as REQUEST_PREFIX
from bot.domain.platform.text import fold
from bot.domain.servicedesk.tickets import REFERENCE_PREFIX as TICKET_PREFIX

if TYPE_CHECKING:
    from simplemma import Lemmatizer
    from simplemma.strategies.dictionary_lookup import DictionaryLookupStrategy

# An e-mail address, a day written with digits, or a word; @mentions are read and dropped.
MENTION = re.compile(r"(?<![\w.+-])@\w+")
# A reference Werkplek writes on a card, by its prefix: "LIC-2026-…" one's request, "SD-…" ticket.
_REFERRED = {REQUEST_PREFIX.casefold(): "aanvraag", TICKET_PREFIX.casefold(): "meldingen"}
_TOKEN = re.compile(
    r"(?P<mention>(?<![\w.+-])@\w+)"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    rf"|(?P<reference>\b(?i:{'|'.join(_REFERRED)})-\d{{4}}-\d{{1,9}}\b)"
    # "15/12-19/12" is two days, not 15 December 2019: a year is never followed by a month.
    r"|(?P<day>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?(?![/.]\d))"
    r"|(?P<word>\w*[^\W_]\w*)"  # a letter or a digit in it: "-_-" is no word
)
_LANGUAGES = ("nl", "en")
# A long message is mostly an explanation; what it asks for is in its first words.
MAX_TOKENS = 60
# Longer than any word people type (compounds included): read as is, never looked up, split or
# repaired, which cost time growing with the word (20,000 letters took seconds of the loop).
MAX_WORD = 40
_CUT_SHORT = 5  # "automat"; not "app" for "apps"
_FROM = frozenset({"van", "from", "vd", "vn"})
# Shorter words are too often another real word one edit away ("post" and "pest").
_MIN_REPAIR_LENGTH = 4
_LONG_WORD = 8
# Separable Dutch verbs: "stuur mijn post door" is "doorsturen", "pas de regels toe" "toepassen".
_PARTICLES = frozenset(
    {"aan", "af", "door", "in", "klaar", "na", "op", "over", "terug", "toe", "uit"}
)
# Linking letters between the parts of a Dutch compound ("routering-s-regels").
_LINKS = ("", "s", "e", "en")
_MIN_PART = 4
# A compound's modifier may be a compound itself ("routeringsregel|bestand"), once.
_COMPOUND_DEPTH = 2
# Heads that only say which aspect of the modifier is meant: "catalogusbestand" is about the
# catalogue, where "helpdesk" is a desk, not help.
# fmt: off
_LIGHT_HEADS = frozenset({
    "bestand", "beheer", "overzicht", "lijst", "lijstje", "instelling", "instellingen", "status",
    "gegevens", "probleem", "vraag", "vragen", "regeling", "informatie", "info", "dossier",
    "export", "controle",
})
# fmt: on
# Flemish diminutives and what they stand for: "briefke" is "brief", "pakske" "pakje".
_DIMINUTIVES = ("ekes", "eke", "skes", "ske", "kes", "ke", "ken", "tjes", "tje", "jes", "je")
# Verb and pronoun written as one word in Flemish speech: "kunde gij", "hebde", "zijde".
# fmt: off
_CLITICS: dict[str, tuple[str, ...]] = {
    "kunde": ("kunnen", "ge"), "hebde": ("hebben", "ge"), "zijde": ("zijn", "ge"),
    "weette": ("weten", "ge"), "moogde": ("mogen", "ge"), "gade": ("gaan", "ge"),
    "wilde": ("willen", "ge"), "zoudt": ("zouden",), "kzou": ("ik", "zouden"),
    "kheb": ("ik", "hebben"), "kwil": ("ik", "willen"), "kben": ("ik", "zijn"),
    "kan'k": ("kunnen", "ik"), "zen": ("zijn",), "zijt": ("zijn",), "moogt": ("mogen",),
}
# fmt: on
# The same letter three times or more: a key held down ("helppp").
_HELD = re.compile(r"(\w)\1{2,}")
# A stem this short says too little to be read as a command's word.
_MIN_STEM = 4
# Shorthand typed in a hurry for the commands' words: "tkt aanmaken", "lic aanvragen", "mn pst".
# fmt: off
_SHORTHAND = {
    "tkt": "ticket", "tckt": "ticket", "tix": "tickets", "lic": "licentie", "lics": "licenties",
    "pst": "post", "dlg": "delegatie", "aanvr": "aanvraag", "vrlf": "verlof", "acc": "account",
    "ww": "wachtwoord", "pw": "password", "mgr": "manager",
}
# fmt: on


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


def tokens(
    text: str,
    vocabulary: frozenset[str] = frozenset(),
    names: frozenset[str] = frozenset(),
    *,
    lemmatise: Callable[[str], frozenset[str]] | None = None,
) -> list[Token]:
    """The words of text with their forms; vocabulary (folded forms the commands use) lets
    typos, separable verbs and compounds be read as the commands' own words. names: the forms
    only names use (the catalogue's items), which match whole words, never a compound's part:
    a "parkeerkaart" is no map of the spatial data. lemmatise: instead of `lemmas` (a reader
    of many sentences once, with a cache of its own)."""
    lemmatise = lemmatise or lemmas
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "word"
        if kind == "mention":
            continue
        word = match.group()
        folded = fold(word)
        if kind == "reference":
            kind, forms = "word", lemmatise(_REFERRED[folded.split("-")[0]]) | {folded}
        elif kind == "word" and len(folded) <= MAX_WORD:
            forms = lemmatise(folded)
        else:
            forms = frozenset({folded})
        found.append(Token(word, folded, forms, match.start(), match.end(), kind))
        if len(found) == MAX_TOKENS:
            break
    found = [_part_time(token, i, found) for i, token in enumerate(found)]
    if vocabulary:
        found = [
            _widened(token, index, found, vocabulary, names) for index, token in enumerate(found)
        ]
    return found


# "ik werk 4/5", "4/5de", "een 4/5 regime": a part-time job's share, no 4 May.
_SHARE = re.compile(r"\d/\d{1,2}")
_WORKS = frozenset({"werk", "werkt", "werken", "work", "works", "een", "a"})
_SHARE_AFTER = frozenset({"de", "e", "ste", "regime", "stelsel", "tijds", "job"})


def _part_time(token: Token, index: int, sentence: list[Token]) -> Token:
    if token.kind != "day" or not _SHARE.fullmatch(token.folded):
        return token
    before = sentence[index - 1].folded if index > 0 else ""
    after = sentence[index + 1].folded if index + 1 < len(sentence) else ""
    if before in _WORKS or after in _SHARE_AFTER:
        return replace(token, forms=frozenset({token.folded}), kind="word")
    return token


@lru_cache(maxsize=16384)
def lemmas(folded: str) -> frozenset[str]:
    """The word and its lemmas in Dutch and English ("goedgekeurd" -> "goedkeuren"); chat
    shorthand also as the word it stands for ("tkt" -> "ticket")."""
    lemmatizer = _lemmatizer()
    forms = {folded}
    for said in (folded, _SHORTHAND.get(folded, folded)):
        forms.add(said)
        for language in _LANGUAGES:
            forms.add(fold(lemmatizer.lemmatize(said, lang=language)).replace("_", ""))
    forms.discard("")
    return frozenset(forms)


def forms_near(vocabulary: frozenset[str]) -> Callable[[str], frozenset[str]]:
    """A word's forms (`lemmas`) and, for a typo, the word of `vocabulary` one or two edits
    away: "premuim" is "premium" among a catalogue's item names (Catalogue.match)."""

    def forms(folded: str) -> frozenset[str]:
        return lemmas(folded) | _repaired(folded, vocabulary) | _cut_short(folded, vocabulary)

    return forms


def _cut_short(folded: str, vocabulary: frozenset[str]) -> frozenset[str]:
    """ "automat" for "automate": a word of the vocabulary typed without its last letter, which
    the typo repair passes over when the shorter word is a word too."""
    if len(folded) < _CUT_SHORT:
        return frozenset()
    return frozenset(word for word in vocabulary if word[:-1] == folded)


def _widened(
    token: Token,
    index: int,
    sentence: list[Token],
    vocabulary: frozenset[str],
    names: frozenset[str],
) -> Token:
    if token.kind != "word" or len(token.folded) > MAX_WORD:
        return token
    extra = _separable(token, sentence, vocabulary) | _clitic(token.folded)
    if not (token.forms | extra) & vocabulary:
        extra |= _unknown_word(token.folded, vocabulary, names)
        if not extra and _repairable(token, index, sentence) and not _a_sender(sentence, index):
            extra = _repaired(token.folded, vocabulary)
    if not extra:
        return token
    return Token(token.text, token.folded, token.forms | extra, token.start, token.end, token.kind)


@lru_cache(maxsize=8192)
def _unknown_word(folded: str, vocabulary: frozenset[str], names: frozenset[str]) -> frozenset[str]:
    """A diminutive, a compound or an inflection of the commands' words (cached: a sentence's
    words come back in the next one)."""
    return (
        _held_down(folded, vocabulary)
        or _diminutive(folded, vocabulary)
        or _compound(folded, vocabulary - names)
        or _stemmed(folded, vocabulary)
    )


def _held_down(folded: str, vocabulary: frozenset[str]) -> frozenset[str]:
    if not _HELD.search(folded):
        return frozenset()
    once, twice = _HELD.sub(r"\1", folded), _HELD.sub(r"\1\1", folded)
    return _ours(once, vocabulary) | _ours(twice, vocabulary)


def _clitic(folded: str) -> frozenset[str]:
    return frozenset(_CLITICS.get(folded, ()))


def _repairable(token: Token, index: int, sentence: list[Token]) -> bool:
    # A capital inside a sentence is a name (Maes, Vos, Claes), not a typo of ours; so is one
    # that opens it before another ("Gert Smeets neemt mijn post over").
    two = sentence[index : index + 2]
    if token.capitalised and (index > 0 or (len(two) == 2 and all(t.text.istitle() for t in two))):
        return False
    return len(token.folded) >= _MIN_REPAIR_LENGTH and not token.folded.isdigit()


def _a_sender(sentence: list[Token], index: int) -> bool:
    """A word right after "van" or "from" names who sent something, lowercase or not: "iets
    van bpost" is no typo of "post"."""
    return index > 0 and sentence[index - 1].folded in _FROM


def _separable(token: Token, sentence: list[Token], vocabulary: frozenset[str]) -> frozenset[str]:
    particles = {t.folded for t in sentence if t.folded in _PARTICLES and t is not token}
    if not particles or len(token.folded) <= len("en"):
        return frozenset()
    # Only verbs are separable: "melding ... aan" is no "aanmelding" (a sign-in), and "en"
    # no verb at all ("zoeken op ... en" is no "openen").
    stems = {form for form in _infinitives(token.folded) | token.forms if form.endswith("n")}
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


def _compound(
    folded: str, vocabulary: frozenset[str], depth: int = _COMPOUND_DEPTH
) -> frozenset[str]:
    """The commands' words in a compound: both parts when both are theirs ("licentieaanvraag");
    the head when the modifier is a word of its own ("beveiligingsgroep" is a group); the
    modifier when the head only names an aspect of it ("catalogusbestand"), so "postzegel"
    (a stamp) and "helpdesk" stay what they are."""
    fallback: frozenset[str] = frozenset()
    for cut in range(_MIN_PART, len(folded) - _MIN_PART + 1):
        head = folded[cut:]
        head_forms = _ours(head, vocabulary)
        if not head_forms and not lemmas(head) & _LIGHT_HEADS:
            continue
        for link in _LINKS:
            modifier = folded[:cut].removesuffix(link) if link else folded[:cut]
            if len(modifier) < _MIN_PART:
                continue
            modifier_forms = _ours(modifier, vocabulary)
            if not modifier_forms and depth > 1 and not _a_word(modifier):
                modifier_forms = _compound(modifier, vocabulary, depth - 1)
            if head_forms and modifier_forms:
                return head_forms | modifier_forms
            if fallback:
                continue
            if head_forms and _a_word(modifier):
                fallback = head_forms
            elif modifier_forms and lemmas(head) & _LIGHT_HEADS:
                fallback = modifier_forms
    return fallback


def _a_word(modifier: str) -> bool:
    """A word, or a verb's stem as modifiers are ("aanmeld|status", "zoek|functie")."""
    return _known(modifier) or _known(modifier + "en")


def _ours(part: str, vocabulary: frozenset[str]) -> frozenset[str]:
    return frozenset(form for form in lemmas(part) & vocabulary if len(form) >= _MIN_PART)


def _diminutive(folded: str, vocabulary: frozenset[str]) -> frozenset[str]:
    for suffix in _DIMINUTIVES:
        base = folded.removesuffix(suffix)
        if base == folded or len(base) < _MIN_STEM - 1:
            continue
        for word in (base, base + "je", base + "tje"):
            found = _ours(word, vocabulary)
            if found:
                return found
    return frozenset()


def _stemmed(folded: str, vocabulary: frozenset[str]) -> frozenset[str]:
    stem = _english_stem(folded)
    return _stems(vocabulary).get(stem, frozenset()) if len(stem) >= _MIN_STEM else frozenset()


@lru_cache(maxsize=16)
def _stems(vocabulary: frozenset[str]) -> dict[str, frozenset[str]]:
    """The vocabulary's words by their English stem ("cancel" <- "cancel", "cancelled")."""
    found: dict[str, set[str]] = {}
    for word in vocabulary:
        found.setdefault(_english_stem(word), set()).add(word)
    return {stem: frozenset(words) for stem, words in found.items()}


@lru_cache(maxsize=16384)
def _english_stem(folded: str) -> str:
    return str(_stemmer().stemWord(folded))


def _repaired(folded: str, vocabulary: frozenset[str]) -> frozenset[str]:
    if len(folded) < _MIN_REPAIR_LENGTH or _known(folded):  # "GB" is no typo of "bi"
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

    # No cache of its own: `lemmas` keeps each word's forms already (simplemma's would hold a
    # second copy of every word read, about 1 MB after the labelled sentences).
    return Lemmatizer(cache_max_size=0, lemmatization_strategy=DefaultStrategy(low_memory=True))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _lookup() -> DictionaryLookupStrategy:
    from simplemma.strategies.dictionaries import LOW_MEMORY_DICTIONARY_FACTORY
    from simplemma.strategies.dictionary_lookup import DictionaryLookupStrategy

    return DictionaryLookupStrategy(LOW_MEMORY_DICTIONARY_FACTORY)
