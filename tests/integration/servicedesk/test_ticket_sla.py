"""The service-level worker on the real store, both dialects: what was told of a ticket is kept
on it with the version check, so two replicas running rounds at once tell each step once, and
every desk's open tickets are read a page at a time."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.domain.platform.actors import Actor
from bot.domain.platform.conversations import SeenUser
from bot.domain.platform.roles import Role
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.tickets import (
    NewTicket,
    SlaState,
    SlaStep,
    SlaTarget,
    StaleTicket,
    Urgency,
)
from bot.services.servicedesk.people import DeskPeople
from bot.services.servicedesk.sla_worker import SlaRound, SlaWorkerSettings, TicketSlaWorker
from bot.services.servicedesk.tickets import DeskSettings, TicketDesk, TicketForm
from bot.store import Database
from bot.store.platform.outbox import SqlOutboxRepository
from bot.store.platform.tables import outbox
from bot.store.platform.users import SqlUserRepository
from bot.store.servicedesk.tickets import SqlTicketRepository
from dialogs.servicedesk.sla_notices import SlaNoticeCards
from dialogs.servicedesk.ticket_notices import TicketNoticeCards
from tests.support.clock import FakeClock

BRUSSELS = ZoneInfo("Europe/Brussels")
CHANNEL = "19:servicedesk@thread.tacv2"
LEADS = "19:servicedesk-leads@thread.tacv2"
LOTTE = Actor("lotte-id", "tenant-1", "Lotte Janssens", frozenset({Role.STAFF}))
ANN = Actor("ann-id", "tenant-1", "Ann Desmet", frozenset({Role.STAFF, Role.AGENT}))


def monday(hour: int, minute: int = 0) -> datetime:
    """Monday 30 November 2026, Brussels time (working hours 08:00-17:00)."""
    return datetime(2026, 11, 30, hour, minute, tzinfo=BRUSSELS)


class NoEntities:
    async def entity_of(self, user_id: str) -> None:
        return None


@dataclass
class Replica:
    """One bot process: its own store objects over the shared database."""

    desk: TicketDesk
    worker: TicketSlaWorker


def replica(database: Database, clock: FakeClock) -> Replica:
    tickets = SqlTicketRepository(database, clock=clock, reference_zone=BRUSSELS)
    people = DeskPeople(SqlUserRepository(database), NoEntities())
    calendar = WorkingCalendar(BRUSSELS)
    settings = DeskSettings(channel_id=CHANNEL)
    desk = TicketDesk(
        tickets=tickets,
        people=people,
        cards=TicketNoticeCards(BRUSSELS),
        clock=clock,
        calendar=calendar,
        settings=settings,
    )
    worker = TicketSlaWorker(
        desk=desk,
        tickets=tickets,
        people=people,
        cards=SlaNoticeCards(BRUSSELS),
        clock=clock,
        calendar=calendar,
        desk_settings=settings,
        settings=SlaWorkerSettings(lead_channel_id=LEADS),
    )
    return Replica(desk, worker)


async def sla_keys(database: Database) -> list[str]:
    query = sa.select(outbox.c.dedupe_key).where(outbox.c.dedupe_key.like("%-sla-%"))
    async with database.connect() as connection:
        return sorted(row.dedupe_key for row in await connection.execute(query))


async def test_two_replicas_tell_each_step_once(database: Database) -> None:
    users = SqlUserRepository(database)
    for who in (LOTTE, ANN):
        await users.upsert(SeenUser(who.user_id, who.tenant_id, display_name=who.name))
    clock = FakeClock(monday(9))
    one, other = replica(database, clock), replica(database, clock)
    ticket = await one.desk.open(LOTTE, TicketForm("other", "De printer is stuk."))
    await other.desk.take(ANN, ticket.id)

    rounds: list[SlaRound] = []
    for moment in (monday(12, 15), monday(12, 30), monday(13, 5), monday(15)):
        clock.set(moment)
        rounds += await asyncio.gather(one.worker.run_once(), other.worker.run_once())

    assert sum(r.reminded for r in rounds) == 1 and sum(r.escalated for r in rounds) == 1
    assert await sla_keys(database) == [
        f"ticket-{ticket.id}-sla-first_response-at_risk",
        f"ticket-{ticket.id}-sla-first_response-breached",
    ]
    messages = SqlOutboxRepository(database)
    reminder = await messages.by_dedupe_key(f"ticket-{ticket.id}-sla-first_response-at_risk")
    assert reminder is not None and reminder.recipient_id == ANN.user_id
    escalation = await messages.by_dedupe_key(f"ticket-{ticket.id}-sla-first_response-breached")
    assert escalation is not None and escalation.conversation_id == LEADS
    assert "Ann Desmet" in str(escalation.activity)
    stored, _ = await one.desk.for_agent(ANN, ticket.id)
    assert stored.sla_notified == {"first_response.at_risk", "first_response.breached"}
    # The desk's card was edited at each of the two steps, its service-level line with it.
    card = await messages.by_dedupe_key(f"ticket-{ticket.id}-desk.v{stored.version}")
    assert card is not None and card.replaces == f"ticket-{ticket.id}-desk"
    assert "Eerste antwoord: uiterlijk ma 30 nov 13:00 · te laat" in str(card.activity)


def filed(desk: str = "", requester: str = "u-1") -> NewTicket:
    return NewTicket(
        tenant_id="t1",
        requester_id=requester,
        category=Category.OTHER,
        urgency=Urgency.NORMAL,
        question="Mijn scanner werkt niet.",
        created_at=monday(9),
        desk=desk,
    )


async def test_what_was_told_is_kept_with_the_version_check(database: Database) -> None:
    store = SqlTicketRepository(database)
    ticket = await store.add(filed())
    breach = SlaStep(SlaTarget.RESOLUTION, SlaState.BREACHED, monday(15))
    await store.save(ticket, ticket.sla_noted([breach]))
    again = await store.get(ticket.id)
    assert again is not None
    assert again.sla_notified == {"resolution.at_risk", "resolution.breached"}
    with pytest.raises(StaleTicket):  # a replica that read the older version writes nothing
        await store.save(ticket, ticket.sla_noted([]))
    assert (await store.get(ticket.id)) == again


async def test_every_desks_open_tickets_page_by_id(database: Database) -> None:
    store = SqlTicketRepository(database)
    central = await store.add(filed())
    awv = await store.add(filed("AWV", "u-2"))
    done = await store.add(filed("AWV", "u-3"))
    await store.save(done, done.resolved("a-1", "Opgelost.", monday(10), WorkingCalendar(BRUSSELS)))
    later = await store.add(filed("BZ", "u-4"))
    assert await store.open_tickets(2) == [central, awv]
    assert await store.open_tickets(2, after_id=awv.id) == [later]
    assert await store.open_tickets(2, after_id=later.id) == []
