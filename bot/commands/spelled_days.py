"""Days of the month as dictation and hurried typing write them, for the day reader
(bot/commands/argument_words.py `written_days`): day numbers in words ("veertien december",
"van twee tot vier december", "the twentieth of December") and a day number alone, with "the"
or "de" before it ("from the 10th until the 20th", "tot de 20ste"): that day of this month,
or of the next once it has passed (dialogs/post/text.py `parse_day`).

The words are composed here from their parts (units, "en", tens; the irregular ordinals), and
a unit test holds them to num2words, the maintained speller, word for word: importing that
library in the bot costs some 3 MB of the 150 MB idle budget (bench/) for 31 numbers. "een"
and "one" are left out: far more often an article than a day.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cache

from bot.commands.lemmas import Token

_LAST_DAY = 31
_ARTICLES = frozenset({"the", "de"})
# A day number with an ordinal ending: "10th", "3rd", "20ste", "3de", "3e".
ORDINAL_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|ste|de|e)$")
_UNITS_NL = ("", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen")
_UNITS_EN = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS_NL = ("tien", "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien",
             "achttien", "negentien")  # fmt: skip
_TEENS_EN = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
             "seventeen", "eighteen", "nineteen")  # fmt: skip
_TENS_NL = {2: "twintig", 3: "dertig"}
_TENS_EN = {2: "twenty", 3: "thirty"}
_IRREGULAR_NL = {1: "eerste", 3: "derde", 8: "achtste"}
_IRREGULAR_EN = {1: "first", 2: "second", 3: "third", 5: "fifth", 8: "eighth", 9: "ninth",
                      12: "twelfth"}  # fmt: skip


def spelled(number: int, lang: str, *, ordinal: bool = False) -> str:
    """A day number (1 to 31) in Dutch or English words, folded, without hyphens: "veertien",
    "eenentwintigste", "twentyfirst"."""
    tens, unit = divmod(number, 10)
    if lang == "nl":
        if number < 10:
            word = _UNITS_NL[number]
        elif number < 20:
            word = _TEENS_NL[unit]
        else:
            word = (f"{_UNITS_NL[unit]}en" if unit else "") + _TENS_NL[tens]
        if not ordinal:
            return word
        if number in _IRREGULAR_NL:
            return _IRREGULAR_NL[number]
        return word + ("ste" if number >= 20 else "de")
    if number < 10:
        word = _UNITS_EN[number]
    elif number < 20:
        word = _TEENS_EN[unit]
    else:
        word = _TENS_EN[tens] + (_UNITS_EN[unit] if unit else "")
    if not ordinal:
        return word
    if number >= 20 and unit:
        return _TENS_EN[tens] + spelled(unit, "en", ordinal=True)
    if number >= 20:
        return _TENS_EN[tens][:-1] + "ieth"
    return _IRREGULAR_EN.get(number) or word + "th"


@cache
def _day_words() -> dict[str, int]:
    words = {
        spelled(number, lang, ordinal=ordinal): number
        for number in range(1, _LAST_DAY + 1)
        for lang in ("nl", "en")
        for ordinal in (False, True)
    }
    for article in ("een", "one"):
        words.pop(article, None)
    return words


@cache
def _ordinals() -> frozenset[str]:
    return frozenset(
        spelled(number, lang, ordinal=True)
        for number in range(1, _LAST_DAY + 1)
        for lang in ("nl", "en")
    )


def numbered(words: Sequence[Token]) -> list[Token]:
    """The words with each day number said in words written in digits ("veertien" -> "14",
    "twentieth" -> "20e"); a word for a word, so positions stay the same."""
    spelled = _day_words()
    found: list[Token] = []
    for word in words:
        said = word.folded.replace("-", "")
        number = spelled.get(said)
        if number is None:
            found.append(word)
            continue
        digits = f"{number}e" if said in _ordinals() else str(number)
        found.append(replace(word, text=digits, folded=digits))
    return found


def day_of_the_month(words: Sequence[Token], i: int) -> bool:
    """ "the 10th", "de 20ste": a day number alone, an ordinal after an article."""
    return i > 0 and words[i - 1].folded in _ARTICLES and bool(ORDINAL_DAY.match(words[i].folded))
