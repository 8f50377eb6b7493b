"""Names and days in a sentence's words, as the arguments (bot/commands/arguments.py) cut them:
a colleague's name ("naar mijn collega Els Maes", "Ahmed El Amrani", "jan peeters"), an e-mail
address, days as written ("14/12", "8 januari", "January 8", "vrijdag") and where a period
starts and ends.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.commands.day_spans import (
    DAY_NUMBER,
    END_WORDS,
    dashed,
    days_before_an_end,
    digits,
    month_at,
    named_days,
    two_days,
)
from bot.commands.lemmas import Token
from bot.commands.phrases import CLASSES, DAY_NAMES, MONTHS, STOPWORDS
from bot.commands.spelled_days import day_of_the_month, numbered

# fmt: off
STARTS = frozenset({"van", "vanaf", "from", "starting"})
_TO_THE_MONTH = frozenset({"van", "of", "de", "deze", "the", "this", "volgende", "next"})
_MONTH_WORDS = frozenset({"maand", "month", "week"})
# Words between "naar" and the name: "naar mijn collega Els Maes".
_BEFORE_NAMES = frozenset({
    "mijn", "mijne", "mn", "my", "de", "the", "een", "nen", "ne", "a", "onze", "our", "collega",
    "collegas",
    "colleague", "vervanger", "backup",
    "mevrouw", "meneer", "dhr", "mevr", "mr", "mrs", "ms",
})
# What a person is called before their name: "gebruiker pieter.wouters", "user jan peeters".
_TITLES = frozenset({
    "gebruiker", "user", "collega", "colleague", "medewerker", "medewerkster", "employee",
    "stagiair", "stagiaire", "intern", "account", "mevrouw", "meneer", "mr", "mrs", "ms",
})
# Words shortened with a full stop before a name.
_ABBREVIATIONS = frozenset({"dhr", "mevr", "mw", "mr", "mrs", "ms", "dr", "prof", "ir", "fam"})
# Small words inside names: "Lotte De Smet", "Ahmed El Amrani", "Gert-Jan vd Velde".
NAME_PARTICLES = frozenset({
    "de", "van", "der", "den", "el", "le", "la", "ter", "ten", "vanden", "vande", "vander", "vd",
})
# Words that open a greeting, never a name: "Dag Els, ...".
COURTESY = frozenset(CLASSES["greeting"].split()) | frozenset(CLASSES["thanks"].split())
# The post itself: "inkomende post", "open letters".
THE_POST = frozenset(CLASSES["letters"].split()) | {"post", "mail"}
_BREAKS = frozenset(",;:?!()")
# Times of day, no name and no sender: "van gisteren", "de scans van vanochtend".
TIME_WORDS = frozenset({
    "gisteren", "eergisteren", "vandaag", "morgen", "overmorgen", "vanochtend", "vanmorgen",
    "vanmiddag", "vanavond", "vannacht", "yesterday", "today", "tomorrow", "tonight",
})
# Words before a place or an organisation, not before a person: "in Lissabon", "naar het
# Facilitair Bedrijf"; "at" too ("I started at Digital Flanders"), but not after a look ("look
# at Fatima Ouali's devices").
PLACE_WORDS = frozenset({"in", "te", "uit", "het", "the", "een", "a", "an"})
_AT = frozenset({"at"})
_LOOKS = frozenset({"look", "looking", "glance", "kijk"})
# First names that are small words too: "kan An mijn post doen", "POST NAAR AN VERLINDEN".
NAME_WORDS = frozenset({"an", "ben", "lot"})
# Software and services people name in capitals, never a colleague: "Company Portal shows a
# warning", "kan Power Automate ...".
PRODUCT_WORDS = frozenset({
    "company", "portal", "microsoft", "windows", "teams", "outlook", "office", "onedrive",
    "sharepoint", "authenticator", "intune", "excel", "powerpoint", "power", "bi", "apps",
    "automate", "copilot", "edge", "chrome", "vpn", "citrix", "wifi", "azure", "entra", "mfa",
    "premium", "pro", "per", "user", "ppu", "dataverse", "fabric",  # "Premium Per User"
})
# fmt: on


def email(words: Sequence[Token]) -> list[int] | None:
    return next(([i] for i, w in enumerate(words) if w.kind == "email"), None)


def name_after(
    text: str,
    words: Sequence[Token],
    markers: Collection[str],
    known: frozenset[int],
    *,
    lead: bool = True,
    shaped: bool = False,
) -> list[int] | None:
    """A name right after one of the markers: "naar Els Maes", "van jan peeters"; with lead,
    also after "mijn collega" and the like ("naar mijn collega Els Maes"); shaped: only a
    run that has a name's shape (`name_shaped`). Of several, a full name before a single word,
    which may be a place ("ik vertrek naar Brussel, mijn brieven naar Koen Lemmens"), and one
    with capitals first."""
    found: list[list[int]] = []
    for i, word in enumerate(words):
        if word.folded in markers and i + 1 < len(words):
            first = i + 1
            while lead and first < len(words) - 1 and words[first].folded in _BEFORE_NAMES:
                first += 1
            run = name_run(text, words, first, known)
            if run and (name_shaped(words, run) or not shaped):
                found.append(run)
    if not found:
        return None
    full = [run for run in found if len(run) > 1]  # "aan mijn knie ... naar Sofie Wouters"
    return next((run for run in full if words[run[0]].capitalised), full[0] if full else found[0])


def leading_name(words: Sequence[Token], known: frozenset[int]) -> bool:
    """The sentence opens with a name of two capitalised words: "Fatima Ouali kan niet..."."""
    return (
        len(words) > 2
        and not shouted_sentence(words)
        and words[0].folded not in COURTESY
        and all(words[i].capitalised and name_like(words[i], i, known) for i in (0, 1))
    )


def capitalised_run(
    text: str, words: Sequence[Token], known: frozenset[int], *, least: int = 1
) -> list[int] | None:
    """A name written with capitals anywhere but first: "check toegang Ahmed El Amrani"; of
    at least `least` words (a capitalised word alone may be a place or a code). Not after
    "in" or an article ("in Lissabon", "het Facilitair Bedrijf"); in a sentence written all
    in capitals only right after the command's own words that open it ("STATUS BRAM DE
    WOLF", not "EEN FOUT WACHTWOORD GETYPT")."""
    shouted = shouted_sentence(words)
    for i in range(1, len(words)):
        if shouted and not all(j in known for j in range(i)):
            continue
        if _after_a_place_word(words, i):
            continue
        named = content(words[i]) or (words[i].folded in NAME_WORDS and capital_inside(words, i))
        if words[i].capitalised and named and name_like(words[i], i, known):
            run = name_run(text, words, i, known)
            if len(run) >= least and name_shaped(words, run):
                return run
    return None


