"""The service desk's report on fakes: a week of tickets in Brussels working hours, the
knowledge base's searches, and the report dialog on the real dispatcher and signed links.

The week (Europe/Brussels, working hours 08:00-17:00, Monday to Friday): Monday 2 November
2026 to Friday 6 November, with 11 November (Armistice Day) closed when a test asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.commands.dispatcher import Dispatcher
from bot.commands.registry import Registry
from bot.domain.licences.catalogue import Catalogue
from bot.domain.platform.roles import Role
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.report import AskedQuestion, SearchFigures, TicketReport, ticket_report
from bot.domain.servicedesk.tickets import Ticket, Urgency
from bot.http.signed_links import SignedLinks
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.reports import TicketReports
from devtools.demo_catalogue import demo_catalogue
from dialogs.servicedesk.report import TicketReportDialog
from tests.support.chat import FakeTurn, say
from tests.support.clock import FakeClock
from tests.unit.fakes import MemoryAuditLog

BRUSSELS = ZoneInfo("Europe/Brussels")
CALENDAR = WorkingCalendar(BRUSSELS)
TENANT = "tenant-1"
SECRET = b"unit-test-link-secret-0123456789"
BASE = "https://werkplek.example"
# Wednesday 11 November 2026, 12:00: the week of 2 November is over.
NOW = datetime(2026, 11, 11, 12, 0, tzinfo=BRUSSELS)
STAFF = frozenset({Role.STAFF})
# What people wrote with their rating (tickets 1 and 2).
THANKS = "Snel en vriendelijk geholpen, bedankt!"
COMPLAINT = "=2 dagen gewacht op een licentie"
AGENT = frozenset({Role.STAFF, Role.AGENT})
ADMIN = frozenset({Role.STAFF, Role.ADMIN})


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 in Brussels."""
    return datetime(2026, 11, day, hour, minute, tzinfo=BRUSSELS)


def filed(
    number: int,
    created: datetime,
    *,
    category: Category = Category.ACCESS,
    urgency: Urgency = Urgency.NORMAL,
    desk: str = "",
    entity: str | None = None,
) -> Ticket:
    """entity: the person's (by default the desk's: a desk of its own is its people's)."""
    return Ticket(
        id=number,
        reference=f"SD-2026-{number:06d}",
        tenant_id=TENANT,
        requester_id=f"person-{number}",
        category=category,
        urgency=urgency,
        question=f"Vraag {number}",
        created_at=created,
        desk=desk,
        requester_entity=desk if entity is None else entity,
    )


def week_of_tickets() -> list[Ticket]:
    """Five tickets of the week of 2 November, each with its own story (AWV has a desk of its
    own; ADV's people ask the central one):

    1. access, high, central, asked by someone of ADV: answered after 30 minutes, then waiting
       on the person until it was solved at 11:00 (2 working hours, 0.5 counted), rated 5 with
       a word of thanks
    2. access, normal, AWV: filed Friday 16:00, answered Monday 9:00 (2 working hours), waited
       on the person 3 working hours, solved Monday 15:00 (8 working hours, 5 counted), rated 2
       with a comment that looks like a formula (it stays text)
    3. licences, high, AWV: answered after 3 working hours (its 1-hour target missed), still
       open past its resolution target
    4. post, low, central, its person's entity unknown: never answered (its 8-hour target
       passed long before NOW)
    5. licences, normal, central, ADV: filed Friday 6 November 16:45, solved (and so answered)
       Monday 9 November 9:45: 2 working hours; not rated yet
    """
    one = filed(1, at(2, 9), urgency=Urgency.HIGH, entity="ADV")
    one = one.assigned_to("jef").replied("jef", at(2, 9, 30))
    one = one.resolved("jef", "MFA opnieuw geregistreerd.", at(2, 11), CALENDAR)
    one = one.rated("person-1", 5, THANKS)
    two = filed(2, at(6, 16), desk="AWV")
    two = two.assigned_to("ann").replied("ann", at(9, 9))  # waits on the person from 9:00
    two = two.answered_by_requester(at(9, 12), CALENDAR)  # 3 working hours waited
    two = two.resolved("ann", "Licentie toegekend.", at(9, 15), CALENDAR)
    two = two.rated("person-2", 2, COMPLAINT)
    three = filed(3, at(3, 10), category=Category.LICENCES, urgency=Urgency.HIGH, desk="AWV")
    three = three.assigned_to("ann").replied("ann", at(3, 13))
    three = three.answered_by_requester(at(3, 14), CALENDAR)
    four = filed(4, at(4, 10), category=Category.POST, urgency=Urgency.LOW)
    five = filed(5, at(6, 16, 45), category=Category.LICENCES, entity="ADV")
    five = five.assigned_to("jef").resolved("jef", "Opgelost.", at(9, 9, 45), CALENDAR)
    return [one, two, three, four, five]


