"""A service-desk ticket: a person's question that the knowledge base did not answer, what
happens to it, and the service levels it is held to.

States and who moves them (every move returns a new Ticket with its version counted on; the
store saves it only over the version it read, so two agents clicking at once cannot both win):

    NEW ──assigned_to─▶ OPEN ──reply──▶ WAITING (on the person) ──person answers──▶ OPEN
     │                    │  ▲                                                         │
     └──────────── resolve┴──┴─reopen (the person, within REOPEN_DAYS) ◀── RESOLVED ◀──┘
                                                                         │
                                              close (after REOPEN_DAYS, or rated) ▶ CLOSED

Service levels: a first response and a resolution within a number of working hours that
depends on the urgency (bot/domain/platform/working_time.py counts them: no evenings, weekends
or holidays). Time a ticket waits on the person does not count against the resolution target.
A target still to meet is "at risk" once less than (1 - AT_RISK_SHARE) of its working hours is
left. What the service-level worker (bot/services/servicedesk/sla_worker.py) has already said of
a target is kept on the ticket (`sla_notified`), saved with the version check like every step,
so each reminder and escalation goes out once, whatever crashes or replicas.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.platform.errors import DomainError, Forbidden
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.articles import Category

MAX_QUESTION = 4000
MAX_RESOLUTION = 4000
REOPEN_DAYS = 7
REFERENCE_PREFIX = "SD"
# Share of a target after which the ticket is "at risk" (the assignee is reminded).
AT_RISK_SHARE = 0.8
RATINGS = range(1, 6)


class TicketState(StrEnum):
    NEW = "new"  # nobody has it yet
    OPEN = "open"  # an agent works on it
    WAITING = "waiting"  # the agent asked the person something
    RESOLVED = "resolved"  # the agent says it is solved; the person may reopen for a while
    CLOSED = "closed"  # final


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class SlaState(StrEnum):
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"  # the target's moment came, in time


class Relay(StrEnum):
    """Whether the person's free messages in their chat go to the ticket: asked once."""

    UNASKED = ""
    ON = "on"
    OFF = "off"


