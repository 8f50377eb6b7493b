"""Working days and hours (bot/domain/platform/working_time.py), and the organisation's calendar
from its settings (bot/services/platform/working_calendar.py: Belgian public holidays through
the `holidays` library, closing days of its own)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.platform.working_time import WorkingCalendar, WorkingHours
from bot.services.platform.working_calendar import closing_day, working_calendar

BRUSSELS = ZoneInfo("Europe/Brussels")
PLAIN = WorkingCalendar(BRUSSELS)  # Monday to Friday, 08:00-17:00, nothing closed
FLEMISH = working_calendar(BRUSSELS, "08:00-17:00", "BE", closing_days=["07-11"])


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


# --- working days ---------------------------------------------------------------------------
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 11, 2) + timedelta(days=n) for n in range(7))
NEXT_MON = MON + timedelta(days=7)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (MON, MON, 0),
        (MON, TUE, 1),
        (MON, WED, 2),
        (MON, FRI, 4),
        (FRI, SAT, 0),
        (FRI, SUN, 0),
        (FRI, NEXT_MON, 1),  # across a weekend
        (SAT, NEXT_MON, 1),
        (SUN, NEXT_MON, 1),
        (MON, NEXT_MON, 5),
        (WED, WED + timedelta(days=14), 10),
        (THU, NEXT_MON + timedelta(days=1), 3),
        (TUE, MON, 0),  # backwards
    ],
)
def test_working_days_between(start: date, end: date, days: int) -> None:
    assert PLAIN.working_days_between(start, end) == days


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (datetime(2026, 11, 2, 10, 0, tzinfo=BRUSSELS), 3, datetime(2026, 11, 5, 10, 0)),  # Mon
        (datetime(2026, 11, 6, 16, 0, tzinfo=BRUSSELS), 1, datetime(2026, 11, 9, 16, 0)),  # Fri
        (datetime(2026, 11, 6, 16, 0, tzinfo=BRUSSELS), 3, datetime(2026, 11, 11, 16, 0)),
        (datetime(2026, 11, 7, 10, 0, tzinfo=BRUSSELS), 1, datetime(2026, 11, 9, 10, 0)),  # Sat
        (datetime(2026, 11, 6, 16, 0, tzinfo=BRUSSELS), 7, datetime(2026, 11, 17, 16, 0)),
        (datetime(2026, 11, 2, 10, 0, tzinfo=BRUSSELS), 0, datetime(2026, 11, 2, 10, 0)),
        # UTC in, local out: 23:30 UTC on Friday is already Saturday in Brussels
        (datetime(2026, 11, 6, 23, 30, tzinfo=UTC), 1, datetime(2026, 11, 9, 0, 30)),
        # across the end of summer time (25 October 2026): same local time, other offset
        (datetime(2026, 10, 23, 9, 0, tzinfo=BRUSSELS), 1, datetime(2026, 10, 26, 9, 0)),
    ],
)
def test_after_working_days(start: datetime, days: int, due: datetime) -> None:
    result = PLAIN.after_working_days(start, days)
    assert result == due.replace(tzinfo=BRUSSELS)
    assert result.tzinfo is BRUSSELS
    local_start = start.astimezone(BRUSSELS).date()
    assert PLAIN.working_days_between(local_start, result.date()) == days


def test_due_across_summer_time_keeps_the_wall_clock() -> None:
    due = PLAIN.after_working_days(datetime(2026, 10, 23, 9, 0, tzinfo=BRUSSELS), 1)
    assert due.utcoffset() == timedelta(hours=1)  # Friday was +2, Monday is +1


def test_due_needs_an_aware_start_and_a_count() -> None:
    with pytest.raises(ValueError):
        PLAIN.after_working_days(datetime(2026, 11, 2, 10, 0), 1)
    with pytest.raises(ValueError):
        PLAIN.after_working_days(datetime(2026, 11, 2, 10, 0, tzinfo=UTC), -1)


# --- public holidays and closing days ---------------------------------------------------------
@pytest.mark.parametrize(
    "day",
    [
        date(2026, 12, 25),  # Christmas
        date(2027, 1, 1),  # New Year
        date(2027, 3, 29),  # Easter Monday 2027: moves every year
        date(2027, 5, 6),  # Ascension 2027
        date(2027, 5, 17),  # Whit Monday 2027
        date(2026, 7, 21),  # National Day
        date(2026, 11, 11),  # Armistice
        date(2028, 7, 11),  # 11 July (a Tuesday in 2028): the organisation's own closing day
    ],
)
def test_belgian_holidays_and_closing_days_are_no_working_days(day: date) -> None:
    assert day.weekday() < 5  # each is a weekday, so only the calendar closes it
    assert not FLEMISH.is_working_day(day)
    assert PLAIN.is_working_day(day)


def test_a_reminder_skips_a_holiday() -> None:
    # Tuesday 10 November 2026 + 1 working day: Wednesday 11 November is Armistice Day.
    assert FLEMISH.after_working_days(at(2026, 11, 10, 9), 1) == at(2026, 11, 12, 9)
    # Christmas week: Thursday 24/12 + 2 skips Friday 25/12 and the weekend.
    assert FLEMISH.after_working_days(at(2026, 12, 24, 9), 2) == at(2026, 12, 29, 9)
    assert FLEMISH.working_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 2


def test_closing_days_are_read_as_yearly_or_once() -> None:
    assert closing_day("07-11") == (None, 7, 11)
    assert closing_day("02-29") == (None, 2, 29)
    assert closing_day("2026-12-24") == (2026, 12, 24)
    once = working_calendar(BRUSSELS, "8-17", "BE", closing_days=["2026-12-24"])
    assert not once.is_working_day(date(2026, 12, 24))
    assert once.is_working_day(date(2027, 12, 24))
    for wrong in ("11/07", "13-01", "2026-02-30", "", "juli"):
        with pytest.raises(ValueError):
            closing_day(wrong)


# --- working hours ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("08:00-17:00", time(8), time(17)),
        ("8-17", time(8), time(17)),
        ("8u30-16u30", time(8, 30), time(16, 30)),
        (" 07.45 - 16.15 ", time(7, 45), time(16, 15)),
    ],
)
def test_working_hours_are_read(text: str, start: time, end: time) -> None:
    assert WorkingHours.parse(text) == WorkingHours(start, end)


@pytest.mark.parametrize("text", ["17-8", "8:00", "heel de dag", "25-26", "8-8"])
def test_nonsense_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        WorkingHours.parse(text)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(2026, 11, 2, 9), 4, at(2026, 11, 2, 13)),  # Monday morning, same day
        (at(2026, 11, 2, 15), 4, at(2026, 11, 3, 10)),  # 2 h today, 2 h tomorrow
        (at(2026, 11, 6, 16), 2, at(2026, 11, 9, 9)),  # Friday into Monday
        (at(2026, 11, 7, 11), 1, at(2026, 11, 9, 9)),  # asked on Saturday
        (at(2026, 11, 2, 6), 1, at(2026, 11, 2, 9)),  # before opening
        (at(2026, 11, 2, 20), 9, at(2026, 11, 3, 17)),  # after closing: a whole next day
        (at(2026, 11, 10, 16), 2, at(2026, 11, 12, 9)),  # across Armistice Day
    ],
)
def test_a_deadline_counts_working_hours(start: datetime, hours: float, due: datetime) -> None:
    assert FLEMISH.after_working_hours(start, hours) == due


def test_hours_between_count_only_working_time() -> None:
    assert FLEMISH.working_hours_between(at(2026, 11, 6, 16), at(2026, 11, 9, 10)) == 3
    assert FLEMISH.working_hours_between(at(2026, 11, 10, 8), at(2026, 11, 12, 8)) == 9
    assert FLEMISH.working_hours_between(at(2026, 11, 9, 10), at(2026, 11, 6, 16)) == 0
    # UTC in: 07:00 UTC on a winter Monday is 08:00 in Brussels.
    monday_utc = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
    assert FLEMISH.working_hours_between(monday_utc, at(2026, 11, 2, 12)) == 4


@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2028, 12, 31),
        timezones=st.just(BRUSSELS),
    ),
    minutes=st.integers(min_value=0, max_value=60 * 9 * 15),
)
def test_a_deadline_is_as_many_working_hours_away_as_asked(start: datetime, minutes: int) -> None:
    due = FLEMISH.after_working_hours(start, minutes / 60)
    assert FLEMISH.working_hours_between(start, due) == pytest.approx(minutes / 60, abs=1e-6)
    assert FLEMISH.is_working_day(due.date())


def test_a_calendar_closed_every_day_fails_loudly() -> None:
    never = WorkingCalendar(BRUSSELS, closed=lambda _day: True)
    with pytest.raises(ValueError):
        never.after_working_days(at(2026, 11, 2, 9), 1)
