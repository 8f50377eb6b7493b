"""The ticket desk on the real store, both dialects: every step lands with its audit line and
its outbox messages in one transaction (the desk's card, edited in place; the person's notices),
and the person never reads a note."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from bot.domain.platform.actors import Actor
from bot.domain.platform.conversations import SeenUser
from bot.domain.platform.roles import Role
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.tickets import MessageKind, StaleTicket, TicketState
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


@dataclass(frozen=True)
class Coded:
    code: str


class Entities:
    """Lotte is of DOMG, which has no desk of its own (there is only the central one)."""

    async def entity_of(self, user_id: str) -> Coded | None:
        return Coded("DOMG") if user_id == LOTTE.user_id else None


@pytest.fixture
async def desk(database: Database) -> TicketDesk:
    users = SqlUserRepository(database)
    clock = FakeClock()
    for who in (LOTTE, ANN):
        await users.upsert(SeenUser(who.user_id, who.tenant_id, display_name=who.name))
    return TicketDesk(
        tickets=SqlTicketRepository(database, clock=clock, reference_zone=BRUSSELS),
        people=DeskPeople(users, Entities()),
        cards=TicketNoticeCards(BRUSSELS),
        clock=clock,
        calendar=WorkingCalendar(BRUSSELS),
        settings=DeskSettings(channel_id=CHANNEL),
    )


async def test_every_step_lands_with_its_audit_and_its_messages(
    database: Database, desk: TicketDesk
) -> None:
    ticket = await desk.open(LOTTE, TicketForm("access", "Mijn MFA werkt niet meer.", "high"))
    await desk.take(ANN, ticket.id)
    await desk.note(ANN, ticket.id, "Intern: toestel niet in Intune.")
    await desk.reply(ANN, ticket.id, "Heb je een nieuwe gsm?")
    await desk.answer(LOTTE, ticket.id, "Ja, sinds maandag.")
    await desk.resolve(ANN, ticket.id, "Authenticator opnieuw geregistreerd.")
    done = await desk.rate(LOTTE, ticket.id, 5, "Snel geholpen!")
    assert (done.state, done.rating) == (TicketState.CLOSED, 5)
    stored = await SqlTicketRepository(database).get(ticket.id)
    assert stored is not None and stored == done  # read back as the desk saved it
    assert (stored.rating, stored.rating_comment) == (5, "Snel geholpen!")
    assert (stored.desk, stored.requester_entity) == ("", "DOMG")  # DOMG's, on the central desk

    outbox = SqlOutboxRepository(database)
    first = await outbox.by_dedupe_key(f"ticket-{ticket.id}-desk")
    assert first is not None and first.conversation_id == CHANNEL
    edits = [await outbox.by_dedupe_key(f"ticket-{ticket.id}-desk.v{v}") for v in range(2, 8)]
    assert all(edit is not None and edit.replaces == first.dedupe_key for edit in edits)
    answer = await outbox.by_dedupe_key(f"ticket-{ticket.id}-answer.v4")
    resolved = await outbox.by_dedupe_key(f"ticket-{ticket.id}-resolved.v6")
    assert answer is not None and answer.recipient_id == LOTTE.user_id
    assert resolved is not None and "Ben je geholpen?" in str(resolved.activity)
    for notice in (answer, resolved):
        assert "Intern: toestel" not in str(notice.activity)

    actions = [e.action for e in await SqlAuditLog(database).recent(action=None)]
    for action in ("open", "take", "note", "reply", "answer", "resolve", "rate"):
        assert f"servicedesk.ticket.{action}" in actions

    _, seen_by_lotte = await desk.for_requester(LOTTE, ticket.id)
    assert MessageKind.NOTE not in {m.kind for m in seen_by_lotte}
    _, seen_by_ann = await desk.for_agent(ANN, ticket.id)
    assert MessageKind.NOTE in {m.kind for m in seen_by_ann}


async def test_two_agents_at_once_never_lose_a_step(desk: TicketDesk) -> None:
    """Two takes at once: each lands on the version it read or is refused as stale (the
    store's race itself: tests/integration/servicedesk/test_ticket_store.py), never both on
    one version."""
    ticket = await desk.open(LOTTE, TicketForm("other", "De printer is stuk."))
    results = await asyncio.gather(
        desk.take(ANN, ticket.id), desk.take(JEF, ticket.id), return_exceptions=True
    )
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert won and all(isinstance(r, StaleTicket) for r in lost)
    stored, _ = await desk.for_agent(ANN, ticket.id)
    assert stored.version == 1 + len(won)
    assert stored.assignee_id in {w.assignee_id for w in won}
