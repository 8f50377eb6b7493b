"""What people type after `post` and `post doorsturen`: filters, a name and dates.

- `post aangetekend`, `post deze week`, `post niet afgehandeld`, `post afgehandeld`,
  `post alles`, `post zoek Fluvius` (also `post van Fluvius`, or just `post Fluvius`).
- `post doorsturen naar Jef Peeters van 1/12/2026 tot 15/12/2026`; dates may also be written
  `1 december`, `2026-12-01`, `morgen`, `vrijdag`; without `van …` the delegation starts today.
  English works too: `forward my mail to Jef from 1 December to 15 December`.

Dutch and English words are understood whatever the client's language: people mix them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

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
})
# fmt: on

_END = re.compile(
    r"\b(?:tot\s+en\s+met|t\s*/\s*m|t\.e\.m\.?|tem|tot|until|till|through|to)\b", re.IGNORECASE
)
_START = re.compile(r"\b(?:vanaf|van|from|starting)\b", re.IGNORECASE)
_TO = re.compile(r"^\s*(?:naar|aan|to)\b\s*", re.IGNORECASE)

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
    **dict.fromkeys(("morgen", "tomorrow"), 1),
    **dict.fromkeys(("overmorgen", "day after tomorrow"), 2),
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:e|ste|de|st|nd|rd|th)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?$")
_NEXT = re.compile(r"^(?:volgende|komende|next|this|deze)\s+")


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
        search = " ".join(w for w in rest.split() if fold(w).strip(".,!?") not in _FILLER)
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


def parse_delegation(text: str, today: date) -> DelegationRequest | None:
    """The delegate's name and the dates; None when no end date can be read."""
    said = " ".join(text.split()).strip(" .!?")
    ends_at = list(_END.finditer(said))
    if not ends_at:
        return None
    last = ends_at[-1]
    ends = parse_day(said[last.end() :], today)
    if ends is None:
        return None
    before = said[: last.start()]
    starts, name = today, before
    starts_at = list(_START.finditer(before))
    if starts_at:
        begin = starts_at[-1]
        read = parse_day(before[begin.end() :], today)
        if read is not None:
            starts, name = read, before[: begin.start()]
    name = _TO.sub("", name).strip(" ,.:;")
    if not name:
        return None
    while ends < starts and _weekday(said[last.end() :]):  # "van maandag tot woensdag"
        ends += timedelta(days=7)
    return DelegationRequest(name, starts, ends)


def _weekday(text: str) -> bool:
    return _NEXT.sub("", " ".join(fold(text).split()).strip(" .,!?;:")) in _WEEKDAYS


def parse_day(text: str, today: date) -> date | None:
    """A day as people write it: 1/12/2026, 1/12, 2026-12-01, 1 december (2026), December 1,
    morgen, vrijdag. Without a year: the first such day from today on."""
    said = _NEXT.sub("", " ".join(fold(text).split()).strip(" .,!?;:"))
    if said in _RELATIVE:
        return today + timedelta(days=_RELATIVE[said])
    if said in _WEEKDAYS:
        return today + timedelta(days=(_WEEKDAYS[said] - today.weekday()) % 7)
    if match := _ISO.match(said):
        return _day(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _NUMERIC.match(said):
        year = match.group(3)
        return _dated(int(match.group(1)), int(match.group(2)), year, today)
    if (match := _DAY_MONTH.match(said)) and match.group(2) in MONTHS:
        return _dated(int(match.group(1)), MONTHS[match.group(2)], match.group(3), today)
    if (match := _MONTH_DAY.match(said)) and match.group(1) in MONTHS:
        return _dated(int(match.group(2)), MONTHS[match.group(1)], match.group(3), today)
    return None


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
