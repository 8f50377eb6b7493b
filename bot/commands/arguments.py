"""The arguments a recognised command gets, cut from the caller's own words.

A command's handler parses the text it is given (dialogs/post/text.py, dialogs/access/status.py,
dialogs/licences/admin.py); when the command was recognised in a whole sentence, that text is
rebuilt here in the form the handler reads, from the words the sentence holds:

- `post`: the filters and a search ("aangetekend deze week zoek Fluvius"); "all" takes in the
  handled items ("al mijn post, ook de oude", "handled ones too" is all of it)
- `post_delegation`: "[stop] [naar <name>] [van <day>] [tot <day>] [<period>]", each part
  only when said: "stop" first when the caller asks to stop one ("stop naar Bart"), a period
  that gives both days as typed ("volgende week", "next week"), a single day as both ("van
  morgen tot morgen"); "" to list one's delegations (dialogs/post/text.py reads it)
- `status`: the colleague's name or e-mail address an agent asked about (also as the
  sentence's first words: "Fatima Ouali kan niet aanmelden"), else ""
- `licence_report`, `ticket_report`: the days and an entity code
- a command that takes the whole text (`whole_text=True`, the licence form) gets it all
The words an argument takes are "explained" for that command: "post van Fluvius" is all post,
"nieuwe aankondiging: <what it says>" all the announcement.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.commands.argument_words import (
    THE_POST,
    TIME_WORDS,
    broken,
    capital_inside,
    content,
    shouted_sentence,
    span,
    written_days,
)
from bot.commands.asides import asides
from bot.commands.delegation_words import delegation
from bot.commands.lemmas import MENTION, Token
from bot.commands.phrases import CLASSES, STOPWORDS
from bot.commands.status_words import colleague

_OLD = "oud"  # "de oude" are the handled ones too, unless the handled ones alone are asked for
# fmt: off
_SEARCH_VERBS = frozenset({"zoek", "zoeken", "search", "vind", "find", "look"})
# "brief over de erfgoedsubsidie": what a letter is about is searched as its sender is.
_SEARCHES = _SEARCH_VERBS | {
    "van", "from", "afzender", "sender", "over", "about", "betreffende", "ivm", "onderwerp",
    "regarding", "concerning", "re", "subject",
}
# Words between a search's marker and the sender: "van de FOD", "zoek op Fluvius".
_LEADS = frozenset({
    "de", "het", "een", "den", "the", "a", "an", "op", "naar", "for", "mijn", "my", "onze", "our",
})
# Small words inside a sender's name: "Agentschap Natuur en Bos", "Court of Appeal".
_JOINS = frozenset({"van", "en", "of", "and", "de", "der", "den", "het", "the", "voor", "for"})
# What a company's name may end in without a capital: "KBC bank", "Ethias verzekeringen".
_BODIES = frozenset({
    "bank", "verzekeringen", "verzekering", "insurance", "nv", "bv", "vzw", "group", "groep",
})
# Words that open a clause: a search does not reach past them ("vind ik brieven die ...").
_CLAUSES = frozenset({"die", "dat", "wat", "welke", "that", "which", "who", "what"})
# A verb's particle that closes the sentence, no part of what is searched: "zit er post over de
# kerstmarkt tussen?", "komt er iets van de stad binnen".
_PARTICLES = frozenset({"tussen", "binnen", "bij", "mee", "toe", "aan", "in", "op"})
_ARTICLES = frozenset({"de", "het", "the"})
# A letter's reference: parts of letters or digits joined by "/", "-" or ".", a digit and a
# letter somewhere in it, not part of an e-mail address.
_REFERENCE = re.compile(
    r"(?<![\w/.@-])(?=[\w/.-]*\d)(?=[\w/.-]*[^\W\d_])\w+(?:[/.-]\w+)+(?![\w@]|[/.-]\w)"
)
# Before a place or a team, not a sender: "in HR", "te Brussel", "at Fluvius' offices".
_PLACES = frozenset({"in", "te", "at"})
# "ook wat al verwerkt is", "handled ones too": the handled ones besides the rest.
_TOO = frozenset({"ook", "too", "also", "zowel", "both", "including", "incl", "inclusief"})
_TIMES = frozenset({
    "tijd", "periode", "dag", "dagen", "week", "weken", "maand", "maanden", "jaar", "jaren",
    "time", "period", "day", "days", "weeks", "month", "months", "year", "years", "while",
})
_JUSTIFIES = frozenset({"om", "omdat", "zodat", "voor", "for", "to", "because", "so"})
# "niet" as spoken ("nog ni behandeld") and in English ("not handled").
_NOT = frozenset({"ni", "nie", "not"})
_FILTERS = (
    (("niet", "afgehandeld"), "open"), (("niet", "afgehandelde"), "open"),
    (("niet", "behandeld"), "open"), (("onbehandeld",), "open"), (("onbehandelde",), "open"),
    (("onafgehandeld",), "open"), (("onafgehandelde",), "open"), (("unhandled",), "open"),
    (("niet", "handled"), "open"), (("niet", "yet", "handled"), "open"),
    (("niet", "verwerkt"), "open"), (("niet", "processed"), "open"), (("open",), "open"),
    (("openstaande",), "open"), (("processed",), "afgehandeld"),
    (("afgehandeld",), "afgehandeld"), (("afgehandelde",), "afgehandeld"),
    (("handled",), "afgehandeld"), (("verwerkt",), "afgehandeld"), (("afgewerkt",), "afgehandeld"),
    (("behandeld",), "afgehandeld"), (("behandelde",), "afgehandeld"),
    (("dealt", "with"), "afgehandeld"), (("marked", "as", "done"), "afgehandeld"),
    (("aangetekend",), "aangetekend"), (("aangetekende",), "aangetekend"),
    (("aangetekends",), "aangetekend"), (("aangetekent",), "aangetekend"),
    (("registered",), "aangetekend"),
    (("deze", "week"), "deze week"), (("this", "week"), "deze week"),
    (("alle",), "alles"), (("alles",), "alles"), (("all",), "alles"), (("al", "mijn"), "alles"),
    (("oude",), _OLD), (("old",), _OLD), (("older",), _OLD),
)
# fmt: on
# Papers one searches the post for, though they are the post's own words: "zoek facturen".
_SEARCHABLE = frozenset(CLASSES["paperwork"].split())
# Verbs of the post's arriving, which end a sender's name: "iets van de belastingdienst gekregen".
_ARRIVED = frozenset(
    {
        "krijgen",
        "ontvangen",
        "binnenkomen",
        "toekomen",
        "sturen",
        "versturen",
        "opsturen",
        "schrijven",
        "verwachten",
        "receive",
        "send",
        "expect",
        "arrive",
        "write",
    }
)
_MAX_CODE = 6
# Small words a report's period is said in: "sinds", "tussen ... en", "vorige maand", "de
# laatste 30 dagen", "this quarter".
# fmt: off
_PERIOD_WORDS = frozenset({
    "sinds", "since", "vanaf", "van", "from", "tussen", "between", "en", "and", "tot", "to",
    "vorige", "vorig", "afgelopen", "laatste", "last", "past", "deze", "dit", "this",
    "maand", "month", "jaar", "year", "week", "weken", "dag", "dagen",
})
# fmt: on


@dataclass(frozen=True, slots=True)
class Extracted:
    args: str
    consumed: frozenset[int]  # token positions the arguments took


NOTHING = Extracted("", frozenset())


def extract(
    name: str, whole_text: bool, text: str, words: Sequence[Token], known: frozenset[int]
) -> Extracted:
    """Arguments of command `name` in the message; known: positions of that command's own
    words (a word of another command may well be a name or a search: "van De Post")."""
    if whole_text:
        return _whole(text, words, known)
    if name == "post":
        return _post(text, words, known | asides(words))
    if name == "post_delegation":
        return Extracted(*delegation(text, words, known))
    if name == "status":
        return _status(text, words, known | asides(words))
    if name in ("licence_report", "ticket_report"):
        return _report(words, known | asides(words))
    if name == "announce":
        return Extracted("", frozenset(_after_colon(text, words, known)))
    return NOTHING


def _whole(text: str, words: Sequence[Token], known: frozenset[int]) -> Extracted:
    """All of it (the handler reads it); a reason, a workspace's name and what follows a colon
    after the command's own words ("maak een ticket aan: mijn scherm geeft geen beeld") are
    its arguments."""
    consumed = set(_after_marker(words, _JUSTIFIES, known)) | set(_after_colon(text, words, known))
    consumed |= {i for i, w in enumerate(words) if i > 0 and w.capitalised and i not in known}
    return Extracted(" ".join(MENTION.sub(" ", text).split()), frozenset(consumed))


def _post(text: str, words: Sequence[Token], known: frozenset[int]) -> Extracted:
    filters, used = _filters(words)
    if _OLD in filters:
        filters.remove(_OLD)
        if "afgehandeld" not in filters and "alles" not in filters:
            filters.append("alles")
    if "open" in filters and "afgehandeld" in filters:  # "zowel open als afgehandeld"
        filters = [f for f in filters if f not in ("open", "afgehandeld", "alles")] + ["alles"]
    if "alles" in filters and "afgehandeld" in filters:
        # "handled ones too", "alles, ook wat verwerkt is" is all of it; "alles wat ik al
        # afgehandeld heb" the handled ones
        too = any(w.folded in _TOO for w in words)
        filters.remove("afgehandeld" if too else "alles")
    elif "afgehandeld" in filters and any(w.folded in _TOO for w in words):
        filters[filters.index("afgehandeld")] = "alles"  # "ook de afgehandelde": all of it
    days = frozenset(i for first, last, _ in written_days(words) for i in range(first, last + 1))
    searchable = frozenset(i for i in known if words[i].folded in _SEARCHABLE)
    blocked = (known - searchable) | used | days
    search = (
        _reference(text, words)
        or _sender(text, words, blocked)
        or _named_sender(words, known | used | days)
    )
    search = search or sorted(searchable)[:1]  # "is er een factuur binnengekomen?"
    said = filters + (["zoek", span(text, words, search)] if search else [])
    return Extracted(" ".join(said), frozenset(search) | used)


def _reference(text: str, words: Sequence[Token]) -> list[int]:
    """A reference as written on an envelope ("2026/BZ/0417", "DOMG-AV-55821"): letters and
    digits joined by slashes or dashes, searched whole."""
    for match in _REFERENCE.finditer(text):
        inside = [
            i for i, w in enumerate(words) if match.start() <= w.start and w.end <= match.end()
        ]
        if inside:
            return inside
    return []


def _sender(text: str, words: Sequence[Token], blocked: frozenset[int]) -> list[int]:
    """Who or what the post is searched for, after the first marker that names one: the
    sender's whole name with its small words ("van het Agentschap Natuur en Bos", "from the
    Court of Appeal", "rechtbank van eerste aanleg"); after "van"/"from" it must follow at
    once ("lijst van de stukken die ..." searches nothing), after "zoek"/"search" it may come
    later ("search my post for invoices"). "facturen van Telenet" is Telenet; "van de laatste
    tijd" is a time, no sender."""
    for i, word in enumerate(words):
        if word.folded not in _SEARCHES or capital_inside(words, i):
            continue  # "Van" in "notaris Van Hoecke" is the name's own
        first = i + 1
        while first < len(words) and (
            (words[first].folded in _LEADS and not capital_inside(words, first))
            or (
                word.folded in _SEARCH_VERBS
                and (first in blocked or not content(words[first]))
                and words[first].folded not in _CLAUSES  # "vind ik brieven die ik ..."
            )
        ):
            first += 1
        run = _phrase(text, words, first, blocked)
        if run and words[run[0]].folded in _SEARCHABLE and len(run) > 1:
            rest = [j for j in run[1:] if content(words[j]) or words[j].capitalised]
            run = run[run.index(rest[0]) :] if rest else run
        if run and not _a_time(words, run) and not _describes_the_post(words, run):
            return _with_head(words, i, run, blocked)
    return []


