"""The organisation's working calendar from its settings: Monday to Friday within working hours,
minus the public holidays of its country (the `holidays` library, kept up to date by its
maintainers: Easter, Ascension and Whit Monday move every year) and its own closing days.

Built once per process (bot/composition/platform.py); the library is loaded on first use of a
year's holidays, not at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import date, tzinfo
from functools import lru_cache

from bot.domain.platform.working_time import WorkingCalendar, WorkingHours

_EVERY_YEAR = re.compile(r"^(\d{2})-(\d{2})$")


def closing_day(text: str) -> tuple[int | None, int, int]:
    """ "07-11" -> (None, 7, 11): every 11 July; "2026-12-24" -> (2026, 12, 24). ValueError
    for anything else, naming the value."""
    text = text.strip()
    if found := _EVERY_YEAR.match(text):
        month, day = int(found.group(1)), int(found.group(2))
        date(2024, month, day)  # a leap year: 02-29 is a valid yearly day
        return None, month, day
    try:
        once = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a closing day: {text!r} (write MM-DD or YYYY-MM-DD)") from None
    return once.year, once.month, once.day


def working_calendar(
    zone: tzinfo,
    hours: str,
    country: str,
    subdivision: str = "",
    closing_days: Collection[str] = (),
) -> WorkingCalendar:
    return WorkingCalendar(
        zone=zone,
        closed=_closed(country, subdivision, tuple(closing_day(d) for d in closing_days)),
        hours=WorkingHours.parse(hours),
    )


def _closed(
    country: str, subdivision: str, own: tuple[tuple[int | None, int, int], ...]
) -> Callable[[date], bool]:
    yearly = {(month, day) for year, month, day in own if year is None}
    once = {date(year, month, day) for year, month, day in own if year is not None}

    def closed(day: date) -> bool:
        return (
            (day.month, day.day) in yearly
            or day in once
            or day in _public_holidays(country, subdivision, day.year)
        )

    return closed


@lru_cache(maxsize=32)
def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    import holidays

    found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(found)
