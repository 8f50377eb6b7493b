"""The period and the entity a report is asked for, in words: shared by the reports asked for
in chat (the licence report, dialogs/licences/admin.py; the ticket report,
dialogs/servicedesk/report.py) through bot/domain/platform/report_ask.py.

- days written out: "3 november", "1 September", "2 Nov 2026", "November 3"; without a year the
  most recent such day (a report looks back: "sinds 15 oktober" on 1 December is this October),
  as a weekday is ("sinds maandag")
- periods: "vorige maand", "dit kwartaal", "dit jaar", "deze week", "laatste 30 dagen", "gisteren",
  "afgelopen 2 weken", and the English ones ("last month", "this quarter", "past 30 days");
  a month, quarter, half or year by its name ("oktober 2026", "okt", "het derde kwartaal van
  2026", "Q3", "de eerste helft van 2026", "het jaar 2025"); one opened by "sinds" or closed
  by "tot nu" runs until today ("sinds begin september", "van januari tot nu")
- an entity by its name: "Departement Omgeving", "het facilitair bedrijf", "Wegen en Verkeer",
  "Department of Environment" (the name without its kind, or its first word with its kind)

Each reader takes the folded words and marks the ones it used. Pure: the entities are any
objects with a code and a Dutch and English name (the licence catalogue's).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import pairwise
from typing import Protocol

from bot.domain.platform.calendar_words import MONTHS, WEEKDAYS
from bot.domain.platform.text import fold, folded_words

# fmt: off
_LAST = frozenset({"vorige", "vorig", "afgelopen", "laatste", "last", "past", "previous"})
_THIS = frozenset({"deze", "dit", "this", "current", "huidige", "lopende"})
_UNITS = {
    **dict.fromkeys(("dag", "dagen", "day", "days"), "day"),
    **dict.fromkeys(("week", "weken", "weeks"), "week"),
    **dict.fromkeys(("maand", "maanden", "month", "months"), "month"),
    **dict.fromkeys(("kwartaal", "kwartalen", "quarter", "quarters"), "quarter"),
    **dict.fromkeys(("jaar", "jaren", "year", "years"), "year"),
}
# The kind of body an entity's name starts or ends with: "Agentschap Wegen en Verkeer".
_KINDS = frozenset({"agentschap", "departement", "agency", "department", "dienst", "service"})
# Words between the two days of a span: "1 tot (en met) 15 november", "3 - 5 december".
_JOINING = frozenset({"tot", "en", "met", "tem", "t/m", "-", "–", "to", "until", "through", "and"})
_SMALL = frozenset({"van", "en", "of", "and", "voor", "for", "the", "het", "de"})
# fmt: on
_DAY_NUMBER = re.compile(r"^(\d{1,2})(?:e|ste|de|st|nd|rd|th)?$")
# "derde kwartaal", "Q3", "third quarter"; "het jaar 2025".
# fmt: off
_QUARTERS = {
    **dict.fromkeys(("eerste", "1e", "1ste", "first", "1st"), 1),
    **dict.fromkeys(("tweede", "2e", "2de", "second", "2nd"), 2),
    **dict.fromkeys(("derde", "3e", "3de", "third", "3rd"), 3),
    **dict.fromkeys(("vierde", "4e", "4de", "fourth", "4th"), 4),
}
# fmt: on
_YEARS = frozenset({"jaar", "year", "in"})
# Month names said alone: not cut short ("okt") nor another word too ("may").
# fmt: off
_FULL_MONTHS = frozenset({
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december", "january", "february", "march", "june", "july",
    "august", "october",
    # cut short, but no other word: not "jan" (a name), "may", "mar"
    "feb", "febr", "mrt", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "oct", "nov",
})
# fmt: on
_YEAR = re.compile(r"^\d{4}$")
# A day by its name, as how many days before today: a report of "gisteren".
_ONE_DAY = {"vandaag": 0, "today": 0, "gisteren": 1, "yesterday": 1}
_HALVES = frozenset({"helft", "jaarhelft", "half", "semester"})
# A period that opens one running until today: "sinds begin september", "van januari tot nu".
_SINCE = frozenset({"sinds", "vanaf", "since"})
_START_OF = frozenset({"begin", "start", "the", "of", "het", "de", "van"})
_UNTIL = frozenset({"tot", "until", "till", "to", "up"})
_NOW = frozenset({"nu", "vandaag", "heden", "now", "today", "date"})

Period = tuple[date, date]


class NamedEntity(Protocol):
    """An entity as the readers know it (bot.domain.licences.catalogue.Entity is one)."""

    @property
    def code(self) -> str: ...

    @property
    def name_nl(self) -> str: ...

    @property
    def name_en(self) -> str: ...


def written_days(words: Sequence[str], used: set[int], today: date) -> list[tuple[int, date]]:
    """Days written with a month's name or by a weekday's ("sinds maandag": the last Monday up
    to today; not one before a date, "maandag 23 november"), each with where it is written;
    marks their words used."""
    found: list[tuple[int, date]] = []
    for i, word in enumerate(words):
        dated = i + 1 < len(words) and words[i + 1][:1].isdigit()
        if i not in used and word in WEEKDAYS and not dated:
            found.append((i, _weekday(words, i, found, today)))
            used.add(i)
    for i in range(len(words) - 1):
        if i in used or i + 1 in used:
            continue
        number, month = _DAY_NUMBER.match(words[i]), MONTHS.get(words[i + 1].strip("."))
        if number is None or month is None:
            number, month = _DAY_NUMBER.match(words[i + 1]), MONTHS.get(words[i].strip("."))
        if number is None or month is None:
            continue
        taken = {i, i + 1}
        year = None
        if i + 2 < len(words) and _YEAR.match(words[i + 2]):
            year = int(words[i + 2])
            taken.add(i + 2)
        day = _past_day(int(number.group(1)), month, year, today)
        if day is not None:
            found.extend(_day_before(words, i, month, year, today, used))
            found.append((i, day))
            used |= taken
    return found


def _weekday(words: Sequence[str], i: int, found: Sequence[tuple[int, date]], today: date) -> date:
    """The last such weekday up to today; after another weekday and the words that join them
    ("van maandag tot woensdag"), the first such day after it."""
    number = WEEKDAYS[words[i]]
    if found and words[found[-1][0]] in WEEKDAYS:
        j, first = found[-1]
        if all(word in _JOINING for word in words[j + 1 : i]):
            return first + timedelta(days=(number - first.weekday()) % 7)
    return today - timedelta(days=(today.weekday() - number) % 7)


def _day_before(
    words: Sequence[str], i: int, month: int, year: int | None, today: date, used: set[int]
) -> list[tuple[int, date]]:
    """ "1" in "van 1 tot 15 november": a day number before the words that join it to a day
    of a month is of that month."""
    j = i - 1
    while j > 0 and words[j] in _JOINING:
        j -= 1
    if j == i - 1 or j in used or not words[j].isdigit():
        return []
    day = _past_day(int(words[j]), month, year, today)
    if day is None:
        return []
    used.add(j)
    return [(j, day)]


def _past_day(number: int, month: int, year: int | None, today: date) -> date | None:
    try:
        if year is not None:
            return date(year, month, number)
        day = date(today.year, month, number)
        return day if day <= today else date(today.year - 1, month, number)
    except ValueError:
        return None


def named_period(words: Sequence[str], used: set[int], today: date) -> Period | None:
    """ "vorige maand", "dit kwartaal", "laatste 30 dagen": the first and last day."""
    for i, word in enumerate(words):
        if i in used or i + 1 >= len(words):
            continue
        after = words[i + 1]
        if word in _LAST and after.isdigit() and i + 2 < len(words) and words[i + 2] in _UNITS:
            used |= {i, i + 1, i + 2}
            return _back(int(after), _UNITS[words[i + 2]], today), today
        unit = _UNITS.get(after)
        if unit is None or unit == "day":
            continue
        if word in _THIS:
            used |= {i, i + 1}
            return _start_of(unit, today), today
        if word in _LAST:
            used |= {i, i + 1}
            start = _start_of(unit, _start_of(unit, today) - timedelta(days=1))
            return start, _start_of(unit, today) - timedelta(days=1)
    return None


def one_day(words: Sequence[str], used: set[int], today: date) -> Period | None:
    """ "vandaag", "gisteren", "yesterday": that day. Read last: "maak vandaag het rapport van
    vorige maand" asks for last month."""
    for i, word in enumerate(words):
        if i not in used and word in _ONE_DAY:
            used.add(i)
            day = today - timedelta(days=_ONE_DAY[word])
            return day, day
    return None


