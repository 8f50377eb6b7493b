"""The service desk's report: tickets of a period with their times, service levels and ratings,
per category and per entity, and what the knowledge base answered (the figures:
bot/domain/servicedesk/report.py).

One `TicketReports` serves the chat command (`rapport tickets`: the figures on a card and a
download link), the download link itself and `werkplek report tickets`. Days are the
administration's (its time zone, the working calendar's); the period is from the first day to
the last, both included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol

from bot.domain.licences.catalogue import Catalogue, Entity
from bot.domain.platform.text import fold
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.report import TicketReport, ticket_report
from bot.domain.servicedesk.tickets import DEFAULT_TARGETS, Targets, Urgency
from bot.ports.platform import Clock
from bot.ports.servicedesk import TicketReportSource

# Distinct question texts read to find the top ones: far more than the top needs, so spellings
# of one question further down still count with it; a bound on what one report reads.
QUESTIONS_READ = 5000


class EntityCatalogue(Protocol):
    """The entities of the administration (bot.services.platform.entities.Entities)."""

    async def catalogue(self) -> Catalogue: ...


async def build_ticket_report(
    source: TicketReportSource,
    calendar: WorkingCalendar,
    targets: Mapping[Urgency, Targets],
    now: datetime,
    start: datetime,
    end: datetime,
    entity: str | None = None,
) -> TicketReport:
    """The report over tickets created in [start, end) (aware datetimes), of one entity's
    people or of all, with the knowledge base's searches of the same period (of everyone)."""
    found = await source.tickets_created(start, end, entity)
    searches = await source.search_figures(start, end)
    unanswered = await source.unanswered_questions(start, end, QUESTIONS_READ)
    return ticket_report(
        found,
        calendar=calendar,
        now=now,
        start=start,
        end=end,
        entity=entity,
        targets=targets,
        searches=searches,
        unanswered=unanswered,
    )


class TicketReports:
    def __init__(
        self,
        source: TicketReportSource,
        entities: EntityCatalogue,
        calendar: WorkingCalendar,
        clock: Clock,
        targets: Mapping[Urgency, Targets] = DEFAULT_TARGETS,
    ) -> None:
        self._source = source
        self._entities = entities
        self._calendar = calendar
        self._clock = clock
        self._targets = targets

    @property
    def zone(self) -> tzinfo:
        """The administration's time zone (its days, its working hours)."""
        return self._calendar.zone

    def today(self) -> date:
        """Today in the administration's time zone (the default period ends today)."""
        return self._clock.now().astimezone(self._calendar.zone).date()

    async def entities(self) -> Sequence[Entity]:
        """The entities a report may be asked for (the catalogue's)."""
        return (await self._entities.catalogue()).entities

    async def entity(self, code: str) -> Entity | None:
        """The entity of a code, written in any case; None when the catalogue has none."""
        return next((e for e in await self.entities() if fold(e.code) == fold(code)), None)

    async def report(self, first: date, last: date, entity: str | None = None) -> TicketReport:
        """From the first day to the last, both included; `entity`: the tickets of one
        entity's people (its code as the catalogue writes it), None everyone's."""
        zone = self._calendar.zone
        start = datetime.combine(first, time(), zone)
        end = datetime.combine(last + timedelta(days=1), time(), zone)
        return await build_ticket_report(
            self._source, self._calendar, self._targets, self._clock.now(), start, end, entity
        )
