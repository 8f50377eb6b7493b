"""The service desk's report over a period: its tickets, how fast they were answered and
solved, their service levels and ratings, and what the knowledge base answered.

Pure: it takes the tickets created in the period, the targets per urgency, the working calendar
and the moment the report is made, with the knowledge base's search figures and the questions
it did not answer, and returns plain rows any writer (Excel, a card) shows.

- Times are working hours (bot/domain/platform/working_time.py: no evenings, weekends or
  holidays): to the first response, and to the resolution without the time the ticket waited
  on the person (as the resolution target counts it). A ticket reopened and not solved again
  has no resolution time.
- A target is breached when it was missed, or, for a ticket still waiting for that moment, when
  its deadline has passed when the report is made (Ticket.first_response_state and
  resolution_state).
- Summaries give the median and the 90th percentile (nearest rank: always a time that really
  occurred). CSAT is the mean rating (1 to 5) of the rated tickets, with how many there are;
  what people wrote with their rating is on each ticket's row (their own words: the report is
  for admins and agents, and nothing here logs it).
- "Per entity" is the entity of the person who asked (Ticket.requester_entity, "" unknown),
  whichever desk handled the ticket: with only the central desk, every entity still has its own
  line, and one entity's report holds its people's tickets. The desk stays on each row.
- The knowledge base's deflection: searches answered by an article that helped, of all
  searches. Searches are counted for everyone (they carry no entity). Its top questions are the
  most frequent ones it found no article for or whose article did not help, compared as
  folded words ("Hoe reset ik MFA?" == "hoe reset ik mfa"), shown as most people wrote them.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.platform.text import folded_words
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.tickets import (
    DEFAULT_TARGETS,
    OPEN_STATES,
    SlaState,
    Targets,
    Ticket,
    TicketState,
    Urgency,
)

TOP_QUESTIONS = 10
# A question is shown this long at most (the store keeps 500 characters of it).
MAX_QUESTION_SHOWN = 300
_P90 = 0.9
_SOLVED = frozenset({TicketState.RESOLVED, TicketState.CLOSED})
_BREACHED = SlaState.BREACHED


@dataclass(frozen=True, slots=True)
class Durations:
    """How many times there are, their median and 90th percentile, in working hours (None:
    no times)."""

    count: int
    median: float | None
    p90: float | None

    @staticmethod
    def of(hours: Sequence[float]) -> Durations:
        if not hours:
            return Durations(0, None, None)
        ordered = sorted(hours)
        p90 = ordered[max(0, math.ceil(_P90 * len(ordered)) - 1)]
        return Durations(len(ordered), round(statistics.median(ordered), 2), round(p90, 2))


@dataclass(frozen=True, slots=True)
class TicketRow:
    reference: str
    entity: str  # the entity of the person who asked; "" unknown
    desk: str  # the entity whose desk handled it; "" the central desk
    category: Category
    urgency: Urgency
    state: TicketState
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    hours_to_first_response: float | None  # working hours
    hours_to_resolution: float | None  # working hours, not counting the wait on the person
    first_response: SlaState
    resolution: SlaState
    rating: int | None
    rating_comment: str  # the person's own words with their rating; "" none


@dataclass(frozen=True, slots=True)
class Figures:
    """One group of tickets: all of them, a category's or an entity's."""

    tickets: int
    still_open: int  # new, open or waiting on the person
    solved: int  # resolved or closed
    first_response: Durations
    resolution: Durations
    first_response_breached: int
    resolution_breached: int
    rated: int
    csat: float | None  # the mean rating, 1 to 5; None: nobody rated

    @staticmethod
    def of(rows: Sequence[TicketRow]) -> Figures:
        ratings = [row.rating for row in rows if row.rating is not None]
        first = [h for row in rows if (h := row.hours_to_first_response) is not None]
        solved = [h for row in rows if (h := row.hours_to_resolution) is not None]
        return Figures(
            tickets=len(rows),
            still_open=sum(1 for row in rows if row.state in OPEN_STATES),
            solved=sum(1 for row in rows if row.state in _SOLVED),
            first_response=Durations.of(first),
            resolution=Durations.of(solved),
            first_response_breached=sum(1 for row in rows if row.first_response is _BREACHED),
            resolution_breached=sum(1 for row in rows if row.resolution is _BREACHED),
            rated=len(ratings),
            csat=round(statistics.fmean(ratings), 2) if ratings else None,
        )


@dataclass(frozen=True, slots=True)
class GroupFigures:
    key: str  # a category's value, or an entity's code ("" unknown)
    figures: Figures


@dataclass(frozen=True, slots=True)
class SearchFigures:
    """The knowledge base's searches of the period."""

    asked: int = 0
    answered: int = 0  # an article was offered
    helped: int = 0  # the person said it helped
    not_helped: int = 0  # the person said "Nee"

    @property
    def deflection(self) -> float | None:
        """Searches an article answered and that helped, of all searches (None: no search)."""
        return round(self.helped / self.asked, 4) if self.asked else None


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    """A question the knowledge base did not answer, as stored: the same text counted once."""

    language: str
    question: str
    count: int


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    question: str  # as most people wrote it
    language: str
    count: int


