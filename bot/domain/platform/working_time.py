"""Working days and working hours: when the administration works, for reminders and deadlines.

A working day is Monday to Friday and not a day the administration is closed (Belgian public
holidays and its own closing days: bot/services/platform/working_calendar.py gives `closed`).
Working hours are one span a working day (08:00-17:00 by default) in the organisation's zone.
Post reminders count working days; the service desk's targets count working hours.

Pure: the calendar is given what is closed as a function, so this module knows no library and
no settings, and tests give it any holidays they like.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

_SATURDAY = 5
# A day span "08:00-17:00" (or "8-17", "8u-17u30").
_SPAN = re.compile(r"^\s*(\d{1,2})(?:[:.hu](\d{2}))?u?\s*-\s*(\d{1,2})(?:[:.hu](\d{2}))?u?\s*$")
# No search walks further than this for the next working day: a calendar that closes every
# day (a misconfiguration) fails loudly instead of looping.
_MAX_CLOSED_RUN = 366


def _never_closed(_day: date) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class WorkingHours:
    start: time = time(8, 0)
    end: time = time(17, 0)

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("working hours must end after they start")

    @property
    def seconds(self) -> float:
        return _seconds(self.end) - _seconds(self.start)

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """ "08:00-17:00", "8-17", "8u30-16u30"; ValueError for anything else."""
        found = _SPAN.match(text)
        if not found:
            raise ValueError(f"not a span of hours: {text!r} (write it as 08:00-17:00)")
        start_h, start_m, end_h, end_m = found.groups()
        try:
            return cls(time(int(start_h), int(start_m or 0)), time(int(end_h), int(end_m or 0)))
        except ValueError:  # 25:00, or an end before the start
            raise ValueError(f"not a span of working hours: {text!r}") from None


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    zone: tzinfo
    closed: Callable[[date], bool] = field(default=_never_closed)
    hours: WorkingHours = field(default_factory=WorkingHours)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < _SATURDAY and not self.closed(day)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`: Friday to Monday is 1 (when
        that Monday is no holiday); 0 when `end` is not after `start`."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def after_working_days(self, start: datetime, days: int) -> datetime:
        """The moment `days` working days after `start`, at the same local time: Friday 16:00
        + 1 is Monday 16:00, or Tuesday when Monday is a holiday."""
        _aware(start)
        if days < 0:
            raise ValueError("days must not be negative")
        local = start.astimezone(self.zone)
        day = local.date()
        for _ in range(days):
            day = self._next_working_day(day)
        return datetime.combine(day, local.time(), tzinfo=self.zone)

    def after_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` working hours after `start` (a deadline): time outside working
        hours, weekends and closed days does not count; a start outside them counts from the
        next working moment."""
        _aware(start)
        if hours < 0:
            raise ValueError("hours must not be negative")
        remaining = hours * 3600.0
        moment = self._working_moment(start.astimezone(self.zone))
        while True:
            end_of_day = datetime.combine(moment.date(), self.hours.end, tzinfo=self.zone)
            left_today = (end_of_day - moment).total_seconds()
            if remaining <= left_today:
                return moment + timedelta(seconds=remaining)
            remaining -= left_today
            moment = self._opening(self._next_working_day(moment.date()))

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours from `start` to `end` (how long a ticket has waited); 0 when `end`
        is not after `start`."""
        _aware(start)
        _aware(end)
        if end <= start:
            return 0.0
        first, last = start.astimezone(self.zone), end.astimezone(self.zone)
        seconds, day = 0.0, first.date()
        while day <= last.date():
            if self.is_working_day(day):
                opens, closes = self._opening(day), self._closing(day)
                span_start, span_end = max(opens, first), min(closes, last)
                if span_end > span_start:
                    seconds += (span_end - span_start).total_seconds()
            day += timedelta(days=1)
        return seconds / 3600.0

    def _working_moment(self, local: datetime) -> datetime:
        """`local` if it is within working hours, else the next opening."""
        day = local.date()
        if self.is_working_day(day):
            if local < self._opening(day):
                return self._opening(day)
            if local < self._closing(day):
                return local
        return self._opening(self._next_working_day(day))

    def _next_working_day(self, day: date) -> date:
        for _ in range(_MAX_CLOSED_RUN):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("the calendar has no working day within a year")

    def _opening(self, day: date) -> datetime:
        return datetime.combine(day, self.hours.start, tzinfo=self.zone)

    def _closing(self, day: date) -> datetime:
        return datetime.combine(day, self.hours.end, tzinfo=self.zone)


def _seconds(moment: time) -> float:
    return moment.hour * 3600.0 + moment.minute * 60.0 + moment.second


def _aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moments must be timezone-aware")
