"""What people type after `post` and `post doorsturen`: filters, a name and dates.

- `post aangetekend`, `post deze week`, `post niet afgehandeld`, `post afgehandeld`,
  `post alles`, `post zoek Fluvius` (also `post van Fluvius`, or just `post Fluvius`).
- `post doorsturen naar Jef Peeters van 1/12/2026 tot 15/12/2026`; dates may also be written
  `1 december`, `2026-12-01`, `morgen`, `vrijdag`, `eind januari`; without `van …` the
  delegation starts today. A period says both days: `naar Jef volgende week`, `naar Jef de week
  van 14 december` (that Monday to Sunday), `naar Jef in week 51`, `naar Jef heel de maand
  januari`; a day may be named (`tot kerstavond`, `tot Pasen`). English works too: `forward
  my mail to Jef from 1 December to 15 December`. A name without an end (`naar Jef`) is read
  as far as it goes, and so is `stop` (the dialog asks for the rest).

Dutch and English words are understood whatever the client's language: people mix them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.commands.delegation_words import PERSON_NOUNS
from bot.commands.named_days import named_day
from bot.domain.platform.calendar_words import MONTHS
from bot.domain.platform.text import fold, folded_words
from bot.services.post.listing import PostFilters, Scope

# Filter phrases, longest first ("niet afgehandeld" before "afgehandeld").
_FILTERS: tuple[tuple[str, str], ...] = (
    (r"niet\s+afgehandelde?|onafgehandelde?|not\s+handled|unhandled|open", "open"),
    (r"afgehandelde?|handled|done|verwerkte?|afgewerkte?|dealt\s+with", "handled"),
    (r"alles|all", "all"),
    (r"aangetekende?|registered", "registered"),
    (r"deze\s+week|this\s+week", "week"),
)
_SEARCH = re.compile(
    r"\b(?:zoek(?:en)?(?:\s+op)?|search(?:\s+for)?|van|from)\b\s*(?P<rest>.*)$", re.IGNORECASE
)
# Words around a filter that ask for nothing ("toon mijn post"): no search on their own.
# fmt: off
_FILLER = frozenset({
    "toon", "laat", "zien", "mijn", "me", "mij", "de", "het", "een", "graag", "aub", "alle",
    "alsjeblieft", "lijst", "overzicht", "stukken", "brieven", "post", "mail", "show", "my",
    "the", "please", "list", "items", "letters", "en", "and", "wat", "what", "is", "er", "there",
    # asking to see it: "post efkes tonen", "post nakijken"
    "efkes", "eventjes", "even", "eens", "tonen", "nakijken", "bekijken", "checken", "check",
    "ajb", "svp", "pls", "nu",
    # for whom: "post voor mij", "brieven vr mij"
    "voor", "vr", "for", "mezelf", "myself",
})
# fmt: on

# "tot na nieuwjaar", "until after Christmas": away until the day is over, so through it.
_END = re.compile(
    r"\b(?:tot\s+en\s+met|t\s*/\s*m|t\.e\.m\.?|tem|tot|until|till|through|to)\b"
    r"(?:\s+(?:na|after)\b)?",
    re.IGNORECASE,
)
_START = re.compile(r"\b(?:vanaf|van|from|starting)\b", re.IGNORECASE)
# A first or last day said right before: "van volgende week maandag", "tot friday next week".
_MARKED = re.compile(rf"(?:{_START.pattern}|{_END.pattern})\s*$", re.IGNORECASE)
_TO = re.compile(r"^\s*(?:naar|aan|to)\b\s*", re.IGNORECASE)
# A colleague not named: "mijn collega", "nen collega", "iemand anders", "someone".
# fmt: off
_SOMEONE = frozenset({
    "mijn", "een", "nen", "ne", "de", "onze", "my", "a", "the", "our", "iemand", "anders",
    "someone", "somebody", "else", "she", "he", "her", "him", "them", "hij", "zij", "ze", "hem",
    "haar", "replacement", "substitute", "ontvanger",
})
# fmt: on
# `stop` first: the caller asks to stop a delegation (bot/commands/arguments.py writes it so).
_STOP = re.compile(r"^stop\b\s*", re.IGNORECASE)
# A period said as a whole: its first and last day (`_period`).
_PERIOD = re.compile(
    r"\b(?:(?P<this>deze|dit|this)|(?P<next>volgende|komende|next|coming))\s+(?P<unit>week|maand|month)\b",
    re.IGNORECASE,
)
# A week named by one of its days, a month by its name (`_named_period`): "de week van 14
# december" is that Monday to Sunday, "(heel) de maand januari" all of January.
_WEEK_OF = re.compile(r"\b(?:(?:de|the)\s+)?week\s+(?:van|of)\s+(?:(?:de|the)\s+)?", re.IGNORECASE)
_MONTH_NAMED = re.compile(
    r"\b(?:(?:heel|hele|gans|ganse|volledige|whole|entire|all)\s+)?(?:(?:de|the)\s+)?"
    r"(?:maand|month)\s+(?:of\s+)?(?P<month>\w+)",
    re.IGNORECASE,
)
# "week 51", "wk 51": a week by its ISO number, as the Belgian calendar numbers them; "week 51
# tot week 52", "weken 51 en 52": from the first's Monday to the last's Sunday.
_WEEK_NUMBER = re.compile(
    r"\b(?:weken|week|wk|weeks)\s*(\d{1,2})(?:\s*(?:tot\s+en\s+met|tot|t/m|tem|en|-|until|to"
    r"|through|and)\s*(?:week|wk)?\s*(\d{1,2}))?\b",
    re.IGNORECASE,
)
_DURING = re.compile(r"\b(?:in|tijdens|during)\s*$", re.IGNORECASE)
_AN_END_MARK = re.compile(rf"(?:{_END.pattern})\s*$", re.IGNORECASE)
_DAY_WORDS = 3  # "14 december 2026"

_WEEKDAYS = {
    **dict.fromkeys(("maandag", "monday", "ma", "mon"), 0),
    **dict.fromkeys(("dinsdag", "tuesday", "di", "tue"), 1),
    **dict.fromkeys(("woensdag", "wednesday", "wo", "wed"), 2),
    **dict.fromkeys(("donderdag", "thursday", "do", "thu"), 3),
    **dict.fromkeys(("vrijdag", "friday", "vr", "fri"), 4),
    **dict.fromkeys(("zaterdag", "saturday", "za", "sat"), 5),
    **dict.fromkeys(("zondag", "sunday", "zo", "sun"), 6),
}
_RELATIVE = {
    **dict.fromkeys(("vandaag", "today"), 0),
    # "morge": the Flemish of speech drops the last n.
    **dict.fromkeys(("morgen", "morge", "tomorrow"), 1),
    **dict.fromkeys(("overmorgen", "overmorge", "day after tomorrow"), 2),
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:e|ste|de|st|nd|rd|th)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
# A day number alone, as an ordinal: "the 10th", "de 20ste" (that day of this month or next).
_ORDINAL = re.compile(r"^(?:the |de )?(\d{1,2})(?:e|ste|de|st|nd|rd|th)$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?$")
_NEXT = re.compile(r"^(?:volgende|komende|next|this|deze)\s+")
# What a day's name is written with beside its words: "new year's eve", "de kerstavond".
_NAMED = re.compile(r"^(?:de|het|the)\s+|[^\w\s]")
# "volgende week donderdag", "thursday next week": that day of next week, not the coming one.
_IN_NEXT_WEEK = re.compile(
    r"^(?:(?:volgende|komende|next|coming)\s+week\s+(?P<day>[a-z]+)"
    r"|(?P<later>[a-z]+)\s+(?:volgende|komende|next|coming)\s+week)$"
)
_AN_END = re.compile(r"\b(?:einde?|end)\s+(?:van\s+|of\s+)?$", re.IGNORECASE)
# "(tot) het einde van de maand", "eind december", "the end of this month": its last day;
# "eind volgende maand", "het einde van deze week" (its Sunday, as "deze week" ends).
_MONTH_END = re.compile(
    r"^(?:het\s+|the\s+)?(?:einde?|end)\s+(?:van\s+|of\s+)?(?:de\s+|deze\s+|the\s+|this\s+)?"
    r"(?P<next>(?:volgende|komende|next|coming)\s+)?(?P<month>[a-z]+)$"
)


@dataclass(frozen=True, slots=True)
class DelegationAsk:
    """What `post doorsturen ...` said: a stop, a delegate's name ("" when none is said), the
    first day (today unless said) and the last (None when none is said)."""

    name: str
    starts: date
    ends: date | None
    stop: bool = False


@dataclass(frozen=True, slots=True)
class DelegationRequest:
    """`post doorsturen naar <name> van <starts> tot <ends>`, as typed."""

    name: str
    starts: date
    ends: date


def parse_filters(text: str) -> PostFilters:
    rest = " ".join(text.split())
    found: set[str] = set()
    for pattern, flag in _FILTERS:
        regex = re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)
        if regex.search(rest):
            found.add(flag)
            rest = regex.sub(" ", rest)
    search = ""
    marked = _SEARCH.search(rest)
    if marked is not None:
        search = " ".join(marked.group("rest").split())
    elif any(word not in _FILLER for word in folded_words(rest)):
        search = " ".join(w for w in rest.split() if _searched(w))
    scope = Scope.OPEN
    if "open" not in found and "handled" in found:
        scope = Scope.HANDLED
    elif "open" not in found and "all" in found:
        scope = Scope.ALL
    return PostFilters(
        scope=scope,
        registered="registered" in found,
        this_week="week" in found,
        search=search.strip(" .,!?"),
    )


def _searched(word: str) -> bool:
    """A word typed after `post` that is searched for: not a filler, not a sign ("📬")."""
    return fold(word).strip(".,!?") not in _FILLER and any(c.isalnum() for c in word)


def read_delegation(text: str, today: date) -> DelegationAsk:
    """What `post doorsturen ...` says, as far as it says it: "stop" first asks to stop one;
    then a name, a first day after `van`/`vanaf`/`from` (today when none is read), a last day
    after `tot`/`t/m`/`t.e.m.`/`until` (None when none is read), or a period for both
    (`volgende week`, `next week`, `deze maand`). An end that cannot be read still ends the
    name: "naar Jef tot ik terug ben" names Jef, without an end."""
    said = " ".join(text.split()).strip(" .!?")
    stop = _STOP.match(said)
    if stop is not None:
        said = said[stop.end() :]
    period, said = _named_period(said, today)
    for named in () if period else _PERIOD.finditer(said):
        if _AN_END.search(said[: named.start()]):  # "tot eind deze maand": a day
            continue
        day = _a_day_of_next_week(said, named, today)
        if day is not None and _MARKED.search(said[: day[0]]):  # "tot volgende week vrijdag"
            continue
        period = (day[2], day[2]) if day else _period(named, today)
        start, end = day[:2] if day else (named.start(), named.end())
        said = " ".join(f"{said[:start]} {said[end:]}".split())
        break
    said = _TO.sub("", said)
    ends, ends_said = None, ""
    marks = list(_END.finditer(said))
    for mark in reversed(marks):
        ends = parse_day(said[mark.end() :], today)
        if ends is not None:
            ends_said, said = said[mark.end() :], said[: mark.start()]
            break
    else:
        if marks:  # an end nobody can read: the name stops there
            said = said[: marks[0].start()]
    starts = None
    for mark in reversed(list(_START.finditer(said))):
        starts = parse_day(said[mark.end() :], today)
        if starts is not None:
            said = said[: mark.start()]
            break
    if period is not None:
        starts = starts or period[0]
        ends = ends or period[1]
    starts = starts or today
    while ends is not None and ends < starts and _weekday(ends_said):  # "maandag tot woensdag"
        ends += timedelta(days=7)
    name = _TO.sub("", said).strip(" ,.:;")
    if set(folded_words(name)) <= _SOMEONE | PERSON_NOUNS:  # "naar mijn collega": ask who
        name = ""
    return DelegationAsk(name, starts, ends, stop=stop is not None)


def parse_delegation(text: str, today: date) -> DelegationRequest | None:
    """The delegate's name and the days; None for a stop, or when no name or no end is read."""
    asked = read_delegation(text, today)
    if asked.stop or not asked.name or asked.ends is None:
        return None
    return DelegationRequest(asked.name, asked.starts, asked.ends)