def calendar_period(words: Sequence[str], used: set[int], today: date) -> Period | None:
    """A month, a quarter or a year named as such: "oktober 2026", "november", "het derde
    kwartaal van 2026", "Q3", "third quarter", "het jaar 2025", "2025"; or two of them, from
    the first's start to the second's end: "van januari tot en met juni". Without a year, the
    last one that has begun (a report looks back: in December, "oktober tot januari" starts
    in last year's October); a period still running ends today."""
    found: list[Period] = []
    first = -1  # where the first one is said: after "sinds", it runs until today
    for i, word in enumerate(words):
        if i in used or len(found) == 2:
            continue
        period = (
            _month(words, i, used, today)
            or _quarter(words, i, used, today)
            or _half(words, i, used, today)
        )
        if period is None and _YEAR.match(word) and 2000 <= int(word) <= today.year:
            used.add(i)
            if i > 0 and words[i - 1] in _YEARS:
                used.add(i - 1)
            period = date(int(word), 1, 1), date(int(word), 12, 31)
        if period is not None:
            first = i if not found else first
            found.append(period)
    if not found:
        return None
    start, end = found[0][0], found[-1][1]
    if len(found) == 1 and (_since(words, first) or _up_to_now(words)):  # "tot nu"
        end = today
    if end < start:
        start = start.replace(year=start.year - 1)
    return start, min(end, today)


def _since(words: Sequence[str], i: int) -> bool:
    j = i - 1
    while j >= 0 and words[j] in _START_OF:
        j -= 1
    return j >= 0 and words[j] in _SINCE