def _after_a_place_word(words: Sequence[Token], i: int) -> bool:
    before = words[i - 1]
    if before.capitalised:
        return False
    if before.folded in _AT:
        return i < 2 or words[i - 2].folded not in _LOOKS
    return before.folded in PLACE_WORDS


def name_run(text: str, words: Sequence[Token], first: int, known: frozenset[int]) -> list[int]:
    """Name words from first on, with the particles inside ("Jan Van den Broeck"); a name
    begun with a capital goes on with capitals ("Els Maes vervangt" is Els Maes)."""
    run: list[int] = []
    for i in range(first, len(words)):
        word = words[i]
        if run and broken(text, words[i - 1], word):
            break
        begun_capitalised = run and words[run[0]].capitalised
        if begun_capitalised and _shouted(word) and not _shouted(words[run[0]]):
            break  # "Fatima Amrani van AWV": a code after the name
        joined = bool(run) and run[-1] == i - 1 and _apostrophe(text, words[i - 1], word)
        if (
            begun_capitalised
            and not (word.capitalised or joined)
            and word.folded not in NAME_PARTICLES
        ):
            break
        if name_like(word, i, known) or (run and _elided(text, words, i, known)):
            run.append(i)
        elif word.folded in NAME_PARTICLES and i + 1 < len(words):
            if not (word.capitalised or run) or not name_like(words[i + 1], i + 1, known):
                break
            run.append(i)
        else:
            break
    while run and words[run[-1]].folded in NAME_PARTICLES:
        run.pop()
    capitals = [i for i in run if words[i].capitalised and words[i].folded not in NAME_PARTICLES]
    if capitals and not words[run[0]].capitalised:  # "stagiair Lars Wuyts" is Lars Wuyts
        run = [i for i in run if i >= capitals[0]]
    return untitled(words, run)  # "gebruiker pieter.wouters"


