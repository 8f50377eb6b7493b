"""Service-desk tickets: one row each, saved only over the version a step was decided on, with
the message, audit lines and outbox messages that came with the step (the conversation is a
table of its own)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from functools import partial
from typing import Any

import sqlalchemy as sa

from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.tickets import (
    REFERENCE_PREFIX,
    MessageKind,
    NewTicket,
    Relay,
    StaleTicket,
    Ticket,
    TicketMessage,
    TicketState,
    Urgency,
    format_ticket_reference,
)
from bot.ports.platform import Clock
from bot.ports.servicedesk import TicketFiled
from bot.store.database import Database
from bot.store.platform.audit_log import audit_row
from bot.store.platform.outbox import enqueue_in
from bot.store.platform.tables import audit_log
from bot.store.references import next_reference_number
from bot.store.servicedesk.tables import (
    TICKET_OPEN_PREDICATE,
    TICKET_UNPOSTED_PREDICATE,
    ticket_messages,
    tickets,
)
from bot.store.transitions import TransitionWriter

# Never changed by a step (the reference is unique).
_FIXED_COLUMNS = ("reference", "tenant_id", "requester_id", "requester_entity", "created_at")


class SqlTicketRepository:
    """Implements bot.ports.servicedesk.TicketRepository on SQLite and PostgreSQL.

    A save lands only on the version it was decided on (optimistic concurrency): of two agents
    who act on the same version, one wins and the other gets StaleTicket, having written
    nothing. The desk card's ids (`set_desk_card`) and the person's relay choice (`set_relay`)
    are set on their own: a save never touches them.

    `clock`: stamps `updated_at` on saves (the system clock without one). `reference_zone`: the
    time zone whose calendar year a reference carries (the administration's; UTC by default).
    """

    def __init__(
        self, db: Database, *, clock: Clock | None = None, reference_zone: tzinfo = UTC
    ) -> None:
        self._db = db
        self._now = clock.now if clock is not None else partial(datetime.now, UTC)
        self._zone = reference_zone
        self._transitions = TransitionWriter(tickets, StaleTicket, fixed=_FIXED_COLUMNS)

    # --- writes -------------------------------------------------------------------------------
    async def add(self, new: NewTicket, then: TicketFiled | None = None) -> Ticket:
        """Store a new ticket with the next reference of its year (of `created_at`).

        `then`: given the stored ticket (its id and reference known), the audit lines and
        outbox messages (its card for the desk) to write in the same transaction."""
        year = new.created_at.astimezone(self._zone).year
        async with self._db.transaction() as connection:
            number = await next_reference_number(self._db, connection, REFERENCE_PREFIX, year)
            filed = _filed(new, format_ticket_reference(year, number))
            ticket_id = await self._transitions.insert(
                connection, _row(filed, updated_at=new.created_at)
            )
            assert ticket_id is not None  # a plain INSERT skips nothing
            ticket = replace(filed, id=ticket_id)
            if then is not None:
                audit, messages = then(ticket)
                if audit:
                    await connection.execute(
                        audit_log.insert(), [audit_row(entry) for entry in audit]
                    )
                await enqueue_in(connection, messages, new.created_at)
        return ticket

    async def save(
        self,
        before: Ticket,
        after: Ticket,
        message: TicketMessage | None = None,
        *,
        audit: Sequence[AuditEntry] = (),
        notices: Sequence[NewOutboxMessage] = (),
    ) -> None:
        """Write `after` if the stored ticket is still at `before.version`, and with it
        `message`, the audit lines and the outbox messages; raises StaleTicket, having written
        nothing, if another step was saved first."""
        if after.id != before.id:
            raise ValueError("a step saves the ticket it was taken on")
        async with self._db.transaction() as connection:
            await self._transitions.update(
                connection,
                after.id,
                _row(after, updated_at=self._now()),
                expected_version=before.version,
                audit=audit,
                messages=notices,
            )
            if message is not None:
                await connection.execute(ticket_messages.insert(), _message_row(after.id, message))

    async def add_message(self, ticket_id: int, message: TicketMessage) -> None:
        """A line of the conversation that changes nothing of the ticket (a note, a person's
        message on a ticket that is not waiting on them)."""
        async with self._db.transaction() as connection:
            await connection.execute(ticket_messages.insert(), _message_row(ticket_id, message))

    async def set_relay(self, ticket_id: int, relay: Relay) -> None:
        """The person's choice for their free messages; outside the version check (no agent's
        step depends on it, and a step never writes it)."""
        statement = tickets.update().where(tickets.c.id == ticket_id).values(relay=relay.value)
        async with self._db.transaction() as connection:
            await connection.execute(statement)

    async def set_desk_card(self, ticket_id: int, conversation_id: str, activity_id: str) -> None:
        """The ticket's card was posted in the service desk's channel."""
        statement = (
            tickets.update()
            .where(tickets.c.id == ticket_id)
            .values(desk_conversation_id=conversation_id, desk_activity_id=activity_id)
        )
        async with self._db.transaction() as connection:
            await connection.execute(statement)

    # --- reads --------------------------------------------------------------------------------
    async def get(self, ticket_id: int) -> Ticket | None:
        return await self._one(tickets.c.id == ticket_id)

    async def by_reference(self, reference: str) -> Ticket | None:
        return await self._one(tickets.c.reference == reference)

    async def desk_card(self, ticket_id: int) -> tuple[str, str] | None:
        """(conversation id, activity id) of the ticket's card; ("", "") before it is posted,
        None for an unknown ticket."""
        query = sa.select(tickets.c.desk_conversation_id, tickets.c.desk_activity_id).where(
            tickets.c.id == ticket_id
        )
        async with self._db.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        return None if row is None else (row.desk_conversation_id, row.desk_activity_id)

    async def messages(self, ticket_id: int, *, internal: bool) -> list[TicketMessage]:
        """The conversation in the order it was written; without the notes unless `internal`
        (internal=False is what the person may see)."""
        query = (
            ticket_messages.select()
            .where(ticket_messages.c.ticket_id == ticket_id)
            .order_by(ticket_messages.c.id)
        )
        if not internal:
            query = query.where(ticket_messages.c.kind != MessageKind.NOTE.value)
        async with self._db.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_message(row) for row in rows]

    async def mine(self, tenant_id: str, requester_id: str, limit: int = 20) -> list[Ticket]:
        """A person's tickets, newest first."""
        query = (
            tickets.select()
            .where(tickets.c.tenant_id == tenant_id, tickets.c.requester_id == requester_id)
            .order_by(tickets.c.created_at.desc(), tickets.c.id.desc())
            .limit(limit)
        )
        return await self._many(query)

    async def open_of(self, tenant_id: str, requester_id: str, limit: int = 5) -> list[Ticket]:
        """A person's new, open and waiting tickets, the last changed first."""
        query = (
            tickets.select()
            .where(
                tickets.c.tenant_id == tenant_id,
                tickets.c.requester_id == requester_id,
                sa.text(TICKET_OPEN_PREDICATE),
            )
            .order_by(tickets.c.updated_at.desc(), tickets.c.id.desc())
            .limit(limit)
        )
        return await self._many(query)

    async def open_for_desk(self, desk: str, limit: int = 50) -> list[Ticket]:
        """A desk's queue (new, open and waiting tickets), oldest first."""
        query = (
            tickets.select()
            # Repeats the partial index predicate literally, so the planner may use it.
            .where(tickets.c.desk == desk, sa.text(TICKET_OPEN_PREDICATE))
            .order_by(tickets.c.created_at, tickets.c.id)
            .limit(limit)
        )
        return await self._many(query)

    async def open_tickets(self, limit: int, after_id: int = 0) -> list[Ticket]:
        """Every desk's new, open and waiting tickets by id, from after `after_id` (a page at a
        time: the service-level worker goes through them all)."""
        query = (
            tickets.select()
            # Repeats the partial index predicate literally, so the planner may use it.
            .where(sa.text(TICKET_OPEN_PREDICATE), tickets.c.id > after_id)
            .order_by(tickets.c.id)
            .limit(limit)
        )
        return await self._many(query)

    async def unposted(self, limit: int) -> list[Ticket]:
        """Tickets whose card is not in the desk's channel yet (to post again), oldest first."""
        query = (
            tickets.select()
            .where(sa.text(TICKET_UNPOSTED_PREDICATE))
            .order_by(tickets.c.id)
            .limit(limit)
        )
        return await self._many(query)

    async def _one(self, where: sa.ColumnElement[bool]) -> Ticket | None:
        async with self._db.connect() as connection:
            row = (await connection.execute(tickets.select().where(where))).one_or_none()
        return None if row is None else _ticket(row)

    async def _many(self, query: sa.Select[Any]) -> list[Ticket]:
        async with self._db.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_ticket(row) for row in rows]


