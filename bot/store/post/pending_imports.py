"""Routing rules checked in chat, waiting for their uploader's confirmation, shared by replicas.

Rules are kept as documents (a rule reads like its row in post_rules), so what is applied is
exactly what was checked, and `against` compares equal to the rules loaded again when nothing
changed in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from bot.domain.post.routing import RoutingRule
from bot.domain.post.rule_imports import PendingRuleImport
from bot.domain.post.rule_scope import Scope
from bot.store.database import Database
from bot.store.post.rules import rule_document, rule_from_document
from bot.store.post.tables import post_rule_imports
from bot.store.upserts import insert_on_conflict

_PERSON = (post_rule_imports.c.tenant_id, post_rule_imports.c.uploaded_by)


class SqlPendingRuleImports:
    """Implements bot.ports.post.PendingRuleImportRepository."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def keep(self, pending: PendingRuleImport) -> None:
        row = _row(pending)
        insert = insert_on_conflict(self._db, post_rule_imports).values(**row)
        # The unique key decides: a newer upload of the same person replaces the older one, on
        # whichever replica either was checked.
        replace = insert.on_conflict_do_update(
            index_elements=list(_PERSON),
            set_={name: insert.excluded[name] for name in row if name not in {"tenant_id"}},
        )
        expired = post_rule_imports.delete().where(
            post_rule_imports.c.expires_at <= pending.created_at
        )
        async with self._db.transaction() as connection:
            await connection.execute(expired)
            await connection.execute(replace)

    async def take(self, tenant_id: str, user_id: str) -> PendingRuleImport | None:
        mine = sa.and_(_PERSON[0] == tenant_id, _PERSON[1] == user_id.casefold())
        async with self._db.transaction() as connection:
            row = (await connection.execute(post_rule_imports.select().where(mine))).first()
            if row is None:
                return None
            # Whoever deletes the row takes it: a second confirmation, here or on another
            # replica, waits for this one and then deletes nothing.
            deleted = await connection.execute(
                post_rule_imports.delete().where(post_rule_imports.c.id == row.id)
            )
        return _pending(row) if deleted.rowcount == 1 else None


def _row(pending: PendingRuleImport) -> dict[str, Any]:
    return {
        "id": pending.id,
        "tenant_id": pending.tenant_id,
        "uploaded_by": pending.uploaded_by.casefold(),
        "rules": [rule_document(rule) for rule in pending.rules],
        "against": [rule_document(rule) for rule in pending.against],
        "scope": None if pending.scope is None else sorted(pending.scope),
        "created_at": pending.created_at,
        "expires_at": pending.expires_at,
    }


def _pending(row: sa.Row[Any]) -> PendingRuleImport:
    scope: Scope = None if row.scope is None else frozenset(str(code) for code in row.scope)
    return PendingRuleImport(
        id=row.id,
        tenant_id=row.tenant_id,
        uploaded_by=row.uploaded_by,
        rules=_rules(row.rules),
        against=_rules(row.against),
        scope=scope,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


def _rules(documents: Sequence[dict[str, Any]]) -> tuple[RoutingRule, ...]:
    return tuple(rule_from_document(document) for document in documents)
