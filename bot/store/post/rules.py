"""Post routing rules: one small table, always replaced and read as a whole (an Excel import)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
        return [rule_from_document(row._mapping) for row in rows]

    async def replace(self, rules: Sequence[RoutingRule]) -> None:
        rows = [rule_document(rule) for rule in rules]
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


def rule_document(rule: RoutingRule) -> dict[str, Any]:
    """A rule as a row of the rules table, and as JSON where rules wait to be confirmed."""
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


def rule_from_document(document: Mapping[Any, Any]) -> RoutingRule:
    """The rule `rule_document` wrote (a row's mapping or the JSON read back)."""
    return RoutingRule(
        id=str(document["id"]),
        position=int(document["position"]),
        destination=Destination(
            DestinationKind(document["destination_kind"]), str(document["destination_target"])
        ),
        conditions=conditions_from_document(dict(document["conditions"])),
        entity=str(document["entity"]),
        description=str(document["description"]),
        active=bool(document["active"]),
    )