def _filed(new: NewTicket, reference: str) -> Ticket:
    return Ticket(
        id=0,  # given by the database
        reference=reference,
        tenant_id=new.tenant_id,
        requester_id=new.requester_id,
        category=new.category,
        urgency=new.urgency,
        question=new.question,
        created_at=new.created_at,
        desk=new.desk,
        requester_entity=new.requester_entity,
        context=tuple((key, value) for key, value in new.context),
    )


def _row(ticket: Ticket, *, updated_at: datetime) -> dict[str, Any]:
    """Every column of the Ticket but the id, and when the row was written."""
    return {
        "reference": ticket.reference,
        "tenant_id": ticket.tenant_id,
        "requester_id": ticket.requester_id,
        "category": ticket.category.value,
        "urgency": ticket.urgency.value,
        "question": ticket.question,
        "created_at": ticket.created_at,
        "state": ticket.state.value,
        "desk": ticket.desk,
        "requester_entity": ticket.requester_entity,
        "assignee_id": ticket.assignee_id,
        "context": [[key, value] for key, value in ticket.context],
        "first_response_at": ticket.first_response_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "resolution": ticket.resolution,
        "waited_hours": ticket.waited_hours,
        "waiting_since": ticket.waiting_since,
        "rating": ticket.rating,
        "rating_comment": ticket.rating_comment,
        "sla_notified": " ".join(sorted(ticket.sla_notified)),
        "version": ticket.version,
        "updated_at": updated_at,
    }


