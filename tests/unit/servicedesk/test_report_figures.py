"""The service desk report's figures (bot/domain/servicedesk/report.py, through
bot/services/servicedesk/reports.py): times in working hours, medians and 90th percentiles,
breaches of each target, satisfaction, the knowledge base's deflection and its top questions."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.report import (
    AskedQuestion,
    Durations,
    Figures,
    SearchFigures,
    UnansweredQuestion,
    normalised,
    ticket_report,
    ticket_row,
    top_questions,
)
from bot.domain.servicedesk.tickets import DEFAULT_TARGETS, SlaState, Targets, TicketState, Urgency
from bot.services.servicedesk.reports import TicketReports
from tests.support.clock import FakeClock
from tests.unit.servicedesk.report_world import (
    BRUSSELS,
    CALENDAR,
    COMPLAINT,
    NOW,
    THANKS,
    Entities,
    MemoryTicketReportSource,
    at,
    filed,
    sample_report,
    week_of_tickets,
)

HIGH = DEFAULT_TARGETS[Urgency.HIGH]  # 1 working hour to the first response, 8 to the solution


# --- medians and percentiles --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        ([], Durations(0, None, None)),
        ([3.0], Durations(1, 3.0, 3.0)),
        ([1.0, 2.0], Durations(2, 1.5, 2.0)),
        ([float(h) for h in range(1, 11)], Durations(10, 5.5, 9.0)),  # nearest rank: the 9th
        ([10.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 40.0], Durations(11, 6.0, 10.0)),
    ],
)
def test_the_median_and_the_90th_percentile_are_times_that_occurred(
    hours: list[float], expected: Durations
) -> None:
    assert Durations.of(hours) == expected


# --- one ticket, in working hours ---------------------------------------------------------------
def test_a_night_and_a_weekend_do_not_count() -> None:
    # Friday 16:30 to Monday 08:20: 50 minutes of working time, 64 hours on the clock.
    asked = filed(1, at(6, 16, 30), urgency=Urgency.HIGH)
    answered = asked.assigned_to("jef").replied("jef", at(9, 8, 20))
    row = ticket_row(answered, HIGH, CALENDAR, NOW)
    assert row.hours_to_first_response == pytest.approx(0.83, abs=0.01)
    assert row.first_response is SlaState.MET  # within the 1-hour target, in working hours


def test_a_closed_day_does_not_count_either() -> None:
    armistice = WorkingCalendar(BRUSSELS, closed=lambda day: day == date(2026, 11, 11))
    asked = filed(1, at(10, 16, 30), urgency=Urgency.HIGH)  # Tuesday 16:30
    answered = asked.replied("jef", at(12, 8, 15))  # Thursday 08:15
    assert ticket_row(answered, HIGH, armistice, NOW).first_response is SlaState.MET
    assert ticket_row(answered, HIGH, CALENDAR, NOW).first_response is SlaState.BREACHED


def test_the_wait_on_the_person_is_not_counted_for_the_resolution() -> None:
    (two,) = [t for t in week_of_tickets() if t.reference.endswith("2")]
    row = ticket_row(two, DEFAULT_TARGETS[Urgency.NORMAL], CALENDAR, NOW)
    # Friday 16:00 to Monday 15:00 is 8 working hours, 3 of them waiting on the person.
    assert (row.hours_to_first_response, row.hours_to_resolution) == (2.0, 5.0)
    assert (row.first_response, row.resolution) == (SlaState.MET, SlaState.MET)
    assert row.rating == 2 and row.state is TicketState.CLOSED


def test_a_target_is_breached_when_missed_or_when_its_deadline_passed_unmet() -> None:
    asked = filed(1, at(2, 9), urgency=Urgency.HIGH)
    late = asked.replied("jef", at(2, 10, 30))  # 1.5 working hours: the first response late
    assert ticket_row(late, HIGH, CALENDAR, NOW).first_response is SlaState.BREACHED
    waiting = ticket_row(asked, HIGH, CALENDAR, at(2, 9, 30))  # nobody yet, half an hour in
    assert (waiting.first_response, waiting.hours_to_first_response) == (SlaState.ON_TIME, None)
    forgotten = ticket_row(asked, HIGH, CALENDAR, NOW)  # nobody, days later
    assert (forgotten.first_response, forgotten.resolution) == (
        SlaState.BREACHED,
        SlaState.BREACHED,
    )


def test_a_reopened_ticket_has_no_resolution_time_until_it_is_solved_again() -> None:
    asked = filed(1, at(2, 9))
    solved = asked.resolved("jef", "Gedaan.", at(2, 10), CALENDAR)
    reopened = solved.reopened("person-1", at(2, 11))
    row = ticket_row(reopened, DEFAULT_TARGETS[Urgency.NORMAL], CALENDAR, NOW)
    assert (row.hours_to_first_response, row.hours_to_resolution) == (1.0, None)
    assert row.state is TicketState.OPEN


# --- the groups ---------------------------------------------------------------------------------
def test_the_whole_period_adds_up() -> None:
    total = sample_report().total
    assert total == Figures(
        tickets=5,
        still_open=2,  # 3 is open, 4 new
        solved=3,  # 1 and 2 closed, 5 resolved
        first_response=Durations(4, 2.0, 3.0),  # 0.5, 2, 2, 3
        resolution=Durations(3, 2.0, 5.0),  # 0.5, 2, 5
        first_response_breached=2,  # 3 answered late, 4 never
        resolution_breached=2,  # 3 and 4, still open past their deadline
        rated=2,
        csat=3.5,  # 5 and 2
    )


def test_every_category_has_a_line_and_every_entity_of_the_people_who_asked_one_too() -> None:
    report = sample_report()
    assert [(g.key, g.figures.tickets) for g in report.by_category] == [
        (Category.ACCESS.value, 2),
        (Category.LICENCES.value, 2),
        (Category.POWER_PLATFORM.value, 0),
        (Category.POST.value, 1),
        (Category.OTHER.value, 0),
    ]
    # ADV has no desk of its own: its people's tickets (1 and 5, on the central desk) are its
    # line all the same; the one whose person's entity is unknown (4) has a line of its own.
    unknown, adv, awv = report.by_entity
    assert (unknown.key, adv.key, awv.key) == ("", "ADV", "AWV")
    assert (unknown.figures.tickets, unknown.figures.first_response_breached) == (1, 1)
    assert (adv.figures.tickets, adv.figures.solved, adv.figures.csat) == (2, 2, 5.0)
    assert adv.figures.first_response == Durations(2, 1.25, 2.0)
    assert (awv.figures.tickets, awv.figures.still_open, awv.figures.csat) == (2, 1, 2.0)
    assert (awv.figures.first_response_breached, awv.figures.resolution_breached) == (1, 1)
    empty = next(g for g in report.by_category if g.key == Category.OTHER.value).figures
    assert (empty.csat, empty.first_response) == (None, Durations(0, None, None))


def test_each_row_says_whose_entity_and_which_desk_with_what_the_person_wrote() -> None:
    one, three, four, two, five = sample_report().tickets
    assert [(r.entity, r.desk) for r in (one, two, three, four, five)] == [
        ("ADV", ""),
        ("AWV", "AWV"),
        ("AWV", "AWV"),
        ("", ""),
        ("ADV", ""),
    ]
    assert (one.rating, one.rating_comment) == (5, THANKS)
    assert (two.rating, two.rating_comment) == (2, COMPLAINT)
    assert (five.rating, five.rating_comment) == (None, "")


def test_one_entitys_report_holds_its_peoples_tickets_only() -> None:
    report = sample_report("AWV")
    assert [row.reference for row in report.tickets] == ["SD-2026-000003", "SD-2026-000002"]
    assert [g.key for g in report.by_entity] == ["AWV"]
    assert report.searches == sample_report().searches  # searches belong to no entity
    # An entity without a desk of its own: its people asked the central desk.
    central = sample_report("ADV")
    assert [row.reference for row in central.tickets] == ["SD-2026-000001", "SD-2026-000005"]
    assert [(g.key, g.figures.tickets) for g in central.by_entity] == [("ADV", 2)]
    assert (central.total.rated, central.total.csat) == (1, 5.0)
    nobody = sample_report("DOMG")
    assert (nobody.total.tickets, [g.key for g in nobody.by_entity]) == (0, ["DOMG"])


def test_only_tickets_created_in_the_period_count_oldest_first() -> None:
    report = ticket_report(
        week_of_tickets(), calendar=CALENDAR, now=NOW, start=at(3, 0), end=at(6, 0)
    )
    assert [row.reference for row in report.tickets] == ["SD-2026-000003", "SD-2026-000004"]


def test_configured_targets_are_the_ones_held_to() -> None:
    strict = {**DEFAULT_TARGETS, Urgency.NORMAL: Targets(first_response=1.0, resolution=4.0)}
    report = ticket_report(
        week_of_tickets(), calendar=CALENDAR, now=NOW, start=at(2, 0), end=at(16, 0), targets=strict
    )
    two = next(row for row in report.tickets if row.reference.endswith("2"))
    assert (two.first_response, two.resolution) == (SlaState.BREACHED, SlaState.BREACHED)


# --- the knowledge base -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("figures", "deflection"),
    [
        (SearchFigures(asked=20, answered=14, helped=8, not_helped=3), 0.4),
        (SearchFigures(asked=3, answered=3, helped=1), 0.3333),
        (SearchFigures(), None),
    ],
)
def test_deflection_is_what_helped_of_all_searches(
    figures: SearchFigures, deflection: float | None
) -> None:
    assert figures.deflection == deflection


def test_questions_written_alike_count_together_most_asked_first() -> None:
    assert sample_report().unanswered == (
        UnansweredQuestion("Hoe reset ik mijn wachtwoord?", "nl", 6),
        UnansweredQuestion("Waar vind ik mijn loonbrief?", "nl", 3),  # a tie: alphabetical
        UnansweredQuestion("Where do I book a meeting room?", "en", 3),
        UnansweredQuestion("=SOM(A1:A9)", "nl", 1),
    )
    assert normalised("  Hoe RÉSET ik   mijn wachtwoord ?! ") == "hoe reset ik mijn wachtwoord"


def test_only_the_top_ten_questions_are_kept_as_most_people_wrote_them() -> None:
    asked = [AskedQuestion("nl", f"Vraag nummer {n}?", 100 - n) for n in range(15)]
    asked += [AskedQuestion("nl", "vraag nummer 14", 200), AskedQuestion("nl", "?!", 50)]
    top = top_questions(asked)
    assert len(top) == 10
    assert top[0] == UnansweredQuestion("vraag nummer 14", "nl", 286)
    assert "?!" not in [q.question for q in top]  # no words: nothing to count
    assert top_questions([AskedQuestion("nl", "x" * 600, 1)])[0].question == "x" * 300


# --- the service --------------------------------------------------------------------------------
async def test_the_service_reads_the_days_of_brussels_both_included() -> None:
    source = MemoryTicketReportSource()
    reports = TicketReports(source, Entities(), CALENDAR, FakeClock(NOW))
    assert reports.today() == date(2026, 11, 11)
    report = await reports.report(date(2026, 11, 2), date(2026, 11, 6), "AWV")
    (asked,) = source.asked
    assert asked == (
        datetime(2026, 11, 2, tzinfo=BRUSSELS),
        datetime(2026, 11, 6, tzinfo=BRUSSELS) + timedelta(days=1),
        "AWV",
    )
    assert [row.reference for row in report.tickets] == ["SD-2026-000003", "SD-2026-000002"]
    assert report.made_at == NOW
    found = await reports.entity("awv")
    assert found is not None and found.code == "AWV"
    assert await reports.entity("XYZ") is None