def _named_period(said: str, today: date) -> tuple[tuple[date, date] | None, str]:
    """ "week van 14 december": Monday to Sunday of that day's week; "week 51": the ISO week
    of that number (this year's, or next year's once it is over); "maand januari": that
    month's first to last day (from today on, as `volgende week` is); what is left to read."""
    if numbered := _numbered_weeks(said, today):
        return numbered
    if week := _WEEK_OF.search(said):
        rest = list(re.finditer(r"\S+", said[week.end() :]))[:_DAY_WORDS]
        for last in reversed(rest):
            day = parse_day(said[week.end() : week.end() + last.end()], today)
            if day is not None:
                monday = day - timedelta(days=day.weekday())
                left = f"{said[: week.start()]} {said[week.end() + last.end() :]}"
                return (max(monday, today), monday + timedelta(days=6)), " ".join(left.split())
    month = _MONTH_NAMED.search(said)
    if month and fold(month["month"]) in MONTHS:
        first = _dated(1, MONTHS[fold(month["month"])], None, today.replace(day=1))
        if first is not None:
            left = f"{said[: month.start()]} {said[month.end() :]}"
            return (max(first, today), _month_end(first)), " ".join(left.split())
    return None, said


def _numbered_weeks(said: str, today: date) -> tuple[tuple[date, date], str] | None:
    """ "week 51": that week; "week 51 tot week 52": the first's Monday to the last's Sunday;
    "tot week 2": today to its Sunday. None when no week is numbered."""
    named = _WEEK_NUMBER.search(said)
    first = _iso_week(int(named[1]), today) if named else None
    if named is None or first is None:
        return None
    last = (_iso_week(int(named[2]), first[0]) if named[2] else None) or first
    before = said[: named.start()]
    if end := _AN_END_MARK.search(before):  # "tot week 2": until then
        first, before = (today, first[1]), before[: end.start()]
    before = _DURING.sub("", before)  # "naar Jef in week 51"
    left = " ".join(f"{before} {said[named.end() :]}".split())
    return (max(first[0], today), last[1]), left


