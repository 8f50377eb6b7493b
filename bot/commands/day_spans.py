"""Days a sentence says around another (bot/commands/argument_words.py reads the days): a day
number that borrows the month of the end after it ("van 9 tot 11 december", "15 - 19 dec",
"van 21 tot en met 3 januari": the 21st of the month before), two days written as one ("15-19
dec", "15-19/12"), days named ("kerstavond"; "met Pasen" names none, "tot na Pasen" is through
it), and periods named by a day or a month: "de week van 14 december", "heel de maand januari".
The dialog reads what these write (dialogs/post/text.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.commands.lemmas import Token
from bot.commands.named_days import MAX_WORDS, is_named_day
from bot.commands.phrases import MONTHS, WEEKDAY_NAMES
from bot.domain.platform.calendar_words import MONTHS as MONTH_NUMBERS

# A day's number, also as an ordinal: "21", "21st", "3rd", "1ste", "9de".
DAY_NUMBER = re.compile(r"^\d{1,2}(?:st|nd|rd|th|ste|de|e)?$")
# Two days written as one: "15-19" (before a month's name), "15-19/12".
_TWO_DAYS = re.compile(r"^(\d{1,2})-(\d{1,2})(?:[/.](\d{1,2}))?$")
_DASHES = ("-", "\u2013", "\u2014")
# A named day said as a time around it, not as a day: "na nieuwjaar", "voor kerst", "met
# kerst", "home for Christmas" (the dialog asks for the days); but see until_after.
# fmt: off
_AROUND = frozenset({
    "na", "after", "voor", "before", "rond", "rondom", "around", "omstreeks", "for", "met",
    "tijdens", "during", "over",
})
# fmt: on
ENDS = frozenset({"tot", "until", "till", "through", "to", "tem"})
# "(tot) het einde van de maand", "eind januari", "end of the month".
END_WORDS = frozenset({"eind", "einde", "end"})
# A period that names its first and last day: "volgende week", "this month", "week 51".
_NEXT_ONES = frozenset({"volgende", "komende", "next", "coming"})
PERIOD_WHICH = frozenset({"deze", "dit", "this"}) | _NEXT_ONES
_PERIOD_UNITS = frozenset({"week", "maand", "month"})
_WEEK_NUMBER = re.compile(r"^(?:[1-9]|[1-4]\d|5[0-3])$")
_WEEKS = frozenset({"week", "weken", "wk", "weeks"})
_AND = frozenset({"en", "and"})
# fmt: off
_WEEK_OF = frozenset({"van", "of"})
# "heel de maand januari", "de volledige maand januari", "the whole of January".
_WHOLE = frozenset({"heel", "hele", "gans", "ganse", "volledige", "whole", "entire", "all"})
_MONTH = frozenset({"maand", "month"})
_BETWEEN = frozenset({"de", "the", "of"})
_DURING = frozenset({"in", "tijdens", "during"})
# fmt: on

Day = tuple[int, int, str]  # first and last position, the day as written


def two_days(words: Sequence[Token], i: int) -> list[Day]:
    """ "15-19 dec", "28-3 januari" (from 28 December), "15-19/12": the first and the last day
    a day-shaped word holds, each spanning what is written; [] for one day ("15-12")."""
    match = _TWO_DAYS.match(words[i].folded)
    if match is None:
        return []
    first, last, month = match.groups()
    if month:
        if int(last) > 31 or not 0 < int(month) <= 12:  # "1-2/13" is no two days
            return []
        return [(i, i, f"{first}/{_month_of(first, last, month)}"), (i, i, f"{last}/{month}")]
    if not month_at(words, i + 1) or int(last) > 31:
        return []
    named = words[i + 1].text
    return [(i, i + 1, _borrowed(first, last, named)), (i, i + 1, f"{last} {named}")]


def named_days(words: Sequence[Token]) -> list[Day]:
    """ "kerstavond", "Nieuwjaarsdag", "new year's eve", "tweede kerstdag": the days a name
    fixes (bot/commands/named_days.py), written as said; not "na nieuwjaar", "met kerst"."""
    found: list[Day] = []
    i = 0
    while i < len(words):
        size = next(
            (
                size
                for size in range(min(MAX_WORDS, len(words) - i), 0, -1)
                if words[i].kind == "word" and is_named_day([w.folded for w in words[i : i + size]])
            ),
            0,
        )
        if size and not _around(words, i):
            last = i + size - 1
            found.append((i, last, " ".join(w.text for w in words[i : last + 1])))
        i += size or 1
    return found


def _around(words: Sequence[Token], i: int) -> bool:
    """A time around the day at i ("met kerst"), not "tot en met kerst" nor "tot na
    nieuwjaar" (away until it is over: through that day)."""
    before = [w.folded for w in words[max(0, i - 3) : i]]
    through = before[-3:] == ["tot", "en", "met"] or until_after(before)
    return bool(before) and before[-1] in _AROUND and not through