def _elided(text: str, words: Sequence[Token], i: int, known: frozenset[int]) -> bool:
    """A letter joined to a name by an apostrophe: the "D" of "D'Hondt", "O'Brien"."""
    return (
        len(words[i].folded) == 1
        and i + 1 < len(words)
        and text[words[i].end : words[i + 1].start] in ("'", "’")
        and name_like(words[i + 1], i + 1, known)
    )


def _apostrophe(text: str, before: Token, word: Token) -> bool:
    return text[before.end : word.start] in ("'", "\u2019")


def untitled(words: Sequence[Token], run: list[int]) -> list[int]:
    """The name without what the person is called before it ("collega Nadia El Amrani")."""
    while len(run) > 1 and words[run[0]].folded in _TITLES:
        run = run[1:]
    return run


def name_like(word: Token, index: int, known: frozenset[int]) -> bool:
    """A word a name may hold: letters, not a day ("Monday"), not a code or a shout ("E3",
    "MFA", "GISTEREN")."""
    if word.kind != "word" or index in known or not word.text.isalpha():
        return False
    if word.folded in DAY_NAMES or word.folded in TIME_WORDS or word.folded in PRODUCT_WORDS:
        return False
    if word.folded in STARTS and not word.capitalised:  # "naar dries vanaf vandaag"
        return False
    small = word.folded in STOPWORDS and word.folded not in NAME_WORDS
    if small and (_shouted(word) or index == 0):  # "MFA", "Let Sarah ...": no name's capital
        return False
    return word.folded not in STOPWORDS or (word.capitalised and len(word.folded) > 1)


def name_shaped(words: Sequence[Token], run: Sequence[int]) -> bool:
    """Two words or more, or one written with a capital: "van jan peeters", "van Els"; "van
    thuis uit" names nobody."""
    if len(run) != 1:
        return len(run) > 1
    return words[run[0]].capitalised and not _shouted(words[run[0]])


def shouted_sentence(words: Sequence[Token]) -> bool:
    """ "TOESTELLEN VAN GEERT DE SMET": capitals tell nothing about names."""
    letters = [w for w in words if w.kind == "word" and w.text.isalpha()]
    return len(letters) > 2 and all(w.text.isupper() for w in letters)


def _shouted(word: Token) -> bool:
    """Written in capitals: a code ("AWV", "MFA") or a shout, no name on its own."""
    return len(word.text) > 1 and word.text.isupper()


def written_days(words: Sequence[Token], text: str = "") -> list[tuple[int, int, str]]:
    """Days as written ("14/12", "8 januari", "Dec 21st", "vrijdag", "kerstavond"): first,
    last, text; a day number before the end of a period takes that end's month ("van 9 tot 11
    december", and with the text "15 - 19 december"); "15-19 dec" is two days."""
    found: list[tuple[int, int, str]] = named_days(words)
    words = numbered(words)  # "veertien december", "until the twentieth"
    i = 0
    while i < len(words):
        word = words[i]
        after = words[i + 1].folded if i + 1 < len(words) else ""
        if word.kind == "day" and (both := two_days(words, i)):
            found += both
            i = both[-1][1]
        elif word.kind == "day" or word.folded in DAY_NAMES:
            found.append((i, i, word.text))
        elif day_of_the_month(words, i) and after not in MONTHS and after != "of":
            found.append((i, i, word.folded))  # "from the 10th until the 20th"
        elif (DAY_NUMBER.match(word.folded) and after in MONTHS) or (
            word.folded in MONTHS and DAY_NUMBER.match(after)
        ):
            found.append((i, i + 1, f"{word.text} {words[i + 1].text}"))
            i += 1
        elif DAY_NUMBER.match(word.folded) and after == "of" and month_at(words, i + 2):
            found.append((i, i + 2, f"{digits(word.folded)} {words[i + 2].text}"))  # 23rd of
            i += 2
        i += 1
    taken = {i for first, last, _ in found for i in range(first, last + 1)}
    ends = [end for end in _month_ends(words) if not taken & set(range(end[0], end[1] + 1))]
    every = [*found, *ends, *days_before_an_end(words, found, dashed(text, words))]
    return sorted(
        day
        for day in every
        if not (
            words[day[0]].folded in DAY_NAMES
            and any(other[0] == _past_the(words, day[1] + 1) for other in every)
        )  # "maandag 7 december", "Monday the 14th"
    )