def _up_to_now(words: Sequence[str]) -> bool:
    return any(word in _UNTIL and after in _NOW for word, after in pairwise(words))


def _month(words: Sequence[str], i: int, used: set[int], today: date) -> Period | None:
    """ "oktober 2026", "november" (not "3 november": a day)."""
    month = MONTHS.get(words[i].strip("."))
    if month is None or (i > 0 and _DAY_NUMBER.match(words[i - 1])):
        return None
    if i + 1 < len(words) and _DAY_NUMBER.match(words[i + 1]):
        return None
    year = _year_after(words, i, used)
    if year is None and words[i] not in _FULL_MONTHS:
        return None  # "may", "okt": a month only with a year
    used.add(i)
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    first = date(year, month, 1)
    return first, _start_of("month", first + timedelta(days=31)) - timedelta(days=1)


def _quarter(words: Sequence[str], i: int, used: set[int], today: date) -> Period | None:
    """ "derde kwartaal (van 2026)", "third quarter of 2026", "Q3 2026", "kwartaal 3"."""
    number = _QUARTERS.get(words[i]) if i + 1 < len(words) else None
    taken = {i}
    if number is not None and _UNITS.get(words[i + 1]) == "quarter":
        taken.add(i + 1)
    elif _UNITS.get(words[i]) == "quarter" and i + 1 < len(words) and words[i + 1] in "1234":
        number = int(words[i + 1])
        taken.add(i + 1)
    elif re.fullmatch(r"q[1-4]", words[i]):
        number = int(words[i][1])
    else:
        return None
    if number is None:
        return None
    year = _year_after(words, max(taken), used)
    used |= taken
    if year is None:
        year = today.year if (number - 1) * 3 + 1 <= today.month else today.year - 1
    first = date(year, (number - 1) * 3 + 1, 1)
    return first, _start_of("quarter", first + timedelta(days=92)) - timedelta(days=1)


def _half(words: Sequence[str], i: int, used: set[int], today: date) -> Period | None:
    """ "eerste helft (van) 2026", "de tweede jaarhelft", "first half of the year": January to
    June or July to December; without a year, the last one that has begun."""
    number = _QUARTERS.get(words[i])
    if number not in (1, 2) or i + 1 >= len(words) or words[i + 1] not in _HALVES:
        return None
    taken = {i, i + 1}
    last = i + 1
    while last + 1 < len(words) and words[last + 1] in _SMALL | _YEARS - {"in"}:
        last += 1  # "van het jaar", "of the year"
    if last > i + 1 and words[last] in _YEARS:
        taken |= set(range(i + 2, last + 1))
    year = _year_after(words, max(taken), used) or _year_after(words, i + 1, used)
    used |= taken
    if year is None:
        year = today.year if number == 1 or today.month >= 7 else today.year - 1
    first = date(year, 1 if number == 1 else 7, 1)
    return first, date(year, 6, 30) if number == 1 else date(year, 12, 31)


def _year_after(words: Sequence[str], i: int, used: set[int]) -> int | None:
    """The year written right after words[i], or after "van"/"of": marked used."""
    for j in (i + 1, i + 2):
        if j < len(words) and j not in used and _YEAR.match(words[j]):
            if j == i + 2 and words[i + 1] not in ("van", "of", "in"):
                return None
            used |= set(range(i + 1, j + 1))
            return int(words[j])
    return None


def _start_of(unit: str, day: date) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _back(count: int, unit: str, today: date) -> date:
    """The first day of the last `count` days, weeks, months, ... up to today."""
    if unit in ("day", "week"):
        return today - timedelta(days=count * (7 if unit == "week" else 1) - 1)
    months = count * {"month": 1, "quarter": 3, "year": 12}[unit]
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = min(today.day, 28)  # a day every month has
    return date(year, month + 1, day) + timedelta(days=1)


def named_entity(words: Sequence[str], used: set[int], entities: Sequence[NamedEntity]) -> str:
    """The code of the entity whose name the words hold; "" when none or more than one does."""
    found: dict[str, set[int]] = {}
    for entity in entities:
        for name in (entity.name_nl, entity.name_en):
            places = _name_in(words, used, folded_words(name))
            if places:
                found[entity.code] = places
                break
    if len(found) != 1:
        return ""
    [(code, places)] = found.items()
    used |= places
    return code


def _name_in(words: Sequence[str], used: set[int], name: Sequence[str]) -> set[int]:
    """Where the name's own words all stand (its kind and small words left out), or its first
    own word together with its kind ("Department of Environment")."""
    own = [w for w in name if w not in _KINDS and w not in _SMALL]
    kinds = [w for w in name if w in _KINDS]
    free = {w: i for i, w in reversed(list(enumerate(words))) if i not in used}
    if own and all(w in free for w in own):
        return {free[w] for w in own} | {free[k] for k in kinds if k in free}
    if own and kinds and own[0] in free and all(k in free for k in kinds):
        return {free[own[0]]} | {free[k] for k in kinds}
    return set()


def fold_words(args: str) -> list[str]:
    """The words as the readers take them: folded, without the punctuation around them."""
    return [fold(word).strip(".,;:!?()") for word in args.split()]
