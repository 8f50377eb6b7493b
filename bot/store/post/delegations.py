"""Post delegations: while someone is away, their post goes to a delegate (dates inclusive).

Person ids are stored casefolded (Entra object ids are case-insensitive), so lookups by id
match however a caller spells them. A cancelled delegation is deleted; the service writes the
audit line that keeps its memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, tzinfo
from typing import Any

import sqlalchemy as sa

from bot.domain.post.routing import Delegation
from bot.ports.platform import Clock
from bot.store.database import Database
from bot.store.post.tables import post_delegations


class SqlDelegationRepository:
    """Implements bot.ports.post.DelegationRepository.

    `clock` and `zone` decide what "current and future" means for `for_user`: delegations that
    end today or later, in the administration's calendar. Without a clock, `for_user` returns
    every stored delegation of the person.
    """

    def __init__(self, db: Database, *, clock: Clock | None = None, zone: tzinfo = UTC) -> None:
        self._db = db
        self._clock = clock
        self._zone = zone

    async def add(self, delegation: Delegation) -> Delegation:
        if delegation.ends < delegation.starts:
            raise ValueError("a delegation cannot end before it starts")
        stored = replace(
            delegation,
            user_id=delegation.user_id.casefold(),
            delegate_id=delegation.delegate_id.casefold(),
        )
        row = _row(stored)
        async with self._db.transaction() as connection:
            statement = post_delegations.insert().values(**row).returning(post_delegations.c.id)
            delegation_id: int = (await connection.execute(statement)).scalar_one()
        return replace(stored, id=delegation_id)

    async def for_user(self, user_id: str) -> list[Delegation]:
        query = post_delegations.select().where(post_delegations.c.user_id == user_id.casefold())
        if self._clock is not None:
            today = self._clock.now().astimezone(self._zone).date()
            query = query.where(post_delegations.c.ends >= today)
        query = query.order_by(post_delegations.c.starts, post_delegations.c.id)
        return await self._many(query)

    async def active_on(self, user_ids: Sequence[str], day: date) -> list[Delegation]:
        """Delegations of any of these people that cover `day`, earliest start first."""
        ids = sorted({user_id.casefold() for user_id in user_ids if user_id})
        if not ids:
            return []
        query = (
            post_delegations.select()
            .where(
                post_delegations.c.user_id.in_(ids),
                post_delegations.c.starts <= day,
                post_delegations.c.ends >= day,
            )
            .order_by(post_delegations.c.starts, post_delegations.c.id)
        )
        return await self._many(query)

    async def cancel(self, delegation_id: int, user_id: str) -> bool:
        statement = post_delegations.delete().where(
            post_delegations.c.id == delegation_id,
            post_delegations.c.user_id == user_id.casefold(),
        )
        async with self._db.transaction() as connection:
            result = await connection.execute(statement)
        return bool(result.rowcount)

    async def _many(self, query: sa.Select[Any]) -> list[Delegation]:
        async with self._db.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_delegation(row) for row in rows]


def _row(delegation: Delegation) -> dict[str, Any]:
    return {
        "user_id": delegation.user_id,
        "delegate_id": delegation.delegate_id,
        "starts": delegation.starts,
        "ends": delegation.ends,
        "created_by": delegation.created_by,
        "created_at": delegation.created_at,
    }


def _delegation(row: sa.Row[Any]) -> Delegation:
    return Delegation(
        user_id=row.user_id,
        delegate_id=row.delegate_id,
        starts=row.starts,
        ends=row.ends,
        created_by=row.created_by,
        created_at=row.created_at,
        id=row.id,
    )
