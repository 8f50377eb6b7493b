"""The `post_delegation` arguments in a sentence (bot/commands/arguments.py hands them on): the
delegate, the days and whether the caller asks to stop one, in the form dialogs/post/text.py
reads ("[stop] [naar <name>] [van <day>] [tot <day>] [<period>]"). The delegate is found by
the words around a name: "naar Els Maes", "kan Lies mijn post opvangen", "Stijn Martens neemt
mijn post over", "laat Kris mijn post bekijken", "Let Sarah Peeters receive my post".
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.argument_words import (
    NAME_PARTICLES,
    NAME_WORDS,
    THE_POST,
    broken,
    capitalised_run,
    content,
    email,
    leading_name,
    name_after,
    name_like,
    name_run,
    shouted_sentence,
    span,
    written_days,
)
from bot.commands.day_roles import start_and_end
from bot.commands.day_spans import (
    in_the_week,
    next_weeks_days,
    week_of,
    week_period,
    whole_month,
)
from bot.commands.lemmas import Token
from bot.commands.phrases import CLASSES, STOPWORDS

# fmt: off
_TO_SOMEONE = frozenset({"naar", "aan", "to", "bij"})
_BY_SOMEONE = frozenset({"door", "by"})
# "mijn post vr Sofie Claes", "stop the delegation for Marie", "zet mijn post op koen dierickx".
_FOR_SOMEONE = frozenset({"voor", "vr", "for", "op"})
_FOR_A_WHILE = frozenset({"efkes", "even", "eens", "tijdelijk", "temporarily"})
# Where one comes back from or was: "I'm back from Lisbon", "terug uit Spanje".
_FROM_A_PLACE = frozenset({"from", "van", "uit", "in", "at", "te", "naar", "to"})
# Who a person is, before their name: "mijn teamleider Johan Verstraete volgt mijn post op"
# (where "de stad Gent moet ..." is a place).
PERSON_NOUNS = frozenset({
    "collega", "collegas", "colleague", "vervanger", "vervangster", "backup", "teamleider",
    "teamlead", "leidinggevende", "manager", "diensthoofd", "chef", "baas", "boss", "directeur",
    "director", "assistent", "assistente", "assistant", "secretaris", "secretaresse",
    "secretary", "stagiair", "stagiaire", "intern", "opvolger", "opvolgster", "successor",
    "plaatsvervanger", "waarnemer", "teamgenoot", "teammate",
})
# Verbs a delegate is named right before or after: "kan Lies mijn post opvangen", "Pieter
# mag ...", "Stijn Martens neemt mijn post over", "Let Sarah Peeters receive my post".
DELEGATE_VERBS = frozenset({
    "mag", "mogen", "kan", "kunnen", "moet", "moeten", "zal", "zou", "neemt", "nemen", "volgt",
    "volgen", "krijgt", "krijgen", "ontvangt", "ontvangen", "vangt", "doet", "behandelt",
    "bekijkt", "leest", "beheert", "vervangt", "laat", "laten", "geef", "hoeft", "hoeven", "wil",
    "can", "could", "will", "would", "may", "might", "should", "shall", "must", "gets", "takes",
    "handles", "receives", "covers", "reads", "let", "have", "give", "needs", "need",
})
# A delegation asked to stop (`asks_to_stop`).
_STOPS = frozenset({
    "stop", "stoppen", "stopt", "stopzetten", "stopgezet", "annuleer", "annuleren", "annuleert",
    "cancel", "cancelled", "canceled", "beeindig", "beeindigen", "afzetten", "uitzetten",
    "anymore", "verwijder", "verwijderen", "remove",
})
_SWITCHES = frozenset({"switch", "turn"})
_NO_MORE = frozenset({("niet", "meer"), ("no", "longer"), ("not", "anymore")})
_NO_END = frozenset({"no", "without", "geen", "zonder"})
_BUT = frozenset({"maar", "but"})
_BACK = frozenset({"terug", "back"})
_ON = frozenset({"op", "per", "on"})
_UNTIL = frozenset({"tot", "totdat", "until", "till", "when", "wanneer", "als", "zodra"})
_REPLACES = frozenset({"vervang", "vervangen", "replace", "swap"})
_WITH = frozenset({"door", "met", "with", "by", "for"})
# "wil dat Dirk", "wil da Sarah"
_LETS = frozenset({"laat", "laten", "let", "kan", "mag", "can", "may", "dat", "da"})
_MY = frozenset(CLASSES["my"].split())
# What follows "can" where a name might: "who can take my paper mail" names nobody.
_BASE_VERBS = frozenset({
    "take", "get", "have", "receive", "handle", "cover", "read", "collect", "pick", "look",
    "see", "check", "open", "keep", "watch", "manage", "sort", "forward", "do", "deal",
})
_MY_POST = THE_POST | {"papieren", "paper"}  # "mijn papieren post"
_NO_NAME = STOPWORDS | _BASE_VERBS
_SMALL_NAME_REACH = 4  # two names and two particles: "pieter van den broeck"
# fmt: on


def delegation(
    text: str, words: Sequence[Token], known: frozenset[int]
) -> tuple[str, frozenset[int]]:
    """The delegate, the days and whether the caller asks to stop. The delegate, first found
    first: an e-mail address; a capitalised name by a verb a delegate goes with ("kan Lies",
    "Stijn Martens neemt", not opening the sentence); after "naar", "aan" ("naar mijn collega
    Els Maes"); after "door", "by" when it has a name's shape; opening the sentence ("Pieter
    mag", "Hanne Wuyts vervangt mij"); else capitalised words (one only beside days)."""
    days = written_days(words, text)
    period = week_period(words)
    # "de week van 14 december"; "in januari" only where no day is said ("in maart met
    # pensioen, vanaf 1 maart naar Dirk")
    named = week_of(words, days) or whole_month(words, during=not days)
    if named and not period:
        period = named
        days = [day for day in days if not named[0] <= day[0] <= named[1]]
    taken = {i for first, last, _ in days for i in range(first, last + 1)}
    if period:
        taken |= set(range(period[0], period[1] + 1))
    # "niet meer naar Wim maar naar Ilse": the delegate is said after the turn
    blocked = frozenset(known | taken | set(range(changed_to(words) + 1)))
    person = (
        email(words)
        or _replacing(text, words, blocked)
        or name_by_verb(text, words, blocked, first_word=False)
        or _named_to(text, words, blocked)
        or name_after(text, words, _BY_SOMEONE, blocked, shaped=True)
        or name_by_verb(text, words, blocked, first_word=True)
        or _small_name_by_verb(text, words, blocked)
        or _for_someone(text, words, blocked)
    )
    if person is None and leading_name(words, blocked):  # "Hanne Wuyts vervangt mij, ..."
        person = name_run(text, words, 0, blocked) or None
    last_day = _stops_on(words, days)
    stop = not last_day and asks_to_stop(words)
    if person is None:  # "tijdens mijn verlof mag Tom Wouters mijn post krijgen"
        # A full name before a single capitalised word, which is a place as often: "weg van
        # 19/12 tot 10/1 (Spanje!!), zet mijn post op naam van Dirk Vermeulen".
        person = capitalised_run(text, words, blocked, least=2)
        if person is None and (days or period):
            person = capitalised_run(text, words, blocked, least=1)
    if person is None and stop:  # "stop delegatie post Fien", not "I'm back from Lisbon"
        person = capitalised_run(text, words, blocked, least=1)
        before = words[person[0] - 1].folded if person and person[0] > 0 else ""
        person = None if before in _FROM_A_PLACE else person
    said = ["stop"] if stop else []
    if person:
        said += ["naar", span(text, words, person)]
    if not stop:
        if period and not in_the_week(words, period, days):
            beside = next_weeks_days(words, period, days)  # "tot volgende week vrijdag"
            if beside != days:
                days, period = beside, None
        starts, ends = ("", last_day) if last_day else start_and_end(text, words, days)
        if len(days) == 1 and _back_on(words, days[0][0]) >= 0:  # "terug op 5 januari"
            starts = ""
        within = period is not None and in_the_week(words, period, days)
        if period and within:  # "volgende week donderdag en vrijdag", "tot woensdag volgende week"
            starts, ends = (f"{period[2]} {day}" if day else "" for day in (starts, ends))
        said += ["van", starts] if starts else []
        said += ["tot", ends] if ends else []
        if period and not within and not (starts and ends):  # "volgende week": both days
            said.append(period[2])
    if person is None:  # days alone explain nothing: the handler asks who
        return " ".join(said), frozenset()
    consumed = taken | set(person) | {first - 1 for first, _, _ in days if first > 0}
    return " ".join(said), frozenset(consumed)


def _named_to(text: str, words: Sequence[Token], known: frozenset[int]) -> list[int] | None:
    """A name after "naar" ("naar Els Maes"), else after who the person is ("mijn collega Els
    Martens"); the latter's full name before a single word after "naar", which is a place as
    often ("op vakantie naar Spanje ... kan mijn collega Els Martens"), and a code after "naar"
    never ("ik verhuis naar AWV")."""
    to = name_after(text, words, _TO_SOMEONE, known)
    if to and len(to) == 1 and words[to[0]].text.isupper() and not shouted_sentence(words):
        to = None
    noun = name_after(text, words, PERSON_NOUNS, known, lead=False, shaped=True)
    if to and noun and len(to) == 1 and len(noun) > 1:
        return noun
    return to or noun


def _for_someone(text: str, words: Sequence[Token], known: frozenset[int]) -> list[int] | None:
    """A name after "voor", "for", "op": with a capital ("stop the delegation for Marie"), or
    right after the post ("zet mijn post (efkes) op koen dierickx", "mijn post vr sofie")."""
    run = name_after(text, words, _FOR_SOMEONE, known, shaped=True)
    if not run or words[run[0]].capitalised:
        return run
    marker = run[0] - 1
    while marker > 0 and words[marker].folded not in _FOR_SOMEONE:
        marker -= 1
    post = marker - 1
    while post > 0 and words[post].folded in _FOR_A_WHILE:
        post -= 1
    return run if post >= 0 and words[post].folded in _MY_POST else None


def _replacing(text: str, words: Sequence[Token], known: frozenset[int]) -> list[int] | None:
    """The new delegate where one replaces another: "Michiel in plaats van Ruben", "Tom ipv
    Sofie", "Hannah instead of Julie", "vervang Koen door Marijke", "replace Julie with
    Hannah"."""
    folded = [w.folded for w in words]
    for i, word in enumerate(folded):
        instead = word == "ipv" or folded[i : i + 3] == ["in", "plaats", "van"]
        if instead or folded[i : i + 2] == ["instead", "of"]:
            before = _name_before(text, words, i, known) if i > 0 else None
            if before:
                return before
        if word in _REPLACES:
            for j in range(i + 2, min(i + 6, len(words))):
                if folded[j] in _WITH:
                    return name_after(text, words, {folded[j]}, known, lead=False) or None
    return None


def _small_name_by_verb(
    text: str, words: Sequence[Token], known: frozenset[int]
) -> list[int] | None:
    """A name typed without capitals between a verb and the post it is to get: "laat bart mn
    post krijgen", "let marco get my mail", "kan karim ouali tijdelijk mijn post ontvangen",
    "kan mn collega yasmine mn post krijgen" (one or two words no command uses, then "mijn
    post" within two words)."""
    folded = [w.folded for w in words]
    for v, verb in enumerate(folded):
        if verb not in _LETS:
            continue
        run = _small_name(words, _past_who(folded, v + 1), known)
        after = run[-1] + 1 if run else len(words)
        for p in range(after, min(after + 3, len(words) - 1)):
            if folded[p] in _MY and folded[p + 1] in _MY_POST:
                # "dat Ruben De Clercq mijn post krijgt": a capitalised name, particles and all
                return (
                    run and words[run[0]].capitalised and name_run(text, words, run[0], known)
                ) or run
    return None


def _small_name(words: Sequence[Token], first: int, known: frozenset[int]) -> list[int]:
    """One or two words no command uses from first on, with the particles between them
    ("pieter van den broeck")."""
    run: list[int] = []
    for i in range(first, min(first + _SMALL_NAME_REACH, len(words))):
        particle = bool(run) and words[i].folded in NAME_PARTICLES
        if (
            i in known
            or not words[i].text.isalpha()
            or (words[i].folded in _NO_NAME and not particle)
        ):
            break
        run.append(i)
        if sum(words[j].folded not in NAME_PARTICLES for j in run) == 2:
            break
    while run and words[run[-1]].folded in NAME_PARTICLES:
        run.pop()
    return run


def _past_who(folded: Sequence[str], i: int) -> int:
    """Where a name starts after who the person is: "(mn) collega yasmine"."""
    said = tuple(folded[i : i + 2])
    if len(said) == 2 and said[0] in _MY and said[1] in PERSON_NOUNS:
        return i + 2
    return i + 1 if said[:1] and said[0] in PERSON_NOUNS else i


def _stops_on(words: Sequence[Token], days: list[tuple[int, int, str]]) -> str:
    """The day a delegation is to stop on ("mag stoppen op 20 december", "stop it on Friday"):
    its last day, not a stop now; "" when none is said."""
    folded = [w.folded for w in words]
    for first, _, said in days:
        if (
            first > 1
            and folded[first - 1] in _ON
            and set(folded[max(0, first - 3) : first]) & _STOPS
        ):
            return said
    return ""


def asks_to_stop(words: Sequence[Token]) -> bool:
    """ "stop", "annuleer", "niet meer", "ik ben terug", "I'm back", "switch off"; not "tot ik
    terug ben" or "back on Monday" (the end of an absence)."""
    folded = [w.folded for w in words]
    days = written_days(words)

    def _returns(back: int) -> bool:  # "back on 5 January": the end of an absence
        return any(_back_on(words, first) == back for first, _, _ in days)

    if changed_to(words) >= 0:
        return False
    for i, word in enumerate(folded):
        if word in _STOPS or _an_end(folded, i):
            return True
        if word == "off" and i > 0 and folded[i - 1] in _SWITCHES:
            return True
        if (word, *folded[i + 1 : i + 2]) in _NO_MORE:
            return True
        if word in _BACK and not set(folded[max(0, i - 3) : i]) & _UNTIL and not _returns(i):
            return True
    return False


def _an_end(folded: Sequence[str], i: int) -> bool:
    """ "end it", "end the delegation"; not "the end of", "no end date"."""
    if folded[i] != "end" or folded[i + 1 : i + 2] == ["of"]:
        return False
    return i == 0 or folded[i - 1] not in _NO_END


def changed_to(words: Sequence[Token]) -> int:
    """Where "maar" or "but" turns to the new delegate ("niet meer naar Wim maar naar Ilse",
    "not to Tom but to An"): a change, not a stop; -1 when none is said."""
    folded = [w.folded for w in words]
    return next(
        (
            i
            for i, word in enumerate(folded)
            if word in _BUT and _TO_SOMEONE.intersection(folded[i + 1 : i + 3])
        ),
        -1,
    )


def _back_on(words: Sequence[Token], first: int) -> int:
    """Where "terug" or "back" stands right before the day at first ("back on 5 January",
    "terug vanaf maandag"), -1 when it does not."""
    for back in (first - 1, first - 2):
        if back >= 0 and words[back].folded in _BACK:
            return back
    return -1


def name_by_verb(
    text: str, words: Sequence[Token], known: frozenset[int], *, first_word: bool
) -> list[int] | None:
    """A name written with a capital right after or before a verb a delegate goes with: "kan
    Lies", "let Tom Claes get", "Stijn Martens neemt"; with first_word also a name that opens
    the sentence ("Pieter mag ...", where the capital may only be the sentence's). In a
    sentence written all in capitals nothing tells a name."""
    if shouted_sentence(words):
        return None
    for v, verb in enumerate(words):
        if verb.folded not in DELEGATE_VERBS:
            continue
        after = v + 1
        if after < len(words) and _opens_a_name(text, words, after, known):
            run = name_run(text, words, after, known)
            if run and run[0] == after:
                return run
        before = _name_before(text, words, v, known)
        if before and (first_word or before[0] > 0):
            return before
    return None


def _opens_a_name(text: str, words: Sequence[Token], i: int, known: frozenset[int]) -> bool:
    """words[i], right after a verb, begins a name: a capital, no small word but a first name
    ("kan An", not "kan Ik")."""
    word = words[i]
    if not word.capitalised or broken(text, words[i - 1], word) or not name_like(word, i, known):
        return False
    return word.folded not in STOPWORDS or word.folded in NAME_WORDS


def _name_before(
    text: str, words: Sequence[Token], verb: int, known: frozenset[int]
) -> list[int] | None:
    """The capitalised name that ends right before words[verb]: "An De Smet mag", ", Stijn
    Martens neemt"."""
    first = verb
    while first > 0 and not broken(text, words[first - 1], words[first]):
        word, before = words[first - 1], words[first - 2] if first > 1 else None
        particle = word.folded in NAME_PARTICLES and before is not None and before.capitalised
        if not (word.capitalised and name_like(word, first - 1, known)) and not particle:
            break
        first -= 1
    if first == 1 and _a_first_name(text, words, known):  # "Gert Smeets neemt ..."
        first = 0
    while first < verb and words[first].folded in NAME_PARTICLES - NAME_WORDS:
        first += 1
    if first == verb:
        return None
    lead = words[first]
    if not name_like(lead, first, known) or lead.folded in STOPWORDS - NAME_WORDS:
        return None
    if first > 0 and not broken(text, words[first - 1], lead):
        before = words[first - 1]
        if content(before) and before.folded not in PERSON_NOUNS:  # "de stad Gent moet"
            return None
    return list(range(first, verb))


def _a_first_name(text: str, words: Sequence[Token], known: frozenset[int]) -> bool:
    """The sentence's first word, capitalised before a surname: a first name, where its capital
    alone says nothing ("Gert Smeets neemt ...", not "Graag Smeets ...")."""
    first = words[0]
    return (
        first.capitalised
        and first.text.isalpha()
        and 0 not in known
        and first.folded not in STOPWORDS
        and not broken(text, first, words[1])
    )
