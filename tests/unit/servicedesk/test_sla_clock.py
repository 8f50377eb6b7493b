"""The service levels on the desk's cards: each running target with the moment it is due, in
Brussels time, and where it stands; a target whose moment came says only whether it was met;
the time a ticket waits on the person moves the resolution on.

A normal ticket filed on Monday 30 November 2026 at 09:00 (Brussels; 08:00 UTC) has its first
response due at 13:00 that day and its resolution on Wednesday 2 December at 15:00 (4 and 24
working hours of 08:00-17:00)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from bot.domain.platform.actors import Actor
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.sla import ticket_sla
from bot.domain.servicedesk.tickets import DEFAULT_TARGETS, SlaState, SlaTarget, Ticket, Urgency
from bot.i18n import Translator
from bot.services.servicedesk.tickets import TicketForm
from cards.servicedesk.desk import desk_ticket_card, queue_card
from devtools.card_inspection import card_nodes, card_text
from tests.unit.servicedesk.fakes import BRUSSELS, TicketWorld, ticket_world

TENANT = "t1"
LOTTE, JEF = "lotte", "jef"
PEOPLE = {LOTTE: ("Lotte Janssens", "nl", "AWV"), JEF: ("Jef Peeters", "nl", "")}
MONDAY, TUESDAY = date(2026, 11, 30), date(2026, 12, 1)
NAMES = {LOTTE: "Lotte Janssens", JEF: "Jef Peeters"}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BRUSSELS)


def agent() -> Actor:
    return Actor(JEF, tenant_id=TENANT, roles=frozenset({Role.STAFF, Role.AGENT}))


async def filed(world: TicketWorld) -> Ticket:
    form = TicketForm("other", "Mijn scanner geeft een papierstoring.")
    return await world.desk.open(Actor(LOTTE, tenant_id=TENANT), form)


def world_at(moment: datetime) -> TicketWorld:
    world = ticket_world(PEOPLE)
    world.clock.set(moment)
    return world


def desk_card_text(world: TicketWorld) -> str:
    """The desk's card as the outbox last sent it to the channel."""
    [*_, last] = [m for m in world.repository.outbox if "-desk" in m.dedupe_key]
    return card_text(last.activity["attachments"][0]["content"])


def sla_texts(card: dict[str, object]) -> list[tuple[str, str]]:
    """The coloured service-level lines of a card, with their colour."""
    return [
        (node["text"], node["color"])
        for node in card_nodes(card)
        if node.get("type") == "TextBlock" and "color" in node
    ]


async def test_each_running_target_shows_when_it_is_due_in_brussels_time() -> None:
    world = world_at(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))  # 09:00 in Brussels

    await filed(world)

    shown = desk_card_text(world)
    assert "Eerste antwoord: uiterlijk ma 30 nov 13:00 · op tijd" in shown
    assert "Oplossing: uiterlijk wo 2 dec 15:00 · op tijd" in shown
    assert "12:00" not in shown  # not the UTC time


async def test_the_line_says_how_near_the_moment_is_in_words_and_colour() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await filed(world)
    world.clock.set(at(MONDAY, 14))  # the first response is late, the resolution is not

    card = desk_ticket_card(ticket, [], NAMES, world.desk.sla(ticket), Translator("nl"), BRUSSELS)

    assert sla_texts(card) == [
        ("Eerste antwoord: uiterlijk ma 30 nov 13:00 · te laat", "Attention"),
        ("Oplossing: uiterlijk wo 2 dec 15:00 · op tijd", "Default"),
    ]


async def test_a_met_target_says_gehaald_without_a_moment() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await filed(world)
    world.clock.set(at(MONDAY, 9, 30))

    await world.desk.reply(agent(), ticket.id, "Welk model is het?")

    shown = desk_card_text(world)
    assert "Eerste antwoord: gehaald" in shown
    assert "13:00" not in shown
    assert "Oplossing: uiterlijk wo 2 dec 15:00 · op tijd" in shown


async def test_a_target_met_too_late_says_so_without_a_moment() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await filed(world)
    world.clock.set(at(MONDAY, 14))

    await world.desk.reply(agent(), ticket.id, "Sorry voor het wachten.")

    shown = desk_card_text(world)
    assert "Eerste antwoord: te laat" in shown
    assert "13:00" not in shown


async def test_time_waiting_on_the_person_moves_the_resolution_on() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await filed(world)
    world.clock.set(at(MONDAY, 9, 30))
    await world.desk.reply(agent(), ticket.id, "Welk model is het?")
    world.clock.set(at(TUESDAY, 9, 30))  # 7.5 + 1.5 working hours later

    await world.desk.answer(Actor(LOTTE, tenant_id=TENANT), ticket.id, "Een Canon.")

    # Wednesday 15:00 plus the 9 working hours waited: Thursday 15:00.
    shown = desk_card_text(world)
    assert "Oplossing: uiterlijk do 3 dec 15:00 · op tijd" in shown
    assert "Eerste antwoord: gehaald" in shown


async def test_a_resolved_ticket_shows_both_targets_met() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await filed(world)
    world.clock.set(at(MONDAY, 10))

    await world.desk.resolve(agent(), ticket.id, "Papier verwijderd.")

    shown = desk_card_text(world)
    assert "Eerste antwoord: gehaald" in shown and "Oplossing: gehaald" in shown
    assert "uiterlijk" not in shown


async def test_in_english_the_moment_reads_in_english() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await filed(world)

    card = desk_ticket_card(ticket, [], NAMES, world.desk.sla(ticket), Translator("en"), BRUSSELS)

    shown = card_text(card)
    assert "First response: due Mon 30 Nov 13:00 · on time" in shown
    assert "Resolution: due Wed 2 Dec 15:00 · on time" in shown


async def test_the_queue_shows_when_each_ticket_is_due() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await filed(world)
    world.clock.set(at(MONDAY, 12, 30))  # less than a fifth of the first response left

    card = queue_card([(ticket, world.desk.sla(ticket))], NAMES, Translator("nl"), BRUSSELS)

    assert sla_texts(card) == [
        ("Eerste antwoord: uiterlijk ma 30 nov 13:00 · bijna te laat", "Warning"),
        ("Oplossing: uiterlijk wo 2 dec 15:00 · op tijd", "Default"),
    ]


def test_the_clocks_are_the_tickets_own_due_moments_and_states() -> None:
    ticket = Ticket(
        id=1,
        reference="SD-2026-000001",
        tenant_id=TENANT,
        requester_id=LOTTE,
        category=Category.OTHER,
        urgency=Urgency.NORMAL,
        question="?",
        created_at=at(MONDAY, 9),
    ).replied(JEF, at(MONDAY, 10))
    targets, calendar = DEFAULT_TARGETS[Urgency.NORMAL], ticket_world().calendar
    now = at(MONDAY, 11)

    sla = ticket_sla(ticket, targets, calendar, now)

    first, resolution = sla.clocks
    assert (first.target, first.state, first.is_running) == (
        SlaTarget.FIRST_RESPONSE,
        SlaState.MET,
        False,
    )
    assert first.due == ticket.first_response_due(targets, calendar) == at(MONDAY, 13)
    assert (resolution.target, resolution.is_running) == (SlaTarget.RESOLUTION, True)
    # Waiting on the person since 10:00: at 11:00 the resolution is an hour further.
    assert resolution.due == ticket.resolution_due(targets, calendar, now)
    assert resolution.due == at(date(2026, 12, 2), 16)
    assert sla.states == (SlaState.MET, SlaState.ON_TIME)
