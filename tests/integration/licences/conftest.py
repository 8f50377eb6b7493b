"""The licence capability on real parts: the store (SQLite and PostgreSQL), the Graph emulator
over HTTP with the real Graph client, and the real notice cards. Only the clock is ours to move,
so deadlines, reminders and end dates can be reached without waiting."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.domain.licences.catalogue import (
    ALL_ENTITIES,
    ApprovalPolicy,
    ApproverKind,
    Catalogue,
    CatalogueItem,
    Entity,
    Fulfilment,
    ItemKind,
    Offer,
    Stage,
)
from bot.domain.licences.requests import LicenceRequest
from bot.domain.platform.actors import Actor
from bot.domain.platform.conversations import SeenUser
from bot.domain.platform.roles import Role
from bot.graph import GraphGateway
from bot.services.licences.desk import LicenceDesk
from bot.services.licences.flow import LicenceFlow
from bot.services.licences.worker import LicenceWorker
from bot.services.licences.worker_settings import WorkerSettings
from bot.store import (
    Database,
    SqlCatalogueRepository,
    SqlLicenceRequestRepository,
    SqlUserRepository,
)
from bot.store.platform.tables import audit_log, outbox
from devtools.graph_emulator import GraphEmulator
from devtools.graph_emulator.tenant import DEFAULT_TENANT_FILE
from dialogs.licences.notices import LicenceNoticeCards
from tests.support.clock import FakeClock

TENANT = "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
BRUSSELS = ZoneInfo("Europe/Brussels")
LOTTE = "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"  # ADV, manager Jef
JEF = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"  # ADV, manager An
NORA = "9bc27e58-cefb-4a47-9a5a-7e8919747217"  # ADV, manager Jef
BRAM = "f21edbe9-4cdd-4a55-905f-e4ac59e923ec"  # Omgeving, no usage location
KOEN = "dd89d31a-27de-4055-b89a-5bfd037126de"  # Omgeving, Bram's manager
ADV_STAFF = "c6f62345-9962-4982-a38e-417299f70562"
DOMG_STAFF = "0cac39fb-0f9b-49c9-acb2-882ab81aef93"
PRO_GROUP = "45051185-e7a1-43b1-a23e-15b0763768d2"
PRO_SKU = "f8a1db68-be16-40ed-86d5-cb42ce701560"
PPU_GROUP = "b8c35992-de75-4bbb-b376-43f16c34d535"
PPU_SKU = "c1d032e0-5619-4761-9b5c-75b6831e1711"
APPS_SKU = "b30411f5-fea1-4a59-9ad9-3db7c7ead579"
WS_GROUP = "dcdd0d27-d599-450e-bf84-d58fd80b599f"


def _admin_group(entity_key: str) -> str:
    document = json.loads(Path(DEFAULT_TENANT_FILE).read_text(encoding="utf-8"))
    entity = next(e for e in document["entities"] if e["key"] == entity_key)
    return str(entity.get("adminGroupId", ""))


def _item(key: str, fulfilment: Fulfilment, group: str = "", sku: str = "") -> CatalogueItem:
    kind = ItemKind.WORKSPACE_ROLE if not sku else ItemKind.LICENCE
    return CatalogueItem(
        key=key,
        kind=kind,
        name_nl=key,
        name_en=key,
        fulfilment=fulfilment,
        group_id=group,
        sku_id=sku,
        min_justification=10,
    )


def test_catalogue() -> Catalogue:
    return Catalogue(
        items=(
            _item("pro", Fulfilment.GROUP, PRO_GROUP, PRO_SKU),
            _item("ppu", Fulfilment.GROUP, PPU_GROUP, PPU_SKU),
            _item("apps", Fulfilment.DIRECT, sku=APPS_SKU),
            _item("viewer", Fulfilment.GROUP, WS_GROUP),
        ),
        entities=(
            Entity(
                "ADV", "Digitaal Vlaanderen", "Digital Flanders", ADV_STAFF, _admin_group("adv")
            ),
            Entity("DOMG", "Omgeving", "Environment", DOMG_STAFF, _admin_group("omgeving")),
        ),
        policies=(
            ApprovalPolicy("manager", (Stage(ApproverKind.MANAGER),)),
            ApprovalPolicy("two", (Stage(ApproverKind.MANAGER), Stage(ApproverKind.ENTITY_ADMIN))),
            ApprovalPolicy("none"),
        ),
        offers=(
            Offer("pro", ALL_ENTITIES, "two"),
            Offer("ppu", ALL_ENTITIES, "manager"),
            Offer("apps", ALL_ENTITIES, "manager"),
            Offer("viewer", ALL_ENTITIES, "none", max_days=180),
        ),
    )


@dataclass
class LicenceStack:
    database: Database
    emulator: GraphEmulator
    clock: FakeClock
    flow: LicenceFlow
    desk: LicenceDesk
    worker: LicenceWorker
    requests: SqlLicenceRequestRepository

    def person(self, user_id: str, name: str = "", *roles: Role) -> Actor:
        return Actor(user_id, TENANT, name or user_id, frozenset({Role.STAFF, *roles}))

    async def reload(self, request: LicenceRequest) -> LicenceRequest:
        fresh = await self.requests.get(request.id)
        assert fresh is not None
        return fresh

    async def run_worker(self, rounds: int = 5) -> None:
        """Let the worker handle what is due now (a few rounds: a step may lead to another)."""
        for _ in range(rounds):
            if not await self.worker.run_once():
                return

    async def messages(self) -> list[dict[str, Any]]:
        async with self.database.connect() as connection:
            rows = (await connection.execute(sa.select(outbox).order_by(outbox.c.id))).mappings()
            return [dict(row) for row in rows]

    async def messages_to(self, user_id: str) -> list[dict[str, Any]]:
        return [m for m in await self.messages() if m["recipient_id"] == user_id]

    async def audit(self, object_id: str) -> list[dict[str, Any]]:
        async with self.database.connect() as connection:
            query = sa.select(audit_log).where(audit_log.c.object_id == object_id)
            rows = (await connection.execute(query.order_by(audit_log.c.id))).mappings()
            return [dict(row) for row in rows]

    def group_members(self, group_id: str) -> list[str]:
        return [m.lower() for m in self.emulator.tenant.group(group_id)["members"]]


def build_stack(
    database: Database, emulator: GraphEmulator, gateway: GraphGateway, clock: FakeClock
) -> LicenceStack:
    requests = SqlLicenceRequestRepository(database)
    flow = LicenceFlow(
        catalogue=SqlCatalogueRepository(database),
        requests=requests,
        directory=gateway.directory,
        licences=gateway.licences,
        cards=LicenceNoticeCards(tz=BRUSSELS),
        users=SqlUserRepository(database),
        clock=clock,
    )
    worker = LicenceWorker(
        flow, WorkerSettings(timezone=BRUSSELS, retry_base_seconds=1.0, verify_delay_seconds=1.0)
    )
    desk = LicenceDesk(flow, BRUSSELS, wake_worker=worker.wake)
    return LicenceStack(database, emulator, clock, flow, desk, worker, requests)


@pytest.fixture
async def stack(
    database: Database, graph_emulator: GraphEmulator, graph_gateway: GraphGateway
) -> AsyncIterator[LicenceStack]:
    clock = FakeClock()
    await SqlCatalogueRepository(database).replace(test_catalogue())
    users = SqlUserRepository(database)
    await users.upsert(SeenUser(JEF, TENANT, locale="en"))  # Jef's Teams speaks English
    yield build_stack(database, graph_emulator, graph_gateway, clock)
