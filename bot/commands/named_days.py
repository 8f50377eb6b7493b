"""Days people name instead of writing them: "tot kerstavond", "vanaf nieuwjaar", "until
Christmas Eve", "na Pasen". Shared by the sentence reader (bot/commands/argument_words.py), which
finds them among a sentence's words, and the delegation dialog (dialogs/post/text.py), which
turns them into a date.

A name is matched with its words run together, so that "kerst avond", "Kerstavond" and
"new year's eve" ("new", "year", "s", "eve") read alike. Only days a name fixes are here: the
feasts of the Belgian calendar and the days around the turn of the year; a holiday that lasts
("de kerstvakantie", "the Easter holidays") names no day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from dateutil.easter import easter

# fmt: off
# (month, day) of the days whose date a name fixes.
_FIXED: dict[str, tuple[int, int]] = {
    **dict.fromkeys(("kerstavond", "christmaseve", "xmaseve"), (12, 24)),
    **dict.fromkeys((
        "kerst", "kerstmis", "kerstdag", "eerstekerstdag", "christmas", "christmasday", "xmas",
    ), (12, 25)),
    **dict.fromkeys(("tweedekerstdag", "boxingday"), (12, 26)),
    **dict.fromkeys((
        "oudejaar", "oudjaar", "oudejaarsdag", "oudejaarsavond", "oudjaarsavond", "silvester",
        "newyearseve", "newyeareve",
    ), (12, 31)),
    **dict.fromkeys((
        "nieuwjaar", "nieuwjaarsdag", "nieuwejaar", "newyear", "newyears", "newyearsday",
        "newyearday",
    ), (1, 1)),
    **dict.fromkeys(("dagvandearbeid", "labourday", "laborday"), (5, 1)),
    **dict.fromkeys(("vlaamsefeestdag",), (7, 11)),
    **dict.fromkeys(("nationalefeestdag", "belgiannationalday"), (7, 21)),
    **dict.fromkeys(("allerheiligen", "allsaintsday"), (11, 1)),
    **dict.fromkeys(("allerzielen", "allsoulsday"), (11, 2)),
    **dict.fromkeys(("wapenstilstand", "armisticeday"), (11, 11)),
}
# Days after Easter Sunday (computed by dateutil, the maintained reckoning of Easter).
_AFTER_EASTER: dict[str, int] = {
    **dict.fromkeys(("pasen", "paaszondag", "easter", "eastersunday"), 0),
    **dict.fromkeys(("paasmaandag", "eastermonday"), 1),
    **dict.fromkeys(("hemelvaart", "hemelvaartsdag", "ascension", "ascensionday"), 39),
    **dict.fromkeys(("pinksteren", "pinksterzondag", "pentecost", "whitsun", "whitsunday"), 49),
    **dict.fromkeys(("pinkstermaandag", "whitmonday"), 50),
}
# fmt: on
# The most words a name is written in ("new", "year", "s", "eve").
MAX_WORDS = 4


def is_named_day(folded_words: Sequence[str]) -> bool:
    """The words, folded and run together, name a day: ["kerst", "avond"], ["pasen"]."""
    joined = "".join(folded_words)
    return joined in _FIXED or joined in _AFTER_EASTER


def named_day(folded_words: Sequence[str], today: date) -> date | None:
    """The first day from today on that the words name; None when they name none."""
    joined = "".join(folded_words)
    if joined in _FIXED:
        month, day = _FIXED[joined]
        found = date(today.year, month, day)
        return found if found >= today else date(today.year + 1, month, day)
    if joined in _AFTER_EASTER:
        after = timedelta(days=_AFTER_EASTER[joined])
        found = easter(today.year) + after
        return found if found >= today else easter(today.year + 1) + after
    return None