def until_after(before: Sequence[str]) -> bool:
    """ "tot na", "until after" right before a day: away until it is over, so through it."""
    return len(before) >= 2 and before[-2] in ENDS and before[-1] in ("na", "after")


def dashed(text: str, words: Sequence[Token]) -> frozenset[int]:
    """Positions of the words a dash stands before ("19" in "15 - 19 december", "15 – 19");
    none without the text."""
    return frozenset(
        i
        for i in range(1, len(words))
        if any(dash in text[words[i - 1].end : words[i].start] for dash in _DASHES)
    )


def days_before_an_end(
    words: Sequence[Token], found: list[Day], dashed: frozenset[int] = frozenset()
) -> list[Day]:
    """ "9" in "van 9 tot 11 december" or "van 22 tot 26/12": 9 december, 22/12; "14" in
    "op 14 en 15 december" (two days named are the first and the last); "21" in "van 21 tot
    en met 3 januari" is a day of December, and "14" in "maandag 14 tem zondag 20 december"
    a day of the end's month (the weekday before the end is passed over). dashed: positions
    of the words a dash stands before ("15 - 19 december", written as "15 tot 19")."""
    borrowed: list[Day] = []
    for first, last, said in found:
        number = first - 1 if first in dashed else _before_the_end(words, first)
        if number < 0 and first > 1 and words[first - 1].folded in _AND:
            number = first - 2
        if number < 0:
            continue
        if not DAY_NUMBER.match(words[number].folded) or any(
            f <= number <= la for f, la, _ in found
        ):
            continue
        day = digits(words[number].folded)  # "the 14th to the 23rd of December": 14
        if words[first].kind == "day":  # 26/12: the month after the slash
            end_day, _, month = said.partition("/")
            if month:
                borrowed.append((number, number, f"{day}/{_month_of(day, end_day, month)}"))
        elif words[last].folded in MONTHS:
            end_day, month = digits(words[first].folded), words[last].text
            borrowed.append((number, number, _borrowed(day, end_day, month)))
        elif words[first].folded in MONTHS:
            end_day, month = digits(words[last].folded), words[first].text
            borrowed.append((number, number, _borrowed(day, end_day, month)))
    return borrowed


def _borrowed(day: str, end_day: str, month: str) -> str:
    before = _month_of(day, end_day, month)
    return f"{day}/{before}" if before != month else f"{day} {month}"


def _month_of(day: str, end_day: str, month: str) -> str:
    """The month of a first day borrowed from the end's: the one before when the first day's
    number is the larger ("van 28 tot 3/1" starts on 28 December, as "12")."""
    number = int(month.split("/")[0]) if month[:1].isdigit() else MONTH_NUMBERS.get(month.lower())
    if not number or not end_day.isdigit() or int(day) <= int(end_day):
        return month
    return str(12 if number == 1 else number - 1)


def month_at(words: Sequence[Token], i: int) -> bool:
    return i < len(words) and words[i].folded in MONTHS


def digits(day_number: str) -> str:
    return "".join(c for c in day_number if c.isdigit())


def _before_the_end(words: Sequence[Token], first: int) -> int:
    """Where the word before "tot", "tot en met" or "t/m" stands, -1 when none of those does;
    an English "the" or a weekday between them is passed over ("the 14th to the 23rd", "14 tem
    zondag 20 december")."""
    if first > 1 and (words[first - 1].folded == "the" or words[first - 1].folded in WEEKDAY_NAMES):
        first -= 1
    said = [w.folded for w in words[max(0, first - 3) : first]]
    for end, size in ((["tot", "en", "met"], 3), (["t", "e", "m"], 3), (["t", "m"], 2)):
        if said[-size:] == end:
            return first - size - 1
    return first - 2 if said and said[-1] in ENDS else -1


