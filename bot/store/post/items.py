"""Scanned post items: one row each, saved with the audit lines and notices of every transition.

Idempotent intake rests on the UNIQUE (scanner, external_id): an add that finds the scanner's id
taken (stored before, or committed by a concurrent add a moment ago) writes nothing and returns
the stored item; whether that item is the same upload is the intake's judgement.

Items stored before scanners were recorded, whose scanner could not be recovered from the audit
trail (migration 0006), carry the scanner "": any scanner's id finds them, so a late retry of
such an item is never stored a second time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.platform.text import folded_words
from bot.domain.post.items import (
    REFERENCE_PREFIX,
    Destination,
    DestinationKind,
    DocumentType,
    IntakeMetadata,
    PostItem,
    PostState,
    StalePostItem,
    StoredDocument,
    format_post_reference,
)
from bot.domain.post.routing import PostQuery
from bot.store.database import Database
from bot.store.post.item_rows import item_from_row, item_row
from bot.store.post.tables import POST_SCAN_KEPT_PREDICATE, post_items
from bot.store.references import next_reference_number
from bot.store.transitions import TransitionWriter
from bot.store.upserts import insert_on_conflict

OBJECT_TYPE = "post_item"
# A team target is "<group id>|<channel conversation id>"; a query may name the group alone.
TEAM_TARGET_SEPARATOR = "|"
_LIKE_ESCAPE = "\\"
UNKNOWN_SCANNER = ""
# Never changed by a transition; two of them are unique.
_FIXED_COLUMNS = ("reference", "scanner", "external_id", "created_at")


# (the new, RECEIVED item) -> its first step: the changed item, audit lines, outbox messages.
FirstStep = Callable[
    [PostItem], Awaitable[tuple[PostItem, Sequence[AuditEntry], Sequence[NewOutboxMessage]]]
]


class _TakenMeanwhile(Exception):
    """A concurrent add stored the same external id first: roll back our reference number."""


class SqlPostItemRepository:
    """Implements bot.ports.post.PostItemRepository on SQLite and PostgreSQL.

    `reference_zone`: the time zone whose calendar year a reference carries (the administration's;
    UTC by default).
    """

    def __init__(self, db: Database, *, reference_zone: tzinfo = UTC) -> None:
        self._db = db
        self._zone = reference_zone
        self._transitions = TransitionWriter(post_items, StalePostItem, fixed=_FIXED_COLUMNS)
        self._insert_statement: Any = None

    async def add(
        self,
        tenant_id: str,
        metadata: IntakeMetadata,
        document: StoredDocument,
        now: datetime,
        audit: AuditEntry,
    ) -> tuple[PostItem, bool]:
        return await self.add_with(tenant_id, metadata, document, now, audit, None)

    async def add_with(
        self,
        tenant_id: str,
        metadata: IntakeMetadata,
        document: StoredDocument,
        now: datetime,
        audit: AuditEntry,
        first_step: FirstStep | None,
    ) -> tuple[PostItem, bool]:
        """add(); with `first_step`, the new item's first transition is stored in the same
        transaction instead of the RECEIVED item: its row, its audit lines after the intake's,
        and its outbox messages (see bot.services.post.intake.IntakeItems)."""
        year = now.astimezone(self._zone).year
        try:
            async with self._db.transaction() as connection:
                reference = format_post_reference(year, await self._next_number(connection, year))
                received = _received(tenant_id, metadata, document, reference, now)
                intake = replace(audit, object_type=OBJECT_TYPE, object_id=reference)
                # The id comes first (an INSERT ... ON CONFLICT DO NOTHING RETURNING id): an
                # external id stored before, or by a concurrent add that commits first
                # (PostgreSQL waits for that commit), returns no row. With a first step, the
                # intake's audit line is written with the step's, before them.
                item_id = await self._transitions.insert(
                    connection,
                    item_row(received),
                    audit=[intake] if first_step is None else [],
                    statement=self._insert(),
                )
                if item_id is None:
                    raise _TakenMeanwhile()  # leaving the block rolls the counter back
                item = replace(received, id=item_id)
                if first_step is not None:
                    after, more, messages = await first_step(item)
                    await self._transitions.update(
                        connection,
                        item_id,
                        item_row(after),
                        expected_version=item.version,  # nobody else sees it yet
                        audit=[intake, *more],
                        messages=messages,
                    )
                    item = after
        except _TakenMeanwhile:
            stored = await self.by_external_id(metadata.external_id, scanner=metadata.scanner)
            if stored is None:  # pragma: no cover - the stored row cannot vanish: no deletes
                raise RuntimeError("post item vanished after a conflicting add") from None
            return stored, False
        return item, True

    async def save(
        self,
        item: PostItem,
        *,
        expected_version: int,
        audit: Sequence[AuditEntry] = (),
        messages: Sequence[NewOutboxMessage] = (),
    ) -> None:
        async with self._db.transaction() as connection:
            await self._transitions.update(
                connection,
                item.id,
                item_row(item),
                expected_version=expected_version,
                audit=audit,
                messages=messages,
            )

    async def get(self, item_id: int) -> PostItem | None:
        return await self._one(post_items.c.id == item_id)

    async def by_external_id(self, external_id: str, *, scanner: str) -> PostItem | None:
        statement = (
            post_items.select()
            .where(
                post_items.c.external_id == external_id,
                post_items.c.scanner.in_(sorted({scanner, UNKNOWN_SCANNER})),
            )
            # The scanner's own item before one of unknown origin.
            .order_by(post_items.c.scanner.desc())
            .limit(1)
        )
        found = await self._many(statement)
        return found[0] if found else None

    async def get_by_reference(self, reference: str) -> PostItem | None:
        """Not in the port: for the CLI and the mailroom, who quote references."""
        return await self._one(post_items.c.reference == reference)

    async def visible_to(self, query: PostQuery) -> list[PostItem]:
        """Search: every folded word of `query.search` must occur in the folded sender name,
        organisation or subject (a LIKE on the stored `search_text`, see bot.store.tables)."""
        if not query.destinations or not query.states or query.limit <= 0:
            return []
        statement = (
            post_items.select()
            .where(
                sa.or_(*(_destination_is(d) for d in query.destinations)),
                post_items.c.state.in_(sorted(state.value for state in query.states)),
            )
            .order_by(post_items.c.received_at.desc(), post_items.c.id.desc())
            .limit(query.limit)
            .offset(max(query.offset, 0))
        )
        if query.registered_only:
            statement = statement.where(
                sa.or_(
                    post_items.c.registered.is_(True),
                    post_items.c.document_type == DocumentType.REGISTERED.value,
                )
            )
        if query.received_since is not None:
            statement = statement.where(post_items.c.received_at >= query.received_since)
        for word in folded_words(query.search):
            statement = statement.where(
                post_items.c.search_text.like(f"%{_escape_like(word)}%", escape=_LIKE_ESCAPE)
            )
        return await self._many(statement)

    async def unhandled_since(self, before: datetime, limit: int) -> list[PostItem]:
        statement = (
            post_items.select()
            .where(
                post_items.c.state == PostState.ROUTED.value,
                post_items.c.updated_at < before,
            )
            .order_by(post_items.c.updated_at, post_items.c.id)
            .limit(limit)
        )
        return await self._many(statement)

    async def scans_to_purge(self, handled_before: datetime, limit: int) -> list[PostItem]:
        statement = (
            post_items.select()
            .where(
                # Repeats the partial index predicate literally, so the planner may use it.
                sa.text(POST_SCAN_KEPT_PREDICATE),
                post_items.c.state == PostState.HANDLED.value,
                post_items.c.handled_at < handled_before,
            )
            .order_by(post_items.c.handled_at, post_items.c.id)
            .limit(limit)
        )
        return await self._many(statement)

    async def between(
        self, start: datetime, end: datetime, entity: str | None = None
    ) -> list[PostItem]:
        statement = (
            post_items.select()
            .where(post_items.c.received_at >= start, post_items.c.received_at < end)
            .order_by(post_items.c.received_at, post_items.c.id)
        )
        if entity is not None:
            statement = statement.where(post_items.c.entity == entity)
        return await self._many(statement)

    async def recent(self, limit: int) -> list[PostItem]:
        statement = post_items.select().order_by(post_items.c.id.desc()).limit(limit)
        return await self._many(statement)

    def _insert(self) -> Any:
        """INSERT ... ON CONFLICT (scanner, external_id) DO NOTHING RETURNING id, built once: the
        values come with each execution (an item has forty columns; building the statement anew
        each time costs more than running it)."""
        if self._insert_statement is None:
            self._insert_statement = (
                insert_on_conflict(self._db, post_items)
                .on_conflict_do_nothing(
                    index_elements=[post_items.c.scanner, post_items.c.external_id]
                )
                .returning(post_items.c.id)
            )
        return self._insert_statement

    async def _next_number(self, connection: AsyncConnection, year: int) -> int:
        return await next_reference_number(self._db, connection, REFERENCE_PREFIX, year)

    async def _one(self, where: sa.ColumnElement[bool]) -> PostItem | None:
        async with self._db.connect() as connection:
            row = (await connection.execute(post_items.select().where(where))).one_or_none()
        return None if row is None else item_from_row(row)

    async def _many(self, statement: sa.Select[Any]) -> list[PostItem]:
        async with self._db.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [item_from_row(row) for row in rows]


def _destination_is(destination: Destination) -> sa.ColumnElement[bool]:
    kind = post_items.c.destination_kind == destination.kind.value
    target = destination.target
    if destination.kind is DestinationKind.TRIAGE:
        return kind
    if destination.kind is DestinationKind.TEAM and TEAM_TARGET_SEPARATOR not in target:
        # The group alone: every channel of that team.
        prefix = _escape_like(target + TEAM_TARGET_SEPARATOR) + "%"
        return sa.and_(kind, post_items.c.destination_target.like(prefix, escape=_LIKE_ESCAPE))
    return sa.and_(kind, post_items.c.destination_target == target)


def _escape_like(text: str) -> str:
    return (
        text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
        .replace("%", _LIKE_ESCAPE + "%")
        .replace("_", _LIKE_ESCAPE + "_")
    )


def _received(
    tenant_id: str,
    metadata: IntakeMetadata,
    document: StoredDocument,
    reference: str,
    now: datetime,
) -> PostItem:
    return PostItem(
        id=0,  # given by the database
        reference=reference,
        tenant_id=tenant_id,
        metadata=metadata,
        document=document,
        state=PostState.RECEIVED,
        created_at=now,
        updated_at=now,
        version=1,
    )
