"""Licence requests: one row each, saved with the audit lines and notices of every transition."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.licences.requests import (
    OPEN_STATES,
    REFERENCE_PREFIX,
    Decision,
    LicenceRequest,
    NewLicenceRequest,
    RequestState,
    StaleRequest,
    format_reference,
)
from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.outbox import NewOutboxMessage
from bot.store.database import Database
from bot.store.licences.catalogue import stage_document, stage_from_document
from bot.store.licences.tables import LICENCE_AWAKE_PREDICATE, licence_requests
from bot.store.references import next_reference_number
from bot.store.transitions import TransitionWriter

OBJECT_TYPE = "licence_request"
_OPEN_OR_GRANTED = sorted(state.value for state in (*OPEN_STATES, RequestState.FULFILLED))
# Never changed by a transition (unique).
_FIXED_COLUMNS = ("reference",)


class SqlLicenceRequestRepository:
    """Implements bot.ports.licences.LicenceRequestRepository on SQLite and PostgreSQL.

    Every write stores `LicenceRequest.wake_at()` next to the request, so the worker finds what
    is due with one indexed range scan. A save only lands on the version it was decided on
    (optimistic concurrency); claims lease rows so replicas never work on the same request.

    `reference_zone`: the time zone whose calendar year a reference carries (the administration's;
    UTC by default).
    """

    def __init__(self, db: Database, *, reference_zone: tzinfo = UTC) -> None:
        self._db = db
        self._zone = reference_zone
        self._transitions = TransitionWriter(licence_requests, StaleRequest, fixed=_FIXED_COLUMNS)

    async def add(self, new: NewLicenceRequest, now: datetime, audit: AuditEntry) -> LicenceRequest:
        year = now.astimezone(self._zone).year
        async with self._db.transaction() as connection:
            reference = format_reference(year, await self._next_number(connection, year))
            request = _submitted(new, reference, now)
            entry = replace(audit, object_type=OBJECT_TYPE, object_id=reference)
            request_id = await self._transitions.insert(connection, _row(request), audit=[entry])
        assert request_id is not None  # a plain INSERT skips nothing
        return replace(request, id=request_id)

    async def save(
        self,
        request: LicenceRequest,
        *,
        expected_version: int,
        audit: Sequence[AuditEntry] = (),
        messages: Sequence[NewOutboxMessage] = (),
    ) -> None:
        async with self._db.transaction() as connection:
            await self._transitions.update(
                connection,
                request.id,
                _row(request),
                expected_version=expected_version,
                audit=audit,
                messages=messages,
            )

    async def get(self, request_id: int) -> LicenceRequest | None:
        return await self._one(licence_requests.c.id == request_id)

    async def get_by_reference(self, reference: str) -> LicenceRequest | None:
        return await self._one(licence_requests.c.reference == reference)

    async def for_requester(
        self, tenant_id: str, requester_id: str, limit: int = 20
    ) -> list[LicenceRequest]:
        query = (
            licence_requests.select()
            .where(
                licence_requests.c.tenant_id == tenant_id,
                licence_requests.c.requester_id == requester_id,
            )
            .order_by(licence_requests.c.created_at.desc(), licence_requests.c.id.desc())
            .limit(limit)
        )
        return await self._many(query)

    async def open_for(
        self, tenant_id: str, requester_id: str, item_key: str
    ) -> LicenceRequest | None:
        """The newest request for the item that is open or granted (also time-bound: the desk
        tells an extension of it from a duplicate by its reference)."""
        query = (
            licence_requests.select()
            .where(
                licence_requests.c.tenant_id == tenant_id,
                licence_requests.c.requester_id == requester_id,
                licence_requests.c.item_key == item_key,
                licence_requests.c.state.in_(_OPEN_OR_GRANTED),
            )
            .order_by(licence_requests.c.created_at.desc(), licence_requests.c.id.desc())
            .limit(1)
        )
        found = await self._many(query)
        return found[0] if found else None

    async def claim_due(
        self, now: datetime, limit: int, lease_seconds: float
    ) -> list[LicenceRequest]:
        if limit <= 0:
            return []
        due = licence_requests.alias("due")
        due_ids = (
            sa.select(due.c.id)
            .where(
                # Repeats the partial index predicate literally, so the planner may use it.
                sa.text(LICENCE_AWAKE_PREDICATE),
                due.c.wake_at <= now,
                sa.or_(due.c.lease_until.is_(None), due.c.lease_until <= now),
            )
            .order_by(due.c.wake_at, due.c.id)
            .limit(limit)
        )
        if self._db.dialect == "postgresql":
            # Rows another replica is claiming (or a person is saving) are skipped, not awaited.
            locked = due_ids.with_for_update(skip_locked=True).cte("claimable")
            statement = sa.update(licence_requests).where(licence_requests.c.id == locked.c.id)
        else:
            # SQLite runs one writer at a time: a single UPDATE is already atomic.
            statement = sa.update(licence_requests).where(
                licence_requests.c.id.in_(due_ids.scalar_subquery())
            )
        statement = statement.values(
            lease_until=now + timedelta(seconds=lease_seconds),
            claims=licence_requests.c.claims + 1,  # before the step: a crash still counts
        )
        async with self._db.transaction() as connection:
            rows = (await connection.execute(statement.returning(*licence_requests.c))).all()
        return [_request(row) for row in sorted(rows, key=lambda row: (row.wake_at, row.id))]

    async def release(self, request_id: int) -> None:
        statement = (
            licence_requests.update()
            .where(licence_requests.c.id == request_id)
            .values(lease_until=None, claims=0)
        )
        async with self._db.transaction() as connection:
            await connection.execute(statement)

    async def postpone(self, request_id: int, until: datetime) -> None:
        statement = (
            licence_requests.update()
            .where(licence_requests.c.id == request_id)
            .values(lease_until=until, claims=0)
        )
        async with self._db.transaction() as connection:
            await connection.execute(statement)

    async def between(
        self, start: datetime, end: datetime, entity: str | None = None
    ) -> list[LicenceRequest]:
        query = (
            licence_requests.select()
            .where(licence_requests.c.created_at >= start, licence_requests.c.created_at < end)
            .order_by(licence_requests.c.created_at, licence_requests.c.id)
        )
        if entity is not None:
            query = query.where(licence_requests.c.entity == entity)
        return await self._many(query)

    async def count_by_state(self) -> dict[RequestState, int]:
        """Requests per state; every state is present (zero when none)."""
        query = sa.select(licence_requests.c.state, sa.func.count()).group_by(
            licence_requests.c.state
        )
        async with self._db.connect() as connection:
            found: dict[str, int] = {
                state: count for state, count in (await connection.execute(query)).all()
            }
        return {state: found.get(state.value, 0) for state in RequestState}

    async def _next_number(self, connection: AsyncConnection, year: int) -> int:
        return await next_reference_number(self._db, connection, REFERENCE_PREFIX, year)

    async def _one(self, where: sa.ColumnElement[bool]) -> LicenceRequest | None:
        async with self._db.connect() as connection:
            row = (await connection.execute(licence_requests.select().where(where))).one_or_none()
        return None if row is None else _request(row)

    async def _many(self, query: sa.Select[Any]) -> list[LicenceRequest]:
        async with self._db.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_request(row) for row in rows]


def _submitted(new: NewLicenceRequest, reference: str, now: datetime) -> LicenceRequest:
    return LicenceRequest(
        id=0,  # given by the database
        reference=reference,
        tenant_id=new.tenant_id,
        requester_id=new.requester_id,
        requester_name=new.requester_name,
        entity=new.entity,
        item_key=new.item_key,
        justification=new.justification,
        stages=new.stages,
        state=RequestState.SUBMITTED,
        created_at=now,
        updated_at=now,
        version=1,
        answers=dict(new.answers),
        end_date=new.end_date,
        previous_reference=new.previous_reference,
    )


def _row(request: LicenceRequest) -> dict[str, Any]:
    """Every column but the id (and the lease and claims count, which only claims, releases
    and postponements touch)."""
    return {
        "reference": request.reference,
        "tenant_id": request.tenant_id,
        "requester_id": request.requester_id,
        "requester_name": request.requester_name,
        "entity": request.entity,
        "item_key": request.item_key,
        "justification": request.justification,
        "answers": dict(request.answers),
        "end_date": request.end_date,
        "previous_reference": request.previous_reference,
        "stages": [stage_document(stage) for stage in request.stages],
        "state": request.state.value,
        "stage": request.stage,
        "approvers": list(request.approvers),
        "invited": list(request.invited),
        "deadline": request.deadline,
        "remind_at": request.remind_at,
        "reminded": request.reminded,
        "decisions": [_decision_document(decision) for decision in request.decisions],
        "reason": request.reason,
        "attempts": request.attempts,
        "next_attempt_at": request.next_attempt_at,
        "fulfilled_at": request.fulfilled_at,
        "ends_at": request.ends_at,
        "end_warned": request.end_warned,
        "ended_at": request.ended_at,
        "created_at": request.created_at,
        "updated_at": request.updated_at,
        "version": request.version,
        "wake_at": request.wake_at(),
    }


def _request(row: sa.Row[Any]) -> LicenceRequest:
    return LicenceRequest(
        id=row.id,
        reference=row.reference,
        tenant_id=row.tenant_id,
        requester_id=row.requester_id,
        requester_name=row.requester_name,
        entity=row.entity,
        item_key=row.item_key,
        justification=row.justification,
        stages=tuple(stage_from_document(stage) for stage in row.stages),
        state=RequestState(row.state),
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        answers=dict(row.answers),
        end_date=row.end_date,
        previous_reference=row.previous_reference,
        stage=row.stage,
        approvers=tuple(row.approvers),
        invited=tuple(row.invited),
        deadline=row.deadline,
        remind_at=row.remind_at,
        reminded=bool(row.reminded),
        decisions=tuple(_decision(document) for document in row.decisions),
        reason=row.reason,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        fulfilled_at=row.fulfilled_at,
        ends_at=row.ends_at,
        end_warned=bool(row.end_warned),
        ended_at=row.ended_at,
        claims=row.claims,
    )


def _decision_document(decision: Decision) -> dict[str, Any]:
    if decision.at.tzinfo is None or decision.at.utcoffset() is None:
        raise ValueError("naive datetime: pass a timezone-aware (UTC) datetime")
    return {
        "stage": decision.stage,
        "approver_id": decision.approver_id,
        "approver_name": decision.approver_name,
        "approved": decision.approved,
        "comment": decision.comment,
        "at": decision.at.astimezone(UTC).isoformat(),
    }


def _decision(document: dict[str, Any]) -> Decision:
    return Decision(
        stage=int(document["stage"]),
        approver_id=document["approver_id"],
        approver_name=document["approver_name"],
        approved=bool(document["approved"]),
        comment=document["comment"],
        at=datetime.fromisoformat(document["at"]).astimezone(UTC),
    )