def _iso_week(number: int, today: date) -> tuple[date, date] | None:
    for year in (today.year, today.year + 1):
        try:
            monday = date.fromisocalendar(year, number, 1)
        except ValueError:  # week 0, or a 53rd week in a year of 52
            continue
        if monday + timedelta(days=6) >= today:
            return monday, monday + timedelta(days=6)
    return None


def _a_day_of_next_week(
    said: str, named: re.Match[str], today: date
) -> tuple[int, int, date] | None:
    """ "volgende week vrijdag", "friday next week": where it is said, and the day."""
    if not named.group("next"):
        return None
    spans = []
    if after := re.match(r"\s+\w+", said[named.end() :]):
        spans.append((named.start(), named.end() + after.end()))
    if before := re.search(r"\w+(?=\s+$)", said[: named.start()]):
        spans.append((before.start(), named.end()))
    for start, end in spans:
        if (day := parse_day(said[start:end], today)) is not None:
            return start, end, day
    return None


def _weekday(text: str) -> bool:
    return _NEXT.sub("", " ".join(fold(text).split()).strip(" .,!?;:")) in _WEEKDAYS


def _period(named: re.Match[str], today: date) -> tuple[date, date]:
    """ "volgende week" is next Monday to Sunday, "deze week" today to Sunday; "deze maand"
    today to the month's last day, "volgende maand" all of next month."""
    coming = named.group("next") is not None
    if fold(named.group("unit")) == "week":
        monday = today - timedelta(days=today.weekday())
        if coming:
            monday += timedelta(days=7)
        return max(monday, today), monday + timedelta(days=6)
    first = today.replace(day=1)
    if coming:
        first = _month_end(first) + timedelta(days=1)
    return max(first, today), _month_end(first)