def _describes_the_post(words: Sequence[Token], run: Sequence[int]) -> bool:
    """ "van mijn inkomende post": small letters right before the word for the post say which
    post, they name no sender."""
    after = run[-1] + 1
    if any(words[j].capitalised for j in run) or after >= len(words):
        return False
    return words[after].folded in THE_POST


def _with_head(
    words: Sequence[Token], marker: int, run: list[int], blocked: frozenset[int]
) -> list[int]:
    """ "de griffie van de rechtbank ...", opening the sentence: the noun before "van" is the
    sender's own ("griffie van de rechtbank van eerste aanleg Antwerpen"); "de brief van" or
    "facturen van" are the post, and a noun later in a sentence may be anything."""
    head = marker - 1
    if words[marker].folded != "van" or head < 0 or not _a_noun(words[head], head, blocked):
        return run
    if words[head].folded in _SEARCHABLE | THE_POST or any(
        words[j].folded not in _ARTICLES for j in range(head)
    ):
        return run
    return [*range(head, run[0]), *run]


def _named_sender(words: Sequence[Token], blocked: frozenset[int]) -> list[int]:
    """A sender named without a marker, by its capitals ("heeft de stad Mechelen geantwoord":
    the nouns between an article and the name belong to it); not in a sentence written all
    in capitals, nor after "in", "te" or "at" (a place, a team: "my colleague in HR")."""
    if shouted_sentence(words):
        return []
    found = [
        i
        for i, w in enumerate(words)
        if i > 0
        and w.capitalised
        and i not in blocked
        and content(w)
        and words[i - 1].folded not in _PLACES
    ]
    if not found:
        return []
    first = found[0]
    nouns = first
    while nouns > 0 and _a_noun(words[nouns - 1], nouns - 1, blocked) and first - nouns < 2:
        nouns -= 1
    if nouns < first and nouns > 0 and words[nouns - 1].folded in _ARTICLES:
        found = [*range(nouns, first), *found]
    return found


