"""Where a ticket's two service levels stand now, for the desk's cards: per target its state and
the moment it is due (its "clock").

Decisions (and why):
- The due moments and states are the ticket's own (Ticket.first_response_due, resolution_due,
  *_state): the card, the reminders and the report read one rule. The resolution's due moment
  is moved on by the working hours the ticket waited on the person, counting a wait still going
  on until `now`; so while it waits, the moment shown is the one if the person answered now.
- A target whose moment came (answered, resolved) no longer runs: the card says whether it was
  met, not a moment that no longer matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.tickets import SlaState, SlaTarget, Targets, Ticket


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One target: its state now, when it is (or was) due, and whether it still runs (nothing
    answered or resolved yet)."""

    target: SlaTarget
    state: SlaState
    due: datetime
    is_running: bool


@dataclass(frozen=True, slots=True)
class TicketSla:
    first_response: SlaClock
    resolution: SlaClock

    @property
    def clocks(self) -> tuple[SlaClock, SlaClock]:
        return (self.first_response, self.resolution)

    @property
    def states(self) -> tuple[SlaState, SlaState]:
        return (self.first_response.state, self.resolution.state)


def ticket_sla(
    ticket: Ticket, targets: Targets, calendar: WorkingCalendar, now: datetime
) -> TicketSla:
    """Both targets of `ticket` at `now`, in the organisation's working hours."""
    return TicketSla(
        first_response=SlaClock(
            SlaTarget.FIRST_RESPONSE,
            ticket.first_response_state(targets, calendar, now),
            ticket.first_response_due(targets, calendar),
            is_running=ticket.first_response_at is None,
        ),
        resolution=SlaClock(
            SlaTarget.RESOLUTION,
            ticket.resolution_state(targets, calendar, now),
            ticket.resolution_due(targets, calendar, now),
            is_running=ticket.resolved_at is None,
        ),
    )
