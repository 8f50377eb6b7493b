"""The ticket's state machine and its service levels (bot/domain/servicedesk/tickets.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.platform.errors import DomainError, Forbidden
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.tickets import (
    DEFAULT_TARGETS,
    REOPEN_DAYS,
    IllegalTicketStep,
    SlaState,
    Ticket,
    TicketState,
    Urgency,
    format_ticket_reference,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
CALENDAR = WorkingCalendar(BRUSSELS)  # Monday to Friday, 08:00-17:00
NORMAL = DEFAULT_TARGETS[Urgency.NORMAL]  # 4 h to the first response, 24 h to the resolution
LOTTE, ANN, JEF = "lotte", "ann", "jef"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 (the 2nd is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=BRUSSELS)


def ticket(**changes: object) -> Ticket:
    base = Ticket(
        id=1,
        reference="SD-2026-000001",
        tenant_id="t",
        requester_id=LOTTE,
        category=Category.ACCESS,
        urgency=Urgency.NORMAL,
        question="Mijn MFA werkt niet meer na een nieuwe gsm.",
        created_at=at(2, 9),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_whole_road_counts_versions() -> None:
    taken = ticket().assigned_to(ANN)
    asked = taken.replied(ANN, at(2, 10))
    back = asked.answered_by_requester(at(2, 11), CALENDAR)
    done = back.resolved(ANN, "Authenticator opnieuw geregistreerd.", at(2, 12), CALENDAR)
    rated = done.rated(LOTTE, 5, " Snel geholpen! ")
    assert [t.state for t in (taken, asked, back, done, rated)] == [
        TicketState.OPEN,
        TicketState.WAITING,
        TicketState.OPEN,
        TicketState.RESOLVED,
        TicketState.CLOSED,
    ]
    assert [t.version for t in (taken, asked, back, done, rated)] == [2, 3, 4, 5, 6]
    assert asked.first_response_at == at(2, 10) and back.first_response_at == at(2, 10)
    assert done.waited_hours == pytest.approx(1.0)  # 10:00 to 11:00 on the person
    assert (rated.rating, rated.rating_comment) == (5, "Snel geholpen!")


def test_an_agent_can_hand_it_to_a_colleague_without_changing_its_state() -> None:
    waiting = ticket().assigned_to(ANN).replied(ANN, at(2, 10))
    handed = waiting.assigned_to(JEF)
    assert (handed.state, handed.assignee_id) == (TicketState.WAITING, JEF)


@pytest.mark.parametrize("state", [TicketState.RESOLVED, TicketState.CLOSED])
def test_a_finished_ticket_takes_no_agent_step(state: TicketState) -> None:
    done = ticket(state=state, resolved_at=at(2, 12))
    with pytest.raises(IllegalTicketStep):
        done.assigned_to(ANN)
    with pytest.raises(IllegalTicketStep):
        done.replied(ANN, at(2, 13))
    with pytest.raises(IllegalTicketStep):
        done.resolved(ANN, "nog eens", at(2, 13), CALENDAR)


def test_resolving_needs_words() -> None:
    with pytest.raises(DomainError):
        ticket().resolved(ANN, "   ", at(2, 10), CALENDAR)


def test_only_the_person_reopens_within_the_days_allowed() -> None:
    done = ticket().assigned_to(ANN).resolved(ANN, "Opgelost.", at(2, 12), CALENDAR)
    with pytest.raises(Forbidden):
        done.reopened(ANN, at(3, 9))
    again = done.reopened(LOTTE.upper(), at(3, 9))  # ids compare without case
    assert again.state is TicketState.OPEN and again.resolved_at is None
    late = at(2, 12) + timedelta(days=REOPEN_DAYS, minutes=1)
    assert not done.may_reopen(late)
    with pytest.raises(DomainError):
        done.reopened(LOTTE, late)
    assert done.closed(late).state is TicketState.CLOSED


def test_the_desk_reopens_a_resolved_ticket_until_it_is_rated() -> None:
    done = ticket().assigned_to(ANN).resolved(ANN, "Opgelost.", at(2, 12), CALENDAR)
    again = done.reopened_by_desk()
    assert (again.state, again.resolved_at, again.resolution) == (TicketState.OPEN, None, "")
    assert again.version == done.version + 1
    with pytest.raises(DomainError):
        again.reopened_by_desk()
    with pytest.raises(DomainError):
        done.rated(LOTTE, 4).reopened_by_desk()


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_is_one_to_five_and_only_the_persons(rating: int) -> None:
    done = ticket().resolved(ANN, "Opgelost.", at(2, 12), CALENDAR)
    with pytest.raises(DomainError):
        done.rated(LOTTE, rating)
    with pytest.raises(Forbidden):
        done.rated(ANN, 4)


def test_first_response_is_counted_in_working_hours() -> None:
    late_friday = ticket(created_at=at(6, 15))  # 2 h left on Friday, 2 more on Monday
    assert late_friday.first_response_due(NORMAL, CALENDAR) == at(9, 10)
    assert late_friday.first_response_state(NORMAL, CALENDAR, at(9, 8)) is SlaState.ON_TIME
    assert late_friday.first_response_state(NORMAL, CALENDAR, at(9, 9, 30)) is SlaState.AT_RISK
    assert late_friday.first_response_state(NORMAL, CALENDAR, at(9, 10, 1)) is SlaState.BREACHED
    answered = late_friday.replied(ANN, at(9, 9))
    assert answered.first_response_state(NORMAL, CALENDAR, at(20, 9)) is SlaState.MET


def test_waiting_on_the_person_moves_the_resolution_target() -> None:
    asked = ticket().assigned_to(ANN).replied(ANN, at(2, 10))
    # 24 working hours from Monday 09:00: 8 on Monday, 9 on Tuesday, 7 on Wednesday ...
    assert ticket().resolution_due(NORMAL, CALENDAR, at(2, 9)) == at(4, 15)
    # ... and a working day (9 h) waiting on Lotte, Monday 10:00 to Tuesday 10:00, moves it
    # to Thursday.
    assert asked.resolution_due(NORMAL, CALENDAR, at(3, 10)) == at(5, 15)
    back = asked.answered_by_requester(at(3, 10), CALENDAR)
    assert back.resolution_due(NORMAL, CALENDAR, at(20, 9)) == at(5, 15)


@given(
    replies=st.lists(st.booleans(), max_size=6),
    hours=st.lists(st.integers(min_value=1, max_value=30), min_size=6, max_size=6),
)
def test_a_wait_never_counts_against_the_resolution(replies: list[bool], hours: list[int]) -> None:
    """Whatever the agent and the person do in turn, the resolution target is the plain one
    plus exactly the working hours spent waiting on the person."""
    now = at(2, 9)
    current = ticket().assigned_to(ANN)
    waited = 0.0
    for agent_turn, step in zip(replies, hours, strict=False):
        later = now + timedelta(hours=step)
        if current.state is TicketState.WAITING:
            waited += CALENDAR.working_hours_between(now, later)
        current = (
            current.replied(ANN, later)
            if agent_turn
            else current.answered_by_requester(later, CALENDAR)
        )
        now = later
    due = current.resolution_due(NORMAL, CALENDAR, now)
    assert due == CALENDAR.after_working_hours(at(2, 9), NORMAL.resolution + waited)


def test_references_count_per_year() -> None:
    assert format_ticket_reference(2026, 123) == "SD-2026-000123"


def test_an_agent_gives_a_new_ticket_to_a_colleague() -> None:
    given = ticket().assigned_to(JEF)
    assert (given.state, given.assignee_id, given.version) == (TicketState.OPEN, JEF, 2)
    again = given.assigned_to(ANN)
    assert (again.state, again.assignee_id, again.version) == (TicketState.OPEN, ANN, 3)


def test_a_change_of_category_or_urgency_counts_a_version() -> None:
    before = ticket()
    changed = before.changed(Category.LICENCES, Urgency.HIGH)
    assert (changed.category, changed.urgency, changed.version) == (
        Category.LICENCES,
        Urgency.HIGH,
        2,
    )
    assert changed.state is TicketState.NEW and before.urgency is Urgency.NORMAL


def test_no_change_is_the_same_ticket_so_nothing_is_saved() -> None:
    before = ticket()
    assert before.changed(before.category, before.urgency) is before


def test_another_urgency_has_other_targets_and_may_be_told_again() -> None:
    """The targets follow the urgency; what the worker said of the old ones is forgotten, a
    change of category alone keeps it."""
    told = ticket(sla_notified=frozenset({"first_response.at_risk"}))
    high = told.changed(told.category, Urgency.HIGH)
    assert high.sla_notified == frozenset()
    assert high.first_response_due(DEFAULT_TARGETS[Urgency.HIGH], CALENDAR) == at(2, 10)
    assert told.first_response_due(NORMAL, CALENDAR) == at(2, 13)
    moved = told.changed(Category.POST, told.urgency)
    assert moved.sla_notified == told.sla_notified and moved.category is Category.POST


@pytest.mark.parametrize("state", [TicketState.RESOLVED, TicketState.CLOSED])
def test_a_finished_ticket_is_not_changed(state: TicketState) -> None:
    done = ticket(state=state, resolved_at=at(2, 12))
    with pytest.raises(IllegalTicketStep):
        done.changed(Category.POST, Urgency.LOW)
    with pytest.raises(IllegalTicketStep):
        done.changed(done.category, done.urgency)
