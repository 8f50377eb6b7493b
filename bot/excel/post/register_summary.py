"""The numbers on the post register's summary sheet: counts per entity, document type and state,
and the median handling time in working days. Pure (no openpyxl), so it is tested on its own.

Handling time runs from when Werkplek received the item (its intake) to when someone marked it
handled. Working days skip Saturdays and Sundays, counted in the configured time zone: an item
in on Friday at 16:00 and handled on Monday at 10:00 took 8 + 10 hours = 0.75 working days.
Public holidays are not known here and count as working days.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum

from bot.domain.post.items import DestinationKind, DocumentType, PostItem, PostState

_DAY_SECONDS = 24 * 60 * 60
_SATURDAY = 5


class Dimension(StrEnum):
    TOTAL = "total"
    ENTITY = "entity"
    TYPE = "type"
    STATE = "state"


@dataclass(frozen=True, slots=True)
class SummaryRow:
    dimension: Dimension
    value: str  # an entity code ("" for none), a DocumentType or PostState value; "" for total
    count: int
    handled: int
    median_working_days: float | None  # None when nothing in the group was handled

    @property
    def open(self) -> int:
        return self.count - self.handled


def item_entity(item: PostItem) -> str:
    """The entity the scanner named, else the entity whose queue the item was routed to."""
    if item.metadata.entity:
        return item.metadata.entity
    if item.destination.kind is DestinationKind.ENTITY:
        return item.destination.target
    return ""


def working_days(start: datetime, end: datetime, timezone: tzinfo) -> float:
    """Time between two aware datetimes in days of 24 hours, leaving out Saturdays and Sundays
    (local days in `timezone`)."""
    if end <= start:
        return 0.0
    seconds = 0.0
    day = start.astimezone(timezone).date()
    last = end.astimezone(timezone).date()
    while day <= last:
        if day.weekday() < _SATURDAY:
            day_start = datetime.combine(day, time(), timezone)
            day_end = datetime.combine(day + timedelta(days=1), time(), timezone)
            overlap = min(end, day_end) - max(start, day_start)
            seconds += max(0.0, overlap.total_seconds())
        day += timedelta(days=1)
    return seconds / _DAY_SECONDS


def handling_days(item: PostItem, timezone: tzinfo) -> float | None:
    if item.state is not PostState.HANDLED or item.handled_at is None:
        return None
    return working_days(item.created_at, item.handled_at, timezone)


def summary_rows(items: Sequence[PostItem], timezone: tzinfo) -> list[SummaryRow]:
    """The total, then one row per entity (alphabetical, "none" last), per document type and
    per state (every type and state, also those with no items, so months compare)."""
    entities = sorted({item_entity(item) for item in items}, key=lambda e: (not e, e.casefold()))
    rows = [_row(Dimension.TOTAL, "", items, timezone)]
    rows += _group(Dimension.ENTITY, entities, items, item_entity, timezone)
    rows += _group(
        Dimension.TYPE,
        [kind.value for kind in DocumentType],
        items,
        lambda item: item.metadata.document_type.value,
        timezone,
    )
    rows += _group(
        Dimension.STATE,
        [state.value for state in PostState],
        items,
        lambda item: item.state.value,
        timezone,
    )
    return rows


def _group(
    dimension: Dimension,
    values: Iterable[str],
    items: Sequence[PostItem],
    key: Callable[[PostItem], str],
    timezone: tzinfo,
) -> list[SummaryRow]:
    return [
        _row(dimension, value, [item for item in items if key(item) == value], timezone)
        for value in values
    ]


def _row(
    dimension: Dimension, value: str, items: Sequence[PostItem], timezone: tzinfo
) -> SummaryRow:
    days = [d for d in (handling_days(item, timezone) for item in items) if d is not None]
    median = round(statistics.median(days), 2) if days else None
    return SummaryRow(dimension, value, len(items), len(days), median)
