"""The relay on the real store, both dialects: messages from the person and from an agent, sent
at the same time, all land on the ticket, each side's in the order it wrote them, each with its
outbox message (the person's to the ticket's thread, the agent's to the person's chat)."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

import pytest

from bot.domain.platform.actors import Actor
from bot.domain.platform.conversations import SeenUser
from bot.domain.platform.roles import Role
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.tickets import MessageKind, Relay
from bot.services.servicedesk.people import DeskPeople
from bot.services.servicedesk.relay import TicketRelay
from bot.services.servicedesk.tickets import DeskSettings, TicketDesk, TicketForm, desk_card_key
from bot.store import Database
from bot.store.platform.outbox import SqlOutboxRepository
from bot.store.platform.users import SqlUserRepository
from bot.store.servicedesk.tickets import SqlTicketRepository
from cards.servicedesk.relay import NOTE_MARKERS
from dialogs.servicedesk.ticket_notices import TicketNoticeCards
from tests.support.clock import FakeClock

BRUSSELS = ZoneInfo("Europe/Brussels")
CHANNEL = "19:servicedesk@thread.tacv2"
LOTTE = Actor("lotte-id", "tenant-1", "Lotte Janssens", frozenset({Role.STAFF}))
ANN = Actor("ann-id", "tenant-1", "Ann Desmet", frozenset({Role.STAFF, Role.AGENT}))
EACH = 12


class NoEntities:
    async def entity_of(self, user_id: str) -> None:
        return None


@pytest.fixture
async def relay(database: Database) -> TicketRelay:
    users = SqlUserRepository(database)
    clock = FakeClock()
    for who in (LOTTE, ANN):
        await users.upsert(SeenUser(who.user_id, who.tenant_id, display_name=who.name))
    tickets = SqlTicketRepository(database, clock=clock, reference_zone=BRUSSELS)
    desk = TicketDesk(
        tickets=tickets,
        people=DeskPeople(users, NoEntities()),
        cards=TicketNoticeCards(BRUSSELS),
        clock=clock,
        calendar=WorkingCalendar(BRUSSELS),
        settings=DeskSettings(channel_id=CHANNEL),
    )
    return TicketRelay(
        desk=desk, tickets=tickets, sent=SqlOutboxRepository(database), note_markers=NOTE_MARKERS
    )


async def test_messages_from_both_sides_at_once_all_land_in_order(
    database: Database, relay: TicketRelay
) -> None:
    desk = relay._desk
    ticket = await desk.open(
        LOTTE, TicketForm("other", "Mijn printer trekt geen papier.", "normal")
    )
    await relay.accept(LOTTE, ticket.id, "Lotte 0")

    async def lotte() -> None:
        for n in range(1, EACH):
            await relay.relay(LOTTE, ticket, f"Lotte {n}")

    async def ann() -> None:
        for n in range(EACH):
            await relay.from_thread(ANN, ticket.id, f"Ann {n}")

    await asyncio.gather(lotte(), ann())

    lines = await SqlTicketRepository(database).messages(ticket.id, internal=True)
    said = [(m.kind, m.text) for m in lines]
    from_lotte = [text for kind, text in said if kind is MessageKind.REQUESTER]
    from_ann = [text for kind, text in said if kind is MessageKind.AGENT]
    assert from_lotte == [f"Lotte {n}" for n in range(EACH)]
    assert from_ann == [f"Ann {n}" for n in range(EACH)]

    outbox = SqlOutboxRepository(database)
    stored = await SqlTicketRepository(database).get(ticket.id)
    assert stored is not None and stored.relay is Relay.ON
    # One outbox message per line: Lotte's to the thread, Ann's to Lotte; and the card's
    # edits, one per version, each a new key.
    for version in range(2, stored.version + 1):
        assert await outbox.by_dedupe_key(f"ticket-{ticket.id}-desk.v{version}") is not None
    threads = [
        await outbox.by_dedupe_key(f"ticket-{ticket.id}-requester.v{v}")
        for v in range(2, stored.version + 1)
    ]
    to_thread = [m for m in threads if m is not None]
    assert len(to_thread) == EACH
    assert all(m.thread_of == desk_card_key(ticket.id) for m in to_thread)
    answers = [
        await outbox.by_dedupe_key(f"ticket-{ticket.id}-answer.v{v}")
        for v in range(2, stored.version + 1)
    ]
    assert len([m for m in answers if m is not None]) == EACH


async def test_the_person_s_open_tickets_and_the_relay_choice_are_kept(
    relay: TicketRelay,
) -> None:
    desk = relay._desk
    first = await desk.open(LOTTE, TicketForm("other", "Printer.", "normal"))
    second = await desk.open(LOTTE, TicketForm("access", "MFA.", "high"))
    assert (await relay.to_offer(LOTTE)) == second  # the last changed
    await relay.decline(LOTTE, second.id)
    offered = await relay.to_offer(LOTTE)
    assert offered is not None and offered.id == first.id
    await relay.accept(LOTTE, first.id, "Nog steeds stuk.")
    assert await relay.to_offer(LOTTE) is None
    relaying = await relay.relaying(LOTTE)
    assert relaying is not None and relaying.id == first.id
    # A step after the choice keeps it (a save never writes it).
    await desk.take(ANN, first.id)
    relaying = await relay.relaying(LOTTE)
    assert relaying is not None and relaying.relay is Relay.ON