def _month_end(day: date) -> date:
    following = day.replace(day=28) + timedelta(days=4)
    return following - timedelta(days=following.day)


def parse_day(text: str, today: date) -> date | None:
    """A day as people write it: 1/12/2026, 1/12, 2026-12-01, 1 december (2026), December 1,
    morgen, vrijdag, volgende week vrijdag, het einde van de maand, eind januari, kerstavond,
    nieuwjaar. Without a year: the first such day from today on."""
    folded = " ".join(fold(text).split()).strip(" .,!?;:")
    if (match := _IN_NEXT_WEEK.match(folded)) and (match["day"] or match["later"]) in _WEEKDAYS:
        monday = today + timedelta(days=7 - today.weekday())
        return monday + timedelta(days=_WEEKDAYS[match["day"] or match["later"]])
    said = _NEXT.sub("", folded)
    if said in _RELATIVE:
        return today + timedelta(days=_RELATIVE[said])
    if said in _WEEKDAYS:
        return today + timedelta(days=(_WEEKDAYS[said] - today.weekday()) % 7)
    if (named := named_day(_NAMED.sub("", said).split(), today)) is not None:
        return named  # "kerstavond", "new year's eve", "Pasen"
    if match := _MONTH_END.match(said):
        month, later = match.group("month"), bool(match.group("next"))
        if month == "week":
            return today + timedelta(days=6 - today.weekday() + 7 * later)
        if month in ("maand", "month"):
            return _month_end(_month_end(today) + timedelta(days=1) if later else today)
        if month in MONTHS:
            first = _dated(1, MONTHS[month], None, today.replace(day=1))
            return _month_end(first) if first is not None else None
    if match := _ISO.match(said):
        return _day(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _NUMERIC.match(said):
        year = match.group(3)
        return _dated(int(match.group(1)), int(match.group(2)), year, today)
    if (match := _DAY_MONTH.match(said)) and match.group(2) in MONTHS:
        return _dated(int(match.group(1)), MONTHS[match.group(2)], match.group(3), today)
    if (match := _MONTH_DAY.match(said)) and match.group(1) in MONTHS:
        return _dated(int(match.group(2)), MONTHS[match.group(1)], match.group(3), today)
    if match := _ORDINAL.match(said):
        return _this_or_next_month(int(match.group(1)), today)
    return None


def _this_or_next_month(day_number: int, today: date) -> date | None:
    found = _day(today.year, today.month, day_number)
    if found is None or found < today:
        following = _month_end(today) + timedelta(days=1)
        found = _day(following.year, following.month, day_number)
    return found


def _dated(day_number: int, month: int, year: str | None, today: date) -> date | None:
    if year:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _day(full, month, day_number)
    found = _day(today.year, month, day_number)
    if found is not None and found < today:
        found = _day(today.year + 1, month, day_number)
    return found


def _day(year: int, month: int, day_number: int) -> date | None:
    try:
        return date(year, month, day_number)
    except ValueError:
        return None