def _ticket(row: sa.Row[Any]) -> Ticket:
    return Ticket(
        id=row.id,
        reference=row.reference,
        tenant_id=row.tenant_id,
        requester_id=row.requester_id,
        category=Category(row.category),
        urgency=Urgency(row.urgency),
        question=row.question,
        created_at=row.created_at,
        state=TicketState(row.state),
        desk=row.desk,
        requester_entity=row.requester_entity,
        assignee_id=row.assignee_id,
        context=tuple((str(key), str(value)) for key, value in row.context),
        first_response_at=row.first_response_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        resolution=row.resolution,
        waited_hours=float(row.waited_hours),
        waiting_since=row.waiting_since,
        rating=row.rating,
        rating_comment=row.rating_comment,
        sla_notified=frozenset(row.sla_notified.split()),
        relay=Relay(row.relay),
        version=row.version,
    )


def _message_row(ticket_id: int, message: TicketMessage) -> dict[str, Any]:
    return {
        "ticket_id": ticket_id,
        "at": message.at,
        "author_id": message.author_id,
        "kind": MessageKind(message.kind).value,
        "text": message.text,
    }


def _message(row: sa.Row[Any]) -> TicketMessage:
    return TicketMessage(
        at=row.at, author_id=row.author_id, kind=MessageKind(row.kind), text=row.text
    )