def _a_noun(word: Token, i: int, blocked: frozenset[int]) -> bool:
    return word.kind == "word" and not word.capitalised and i not in blocked and content(word)


def _phrase(text: str, words: Sequence[Token], first: int, blocked: frozenset[int]) -> list[int]:
    """Content words from first on, joined by small words ("van", "en", "of the"); a name
    that started with a capital ends at the first word without one ("Fluvius binnen")."""
    run: list[int] = []
    named = False
    i = first
    while i < len(words):
        if run and broken(text, words[i - 1], words[i]):
            break
        joins = i
        while run and joins < len(words) - 1 and words[joins].folded in _JOINS:
            joins += 1
        word = words[joins]
        if (
            joins in blocked
            or word.kind == "day"
            or (joins > i and _broken_between(text, words, i, joins))
        ):
            break
        if not (content(word) or capital_inside(words, joins)) or word.forms & _ARRIVED:
            break
        if run and word.folded in _PARTICLES and _closes(text, words, joins):
            break
        if named and not word.capitalised and not (joins == i and word.folded in _BODIES):
            break
        named = named or word.capitalised
        run.extend(range(i, joins + 1))
        i = joins + 1
    return run


def _closes(text: str, words: Sequence[Token], i: int) -> bool:
    return i + 1 == len(words) or broken(text, words[i], words[i + 1])


