"""Giving a ticket to a colleague and changing it, on the real store, both dialects: each lands
with its audit line, its event and its outbox messages (the desk's card edited in place, the
notice to the new assignee) in one transaction; a refusal or a lost race changes nothing."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

import pytest

from bot.domain.platform.actors import Actor
from bot.domain.platform.conversations import SeenUser
from bot.domain.platform.errors import Forbidden
from bot.domain.platform.roles import Role
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.agents import DeskAgent
from bot.domain.servicedesk.tickets import MessageKind, StaleTicket, Urgency
from bot.services.servicedesk.people import DeskPeople
from bot.services.servicedesk.tickets import DeskSettings, TicketDesk, TicketForm
from bot.store import Database
from bot.store.platform.audit_log import SqlAuditLog
from bot.store.platform.outbox import SqlOutboxRepository
from bot.store.platform.users import SqlUserRepository
from bot.store.servicedesk.tickets import SqlTicketRepository
from dialogs.servicedesk.ticket_notices import TicketNoticeCards
from tests.support.clock import FakeClock

BRUSSELS = ZoneInfo("Europe/Brussels")
CHANNEL = "19:servicedesk@thread.tacv2"
LOTTE = Actor("lotte-id", "tenant-1", "Lotte Janssens", frozenset({Role.STAFF}))
ANN = Actor("ann-id", "tenant-1", "Ann Desmet", frozenset({Role.STAFF, Role.AGENT}))
JEF = Actor("jef-id", "tenant-1", "Jef Peeters", frozenset({Role.STAFF, Role.AGENT}))
PIET = Actor("piet-id", "tenant-1", "Piet Claes", frozenset({Role.STAFF, Role.AGENT}))


class NoEntities:
    async def entity_of(self, user_id: str) -> None:
        return None


class Agents:
    """The central desk's agents: Ann, Jef and Piet."""

    async def of_desk(self, desk: str) -> list[DeskAgent]:
        return [DeskAgent(who.user_id, who.name) for who in (ANN, JEF, PIET)]

    async def is_agent_of(self, user_id: str, desk: str) -> bool:
        return user_id in {ANN.user_id, JEF.user_id, PIET.user_id}


@pytest.fixture
async def desk(database: Database) -> TicketDesk:
    users = SqlUserRepository(database)
    clock = FakeClock()
    for who in (LOTTE, ANN, JEF):
        await users.upsert(SeenUser(who.user_id, who.tenant_id, display_name=who.name))
    return TicketDesk(
        tickets=SqlTicketRepository(database, clock=clock, reference_zone=BRUSSELS),
        people=DeskPeople(users, NoEntities()),
        cards=TicketNoticeCards(BRUSSELS),
        clock=clock,
        calendar=WorkingCalendar(BRUSSELS),
        settings=DeskSettings(channel_id=CHANNEL),
        agents=Agents(),
    )


async def test_giving_and_changing_land_with_their_audit_and_messages(
    database: Database, desk: TicketDesk
) -> None:
    ticket = await desk.open(LOTTE, TicketForm("access", "Mijn MFA werkt niet meer.", "normal"))
    given = await desk.assign(ANN, ticket.id, JEF.user_id)
    changed = await desk.change(ANN, ticket.id, "", "high")
    assert (changed.assignee_id, changed.urgency, changed.version) == (
        JEF.user_id,
        Urgency.HIGH,
        3,
    )
    assert given.version == 2

    outbox = SqlOutboxRepository(database)
    notice = await outbox.by_dedupe_key(f"ticket-{ticket.id}-assigned.v2")
    assert notice is not None and notice.recipient_id == JEF.user_id
    assert ticket.reference in str(notice.activity)
    for version in (2, 3):
        edit = await outbox.by_dedupe_key(f"ticket-{ticket.id}-desk.v{version}")
        assert edit is not None and edit.replaces == f"ticket-{ticket.id}-desk"
        assert "Toewijzen" in str(edit.activity)  # the card lists the desk's agents

    audit = {e.action: e for e in await SqlAuditLog(database).recent(action=None)}
    assert audit["servicedesk.ticket.assign"].detail == {"assignee": JEF.user_id, "previous": ""}
    assert audit["servicedesk.ticket.change"].detail == {
        "category": "access->access",
        "urgency": "normal->high",
    }
    _, lines = await desk.for_agent(ANN, ticket.id)
    assert [(m.kind, m.text) for m in lines] == [
        (MessageKind.EVENT, "assigned"),
        (MessageKind.EVENT, "changed"),
    ]


async def test_a_refusal_stores_nothing(database: Database, desk: TicketDesk) -> None:
    ticket = await desk.open(LOTTE, TicketForm("other", "De printer is stuk."))
    with pytest.raises(Forbidden):
        await desk.assign(ANN, ticket.id, LOTTE.user_id)
    with pytest.raises(Forbidden):
        await desk.assign(LOTTE, ticket.id, JEF.user_id)  # staff cannot give tickets away
    stored, lines = await desk.for_agent(ANN, ticket.id)
    assert (stored.version, stored.assignee_id, lines) == (1, "", [])
    assert await SqlOutboxRepository(database).by_dedupe_key(f"ticket-{ticket.id}-desk.v2") is None


async def test_two_agents_giving_it_at_once_one_wins(desk: TicketDesk) -> None:
    ticket = await desk.open(LOTTE, TicketForm("other", "De printer is stuk."))
    results = await asyncio.gather(
        desk.assign(ANN, ticket.id, JEF.user_id),
        desk.assign(JEF, ticket.id, PIET.user_id),
        return_exceptions=True,
    )
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert won and all(isinstance(r, StaleTicket) for r in lost)
    stored, _ = await desk.for_agent(ANN, ticket.id)
    assert stored.version == 1 + len(won)
    assert stored.assignee_id in {w.assignee_id for w in won}
