"""Who an access status is about, in a sentence (bot/commands/arguments.py): the colleague an
agent asks after, or nobody (the caller's own card).

A colleague has a name's shape: an e-mail address; a name after "van", "voor", "heeft" ("van
Els", "van jan peeters"); a name opening the sentence ("Fatima Ouali kan niet aanmelden"); a
full name typed right after the command's own words, capitals or not ("status nathalie
dhondt", "accountstatus Bart Vermeulen"); two capitalised words anywhere. A code, a day or a
shouted word is nobody ("E3", "Monday", "GISTEREN"), and so is a place or a team in a sentence
about one's own account ("mijn account ... bij Digitaal Vlaanderen", "van entiteit veranderd").
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from bot.commands.argument_words import (
    COURTESY,
    NAME_PARTICLES,
    capitalised_run,
    email,
    leading_name,
    name_after,
    name_run,
    untitled,
    with_particle,
)
from bot.commands.asides import of_oneself
from bot.commands.lemmas import Token
from bot.commands.phrases import STOPWORDS

_ABOUT_SOMEONE = frozenset({"van", "voor", "of", "for", "heeft", "has"})
# What one has access to, not whom: "toegang tot Ruimtelijke Data".
_ACCESS_TO = frozenset({("toegang", "tot"), ("access", "to"), ("rechten", "op"), ("rights", "to")})
# A first and a last name, a particle or two between: "nathalie dhondt", "jan van den broeck".
_FULL_NAME = range(2, 6)


def colleague(text: str, words: Sequence[Token], known: frozenset[int]) -> list[int] | None:
    """The positions of the colleague's name, or None for the caller's own status."""
    oneself = of_oneself(words)
    person = email(words) or _after_the_command(words, known)
    if person is None and leading_name(words, known):  # "Dirk Van den Broeck belt dat ..."
        person = name_run(text, words, 0, known) or None
    if person is None:
        person = name_after(text, words, _ABOUT_SOMEONE, known, lead=False, shaped=True)
    if person is not None and oneself and (len(person) == 1 or not words[person[0]].capitalised):
        person = None  # "mijn account ... ik ben van entiteit veranderd", "van Gent naar Brugge"
    if person is None and not oneself:
        person = capitalised_run(text, words, known, least=2)
        if (
            person is not None
            and tuple(w.folded for w in words[person[0] - 2 : person[0]]) in _ACCESS_TO
        ):
            person = None  # "heb ik toegang tot Ruimtelijke Data?": a place to work in
    return None if person is None else with_particle(words, person, known)


def _after_the_command(words: Sequence[Token], known: frozenset[int]) -> list[int] | None:
    """A full name right after the command's words that open the message ("status nathalie
    dhondt aub"): words no command uses, no small words, up to a break."""
    start = 0
    while start in known:
        start += 1
    if start == 0:
        return None
    run: list[int] = []
    for i in range(start, len(words)):
        word = words[i]
        if i in known or word.kind != "word" or not word.text.isalpha():
            break
        particle = bool(run) and word.folded in NAME_PARTICLES  # "jan van den broeck"
        if not particle and (word.folded in STOPWORDS or word.folded in COURTESY):
            break
        if run and words[run[0]].capitalised and not (word.capitalised or particle):
            break  # "heeft Hanne Goossens momenteel": a name begun with capitals goes on so
        run.append(i)
    run = _before_a_code(words, run)
    while run and words[run[-1]].folded in NAME_PARTICLES:
        run.pop()
    run = untitled(words, run)  # "heeft collega Nadia El Amrani"
    return run if len(run) in _FULL_NAME else None


def _before_a_code(words: Sequence[Token], run: list[int]) -> list[int]:
    """ "Nathalie Wuyts van AFB": a small "van" before a code in capitals says where the
    colleague works; a name's own particle comes before its name ("Jan van Damme")."""
    for j, (i, after) in enumerate(pairwise(run)):
        code = words[after].text
        if words[i].folded in NAME_PARTICLES and words[i].text.islower() and code.isupper():
            return run[:j]
    return run
