"""Service-desk tickets on both dialects: round trips, yearly references (also under concurrent
adds), optimistic saves with their message, what the person may see of the conversation, and
the lookups of the person, the desk's queue and the cards still to post."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.outbox import NewOutboxMessage, OutboxStatus
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.tickets import (
    MessageKind,
    NewTicket,
    StaleTicket,
    Ticket,
    TicketMessage,
    TicketState,
    Urgency,
)
from bot.ports.servicedesk import TicketRepository
from bot.store import Database, SqlAuditLog, SqlOutboxRepository
from bot.store.servicedesk.tables import tickets as tickets_table
from bot.store.servicedesk.tickets import SqlTicketRepository

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
SAVED_AT = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return SAVED_AT


def new_ticket(
    requester: str = "u-1", at: datetime = T0, desk: str = "", **fields: object
) -> NewTicket:
    values: dict[str, object] = {
        "tenant_id": "t1",
        "requester_id": requester,
        "category": Category.LICENCES,
        "urgency": Urgency.NORMAL,
        "question": "Mijn Power BI-licentie is niet toegekend.",
        "created_at": at,
        "desk": desk,
        **fields,
    }
    return NewTicket(**values)  # type: ignore[arg-type]


def said(text: str, kind: MessageKind = MessageKind.AGENT, at: datetime = T0) -> TicketMessage:
    return TicketMessage(at=at, author_id="agent-1", kind=kind, text=text)


def card(key: str, **fields: object) -> NewOutboxMessage:
    return NewOutboxMessage(
        tenant_id="t1",
        dedupe_key=key,
        activity={"type": "message", "text": key},
        conversation_id="19:desk@thread.tacv2",
        **fields,  # type: ignore[arg-type]
    )


def line(action: str, ticket: Ticket, at: datetime = T0) -> AuditEntry:
    return AuditEntry(at, "u-1", action, Outcome.OK, object_id=ticket.reference)


@pytest.fixture
def store(database: Database) -> TicketRepository:
    return SqlTicketRepository(database, clock=FixedClock())


# --- round trips ----------------------------------------------------------------------------


async def test_a_new_ticket_comes_back_as_filed(store: TicketRepository) -> None:
    context = (("flow", "LIC-2026-000042"), ("step", "fulfilment"))
    added = await store.add(
        new_ticket(category=Category.ACCESS, urgency=Urgency.HIGH, desk="ADV", context=context)
    )
    assert added.id > 0
    assert added == Ticket(
        id=added.id,
        reference="SD-2026-000001",
        tenant_id="t1",
        requester_id="u-1",
        category=Category.ACCESS,
        urgency=Urgency.HIGH,
        question="Mijn Power BI-licentie is niet toegekend.",
        created_at=T0,
        state=TicketState.NEW,
        desk="ADV",
        context=context,
        version=1,
    )
    assert await store.get(added.id) == added
    assert await store.by_reference("SD-2026-000001") == added
    assert await store.get(added.id + 1000) is None
    assert await store.by_reference("SD-2026-999999") is None


async def test_every_field_survives_a_save(database: Database, store: TicketRepository) -> None:
    added = await store.add(new_ticket(context=(("flow", "POST-2026-000007"),)))
    brussels = ZoneInfo("Europe/Brussels")
    after = replace(
        added,
        state=TicketState.CLOSED,
        assignee_id="agent-7",
        first_response_at=datetime(2026, 12, 7, 11, 15, 30, 123456, tzinfo=brussels),
        resolved_at=T0 + 90 * MINUTE,
        closed_at=T0 + 95 * MINUTE,
        resolution="Licentie opnieuw toegekend; log af en weer aan.",
        waited_hours=1.25,
        waiting_since=T0 + 30 * MINUTE,
        rating=4,
        version=added.version + 1,
    )
    await store.save(added, after)
    stored = await store.get(added.id)
    assert stored == after
    assert stored is not None and stored.first_response_at is not None
    assert stored.first_response_at.tzinfo is UTC
    # Waiting, not yet answered: the empty and None fields come back as such too.
    waiting = replace(
        after, state=TicketState.WAITING, closed_at=None, rating=None, version=after.version + 1
    )
    await store.save(after, waiting)
    assert await store.get(added.id) == waiting
    async with database.connect() as connection:
        updated_at = (
            await connection.execute(
                sa.select(tickets_table.c.updated_at).where(tickets_table.c.id == added.id)
            )
        ).scalar_one()
    assert updated_at == SAVED_AT  # the clock's, on every save


# --- references -----------------------------------------------------------------------------


async def test_references_count_per_year_without_gaps(store: TicketRepository) -> None:
    first = await store.add(new_ticket())
    second = await store.add(new_ticket("u-2", T0 + MINUTE))
    next_year = await store.add(new_ticket("u-3", datetime(2027, 1, 2, tzinfo=UTC)))
    later = await store.add(new_ticket("u-4", T0 + 2 * MINUTE))
    assert [t.reference for t in (first, second, next_year, later)] == [
        "SD-2026-000001",
        "SD-2026-000002",
        "SD-2027-000001",
        "SD-2026-000003",
    ]
    assert len({first.id, second.id, next_year.id, later.id}) == 4


async def test_the_year_is_the_administrations(database: Database) -> None:
    store = SqlTicketRepository(database, reference_zone=ZoneInfo("Europe/Brussels"))
    added = await store.add(new_ticket(at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC)))
    assert added.reference == "SD-2027-000001"


async def test_a_failed_add_gives_its_number_back(store: TicketRepository) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive"):
        await store.add(new_ticket(at=datetime(2026, 12, 7, 9, 0)))
    assert (await store.add(new_ticket())).reference == "SD-2026-000001"


async def test_concurrent_adds_get_distinct_consecutive_references(database: Database) -> None:
    """Two replicas (separate engines), ten tickets each, all at once."""
    replicas = [Database(database.url), Database(database.url)]
    try:
        stores = [SqlTicketRepository(replica) for replica in replicas]
        added = await asyncio.gather(
            *(stores[n % 2].add(new_ticket(f"u-{n}", T0 + n * MINUTE)) for n in range(20))
        )
    finally:
        for replica in replicas:
            await replica.dispose()
    assert sorted(t.reference for t in added) == [f"SD-2026-{n:06d}" for n in range(1, 21)]
    assert len({t.id for t in added}) == 20
    store = SqlTicketRepository(database)
    for ticket in added:
        assert await store.by_reference(ticket.reference) == ticket


# --- optimistic saves -----------------------------------------------------------------------


async def test_a_save_writes_its_message_with_the_ticket(store: TicketRepository) -> None:
    ticket = await store.add(new_ticket())
    replied = ticket.replied("agent-1", T0 + MINUTE)
    await store.save(ticket, replied, said("Welke werkruimte?", at=T0 + MINUTE))
    assert await store.get(ticket.id) == replied
    assert await store.messages(ticket.id, internal=False) == [
        said("Welke werkruimte?", at=T0 + MINUTE)
    ]


async def test_a_stale_save_raises_and_changes_nothing(store: TicketRepository) -> None:
    ticket = await store.add(new_ticket())
    taken = ticket.assigned_to("agent-1")
    await store.save(ticket, taken, said("genomen", MessageKind.EVENT))
    late = ticket.assigned_to("agent-2")  # decided on the version before
    with pytest.raises(StaleTicket) as raised:
        await store.save(ticket, late, said("ook genomen", MessageKind.EVENT))
    assert raised.value.message_key == "servicedesk.ticket.stale"
    assert await store.get(ticket.id) == taken
    assert [m.text for m in await store.messages(ticket.id, internal=True)] == ["genomen"]


async def test_of_two_agents_saving_the_same_version_exactly_one_wins(
    database: Database,
) -> None:
    replicas = [Database(database.url), Database(database.url)]
    try:
        stores = [SqlTicketRepository(replica) for replica in replicas]
        ticket = await stores[0].add(new_ticket())
        steps = [ticket.assigned_to("agent-1"), ticket.assigned_to("agent-2")]
        outcomes = await asyncio.gather(
            *(
                stores[n].save(ticket, step, said(f"genomen door {step.assignee_id}"))
                for n, step in enumerate(steps)
            ),
            return_exceptions=True,
        )
        assert sorted(type(outcome).__name__ for outcome in outcomes) == ["NoneType", "StaleTicket"]
        winner = steps[outcomes.index(None)]
        assert await stores[1].get(ticket.id) == winner
        assert [m.text for m in await stores[1].messages(ticket.id, internal=True)] == [
            f"genomen door {winner.assignee_id}"
        ]
    finally:
        for replica in replicas:
            await replica.dispose()


async def test_a_save_must_move_the_version_on(store: TicketRepository) -> None:
    ticket = await store.add(new_ticket())
    with pytest.raises(ValueError, match="newer version"):
        await store.save(ticket, replace(ticket, assignee_id="agent-1"))
    other = await store.add(new_ticket("u-2"))
    with pytest.raises(ValueError, match="ticket it was taken on"):
        await store.save(ticket, other.assigned_to("agent-1"))
    assert await store.get(ticket.id) == ticket


# --- audit lines and outbox messages, in the same transaction ------------------------------


async def test_an_add_writes_what_its_callback_returns(database: Database) -> None:
    store, outbox = SqlTicketRepository(database), SqlOutboxRepository(database)
    seen: list[Ticket] = []

    def then(stored: Ticket) -> tuple[list[AuditEntry], list[NewOutboxMessage]]:
        seen.append(stored)
        return [line("servicedesk.ticket.open", stored)], [card(f"ticket-{stored.id}-desk")]

    added = await store.add(new_ticket(), then)
    assert seen == [added] and added.id > 0 and added.reference == "SD-2026-000001"
    (audited,) = await SqlAuditLog(database).recent()
    assert (audited.action, audited.object_id) == ("servicedesk.ticket.open", added.reference)
    queued = await outbox.by_dedupe_key(f"ticket-{added.id}-desk")
    assert queued is not None
    assert (queued.status, queued.created_at) == (OutboxStatus.PENDING, T0)


async def test_an_add_whose_callback_fails_leaves_nothing(database: Database) -> None:
    store = SqlTicketRepository(database)

    def broken(stored: Ticket) -> tuple[list[AuditEntry], list[NewOutboxMessage]]:
        return [], [card("broken", not_before=datetime(2026, 12, 7, 9, 0))]  # naive

    with pytest.raises(sa.exc.StatementError, match="naive"):
        await store.add(new_ticket(), broken)
    assert await store.mine("t1", "u-1") == []
    assert await SqlOutboxRepository(database).by_dedupe_key("broken") is None
    assert (await store.add(new_ticket())).reference == "SD-2026-000001"


async def test_a_save_writes_its_audit_lines_and_notices(database: Database) -> None:
    store, outbox = SqlTicketRepository(database, clock=FixedClock()), SqlOutboxRepository(database)
    ticket = await store.add(new_ticket())
    taken = ticket.assigned_to("agent-1")
    await store.save(
        ticket,
        taken,
        said("genomen", MessageKind.EVENT),
        audit=[line("servicedesk.ticket.take", taken)],
        notices=[card("ticket-1-desk.v2", replaces="ticket-1-desk")],
    )
    assert [entry.action for entry in await SqlAuditLog(database).recent()] == [
        "servicedesk.ticket.take"
    ]
    queued = await outbox.by_dedupe_key("ticket-1-desk.v2")
    assert queued is not None
    assert (queued.replaces, queued.created_at) == ("ticket-1-desk", SAVED_AT)
    # Stale: neither the ticket, nor its message, audit line or notice is written.
    with pytest.raises(StaleTicket):
        await store.save(
            ticket,
            ticket.assigned_to("agent-2"),
            said("ook genomen", MessageKind.EVENT),
            audit=[line("servicedesk.ticket.take", ticket)],
            notices=[card("ticket-1-desk.v2b", replaces="ticket-1-desk")],
        )
    assert await store.get(ticket.id) == taken
    assert len(await SqlAuditLog(database).recent()) == 1
    assert await outbox.by_dedupe_key("ticket-1-desk.v2b") is None
    assert len(await store.messages(ticket.id, internal=True)) == 1


# --- the conversation -----------------------------------------------------------------------


async def test_notes_never_reach_the_person(store: TicketRepository) -> None:
    ticket = await store.add(new_ticket())
    conversation = [
        TicketMessage(T0, "u-1", MessageKind.REQUESTER, "Het werkt nog altijd niet."),
        TicketMessage(T0 + MINUTE, "agent-1", MessageKind.NOTE, "Licentiepool is leeg."),
        TicketMessage(T0 + 2 * MINUTE, "", MessageKind.EVENT, "assigned"),
        TicketMessage(T0 + 3 * MINUTE, "agent-1", MessageKind.AGENT, "We kijken het na."),
        TicketMessage(T0 + 4 * MINUTE, "agent-2", MessageKind.NOTE, "Bestelling geplaatst."),
    ]
    for message in conversation:
        await store.add_message(ticket.id, message)
    assert await store.messages(ticket.id, internal=True) == conversation
    seen = await store.messages(ticket.id, internal=False)
    assert seen == [conversation[0], conversation[2], conversation[3]]
    assert all(not message.kind.internal for message in seen)
    other = await store.add(new_ticket("u-2"))
    assert await store.messages(other.id, internal=True) == []


async def test_a_message_needs_a_ticket(store: TicketRepository) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        await store.add_message(424242, said("verloren"))


# --- lookups --------------------------------------------------------------------------------


async def test_mine_is_the_persons_tickets_newest_first(store: TicketRepository) -> None:
    old = await store.add(new_ticket(at=T0))
    new = await store.add(new_ticket(at=T0 + 2 * MINUTE))
    middle = await store.add(new_ticket(at=T0 + MINUTE))
    await store.add(new_ticket("u-2", T0 + 3 * MINUTE))
    await store.add(new_ticket(at=T0 + 4 * MINUTE, tenant_id="t2"))
    assert await store.mine("t1", "u-1") == [new, middle, old]
    assert await store.mine("t1", "u-1", limit=2) == [new, middle]
    assert await store.mine("t1", "nobody") == []


async def test_a_desks_queue_is_its_unfinished_tickets_oldest_first(
    store: TicketRepository,
) -> None:
    waiting = await store.add(new_ticket(at=T0, desk="ADV"))
    fresh = await store.add(new_ticket(at=T0 + 3 * MINUTE, desk="ADV"))
    taken = await store.add(new_ticket(at=T0 + MINUTE, desk="ADV"))
    done = await store.add(new_ticket(at=T0 - MINUTE, desk="ADV"))
    await store.add(new_ticket(at=T0, desk=""))  # the central desk's
    answered = waiting.replied("agent-1", T0 + MINUTE)
    assigned = taken.assigned_to("agent-1")
    closed = replace(done, state=TicketState.CLOSED, version=done.version + 1)
    resolved = replace(fresh, state=TicketState.RESOLVED, resolved_at=T0 + 5 * MINUTE, version=2)
    for before, after in ((waiting, answered), (taken, assigned), (done, closed)):
        await store.save(before, after)
    assert await store.open_for_desk("ADV") == [answered, assigned, fresh]
    assert await store.open_for_desk("ADV", limit=1) == [answered]
    await store.save(fresh, resolved)
    assert await store.open_for_desk("ADV") == [answered, assigned]
    assert [t.desk for t in await store.open_for_desk("")] == [""]
    assert await store.open_for_desk("BZ") == []


async def test_cards_not_posted_yet_are_found_again(store: TicketRepository) -> None:
    first = await store.add(new_ticket(at=T0))
    second = await store.add(new_ticket(at=T0 + MINUTE))
    third = await store.add(new_ticket(at=T0 + 2 * MINUTE))
    assert await store.unposted(10) == [first, second, third]
    assert await store.desk_card(first.id) == ("", "")
    await store.set_desk_card(second.id, "19:desk@thread.tacv2", "1733562000000")
    assert await store.unposted(10) == [first, third]
    assert await store.unposted(1) == [first]
    assert await store.desk_card(second.id) == ("19:desk@thread.tacv2", "1733562000000")
    assert await store.desk_card(second.id + 1000) is None
    # A save keeps the card, and the card changes nothing of the ticket.
    taken = second.assigned_to("agent-1")
    await store.save(second, taken)
    assert await store.get(second.id) == taken
    assert await store.desk_card(second.id) == ("19:desk@thread.tacv2", "1733562000000")
