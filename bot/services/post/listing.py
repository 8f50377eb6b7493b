"""What a person's `post` list asks for and gets: the filters typed or clicked, one page of items.

The desk (bot/services/post/desk.py) turns the filters into a query over the destinations the
person may see (bot/services/post/access.py); "deze week" starts on Monday 00:00 in the
administration's time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as day_start
from enum import StrEnum

from bot.domain.post.items import Destination, PostItem, PostState
from bot.domain.post.routing import PostQuery

PAGE_SIZE = 5
MAX_SEARCH = 100


class Scope(StrEnum):
    OPEN = "open"  # not handled yet (routed or in triage)
    HANDLED = "handled"
    ALL = "all"


SCOPE_STATES = {
    Scope.OPEN: frozenset({PostState.ROUTED, PostState.TRIAGE}),
    Scope.HANDLED: frozenset({PostState.HANDLED}),
    Scope.ALL: frozenset({PostState.ROUTED, PostState.TRIAGE, PostState.HANDLED}),
}


@dataclass(frozen=True, slots=True)
class PostFilters:
    """What `post` lists: "post aangetekend", "post deze week", "post zoek Fluvius"."""

    scope: Scope = Scope.OPEN
    registered: bool = False
    this_week: bool = False
    search: str = ""


@dataclass(frozen=True, slots=True)
class PostPage:
    """One page of a list; `page_size` is how many a full page holds (for the page number)."""

    items: tuple[PostItem, ...]
    filters: PostFilters
    offset: int
    has_more: bool
    page_size: int = PAGE_SIZE
    # The search as typed, when no letter held all its words and `filters` searches the words
    # that do occur ("advocatenkantoor Claeys & Engels" -> "Claeys & Engels"); else "".
    asked: str = ""


def list_query(
    destinations: tuple[Destination, ...],
    filters: PostFilters,
    *,
    today: date,
    zone: tzinfo,
    offset: int,
    page_size: int,
) -> PostQuery:
    """The query of one page, with one item more than a page to tell whether another follows."""
    return PostQuery(
        destinations=destinations,
        states=SCOPE_STATES[filters.scope],
        registered_only=filters.registered,
        received_since=week_start(today, zone) if filters.this_week else None,
        search=filters.search.strip()[:MAX_SEARCH],
        limit=page_size + 1,
        offset=max(offset, 0),
    )


def week_start(today: date, zone: tzinfo) -> datetime:
    """Monday 00:00 of this week, in the administration's time zone ("deze week")."""
    monday = today - timedelta(days=today.weekday())
    return datetime.combine(monday, day_start.min, tzinfo=zone)


def narrower(search: str, occurs: Sequence[bool]) -> str:
    """The search's words that occur in some letter (occurs: per word of `search.split()`),
    when some do and some do not; "" when there is nothing narrower to search."""
    words = search.split()
    kept = [word for word, found in zip(words, occurs, strict=True) if found]
    return " ".join(kept) if kept and len(kept) < len(words) else ""