@dataclass(frozen=True, slots=True)
class TicketReport:
    start: datetime
    end: datetime  # the period is [start, end)
    entity: str | None  # one entity's people's tickets, or None: everyone's
    made_at: datetime  # open tickets' service levels are as of this moment
    tickets: tuple[TicketRow, ...]
    total: Figures
    by_category: tuple[GroupFigures, ...]
    by_entity: tuple[GroupFigures, ...]
    searches: SearchFigures
    unanswered: tuple[UnansweredQuestion, ...]


def ticket_row(
    ticket: Ticket, targets: Targets, calendar: WorkingCalendar, now: datetime
) -> TicketRow:
    def hours_to(moment: datetime | None, waited: float = 0.0) -> float | None:
        if moment is None:
            return None
        worked = calendar.working_hours_between(ticket.created_at, moment)
        return round(max(0.0, worked - waited), 2)

    return TicketRow(
        reference=ticket.reference,
        entity=ticket.requester_entity,
        desk=ticket.desk,
        category=ticket.category,
        urgency=ticket.urgency,
        state=ticket.state,
        created_at=ticket.created_at,
        first_response_at=ticket.first_response_at,
        resolved_at=ticket.resolved_at,
        hours_to_first_response=hours_to(ticket.first_response_at),
        hours_to_resolution=hours_to(ticket.resolved_at, ticket.waited_hours),
        first_response=ticket.first_response_state(targets, calendar, now),
        resolution=ticket.resolution_state(targets, calendar, now),
        rating=ticket.rating,
        rating_comment=ticket.rating_comment,
    )


def normalised(question: str) -> str:
    """A question as questions are compared: its folded words (case, accents and punctuation
    left out)."""
    return " ".join(folded_words(question))


def top_questions(
    asked: Iterable[AskedQuestion], limit: int = TOP_QUESTIONS
) -> tuple[UnansweredQuestion, ...]:
    """The most asked questions, the ones written alike counted together; most asked first
    (then in alphabetical order), each as most people wrote it."""
    totals: Counter[str] = Counter()
    spellings: dict[str, Counter[tuple[str, str]]] = {}
    for one in asked:
        key = normalised(one.question)
        if not key or one.count <= 0:
            continue
        totals[key] += one.count
        shown = " ".join(one.question.split())[:MAX_QUESTION_SHOWN]
        spellings.setdefault(key, Counter())[(shown, one.language)] += one.count
    ranked = sorted(totals.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
    found = []
    for key, count in ranked:
        # The most written spelling; among equals the first in alphabetical order.
        (shown, language), _ = min(spellings[key].items(), key=lambda item: (-item[1], item[0]))
        found.append(UnansweredQuestion(shown, language, count))
    return tuple(found)


def ticket_report(
    tickets: Iterable[Ticket],
    *,
    calendar: WorkingCalendar,
    now: datetime,
    start: datetime,
    end: datetime,
    entity: str | None = None,
    targets: Mapping[Urgency, Targets] = DEFAULT_TARGETS,
    searches: SearchFigures | None = None,
    unanswered: Iterable[AskedQuestion] = (),
) -> TicketReport:
    """The report over tickets created in [start, end), of one entity's people or of all."""
    chosen = sorted(
        (
            t
            for t in tickets
            if start <= t.created_at < end and (entity is None or t.requester_entity == entity)
        ),
        key=lambda t: (t.created_at, t.reference),
    )
    rows = tuple(
        ticket_row(t, targets.get(t.urgency, DEFAULT_TARGETS[t.urgency]), calendar, now)
        for t in chosen
    )
    by_category = tuple(
        GroupFigures(c.value, Figures.of([r for r in rows if r.category is c])) for c in Category
    )
    codes = sorted({r.entity for r in rows} | ({entity} if entity is not None else set()))
    by_entity = tuple(
        GroupFigures(code, Figures.of([r for r in rows if r.entity == code])) for code in codes
    )
    return TicketReport(
        start=start,
        end=end,
        entity=entity,
        made_at=now,
        tickets=rows,
        total=Figures.of(rows),
        by_category=by_category,
        by_entity=by_entity,
        searches=searches or SearchFigures(),
        unanswered=top_questions(unanswered),
    )
