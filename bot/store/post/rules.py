"""Post routing rules: one small table, always replaced and read as a whole (an Excel import)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from bot.domain.post.items import Destination, DestinationKind, DocumentType
from bot.domain.post.routing import RoutingRule, RuleConditions
from bot.store.database import Database
from bot.store.post.tables import post_rules


class SqlRoutingRuleRepository:
    """Implements bot.ports.post.RoutingRuleRepository. Rules come back in evaluation order
    (`position`, then id), inactive ones included: the domain skips them, the register shows them.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    async def load(self) -> list[RoutingRule]:
        query = post_rules.select().order_by(post_rules.c.position, post_rules.c.id)
        async with self._db.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_rule(row) for row in rows]

    async def replace(self, rules: Sequence[RoutingRule]) -> None:
        rows = [_rule_row(rule) for rule in rules]
        async with self._db.transaction() as connection:
            await connection.execute(post_rules.delete())
            if rows:
                await connection.execute(post_rules.insert(), rows)


def conditions_document(conditions: RuleConditions) -> dict[str, Any]:
    """Only the conditions that are set: a rule's document reads like the rule."""
    document: dict[str, Any] = {}
    if conditions.addressee_ids:
        document["addressee_ids"] = list(conditions.addressee_ids)
    if conditions.addressee_text:
        document["addressee_text"] = conditions.addressee_text
    if conditions.sender_contains:
        document["sender_contains"] = conditions.sender_contains
    if conditions.document_types:
        document["document_types"] = sorted(t.value for t in conditions.document_types)
    if conditions.keywords:
        document["keywords"] = list(conditions.keywords)
    return document


def conditions_from_document(document: dict[str, Any]) -> RuleConditions:
    return RuleConditions(
        addressee_ids=tuple(str(v) for v in document.get("addressee_ids", ())),
        addressee_text=str(document.get("addressee_text", "")),
        sender_contains=str(document.get("sender_contains", "")),
        document_types=frozenset(DocumentType(v) for v in document.get("document_types", ())),
        keywords=tuple(str(v) for v in document.get("keywords", ())),
    )


def _rule_row(rule: RoutingRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "position": rule.position,
        "entity": rule.entity,
        "conditions": conditions_document(rule.conditions),
        "destination_kind": rule.destination.kind.value,
        "destination_target": rule.destination.target,
        "description": rule.description,
        "active": rule.active,
    }


def _rule(row: sa.Row[Any]) -> RoutingRule:
    return RoutingRule(
        id=row.id,
        position=row.position,
        destination=Destination(DestinationKind(row.destination_kind), row.destination_target),
        conditions=conditions_from_document(dict(row.conditions)),
        entity=row.entity,
        description=row.description,
        active=bool(row.active),
    )
