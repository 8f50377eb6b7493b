"""`rapport tickets` / `tickets report` in chat, through the real dispatcher: agents and admins
get the period's figures and a signed download link; staff are refused, and that is audited; a
period or an entity that cannot be read is explained, with no link."""

from __future__ import annotations

import pytest

from bot.domain.platform.errors import DomainError
from bot.domain.servicedesk.report import SearchFigures
from bot.http.exports import TICKETS_REPORT
from dialogs.servicedesk.report import TICKETS_REPORT_EXPORT, parse_report_ask
from tests.unit.licence_admin.world import link_params, links, open_url
from tests.unit.servicedesk.report_world import (
    ADMIN,
    AGENT,
    NOW,
    STAFF,
    MemoryTicketReportSource,
    ReportWorld,
)
from tests.unit.test_dispatcher import card_text

JEF, LOTTE, MARLEEN = "jef", "lotte", "marleen"
NOW_SECONDS = int(NOW.timestamp())


@pytest.fixture
def world() -> ReportWorld:
    return ReportWorld()


def test_the_dialog_asks_for_the_kind_the_export_endpoint_serves() -> None:
    assert TICKETS_REPORT_EXPORT == TICKETS_REPORT


async def test_an_agent_gets_the_figures_and_a_signed_link(world: ReportWorld) -> None:
    turn = await world.say("rapport tickets van 2/11/2026 tot 15/11/2026", JEF, AGENT)
    (card,) = turn.cards
    text = card_text(card)
    assert card["body"][0]["style"] == "heading"
    assert "Rapport van de servicedesk" in text
    facts = {fact["title"]: fact["value"] for fact in card["body"][1]["facts"]}
    assert facts == {
        "Periode": "02/11/2026 – 15/11/2026",
        "Entiteit": "alle entiteiten",
        "Meldingen": "5 meldingen, waarvan 2 nog open",
        "Eerste antwoord": "mediaan 2 werkuur, 90% binnen 3 werkuur (4 meldingen)",
        "Oplossing": "mediaan 2 werkuur, 90% binnen 5 werkuur (3 meldingen)",
        "Te laat": "eerste antwoord: 2, oplossing: 2",
        "Tevredenheid": "3,5 op 5 (2 beoordelingen)",
        "Geholpen door de kennisbank": "40 % (8 van 20 vragen)",
    }
    assert "wachtwoord" not in text  # the questions stay in the workbook
    params = link_params(open_url(card), NOW_SECONDS)
    assert params["path"] == "/api/exports/tickets-report"
    assert (params["from"], params["to"], params["lang"], params["by"]) == (
        "2026-11-02",
        "2026-11-15",
        "nl",
        JEF,
    )
    assert "entity" not in params and params["expires_in"] == str(10 * 60)
    assert world.actions("command.ticket_report") == [("ok", JEF, {})]


async def test_an_admin_may_too_in_english_for_one_entity(world: ReportWorld) -> None:
    turn = await world.say("tickets report for AWV last month", MARLEEN, ADMIN, locale="en")
    (card,) = turn.cards
    facts = {fact["title"]: fact["value"] for fact in card["body"][1]["facts"]}
    assert facts["Period"] == "01/10/2026 – 31/10/2026"
    assert facts["Entity"] == "AWV – Agency for Roads and Traffic"
    assert facts["Tickets"] == "0 tickets, 0 of them still open"
    assert facts["First response"] == "none yet"
    assert facts["Satisfaction"] == "no ratings yet"
    params = link_params(open_url(card), NOW_SECONDS)
    assert (params["entity"], params["lang"]) == ("AWV", "en")
    assert world.source.asked[-1][2] == "AWV"


async def test_the_default_is_the_last_30_days_of_every_desk(world: ReportWorld) -> None:
    turn = await world.say("servicedeskrapport", JEF, AGENT)
    params = link_params(open_url(turn.cards[0]), NOW_SECONDS)
    assert (params["from"], params["to"]) == ("2026-10-13", "2026-11-11")


async def test_an_entity_named_in_words_or_in_small_letters(world: ReportWorld) -> None:
    turn = await world.say("rapport meldingen van Wegen en Verkeer", JEF, AGENT)
    assert link_params(open_url(turn.cards[0]), NOW_SECONDS)["entity"] == "AWV"
    turn = await world.say("rapport tickets awv", JEF, AGENT)
    assert link_params(open_url(turn.cards[0]), NOW_SECONDS)["entity"] == "AWV"


async def test_staff_are_refused_and_audited(world: ReportWorld) -> None:
    turn = await world.say("rapport tickets", LOTTE, STAFF)
    (card,) = turn.cards
    assert "Daarvoor heb je geen rechten" in card_text(card)
    assert not links(card)
    assert world.actions("command.ticket_report") == [("denied", LOTTE, {"needed_role": "agent"})]
    assert world.source.asked == []  # nothing was read


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("rapport tickets 31/10/2026 1/10/2026", "De einddatum ligt voor de begindatum"),
        ("rapport tickets 31/02/2026", 'De datum "31/02/2026" begrijp ik niet'),
        ("rapport tickets XYZ", "De entiteit XYZ ken ik niet. Bekende entiteiten: DOMG, AWV"),
        ("rapport tickets AWV DOMG", 'Typ bijvoorbeeld "rapport tickets 1/10/2026 31/10/2026"'),
    ],
)
async def test_an_ask_that_cannot_be_read_is_explained(
    world: ReportWorld, text: str, answer: str
) -> None:
    turn = await world.say(text, JEF, AGENT)
    assert answer in card_text(turn.cards[0])
    assert not links(turn.cards[0])
    assert world.source.asked == []


async def test_no_searches_and_no_tickets_still_read(world: ReportWorld) -> None:
    empty = ReportWorld(MemoryTicketReportSource([], SearchFigures(), []))
    turn = await empty.say("rapport tickets", JEF, AGENT)
    facts = {fact["title"]: fact["value"] for fact in turn.cards[0]["body"][1]["facts"]}
    assert facts["Meldingen"] == "0 meldingen, waarvan 0 nog open"
    assert facts["Geholpen door de kennisbank"] == "nog geen vragen"


def test_the_shared_reading_speaks_of_this_report() -> None:
    with pytest.raises(DomainError) as raised:
        parse_report_ask("rapport 31/02/2026", NOW.date())
    assert raised.value.message_key == "ticket_report.bad_date"
