"""The service-level worker on the in-memory desk: a reminder when a target is at risk, an
escalation at the breach, each once (across rounds, replicas and a lost race), nothing for
finished tickets, and the time a ticket waits on the person not counted.

Working hours are 08:00-17:00 in Brussels. A normal ticket filed on Monday 30 November 2026 at
09:00 has its first response due at 13:00 (at risk from 12:12) and its resolution on Wednesday
at 15:00 (at risk once 19.2 of its 24 working hours are used: Wednesday 10:12)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import StoreUnavailable
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.tickets import SlaState, Ticket
from bot.services.servicedesk.sla_worker import SlaRound
from bot.services.servicedesk.tickets import TicketForm
from cards.verbs import Verb
from devtools.card_inspection import card_text
from tests.support.chat import click
from tests.unit.servicedesk.fakes import (
    AWV_CHANNEL,
    BRUSSELS,
    DESK_CHANNEL,
    LEAD_CHANNEL,
    MemoryTicketRepository,
    TicketWorld,
    ticket_world,
)
from tests.unit.servicedesk.test_ticket_dialog import AGENT, Desk
from tests.unit.servicedesk.test_ticket_dialog import ANN as DESK_ANN

TENANT = "t1"
LOTTE, ANN, JEF = "lotte", "ann", "jef"
PEOPLE = {
    LOTTE: ("Lotte Janssens", "nl", "AWV"),
    ANN: ("Ann Desmet", "en", "AWV"),
    JEF: ("Jef Peeters", "nl", ""),
}
MONDAY = date(2026, 11, 30)
WEDNESDAY = date(2026, 12, 2)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BRUSSELS)


def person(user_id: str) -> Actor:
    return Actor(user_id, tenant_id=TENANT)


def agent(user_id: str = JEF) -> Actor:
    return Actor(user_id, tenant_id=TENANT, roles=frozenset({Role.STAFF, Role.AGENT}))


def world_at(moment: datetime, **options: object) -> TicketWorld:
    world = ticket_world(PEOPLE, **options)  # type: ignore[arg-type]
    world.clock.set(moment)
    return world


async def file(world: TicketWorld, who: str = LOTTE, urgency: str = "normal") -> Ticket:
    form = TicketForm("other", "Mijn scanner geeft een papierstoring.", urgency=urgency)
    return await world.desk.open(person(who), form)


def sla_notices(world: TicketWorld) -> list[NewOutboxMessage]:
    return [m for m in world.repository.outbox if "-sla-" in m.dedupe_key]


def desk_cards(world: TicketWorld) -> list[NewOutboxMessage]:
    return [m for m in world.repository.outbox if "-desk" in m.dedupe_key]


def text_of(message: NewOutboxMessage) -> str:
    return card_text(message.activity["attachments"][0]["content"])


async def test_at_risk_the_assignee_is_reminded_in_their_chat() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await file(world)
    await world.desk.take(agent(), ticket.id)
    world.clock.set(at(MONDAY, 12, 15))

    assert await world.sla_worker().run_once() == SlaRound(looked_at=1, reminded=1)

    [reminder] = sla_notices(world)
    assert reminder.dedupe_key == f"ticket-{ticket.id}-sla-first_response-at_risk"
    assert reminder.recipient_id == JEF and not reminder.conversation_id
    assert "moet binnen 45 minuten beantwoord zijn" in text_of(reminder)
    assert "Uiterlijk 30/11/2026 13:00" in text_of(reminder)
    assert reminder.activity["summary"] == f"Melding {ticket.reference} is bijna te laat"
    stored = world.repository.tickets[ticket.id]
    assert stored.sla_notified == {"first_response.at_risk"}
    # The desk's card is edited in place: its service-level line says so.
    card = desk_cards(world)[-1]
    assert card.replaces == f"ticket-{ticket.id}-desk"
    assert card.dedupe_key == f"ticket-{ticket.id}-desk.v{stored.version}"
    assert "Eerste antwoord: uiterlijk ma 30 nov 13:00 · bijna te laat" in text_of(card)
    [audit] = [e for e in world.repository.audit if e.action == "servicedesk.ticket.sla"]
    assert (audit.actor_id, audit.tenant_id) == ("system", TENANT)
    assert audit.detail == {"notified": "first_response.at_risk"}


async def test_the_reminder_is_in_the_assignees_language() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await file(world)
    await world.desk.take(agent(ANN), ticket.id)
    world.clock.set(at(MONDAY, 12, 30))
    await world.sla_worker().run_once()
    [reminder] = sla_notices(world)
    assert "needs a first answer within 30 minutes" in text_of(reminder)


async def test_with_nobody_on_it_the_desk_channel_is_reminded() -> None:
    world = world_at(at(MONDAY, 9), entity_channels={"AWV": AWV_CHANNEL})
    central = await file(world, who=JEF)  # Jef has no entity: the central desk
    awv = await file(world, who=LOTTE)  # Lotte's entity has a desk of its own
    world.clock.set(at(MONDAY, 12, 15))
    await world.sla_worker().run_once()
    sent = {m.dedupe_key: m for m in sla_notices(world)}
    assert sent[f"ticket-{central.id}-sla-first_response-at_risk"].conversation_id == DESK_CHANNEL
    assert sent[f"ticket-{awv.id}-sla-first_response-at_risk"].conversation_id == AWV_CHANNEL
    assert not any(m.recipient_id for m in sent.values())


async def test_at_the_breach_the_leads_hear_and_the_desk_card_shows_it() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await file(world)
    await world.desk.take(agent(), ticket.id)
    worker = world.sla_worker()
    world.clock.set(at(MONDAY, 12, 15))
    await worker.run_once()
    world.clock.set(at(MONDAY, 13, 1))

    assert await worker.run_once() == SlaRound(looked_at=1, escalated=1)

    escalation = sla_notices(world)[-1]
    assert escalation.dedupe_key == f"ticket-{ticket.id}-sla-first_response-breached"
    assert escalation.conversation_id == LEAD_CHANNEL and not escalation.recipient_id
    shown = text_of(escalation)
    assert f"Melding {ticket.reference} is niet op tijd beantwoord" in shown
    assert "Behandeld door Jef Peeters" in shown and "Uiterlijk 30/11/2026 13:00" in shown
    assert "Eerste antwoord: uiterlijk ma 30 nov 13:00 · te laat" in text_of(desk_cards(world)[-1])
    assert world.repository.tickets[ticket.id].sla_notified == {
        "first_response.at_risk",
        "first_response.breached",
    }


async def test_without_a_lead_channel_the_desk_channel_hears_of_the_breach() -> None:
    world = world_at(at(MONDAY, 9))
    await file(world)
    world.clock.set(at(MONDAY, 14))
    await world.sla_worker(lead_channel_id="").run_once()
    [escalation] = sla_notices(world)
    assert escalation.conversation_id == DESK_CHANNEL
    assert "Behandeld door nog niemand" in text_of(escalation)


async def test_a_breach_found_late_is_escalated_without_its_reminder() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await file(world)
    world.clock.set(at(MONDAY, 14))  # the worker was down through the at-risk window
    assert await world.sla_worker().run_once() == SlaRound(looked_at=1, escalated=1)
    assert [m.dedupe_key.rsplit("-", 2)[-1] for m in sla_notices(world)] == ["breached"]
    world.clock.set(at(MONDAY, 14, 5))
    await world.sla_worker().run_once()
    assert len(sla_notices(world)) == 1
    assert "first_response.at_risk" in world.repository.tickets[ticket.id].sla_notified


async def test_nothing_is_said_twice_across_rounds_and_replicas() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await file(world)
    await world.desk.take(agent(), ticket.id)
    one, other = world.sla_worker(), world.sla_worker()
    for moment in (at(MONDAY, 12, 15), at(MONDAY, 12, 50), at(MONDAY, 13, 5), at(MONDAY, 16)):
        world.clock.set(moment)
        await asyncio.gather(one.run_once(), other.run_once())
        await one.run_once()
    keys = [m.dedupe_key for m in sla_notices(world)]
    assert keys == [
        f"ticket-{ticket.id}-sla-first_response-at_risk",
        f"ticket-{ticket.id}-sla-first_response-breached",
    ]
    # Two saves in all: each edited the desk's card once.
    assert len(desk_cards(world)) == 4  # filed, taken, at risk, breached


async def test_resolved_and_closed_tickets_are_left_alone() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await file(world)
    await world.desk.resolve(agent(), ticket.id, "Papier verwijderd.")
    world.clock.set(at(WEDNESDAY, 16))  # both targets long past
    assert await world.sla_worker().run_once() == SlaRound()
    assert sla_notices(world) == []
    assert world.repository.tickets[ticket.id].sla_notified == frozenset()


async def test_an_answered_ticket_hears_only_of_its_resolution() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await file(world)
    await world.desk.reply(agent(), ticket.id, "Welk model is het?")
    world.clock.set(at(MONDAY, 10))
    await world.desk.answer(person(LOTTE), ticket.id, "Een Canon.")  # an hour waited
    world.clock.set(at(WEDNESDAY, 11))  # past 13:00 Monday; the resolution not yet at risk
    assert await world.sla_worker().run_once() == SlaRound(looked_at=1)
    world.clock.set(at(WEDNESDAY, 11, 15))
    assert await world.sla_worker().run_once() == SlaRound(looked_at=1, reminded=1)
    [reminder] = sla_notices(world)
    assert reminder.dedupe_key == f"ticket-{ticket.id}-sla-resolution-at_risk"
    assert "opgelost zijn" in text_of(reminder)
    # Due Wednesday at 15:00, an hour later for the hour Lotte was waited on.
    assert "Oplossing: uiterlijk wo 2 dec 16:00 · bijna te laat" in text_of(desk_cards(world)[-1])


async def test_time_waiting_on_the_person_is_not_counted() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await file(world)
    world.clock.set(at(MONDAY, 9, 30))
    await world.desk.reply(agent(), ticket.id, "Welk model is het?")  # first response in time
    worker = world.sla_worker()
    for weeks in (1, 2, 3):  # three weeks without an answer from Lotte: still nothing to say
        world.clock.set(at(MONDAY + timedelta(weeks=weeks), 16))
        assert await worker.run_once() == SlaRound(looked_at=1)
    back = MONDAY + timedelta(weeks=3)
    world.clock.set(at(back, 9))
    await world.desk.answer(person(LOTTE), ticket.id, "Een Canon.")
    # Half an hour used before the wait; 18.7 more working hours to 19.2: Wednesday 09:42.
    world.clock.set(at(back + timedelta(days=2), 9, 40))
    assert await worker.run_once() == SlaRound(looked_at=1)
    world.clock.set(at(back + timedelta(days=2), 9, 45))
    assert await worker.run_once() == SlaRound(looked_at=1, reminded=1)
    assert sla_notices(world)[0].dedupe_key == f"ticket-{ticket.id}-sla-resolution-at_risk"


@dataclass
class RacingTickets(MemoryTicketRepository):
    """Another step of each ticket is saved right after the worker read it, `races` times."""

    races: int = 1

    async def open_tickets(self, limit: int, after_id: int = 0) -> list[Ticket]:
        page = await super().open_tickets(limit, after_id)
        if self.races:
            self.races -= 1
            for ticket in page:
                self.tickets[ticket.id] = ticket.noted()  # an agent's note, saved first
        return page


async def test_a_lost_race_is_skipped_until_the_next_round() -> None:
    repository = RacingTickets()
    world = world_at(at(MONDAY, 9), repository=repository)
    ticket = await file(world)
    world.clock.set(at(MONDAY, 12, 15))
    worker = world.sla_worker()

    assert await worker.run_once() == SlaRound(looked_at=1)
    assert sla_notices(world) == []
    assert world.repository.tickets[ticket.id].sla_notified == frozenset()

    assert await worker.run_once() == SlaRound(looked_at=1, reminded=1)
    assert [m.dedupe_key for m in sla_notices(world)] == [
        f"ticket-{ticket.id}-sla-first_response-at_risk"
    ]


async def test_every_desks_tickets_are_read_a_page_at_a_time() -> None:
    world = world_at(at(MONDAY, 9), entity_channels={"AWV": AWV_CHANNEL})
    filed = [await file(world, who=who) for who in (LOTTE, JEF, ANN)]
    await world.desk.resolve(agent(), filed[1].id, "Opgelost.")
    late = await file(world, who=JEF, urgency="high")  # due at 10:00
    world.clock.set(at(MONDAY, 12, 15))
    result = await world.sla_worker(batch=2).run_once()
    assert result == SlaRound(looked_at=3, reminded=2, escalated=1)
    assert {m.dedupe_key for m in sla_notices(world)} == {
        f"ticket-{filed[0].id}-sla-first_response-at_risk",
        f"ticket-{filed[2].id}-sla-first_response-at_risk",
        f"ticket-{late.id}-sla-first_response-breached",
    }


async def test_without_any_channel_the_step_is_kept_all_the_same() -> None:
    world = world_at(at(MONDAY, 9), channel_id="")
    ticket = await file(world)
    world.clock.set(at(MONDAY, 12, 15))
    await world.sla_worker(lead_channel_id="").run_once()
    assert world.repository.outbox == []
    assert world.repository.tickets[ticket.id].sla_notified == {"first_response.at_risk"}


async def test_the_steps_are_the_domains() -> None:
    world = world_at(at(MONDAY, 9))
    ticket = await file(world)
    targets = world.settings.targets[ticket.urgency]
    [step] = ticket.sla_steps(targets, world.calendar, at(MONDAY, 12, 15))
    assert (step.state, step.due, step.mark) == (
        SlaState.AT_RISK,
        at(MONDAY, 13),
        "first_response.at_risk",
    )
    assert ticket.sla_noted([step]).sla_steps(targets, world.calendar, at(MONDAY, 12, 15)) == []


async def test_run_stops_when_told() -> None:
    world = world_at(at(MONDAY, 9))
    await file(world)
    world.clock.set(at(MONDAY, 12, 15))
    worker = world.sla_worker()
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(0.01)
    stop.set()
    worker.wake()
    await asyncio.wait_for(task, 1)
    assert len(sla_notices(world)) == 1


@dataclass
class DownTickets(MemoryTicketRepository):
    async def open_tickets(self, limit: int, after_id: int = 0) -> list[Ticket]:
        raise StoreUnavailable("connection refused")


async def test_a_database_outage_is_one_warning_not_a_stack_trace(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = world_at(at(MONDAY, 9), repository=DownTickets())
    worker = world.sla_worker()
    stop = asyncio.Event()
    with caplog.at_level(logging.WARNING, logger="bot.services.servicedesk.sla_worker"):
        task = asyncio.create_task(worker.run(stop))
        await asyncio.sleep(0.01)
        stop.set()
        worker.wake()
        await asyncio.wait_for(task, 1)
    [outage] = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert outage.levelno == logging.WARNING and outage.exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_long_wait_never_brings_the_resolution_nearer() -> None:
    """The domain's rule the worker leans on: at risk is counted on the working hours left, so
    a wait on the person (which moves the due moment on) keeps the ticket where it stood."""
    world = world_at(at(MONDAY, 9))
    ticket = await file(world)
    targets = world.settings.targets[ticket.urgency]
    waiting = ticket.replied(JEF, at(MONDAY, 10))
    for weeks in range(1, 9):
        later = at(MONDAY + timedelta(weeks=weeks), 16)
        assert waiting.resolution_state(targets, world.calendar, later) is SlaState.ON_TIME


def _executes(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The card's Action.Execute buttons by verb, those inside a ShowCard too."""
    found: dict[str, dict[str, Any]] = {}
    for action in card.get("actions", []):
        for one in [action, *action.get("card", {}).get("actions", [])]:
            if one["type"] == "Action.Execute":
                found[one["verb"]] = one
    return found


async def test_the_assignee_answers_straight_from_the_reminder() -> None:
    desk = Desk()
    desk.world.clock.set(at(MONDAY, 9))
    ticket_id = await desk.file()
    await desk.agent(Verb.TICKET_TAKE, ticket_id, who=DESK_ANN)
    desk.world.clock.set(at(MONDAY, 12, 15))
    await desk.world.sla_worker().run_once()
    [reminder] = sla_notices(desk.world)
    assert reminder.recipient_id == DESK_ANN
    buttons = _executes(reminder.activity["attachments"][0]["content"])
    assert {str(Verb.TICKET_REPLY), str(Verb.TICKET_RESOLVE)} <= set(buttons)

    # In Ann's own chat: the step is done and the reminder becomes the ticket's card.
    data = {**buttons[str(Verb.TICKET_REPLY)]["data"], "reply": "Welke scanner is het?"}
    clicked = await click(desk.dispatcher, Verb.TICKET_REPLY, data, user_id=DESK_ANN, roles=AGENT)
    assert clicked.result.card is not None
    assert "Je antwoord is verstuurd." in card_text(clicked.result.card)
    assert desk.world.repository.tickets[ticket_id].first_response_at == at(MONDAY, 12, 15)