def _month_ends(words: Sequence[Token]) -> list[tuple[int, int, str]]:
    """ "het einde van de maand", "eind januari", "the end of this week": a month's or a
    week's last day (dialogs/post/text.py reads it)."""
    found: list[tuple[int, int, str]] = []
    folded = [w.folded for w in words]
    for i, word in enumerate(folded):
        if word not in END_WORDS:
            continue
        last = i + 1
        while last < len(words) - 1 and folded[last] in _TO_THE_MONTH:
            last += 1
        if last >= len(words) or not (folded[last] in _MONTH_WORDS or folded[last] in MONTHS):
            continue
        first = i - 1 if i > 0 and folded[i - 1] in ("het", "the") else i
        found.append((first, last, " ".join(w.text for w in words[first : last + 1])))
    return found


def _past_the(words: Sequence[Token], i: int) -> int:
    """The position after a "the" at i ("Monday the 14th"), else i."""
    return i + 1 if i < len(words) and words[i].folded in ("the", "de") else i


def capital_inside(words: Sequence[Token], index: int) -> bool:
    """ "De" in "van De Lijn": a capitalised small word before another capitalised word."""
    following = words[index + 1] if index + 1 < len(words) else None
    return words[index].capitalised and following is not None and following.capitalised


def content(word: Token) -> bool:
    return word.kind != "word" or word.folded not in STOPWORDS


def broken(text: str, before: Token, word: Token) -> bool:
    """Punctuation between two words that no name runs across: a comma, a question mark, or a
    full stop after a word, not after an initial or a title ("Dirk Mertens. Met vriendelijke
    groet", but "J. Peeters", "mevr. Ghesquière")."""
    between = text[before.end : word.start]
    stop = between[:1] == "." and between[1:2].isspace() and len(before.text) > 1
    stop = stop and before.folded not in _ABBREVIATIONS  # "mevr. Ghesquière", "dhr. Bostoen"
    return stop or any(ch in _BREAKS for ch in between)


def span(text: str, words: Sequence[Token], positions: Sequence[int]) -> str:
    """The caller's own words from the first to the last position, as typed."""
    first, last = min(positions), max(positions)
    if last - first + 1 == len(positions):
        return text[words[first].start : words[last].end]
    return " ".join(words[i].text for i in sorted(positions))


def with_particle(words: Sequence[Token], person: list[int], known: frozenset[int]) -> list[int]:
    """ "status Van den Broeck": the "van" read as "about" is the name's own first word when
    it is written with a capital or another particle follows it ("van der Veken"), and so is a
    first name before it ("status Wouter Van Damme")."""
    start = min(person)
    while start > 0 and words[start - 1].folded in NAME_PARTICLES:
        start -= 1
    particles = range(start, min(person))
    if not particles or shouted_sentence(words):  # "STATUS VAN NATHALIE GOOSSENS"
        return person
    if len(particles) < 2 and not words[start].capitalised:
        return person
    given = start - 1
    if given >= 0 and given not in known and words[given].capitalised and content(words[given]):
        start = given
    return [*range(start, min(person)), *person]