def _broken_between(text: str, words: Sequence[Token], first: int, last: int) -> bool:
    return any(broken(text, words[j - 1], words[j]) for j in range(first + 1, last + 1))


def _a_time(words: Sequence[Token], run: Sequence[int]) -> bool:
    """ "de laatste tijd", "vorige maand", "over twee weken": a time, searched for by the
    filters, not a sender."""
    if words[run[0]].folded in TIME_WORDS:  # "de scans van vanochtend"
        return True
    after = run[-1] + 1
    said = {words[i].folded for i in run} | ({words[after].folded} if after < len(words) else set())
    return not any(words[i].capitalised for i in run) and bool(said & _TIMES)


def _status(text: str, words: Sequence[Token], known: frozenset[int]) -> Extracted:
    person = colleague(text, words, known)
    return NOTHING if person is None else Extracted(span(text, words, person), frozenset(person))


def _report(words: Sequence[Token], known: frozenset[int]) -> Extracted:
    """Days and codes, and the words a period or an entity's name is said in ("sinds 15
    oktober", "vorige maand", "het Departement Omgeving"): the report's parser reads them and
    passes over the rest. Only days, codes and capitalised names count as explained."""
    taken = [
        i
        for i, w in enumerate(words)
        if w.kind == "day"
        or (
            (w.text.isupper() and w.text.isalpha() and 1 < len(w.text) <= _MAX_CODE)
            and w.folded not in STOPWORDS
        )
    ]
    said = [
        i
        for i, w in enumerate(words)
        if i in taken
        or (
            i not in known
            and w.kind == "word"
            and (content(w) or w.folded in _PERIOD_WORDS)
            and not (w.text.isupper() and len(w.text) > 1 and w.folded in STOPWORDS)
        )
    ]
    # An entity's name is capitalised ("voor Digitaal Vlaanderen"): the report's parser knows it.
    named = {i for i in said if i > 0 and words[i].capitalised}
    return Extracted(" ".join(words[i].text for i in said), frozenset(taken) | named)


# --- pieces -------------------------------------------------------------------------------------
def _filters(words: Sequence[Token]) -> tuple[list[str], set[int]]:
    found: list[str] = []
    used: set[int] = set()
    said = [{"niet"} if w.folded in _NOT else {w.folded, *w.forms} for w in words]  # "weke"
    for phrase, flag in _FILTERS:
        for start in range(len(said) - len(phrase) + 1):
            span = set(range(start, start + len(phrase)))
            if all(p in said[start + i] for i, p in enumerate(phrase)) and not span & used:
                used |= span
                if flag not in found:
                    found.append(flag)
    return found, used


def _after_colon(text: str, words: Sequence[Token], known: frozenset[int]) -> list[int]:
    """Content words after the first colon that follows one of the command's own words."""
    if not known:
        return []
    for i in range(min(known) + 1, len(words)):
        if ":" in text[words[i - 1].end : words[i].start]:
            return [j for j in range(i, len(words)) if j not in known and content(words[j])]
    return []


def _after_marker(
    words: Sequence[Token], markers: Collection[str], known: frozenset[int], *, last: bool = False
) -> list[int]:
    """Content words after the first (or last) marker word that no command uses."""
    places = [i for i, w in enumerate(words) if w.folded in markers]
    if not places:
        return []
    begin = places[-1] if last else places[0]
    return [
        i
        for i in range(begin + 1, len(words))
        if i not in known and (content(words[i]) or capital_inside(words, i))
    ]
