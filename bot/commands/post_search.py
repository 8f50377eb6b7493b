"""What the post list is searched for, in a sentence (bot/commands/arguments.py reads the rest):
a reference from the envelope ("brief ref 4471/KB/26"), a sender after "van", "from", "zoek"
("van het Agentschap Natuur en Bos", "zoek op Fluvius"), what a letter is about ("brief over de
erfgoedsubsidie"), a sender named by its capitals ("heeft de stad Mechelen geantwoord"), or a
paper alone ("is er een factuur binnengekomen?").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.commands.argument_words import (
    THE_POST,
    TIME_WORDS,
    broken,
    capital_inside,
    content,
    shouted_sentence,
)
from bot.commands.lemmas import Token
from bot.commands.phrases import CLASSES

# fmt: off
_SEARCH_VERBS = frozenset({"zoek", "zoeken", "search", "vind", "find", "look"})
# "brief over de erfgoedsubsidie": what a letter is about is searched as its sender is.
_SEARCHES = _SEARCH_VERBS | {
    "van", "from", "afzender", "sender", "over", "about", "betreffende", "ivm", "onderwerp",
    "vd", "vn", "vh",  # "van de", "van", "van het", typed short
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
# ... of which these are never inside a name: "zit er iets van fluvius tussen mijn post?".
_NEVER_NAMED = frozenset({"tussen", "binnen"})
_ARTICLES = frozenset({"de", "het", "the"})
# A letter's reference: parts of letters or digits joined by "/", "-" or ".", a digit and a
# letter somewhere in it, not part of an e-mail address.
_REFERENCE = re.compile(
    r"(?<![\w/.@-])(?=[\w/.-]*\d)(?=[\w/.-]*[^\W\d_])\w+(?:[/.-]\w+)+(?![\w@]|[/.-]\w)"
)
# How a sender is addressed, no part of the name searched for: "mevrouw Vos", "familie Peeters".
_FORMS_OF_ADDRESS = frozenset(
    {"mevrouw", "mevr", "mw", "meneer", "mijnheer", "dhr", "mr", "mrs", "ms", "familie", "fam"}
)
# Numbers joined by slashes or dashes: a reference ("2026/4471") unless a day is written so.
_NUMBERS = re.compile(r"(?<![\w/.@-])\d+(?:[/-]\d+)+(?![\w@]|[/.-]\w)")
# "14/12", "14-12-2026", "2026-12-14", "15-19" (two days), not "2026/4471".
_DAY_SHAPES = re.compile(r"\d{1,2}-\d{1,2}(?:-(?:\d{2}|\d{4}))?|\d{4}-\d{1,2}-\d{1,2}")


def _dated(numbers: str) -> bool:
    return _DAY_SHAPES.fullmatch(numbers) is not None


# Words typed after "post" that ask to see it, no search: "post efkes tonen", "post nakijken".
_NO_SEARCH = frozenset({
    "efkes", "eventjes", "even", "eens", "tonen", "toon", "nakijken", "bekijken", "checken",
    "check", "zien", "bekijk", "lezen", "openen", "show", "see", "read", "ergens",
})
# Where and when, no sender and no part of one: "post van infrabel ergens?", "ik werk van thuis
# vandaag", "de teamvergadering van straks".
_WHEN_OR_WHERE = TIME_WORDS | {
    "ergens", "nergens", "somewhere", "anywhere", "nowhere", "thuis", "home", "straks",
    "daarnet", "zonet", "net", "binnenkort", "onlangs", "laatst", "soon", "recently", "earlier",
    "later", "ooit", "ever",
}
# What an authority's name is said with: "stad Gent", "provincie Limburg", "FOD Financiën".
_AUTHORITIES = frozenset({
    "stad", "gemeente", "provincie", "ocmw", "fod", "agentschap", "departement", "ministerie",
    "rechtbank", "vredegerecht", "politiezone", "city", "municipality", "province",
})
_OWN = frozenset({"mijn", "my", "de", "the", "mn", "m"})
_SCANNED = frozenset({"gescande", "ingescande", "papieren", "nieuwe", "scanned", "paper", "new"})
# Before a place or a team, not a sender: "in HR", "te Brussel", "at Fluvius' offices".
_PLACES = frozenset({"in", "te", "at"})
# What a time is said in, no sender: "van de laatste tijd", "over twee weken".
_TIMES = frozenset({
    "tijd", "periode", "dag", "dagen", "week", "weken", "maand", "maanden", "jaar", "jaren",
    "time", "period", "day", "days", "weeks", "month", "months", "year", "years", "while",
})
# fmt: on
# A word or a few between quotes, straight or curly: what is searched, as typed.
_QUOTED = re.compile(r"['\"‘“][^'\"‘’“”]+['\"’”]")
_MAX_QUOTED = 5
# The endings of a letter's kind, and the shortest part before them: "bezwaar|schrift".
_LETTER_KINDS = ("brief", "brieven", "schrift", "schriften", "kaart", "kaarten", "kaartje",
                 "kaartjes", "overeenkomst", "contract", "vergunning", "attest")  # fmt: skip
# Papers that come by post, searched by their kind alone: "heb ik een dagvaarding gekregen?".
_PAPERS = frozenset({
    "dagvaarding", "vonnis", "arrest", "beschikking", "aanslagbiljet", "contract", "overeenkomst",
    "offerte", "attest", "vergunning", "uitnodiging", "polis", "subpoena", "summons", "verdict",
    "permit", "quote", "quotation", "policy", "certificate", "certificaat", "bestelbon",
})  # fmt: skip
_SHORT_PART = 4
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


def searched(
    text: str, words: Sequence[Token], known: frozenset[int], used: frozenset[int]
) -> list[int]:
    """The positions of what is searched for; known: the post list's own words, used: the
    filters' and the days' (none of them a sender)."""
    searchable = frozenset(i for i in known if words[i].folded in _SEARCHABLE)
    blocked = (known - searchable) | used
    search = (
        _quoted(text, words, blocked)
        or _reference(text, words)
        or _sender(text, words, blocked)
        or _named_sender(words, known | used)
        or _after_the_post(text, words, blocked)
    )
    # "is er een factuur binnengekomen?", "zijn er kerstkaartjes toegekomen?"
    return search or sorted(searchable)[:1] or _kind_of_letter(words, blocked)


def _quoted(text: str, words: Sequence[Token], blocked: frozenset[int]) -> list[int]:
    """ "brieven met 'omgevingsvergunning' erin", "zoek 'subsidiedossier 25-0317'": the words
    between quotes, as typed; not a filter's or the post's own ("op 'afgehandeld' gezet")."""
    for match in _QUOTED.finditer(text):
        inside = [i for i, w in enumerate(words) if match.start() < w.start and w.end < match.end()]
        filters = [i for i in inside if i in blocked and words[i].kind != "day"]  # "25-0317"
        if inside and len(inside) <= _MAX_QUOTED and not filters:
            return inside
    return []


def _kind_of_letter(words: Sequence[Token], blocked: frozenset[int]) -> list[int]:
    """A letter named by its kind, a compound of a word for a letter ("bezwaarschrift",
    "welkomstbrief", "kerstkaartjes"), when nothing else is searched."""
    return [
        i
        for i, word in enumerate(words)
        if i not in blocked
        and (
            word.folded in _PAPERS
            or any(
                word.folded.endswith(kind) and len(word.folded) >= len(kind) + _SHORT_PART
                for kind in _LETTER_KINDS
            )
        )
    ][:1]


def _after_the_post(text: str, words: Sequence[Token], blocked: frozenset[int]) -> list[int]:
    """ "brief vdab", "gescande post deurwaarder", "post gemeente kortenberg deze week": the
    words right after the post that opens the message, as `post <search>` reads them, when
    they run to its end, a break or a filter."""
    if shouted_sentence(words):  # "BRIEVEN VOOR DE DIENST": no capitals tell a name
        return []
    i = 0
    while i < len(words) and words[i].folded in _OWN:
        i += 1
    opening = i
    while i < len(words) and words[i].folded in THE_POST | _SCANNED:
        i += 1
    if i == len(words) or not any(words[j].folded in THE_POST for j in range(opening, i)):
        return []
    run = [] if broken(text, words[i - 1], words[i]) else _phrase(text, words, i, blocked)
    after = run[-1] + 1 if run else i
    if (
        after < len(words)
        and after not in blocked
        and not broken(text, words[after - 1], words[after])
    ):
        return []
    return [] if any(words[j].folded in _NO_SEARCH for j in run) else run


def _reference(text: str, words: Sequence[Token]) -> list[int]:
    """A reference as written on an envelope ("2026/BZ/0417", "DOMG-AV-55821", "2026/4471"):
    letters and digits, or numbers no day is written as, joined by slashes or dashes, searched
    whole."""
    numbers = (m for m in _NUMBERS.finditer(text) if not _dated(m.group().replace("/", "-")))
    for match in (*_REFERENCE.finditer(text), *numbers):
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
    papers: list[int] = []  # "find invoices from Engie": the sender, if one is named after
    for i, word in enumerate(words):
        if word.folded not in _SEARCHES or capital_inside(words, i):
            continue  # "Van" in "notaris Van Hoecke" is the name's own
        first = i + 1
        while first < len(words) and (
            (words[first].folded in _LEADS | _SEARCHES and not capital_inside(words, first))
            or (
                word.folded in _SEARCH_VERBS
                and (
                    first in blocked or not (content(words[first]) or capital_inside(words, first))
                )
                and words[first].folded not in _CLAUSES  # "vind ik brieven die ik ..."
            )
        ):
            first += 1
        run = _phrase(text, words, first, blocked)
        if run and words[run[0]].folded in _SEARCHABLE and len(run) > 1:
            rest = [j for j in run[1:] if content(words[j]) or words[j].capitalised]
            run = run[run.index(rest[0]) :] if rest else run
        while len(run) > 1 and words[run[0]].folded in _FORMS_OF_ADDRESS:
            run = run[1:]  # "van mevrouw Vos" is from Vos
        if run and not _a_time(words, run) and not _describes_the_post(words, run):
            if len(run) > 1 or words[run[0]].folded not in _SEARCHABLE:
                return _with_head(words, i, run, blocked)
            papers = papers or run
    return papers


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
    elif first > 0 and words[first - 1].folded in _AUTHORITIES and first - 1 not in blocked:
        found = [first - 1, *found]  # "post stad Gent", "Stad Antwerpen heeft mij ..."
    return _joined(words, found)


def _joined(words: Sequence[Token], found: list[int]) -> list[int]:
    """The small words between two capitalised ones belong to the name: "Court of Appeal",
    "Agentschap Natuur en Bos"."""
    kept = found[:1]
    for i in found[1:]:
        between = range(kept[-1] + 1, i)
        if len(between) <= 2 and all(words[j].folded in _JOINS for j in between):
            kept.extend(between)
        kept.append(i)
    return kept


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
        if word.folded in _WHEN_OR_WHERE:  # "van infrabel ergens", "van thuis"
            break
        particle = word.folded in _PARTICLES and _closes(text, words, joins)
        if run and (particle or word.folded in _NEVER_NAMED):
            break
        if named and not word.capitalised and not (joins == i and word.folded in _BODIES):
            break
        # "FOD financien", "Stad gent": the name after an authority's, capitals or not
        authority = bool(run) and _an_authority(words[run[-1]])
        named = named or authority or (word.capitalised and not _an_authority(word))
        run.extend(range(i, joins + 1))
        i = joins + 1
    return run


def _an_authority(word: Token) -> bool:
    return word.capitalised and word.folded in _AUTHORITIES


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
