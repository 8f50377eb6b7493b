"""What the service desk's report reads (bot/store/servicedesk/ticket_report.py), on both
dialects: the tickets created in a period (of one entity's people or all), the knowledge base's
searches counted, and the questions it did not answer, the same text counted together."""

from __future__ import annotations

import pytest

from bot.domain.servicedesk.report import AskedQuestion, SearchFigures
from bot.domain.servicedesk.tickets import Ticket
from bot.store import Database
from bot.store.servicedesk.ticket_report import SqlTicketReportSource
from tests.integration.servicedesk.report_data import store_week
from tests.unit.servicedesk.report_world import COMPLAINT, THANKS, at

WEEK = (at(2, 0), at(9, 0))  # Monday 2 to Sunday 8 November, Brussels


@pytest.fixture
async def week(database: Database) -> list[Ticket]:
    return await store_week(database)


async def test_the_tickets_of_a_period_oldest_first(database: Database, week: list[Ticket]) -> None:
    source = SqlTicketReportSource(database)
    found = await source.tickets_created(*WEEK)
    one, two, three, four, five = week
    assert found == [one, three, four, two, five]  # every field read back as the desk left it
    assert (one.rating_comment, two.rating_comment) == (THANKS, COMPLAINT)
    # One entity's: its people's tickets, whichever desk (ADV's went to the central one).
    assert await source.tickets_created(*WEEK, entity="AWV") == [three, two]
    assert await source.tickets_created(*WEEK, entity="ADV") == [one, five]
    assert await source.tickets_created(*WEEK, entity="") == [four]  # the person's unknown
    assert await source.tickets_created(*WEEK, entity="DOMG") == []
    assert await source.tickets_created(at(3, 0), at(4, 0)) == [three]  # the end is not in it
    assert await source.tickets_created(at(2, 9), at(2, 9)) == []


async def test_the_searches_of_a_period_counted(database: Database, week: list[Ticket]) -> None:
    source = SqlTicketReportSource(database)
    counted = await source.search_figures(*WEEK)
    assert counted == SearchFigures(asked=8, answered=4, helped=2, not_helped=1)
    assert counted.deflection == 0.25
    assert await source.search_figures(at(20, 0), at(21, 0)) == SearchFigures()


async def test_the_questions_not_answered_most_asked_first(
    database: Database, week: list[Ticket]
) -> None:
    source = SqlTicketReportSource(database)
    first, *others = await source.unanswered_questions(*WEEK, limit=10)
    # No article, or its article did not help; the one said to help or not answered yet is out.
    assert first == AskedQuestion("nl", "Hoe reset ik mijn wachtwoord?", 2)
    assert set(others) == {  # the order of equals is each engine's collation
        AskedQuestion("nl", "hoe reset ik mijn wachtwoord", 1),
        AskedQuestion("nl", "Waar vind ik mijn loonbrief?", 1),
        AskedQuestion("en", "Where do I book a meeting room?", 1),
    }
    assert len(await source.unanswered_questions(*WEEK, limit=2)) == 2
    later = await source.unanswered_questions(at(10, 0), at(11, 0), limit=10)
    assert later == [AskedQuestion("nl", "Hoe reset ik mijn wachtwoord?", 1)]