def week_period(words: Sequence[Token]) -> Day | None:
    """ "volgende week", "next week", "deze week", "volgende maand": a period that says its
    first and last day (dialogs/post/text.py reads it); not "eind deze maand" (one day)."""
    for i in range(len(words) - 1):
        if words[i].folded in _WEEKS and _WEEK_NUMBER.match(words[i + 1].folded):
            return _numbered_weeks(words, i)  # "in week 51", "week 51 tot week 52"
        if words[i].folded in PERIOD_WHICH and words[i + 1].folded in _PERIOD_UNITS:
            if i > 0 and words[i - 1].folded in END_WORDS | {"van", "of"} and not _all_of(words, i):
                continue
            return i, i + 1, f"{words[i].text} {words[i + 1].text}"
    return None


def _all_of(words: Sequence[Token], i: int) -> bool:
    """ "all of next week": the whole period, not "the end of" it."""
    return i > 1 and words[i - 1].folded == "of" and words[i - 2].folded in _WHOLE


def _numbered_weeks(words: Sequence[Token], i: int) -> Day:
    """ "week 51", "week 51 tot (week) 52", "weken 51 en 52", "tot week 2": as the dialog
    reads them."""
    folded = [w.folded for w in words]
    if i > 0 and folded[i - 1] in ENDS | {"met"}:  # "tot (en met) week 2": today until then
        return i, i + 1, f"tot week {folded[i + 1]}"
    for joint in (["tot", "en", "met"], ["t", "m"], ["tot"], ["en"], ["until"], ["to"], ["and"]):
        after = i + 2 + len(joint)
        if folded[i + 2 : after] == joint:
            after += 1 if folded[after : after + 1] and folded[after] in _WEEKS else 0
            if after < len(words) and _WEEK_NUMBER.match(folded[after]):
                return i, after, f"week {folded[i + 1]} tot week {folded[after]}"
    return i, i + 1, f"week {folded[i + 1]}"


def in_the_week(words: Sequence[Token], period: Day, days: list[Day]) -> bool:
    """Weekdays said with "volgende week", "next week": days of that week, not the coming
    ones ("volgende week donderdag en vrijdag", "van dinsdag tot donderdag volgende week")."""
    return (
        words[period[1]].folded == "week"
        and words[period[0]].folded in _NEXT_ONES
        and bool(days)
        and all(first == last and words[first].folded in WEEKDAY_NAMES for first, last, _ in days)
    )


def next_weeks_days(words: Sequence[Token], period: Day, days: list[Day]) -> list[Day]:
    """A weekday said right beside "volgende week" is that week's, whatever other days are said:
    "vanaf morgen tot en met volgende week vrijdag", "van maandag tot dinsdag volgende week"."""
    if words[period[1]].folded != "week" or words[period[0]].folded not in _NEXT_ONES:
        return days
    beside = {period[0] - 1, period[1] + 1}
    return [
        (first, last, f"{period[2]} {said}")
        if first == last and first in beside and words[first].folded in WEEKDAY_NAMES
        else (first, last, said)
        for first, last, said in days
    ]


def week_of(words: Sequence[Token], days: list[Day]) -> Day | None:
    """ "de week van 14 december", "the week of 14 December": that day's week, Monday to
    Sunday, as the dialog reads "week van 14 december"; None when no day is said so."""
    for first, last, said in days:
        at = first - 2 if first > 1 and words[first - 1].folded in ("de", "the") else first - 1
        if at > 0 and words[at].folded in _WEEK_OF and words[at - 1].folded == "week":
            return at - 1, last, f"week van {said}"
    return None


def whole_month(words: Sequence[Token], *, during: bool = False) -> Day | None:
    """ "heel de maand januari", "de maand januari", "the whole of January", and with `during`
    "in januari": that month, as the dialog reads "maand januari"; not "eind januari" (a day)
    nor "14 januari"."""
    folded = [word.folded for word in words]
    for i, word in enumerate(folded):
        if word not in MONTHS:
            continue
        first = _past(folded, i - 1, _BETWEEN)
        named = first >= 0 and folded[first] in _MONTH  # "de maand januari", "month of"
        if named:
            first = _past(folded, first - 1, _BETWEEN)
        if first >= 0 and folded[first] in _WHOLE:
            return first, i, f"maand {words[i].text}"
        in_it = during and i > 0 and folded[i - 1] in _DURING
        if named or (in_it and not _a_day_number(folded, i + 1)):
            return first + 1, i, f"maand {words[i].text}"  # "in januari", "during February"
    return None


def _a_day_number(folded: Sequence[str], i: int) -> bool:
    return i < len(folded) and folded[i].isdigit()


def _past(folded: Sequence[str], i: int, small: frozenset[str]) -> int:
    """The first position at or before i that holds no small word (-1 when none does)."""
    while i >= 0 and folded[i] in small:
        i -= 1
    return i