SEARCHES = SearchFigures(asked=20, answered=14, helped=8, not_helped=3)
QUESTIONS = [
    AskedQuestion("nl", "Hoe reset ik mijn wachtwoord?", 4),
    AskedQuestion("nl", "hoe reset ik mijn wachtwoord", 2),
    AskedQuestion("nl", "Waar vind ik mijn loonbrief?", 3),
    AskedQuestion("en", "Where do I book a meeting room?", 3),
    AskedQuestion("nl", "=SOM(A1:A9)", 1),  # text, never a formula
]


def sample_report(entity: str | None = None) -> TicketReport:
    return ticket_report(
        week_of_tickets(),
        calendar=CALENDAR,
        now=NOW,
        start=at(2, 0),
        end=at(9, 0) + timedelta(days=7),
        entity=entity,
        searches=SEARCHES,
        unanswered=QUESTIONS,
    )


@dataclass
class MemoryTicketReportSource:
    """TicketReportSource on lists (the real one is tested on both engines)."""

    tickets: list[Ticket] = field(default_factory=week_of_tickets)
    searches: SearchFigures = SEARCHES
    questions: list[AskedQuestion] = field(default_factory=lambda: list(QUESTIONS))
    asked: list[tuple[datetime, datetime, str | None]] = field(default_factory=list)

    async def tickets_created(
        self, start: datetime, end: datetime, entity: str | None = None
    ) -> list[Ticket]:
        self.asked.append((start, end, entity))
        return [
            t
            for t in self.tickets
            if start <= t.created_at < end and (entity is None or t.requester_entity == entity)
        ]

    async def search_figures(self, start: datetime, end: datetime) -> SearchFigures:
        return self.searches

    async def unanswered_questions(
        self, start: datetime, end: datetime, limit: int
    ) -> list[AskedQuestion]:
        return self.questions[:limit]


class Entities:
    """bot.services.platform.entities.Entities as the report reads it: the catalogue."""

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        self._catalogue = catalogue or demo_catalogue()

    async def catalogue(self) -> Catalogue:
        return self._catalogue


class ReportWorld:
    """The report dialog through the real dispatcher, on the memory source and a fake clock."""

    def __init__(self, source: MemoryTicketReportSource | None = None) -> None:
        self.clock = FakeClock(NOW)
        self.source = source or MemoryTicketReportSource()
        self.reports = TicketReports(self.source, Entities(), CALENDAR, self.clock)
        self.audit = MemoryAuditLog()
        self.links = SignedLinks(BASE, SECRET, timedelta(minutes=10), self.clock)
        self.registry = Registry()
        self.dispatcher = Dispatcher(
            self.registry, Auditor(self.audit, self.clock), "https://desk.example"
        )
        self.dialog = TicketReportDialog(self.reports, self.links)
        self.registry.add_dialog(self.dialog)

    async def say(
        self, text: str, user_id: str, roles: frozenset[Role], locale: str = "nl"
    ) -> FakeTurn:
        return await say(
            self.dispatcher, text, user_id=user_id, tenant_id=TENANT, roles=roles, locale=locale
        )

    def actions(self, action: str) -> list[tuple[str, str, dict[str, str]]]:
        return [
            (e.outcome.value, e.actor_id, e.detail)
            for e in self.audit.entries
            if e.action == action
        ]