class SlaTarget(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


# The states of a target the worker speaks of: at risk (a reminder), breached (an escalation).
NOTIFIED_STATES = (SlaState.AT_RISK, SlaState.BREACHED)


@dataclass(frozen=True, slots=True)
class SlaStep:
    """A target that reached a state nobody was told of yet, and the moment it is due."""

    target: SlaTarget
    state: SlaState
    due: datetime

    @property
    def mark(self) -> str:
        return sla_mark(self.target, self.state)


def sla_mark(target: SlaTarget, state: SlaState) -> str:
    """What `Ticket.sla_notified` keeps of a notice sent: "first_response.at_risk"."""
    return f"{target.value}.{state.value}"


@dataclass(frozen=True, slots=True)
class Targets:
    """Working hours to the first response and to the resolution, for one urgency."""

    first_response: float
    resolution: float


DEFAULT_TARGETS: dict[Urgency, Targets] = {
    Urgency.HIGH: Targets(first_response=1.0, resolution=8.0),
    Urgency.NORMAL: Targets(first_response=4.0, resolution=24.0),
    Urgency.LOW: Targets(first_response=8.0, resolution=40.0),
}


# Tickets the desk still has to work on (its queue).
OPEN_STATES = frozenset({TicketState.NEW, TicketState.OPEN, TicketState.WAITING})


class MessageKind(StrEnum):
    REQUESTER = "requester"  # the person wrote
    AGENT = "agent"  # an agent answered the person
    NOTE = "note"  # internal: between agents, never shown to the person
    EVENT = "event"  # what happened to the ticket (assigned, resolved, reopened, ...)

    @property
    def internal(self) -> bool:
        return self is MessageKind.NOTE


@dataclass(frozen=True, slots=True)
class TicketMessage:
    """A line of a ticket's conversation, as the store keeps it (in the order it came)."""

    at: datetime
    author_id: str  # an Entra object id; "" for an event without an author
    kind: MessageKind
    text: str


@dataclass(frozen=True, slots=True)
class NewTicket:
    """A person's question as it is filed, checked by the service before it is stored; the
    store gives it its id and its reference (of the year of `created_at`)."""

    tenant_id: str
    requester_id: str
    category: Category
    urgency: Urgency
    question: str
    created_at: datetime
    desk: str = ""
    context: tuple[tuple[str, str], ...] = ()
    requester_entity: str = ""  # the person's entity code, whether it has a desk or not


class IllegalTicketStep(DomainError):
    """The ticket is not in a state that allows this step (someone else was first)."""

    message_key = "servicedesk.ticket.illegal_step"


class StaleTicket(DomainError):
    """Someone saved another step of the ticket first; reload it and try again."""

    message_key = "servicedesk.ticket.stale"


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    reference: str  # SD-2026-000123
    tenant_id: str
    requester_id: str
    category: Category
    urgency: Urgency
    question: str
    created_at: datetime
    state: TicketState = TicketState.NEW
    desk: str = ""  # the entity whose desk handles it; "" the central desk
    requester_entity: str = ""  # the person's entity when they asked it; "" unknown
    assignee_id: str = ""
    # Where the question came from: a failed flow's reference ("WP-…", "LIC-…", "POST-…").
    context: tuple[tuple[str, str], ...] = ()
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    resolution: str = ""
    # Working hours spent waiting on the person so far (not counted against the resolution).
    waited_hours: float = 0.0
    waiting_since: datetime | None = None
    rating: int | None = None
    rating_comment: str = ""  # what the person wrote with it: their own words, never logged
    # The service-level notices sent ("resolution.at_risk", see sla_mark): each goes out once.
    sla_notified: frozenset[str] = frozenset()
    # Kept beside the steps (the store sets it without the version check): the person's
    # choice, which no agent's step contradicts.
    relay: Relay = Relay.UNASKED
    version: int = 1

    # --- agents -------------------------------------------------------------------------------
    def assigned_to(self, agent_id: str) -> Ticket:
        """An agent takes it, or gives it to a colleague: a new ticket becomes open."""
        self._must_be(TicketState.NEW, TicketState.OPEN, TicketState.WAITING)
        state = TicketState.OPEN if self.state is TicketState.NEW else self.state
        return self._next(state=state, assignee_id=agent_id)

    def replied(self, agent_id: str, now: datetime) -> Ticket:
        """An agent answered the person: the first response if it is the first, and the
        ticket waits on the person (from the first of several replies in a row)."""
        self._must_be(TicketState.NEW, TicketState.OPEN, TicketState.WAITING)
        return self._next(
            state=TicketState.WAITING,
            assignee_id=self.assignee_id or agent_id,
            first_response_at=self.first_response_at or now,
            waiting_since=self.waiting_since or now,
        )

    def resolved(
        self, agent_id: str, resolution: str, now: datetime, calendar: WorkingCalendar
    ) -> Ticket:
        self._must_be(TicketState.NEW, TicketState.OPEN, TicketState.WAITING)
        text = resolution.strip()
        if not text:
            raise DomainError("servicedesk.ticket.resolution_required")
        if len(text) > MAX_RESOLUTION:
            raise DomainError("servicedesk.ticket.too_long", limit=MAX_RESOLUTION)
        return self._next(
            state=TicketState.RESOLVED,
            assignee_id=self.assignee_id or agent_id,
            first_response_at=self.first_response_at or now,
            resolved_at=now,
            resolution=text,
            waited_hours=self._waited_until(now, calendar),
            waiting_since=None,
        )

    def changed(self, category: Category, urgency: Urgency) -> Ticket:
        """Another category or urgency while it is to do; the same ticket when nothing changes.
        Another urgency has other targets: what the worker said of the old ones is forgotten."""
        self._must_be(TicketState.NEW, TicketState.OPEN, TicketState.WAITING)
        if (category, urgency) == (self.category, self.urgency):
            return self
        if urgency is self.urgency:
            return self._next(category=category)
        return self._next(category=category, urgency=urgency, sla_notified=frozenset())

    def noted(self) -> Ticket:
        """An internal note was written: nothing moves, the version counts on (the desk's card
        is edited to show it)."""
        return self._next()

    # --- the person ---------------------------------------------------------------------------
    def answered_by_requester(self, now: datetime, calendar: WorkingCalendar) -> Ticket:
        """The person wrote back: a ticket waiting on them is open again. The version counts
        on either way (the desk's card is edited to show what they wrote)."""
        if self.state not in OPEN_STATES:
            raise IllegalTicketStep(state=self.state.value)
        if self.state is not TicketState.WAITING:
            return self._next()
        return self._next(
            state=TicketState.OPEN,
            waited_hours=self._waited_until(now, calendar),
            waiting_since=None,
        )

    def reopened(self, requester_id: str, now: datetime) -> Ticket:
        self._must_be_requester(requester_id)
        self._must_be(TicketState.RESOLVED)
        if not self.may_reopen(now):
            raise DomainError("servicedesk.ticket.reopen_too_late")
        return self._next(state=TicketState.OPEN, resolved_at=None, resolution="")

    def reopened_by_desk(self) -> Ticket:
        """An agent takes a resolved ticket back up (the fix did not hold); not once it is
        rated and closed: then the person's verdict stands and a new ticket starts afresh."""
        self._must_be(TicketState.RESOLVED)
        return self._next(state=TicketState.OPEN, resolved_at=None, resolution="")

    @property
    def relays(self) -> bool:
        """The person's free messages go to it now."""
        return self.relay is Relay.ON and self.state in OPEN_STATES

    def may_reopen(self, now: datetime) -> bool:
        return (
            self.state is TicketState.RESOLVED
            and self.resolved_at is not None
            and now - self.resolved_at <= timedelta(days=REOPEN_DAYS)
        )

    def rated(self, requester_id: str, rating: int, comment: str = "") -> Ticket:
        """ "Ben je geholpen?": 1 to 5 and a comment, once, on a resolved ticket; it closes it."""
        self._must_be_requester(requester_id)
        self._must_be(TicketState.RESOLVED)
        if rating not in RATINGS:
            raise DomainError("servicedesk.ticket.bad_rating")
        closed = self._next(state=TicketState.CLOSED, rating=rating, closed_at=self.resolved_at)
        return replace(closed, rating_comment=comment.strip())

    def closed(self, now: datetime) -> Ticket:
        """Resolved for longer than REOPEN_DAYS: closed for good."""
        self._must_be(TicketState.RESOLVED)
        return self._next(state=TicketState.CLOSED, closed_at=now)

    # --- service levels -----------------------------------------------------------------------
    def first_response_due(self, targets: Targets, calendar: WorkingCalendar) -> datetime:
        return calendar.after_working_hours(self.created_at, targets.first_response)

    def resolution_due(
        self, targets: Targets, calendar: WorkingCalendar, now: datetime
    ) -> datetime:
        """The resolution target, moved on by the working hours the ticket waited on the
        person (so far, counting a wait still going on until `now`)."""
        waited = self._waited_until(now, calendar)
        return calendar.after_working_hours(self.created_at, targets.resolution + waited)

    def first_response_state(
        self, targets: Targets, calendar: WorkingCalendar, now: datetime
    ) -> SlaState:
        due = self.first_response_due(targets, calendar)
        return _state(due, targets.first_response, self.first_response_at, now, calendar)

    def resolution_state(
        self, targets: Targets, calendar: WorkingCalendar, now: datetime
    ) -> SlaState:
        due = self.resolution_due(targets, calendar, now)
        return _state(due, targets.resolution, self.resolved_at, now, calendar)

    def sla_steps(
        self, targets: Targets, calendar: WorkingCalendar, now: datetime
    ) -> list[SlaStep]:
        """The targets still to meet (no first response yet; not resolved yet) that are at
        risk or breached now and were not notified of in that state. A breach passes over the
        reminder it was never given: the escalation says more."""
        if self.state not in OPEN_STATES:
            return []
        pending = []
        if self.first_response_at is None:
            due = self.first_response_due(targets, calendar)
            state = self.first_response_state(targets, calendar, now)
            pending.append(SlaStep(SlaTarget.FIRST_RESPONSE, state, due))
        if self.resolved_at is None:
            due = self.resolution_due(targets, calendar, now)
            state = self.resolution_state(targets, calendar, now)
            pending.append(SlaStep(SlaTarget.RESOLUTION, state, due))
        return [
            step
            for step in pending
            if step.state in NOTIFIED_STATES and step.mark not in self.sla_notified
        ]

    def sla_noted(self, steps: Iterable[SlaStep]) -> Ticket:
        """The notices of `steps` were sent: each is kept (a breach with the reminder before
        it), so none goes out again."""
        marks = set(self.sla_notified)
        for step in steps:
            marks.add(step.mark)
            if step.state is SlaState.BREACHED:
                marks.add(sla_mark(step.target, SlaState.AT_RISK))
        return self._next(sla_notified=frozenset(marks))

    # --- helpers ------------------------------------------------------------------------------
    def _waited_until(self, now: datetime, calendar: WorkingCalendar) -> float:
        if self.waiting_since is None:
            return self.waited_hours
        return self.waited_hours + calendar.working_hours_between(self.waiting_since, now)

    def _must_be(self, *states: TicketState) -> None:
        if self.state not in states:
            raise IllegalTicketStep(state=self.state.value)

    def _must_be_requester(self, person_id: str) -> None:
        if person_id.casefold() != self.requester_id.casefold():
            raise Forbidden("servicedesk.ticket.not_yours")

    def _next(self, **changes: object) -> Ticket:
        return replace(self, version=self.version + 1, **changes)  # type: ignore[arg-type]


def _state(
    due: datetime,
    hours: float,
    done_at: datetime | None,
    now: datetime,
    calendar: WorkingCalendar,
) -> SlaState:
    """Where a target of `hours` working hours, due at `due`, stands at `now`. At risk is
    counted on what is left (the working hours from now to the due moment), so time waiting
    on the person, which moves the due moment on, never brings a ticket nearer to it."""
    if done_at is not None:
        return SlaState.MET if done_at <= due else SlaState.BREACHED
    if now > due:
        return SlaState.BREACHED
    used = hours - calendar.working_hours_between(now, due)
    if hours > 0 and used >= AT_RISK_SHARE * hours:
        return SlaState.AT_RISK
    return SlaState.ON_TIME


def format_ticket_reference(year: int, number: int) -> str:
    """SD-2026-000123: the year it was asked and a number counting per year."""
    return f"{REFERENCE_PREFIX}-{year}-{number:06d}"
