"""The licence catalogue: four small tables, always replaced and read as a whole."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.licences.catalogue import (
    ApprovalPolicy,
    ApproverKind,
    Catalogue,
    CatalogueItem,
    Entity,
    Fulfilment,
    ItemKind,
    Offer,
    Question,
    Stage,
    WorkspaceRole,
)
from bot.store.database import Database
from bot.store.licences.tables import (
    catalogue_entities,
    catalogue_items,
    catalogue_offers,
    catalogue_policies,
)

_TABLES = (catalogue_items, catalogue_entities, catalogue_policies, catalogue_offers)


class SqlCatalogueRepository:
    """Implements bot.ports.licences.CatalogueRepository.

    `replace` swaps the whole catalogue in one transaction, and `load` reads the four tables from
    one snapshot, so a reader never sees half of an old catalogue and half of a new one.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    async def load(self) -> Catalogue:
        async with self._snapshot() as connection:
            items, entities, policies, offers = [
                (await connection.execute(table.select().order_by(table.c.position))).all()
                for table in _TABLES
            ]
        return Catalogue(
            items=tuple(_item(row) for row in items),
            entities=tuple(_entity(row) for row in entities),
            policies=tuple(_policy(row) for row in policies),
            offers=tuple(_offer(row) for row in offers),
        )

    async def replace(self, catalogue: Catalogue) -> None:
        rows: dict[sa.Table, Sequence[dict[str, Any]]] = {
            catalogue_items: [_item_row(n, item) for n, item in enumerate(catalogue.items)],
            catalogue_entities: [
                _entity_row(n, entity) for n, entity in enumerate(catalogue.entities)
            ],
            catalogue_policies: [
                _policy_row(n, policy) for n, policy in enumerate(catalogue.policies)
            ],
            catalogue_offers: [_offer_row(n, offer) for n, offer in enumerate(catalogue.offers)],
        }
        async with self._db.transaction() as connection:
            for table in _TABLES:
                await connection.execute(table.delete())
            for table in _TABLES:
                if rows[table]:
                    await connection.execute(table.insert(), rows[table])

    @asynccontextmanager
    async def _snapshot(self) -> AsyncIterator[AsyncConnection]:
        """A connection whose reads all see the same committed catalogue."""
        if self._db.dialect == "postgresql":
            async with self._db.connect() as connection:
                # READ COMMITTED takes a new snapshot per statement; this takes one per transaction.
                await connection.execution_options(isolation_level="REPEATABLE READ")
                async with connection.begin():
                    yield connection
            return
        # The SQLite driver opens no transaction for reads, so each SELECT would see the newest
        # commit: an explicit one reads one snapshot. Taking the writer turn too keeps it apart
        # from this process's writers when they share one connection (an in-memory database).
        async with self._db.transaction() as connection:
            await connection.exec_driver_sql("BEGIN")
            yield connection


def _item_row(position: int, item: CatalogueItem) -> dict[str, Any]:
    return {
        "key": item.key,
        "position": position,
        "kind": item.kind.value,
        "name_nl": item.name_nl,
        "name_en": item.name_en,
        "fulfilment": item.fulfilment.value,
        "group_id": item.group_id,
        "sku_id": item.sku_id,
        "workspace": item.workspace,
        "workspace_role": item.workspace_role.value if item.workspace_role else None,
        "description_nl": item.description_nl,
        "description_en": item.description_en,
        "synonyms": list(item.synonyms),
        "questions": [
            {
                "key": question.key,
                "label_nl": question.label_nl,
                "label_en": question.label_en,
                "required": question.required,
            }
            for question in item.questions
        ],
        "min_justification": item.min_justification,
    }


def _item(row: sa.Row[Any]) -> CatalogueItem:
    return CatalogueItem(
        key=row.key,
        kind=ItemKind(row.kind),
        name_nl=row.name_nl,
        name_en=row.name_en,
        fulfilment=Fulfilment(row.fulfilment),
        group_id=row.group_id,
        sku_id=row.sku_id,
        workspace=row.workspace,
        workspace_role=WorkspaceRole(row.workspace_role) if row.workspace_role else None,
        description_nl=row.description_nl,
        description_en=row.description_en,
        synonyms=tuple(row.synonyms),
        questions=tuple(
            Question(q["key"], q["label_nl"], q["label_en"], bool(q["required"]))
            for q in row.questions
        ),
        min_justification=row.min_justification,
    )


def _entity_row(position: int, entity: Entity) -> dict[str, Any]:
    return {
        "code": entity.code,
        "position": position,
        "name_nl": entity.name_nl,
        "name_en": entity.name_en,
        "staff_group_id": entity.staff_group_id,
        "admin_group_id": entity.admin_group_id,
    }


def _entity(row: sa.Row[Any]) -> Entity:
    return Entity(
        code=row.code,
        name_nl=row.name_nl,
        name_en=row.name_en,
        staff_group_id=row.staff_group_id,
        admin_group_id=row.admin_group_id,
    )


def _policy_row(position: int, policy: ApprovalPolicy) -> dict[str, Any]:
    return {
        "key": policy.key,
        "position": position,
        "stages": [stage_document(stage) for stage in policy.stages],
        "decision_days": policy.decision_days,
        "fallback": list(policy.fallback),
    }


def _policy(row: sa.Row[Any]) -> ApprovalPolicy:
    return ApprovalPolicy(
        key=row.key,
        stages=tuple(stage_from_document(stage) for stage in row.stages),
        decision_days=row.decision_days,
        fallback=tuple(row.fallback),
    )


def _offer_row(position: int, offer: Offer) -> dict[str, Any]:
    return {
        "position": position,
        "item_key": offer.item_key,
        "entity": offer.entity,
        "policy_key": offer.policy_key,
        "max_days": offer.max_days,
    }


def _offer(row: sa.Row[Any]) -> Offer:
    return Offer(
        item_key=row.item_key,
        entity=row.entity,
        policy_key=row.policy_key,
        max_days=row.max_days,
    )


def stage_document(stage: Stage) -> dict[str, Any]:
    """An approval stage as JSON (policies here, and the copy a request keeps)."""
    return {"approver": stage.approver.value, "named": list(stage.named)}


def stage_from_document(document: dict[str, Any]) -> Stage:
    return Stage(ApproverKind(document["approver"]), tuple(document.get("named", ())))
