"""What a report asked for in chat says: the first and last day and an entity code, in any
order. Shared by the licence report (`rapport licenties`, dialogs/licences/admin.py) and the
ticket report (`rapport tickets`, dialogs/servicedesk/report.py); each report explains a wrong
ask in its own words (`AskMessages`: its own command as the example).

The words of periods and entities are read by bot/domain/platform/report_period.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.platform.errors import DomainError
from bot.domain.platform.report_period import (
    NamedEntity,
    calendar_period,
    fold_words,
    named_entity,
    named_period,
    one_day,
    written_days,
)
from bot.domain.platform.text import fold

DEFAULT_REPORT_DAYS = 30
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOCAL_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
# "1/11", "15.11": a day without its year, the last one that has been (a report looks back).
_SHORT_DAY = re.compile(r"^(\d{1,2})[/.](\d{1,2})$")
# Words people put around dates and codes: "rapport licenties van 1/10/2026 tot 31/10/2026".
# fmt: off
_FILLER = frozenset({
    "van", "vanaf", "tot", "en", "met", "tem", "tm", "t/m", "voor", "de", "het", "entiteit",
    "periode", "from", "to", "until", "till", "for", "the", "entity", "period", "-", "–", "..",
    "sinds", "since", "tussen", "between", "and", "bij", "of", "t", "m",
})
_MAX_CODE = 6
# fmt: on


@dataclass(frozen=True, slots=True)
class ReportAsk:
    """What "rapport ..." asked for: the first and last day, an entity code or ""."""

    start: date
    end: date
    entity: str = ""


@dataclass(frozen=True, slots=True)
class AskMessages:
    """The message ids a report explains a wrong ask with: a date it cannot read (`value`),
    an ask it cannot read at all, an end before the start."""

    bad_date: str
    not_understood: str
    bad_period: str


def parse_day(word: str, messages: AskMessages, today: date | None = None) -> date | None:
    """2026-10-31, 31/10/2026, 31-10-2026 or 31.10.2026, and with `today` 31/10 or 31.10 (the
    last 31 October up to today); None for anything else; a date that does not exist
    (31/02/2026) raises DomainError(messages.bad_date)."""
    try:
        if _ISO_DAY.match(word):
            return date.fromisoformat(word)
        if found := _LOCAL_DAY.match(word):
            day, month, year = (int(part) for part in found.groups())
            return date(year, month, day)
        if today is not None and (found := _SHORT_DAY.match(word)):
            day, month = (int(part) for part in found.groups())
            this_year = date(today.year, month, day)
            return this_year if this_year <= today else date(today.year - 1, month, day)
    except ValueError:
        raise DomainError(messages.bad_date, value=word) from None
    return None


def parse_report_ask(
    args: str, today: date, entities: Sequence[NamedEntity], messages: AskMessages
) -> ReportAsk:
    """Dates, a period and an entity in any order: "van 1/10/2026 tot 31/10/2026 voor ADV",
    "sinds 15 oktober", "vorige maand", "laatste 30 dagen", "oktober 2026", "het derde
    kwartaal", "het Departement Omgeving" (with the entities). One date means from then until
    today; none the last DEFAULT_REPORT_DAYS days. A code is written in capitals, or an
    entity's own code ("awv"), or the only word given; beside a known entity, other words in
    capitals ("PPU", "MFA") and in a sentence the other words ask nothing of the report."""
    typed = args.replace(",", " ").split()
    words = fold_words(args.replace(",", " "))
    used = {i for i, word in enumerate(words) if word in _FILLER or not word}
    period = named_period(words, used, today)
    placed = written_days(words, used, today)
    typed_days = any(_ISO_DAY.match(w) or _LOCAL_DAY.match(w) or _SHORT_DAY.match(w) for w in words)
    if period is None and not placed and not typed_days:  # "oktober 2026", "Q3"
        period = calendar_period(words, used, today) or one_day(words, used, today)
    entity = named_entity(words, used, entities)
    known = {fold(e.code) for e in entities}
    codes: list[str] = [entity] if entity else []
    capitals: list[str] = []  # "AWV", or "MFA" in "DFB deze week, de MFA-meldingen"
    rest: list[str] = []
    for i, word in enumerate(typed):
        if i in used:
            continue
        if (day := parse_day(word.strip(".,;:!?()"), messages, today)) is not None:
            placed.append((i, day))
        elif words[i] in known:  # "awv": the entity's own code
            codes.append(next(e.code for e in entities if fold(e.code) == words[i]))
        elif _a_code(word):
            capitals.append(word.strip(".,;:!?()"))
        else:
            rest.append(word)
    # Other words in capitals beside a known entity ("PPU", "MT") ask nothing of the report;
    # without one, they are the entity asked for, known or not (refused as unknown later).
    codes = codes or capitals
    days = [day for _, day in sorted(placed)]  # in the order written: "28/10 tot 3 november"
    if not codes and len(rest) == 1 and not days and period is None:
        codes = rest  # "rapport licenties xyz": the entity asked for, known or not
    if len(days) > 2 or len(set(map(fold, codes))) > 1 or (period and days):
        raise DomainError(messages.not_understood)
    if period is not None:
        days = list(period)
    elif not days:
        days = [today - timedelta(days=DEFAULT_REPORT_DAYS - 1), today]
    elif len(days) == 1:
        days.append(today)
    start, end = days
    if end < start:
        raise DomainError(messages.bad_period)
    return ReportAsk(start, end, codes[0] if codes else "")


def _a_code(word: str) -> bool:
    """ "AWV", "DOMG": a short word in capitals."""
    bare = word.strip(".,;:!?()")
    return bare.isalpha() and bare.isupper() and 1 < len(bare) <= _MAX_CODE
