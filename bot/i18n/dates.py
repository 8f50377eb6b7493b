"""Moments in words, in the reader's language: "di 8 dec 14:00", "Tue 8 Dec 14:00".

For a moment near enough that its weekday says more than its year (a deadline this week).
The names of days and months are the Unicode CLDR's, read through Babel, so no catalog has to
spell them; the time is the organisation's zone, as every date on a card.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

# Werkplek's languages as CLDR names them: Flemish Dutch, British English (as the catalogs).
_CLDR_LOCALES = {"nl": "nl_BE", "en": "en_GB"}
_WEEKDAY_DAY_MONTH_TIME = "EEE d MMM HH:mm"


def weekday_moment(at: datetime, zone: tzinfo, locale: str) -> str:
    """ "di 8 dec 14:00": the weekday, day, month and time of `at` in `zone`."""
    from babel.dates import format_datetime  # Babel loads with the first text, not at start

    cldr = _CLDR_LOCALES.get(locale, _CLDR_LOCALES["nl"])
    return format_datetime(at.astimezone(zone), _WEEKDAY_DAY_MONTH_TIME, locale=cldr)
