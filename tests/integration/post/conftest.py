"""Incoming post intake on real parts: the intake handler in a real aiohttp app (with the bot's
middleware) over real HTTP, the store on SQLite and PostgreSQL, scans on the filesystem in
tmp_path, and the Graph emulator behind the real Graph client for the directory. Only the clock
is fixed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.documents.filesystem import FilesystemDocumentStore
from bot.documents.pdf import PdfCheck
from bot.domain.licences.catalogue import Catalogue, Entity
from bot.domain.post.items import PostNotice
from bot.graph import GraphGateway, open_graph
from bot.http.intake import IntakeHandler, add_intake_routes
from bot.http.metrics import Metrics
from bot.http.middleware import observe
from bot.services.post.flow import Channels, PostFlow
from bot.services.post.intake import PostIntake
from bot.settings import Settings
from bot.store import (
    Database,
    SqlCatalogueRepository,
    SqlDelegationRepository,
    SqlPostItemRepository,
    SqlRoutingRuleRepository,
    SqlUserRepository,
)
from bot.store.platform.tables import audit_log, outbox
from bot.store.post.tables import post_items
from devtools.graph_emulator import GraphEmulator
from devtools.graph_emulator.tenant import DEFAULT_TENANT_FILE
from tests.support.clock import FakeClock
from tests.support.graph import settings_for

TENANT = "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
BRUSSELS = ZoneInfo("Europe/Brussels")
TOKEN = "scanner-token-7f3a9c1e"
OTHER_TOKEN = "import-token-2b8d4e6f"
JEF = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"  # ADV
LOTTE = "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"  # ADV
ADV_STAFF = "c6f62345-9962-4982-a38e-417299f70562"
DOMG_STAFF = "0cac39fb-0f9b-49c9-acb2-882ab81aef93"
MAILROOM_CHANNEL = "19:mailroom@thread.tacv2"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"
MAX_MB = 0.25  # lowered, so "too large" needs no 30 MB upload
NOW = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


def token_line(name: str, token: str) -> str:
    return f"{name}:{hashlib.sha256(token.encode()).hexdigest()}"


def admin_group(entity_key: str) -> str:
    document = json.loads(Path(DEFAULT_TENANT_FILE).read_text(encoding="utf-8"))
    entity = next(e for e in document["entities"] if e["key"] == entity_key)
    return str(entity.get("adminGroupId", ""))


def post_catalogue() -> Catalogue:
    return Catalogue(
        entities=(
            Entity("ADV", "Digitaal Vlaanderen", "Digital Flanders", ADV_STAFF, admin_group("adv")),
            Entity("DOMG", "Omgeving", "Environment", DOMG_STAFF, admin_group("omgeving")),
        )
    )


class PlainPostCards:
    """Renders a notice as a one-line message: these tests look at who is told, not at the card
    (the cards have their own tests)."""

    def render(self, notice: PostNotice, locale: str) -> dict[str, Any]:
        return {"type": "message", "text": f"{notice.kind.value} {notice.item.reference}"}


def metadata(external_id: str = "scan-0001", **fields: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "externalId": external_id,
        "receivedAt": "2026-11-30T07:45:00+01:00",
        "scannedAt": "2026-11-30T08:10:00+01:00",
        "sender": {"name": "Karel Claes", "organisation": "FOD Financiën"},
        "addressee": "T.a.v. Dhr. J. Peeters",
        "subject": "Aanslagbiljet personenbelasting",
        "documentType": "letter",
    }
    document.update(fields)
    return document


@dataclass
class IntakeStack:
    client: TestClient
    database: Database
    documents: Path
    emulator: GraphEmulator
    intake: PostIntake
    items: SqlPostItemRepository
    settings: Settings

    async def post(
        self,
        data: bytes | None,
        meta: dict[str, Any] | str | bytes | None,
        *,
        token: str | None = TOKEN,
        filename: str = "scan.pdf",
        content_type: str = "application/pdf",
        extra: dict[str, str] | None = None,
    ) -> aiohttp.ClientResponse:
        form = aiohttp.FormData()
        if meta is not None:
            text = meta if isinstance(meta, str | bytes) else json.dumps(meta)
            form.add_field("metadata", text, content_type="application/json")
        if data is not None:
            form.add_field("file", data, filename=filename, content_type=content_type)
        for name, value in (extra or {}).items():
            form.add_field(name, value)
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return await self.client.post("/api/post/items", data=form, headers=headers)

    def document_store(self) -> FilesystemDocumentStore:
        """The intake's scan store, as another process on the same folder sees it."""
        return FilesystemDocumentStore(self.documents, now=lambda: NOW)

    def document_files(self) -> list[Path]:
        if not self.documents.exists():
            return []
        return sorted(p for p in self.documents.rglob("*") if p.is_file())

    async def rows(self, table: sa.Table) -> list[dict[str, Any]]:
        async with self.database.connect() as connection:
            result = await connection.execute(sa.select(table).order_by(table.c.id))
            return [dict(row) for row in result.mappings()]

    async def assert_nothing_stored(self) -> None:
        assert await self.rows(post_items) == []
        assert await self.rows(outbox) == []
        assert await self.rows(audit_log) == []
        assert self.document_files() == []


def build_intake(
    database: Database,
    gateway: GraphGateway,
    documents: Path,
    *,
    max_bytes: int,
    mailroom: str = MAILROOM_CHANNEL,
    one_step: bool = True,
) -> PostIntake:
    clock = FakeClock(NOW)
    items = SqlPostItemRepository(database, reference_zone=BRUSSELS)
    cards, users = PlainPostCards(), SqlUserRepository(database)
    flow = PostFlow(
        items=items,
        cards=cards,
        users=users,
        clock=clock,
        channels=Channels(mailroom_conversation_id=mailroom, service_url=SERVICE_URL),
    )
    return PostIntake(
        flow=flow,
        items=items if one_step else None,
        documents=FilesystemDocumentStore(documents, now=clock.now),
        check=PdfCheck(max_bytes),
        directory=gateway.directory,
        catalogue=SqlCatalogueRepository(database),
        rules=SqlRoutingRuleRepository(database),
        delegations=SqlDelegationRepository(database, clock=clock, zone=BRUSSELS),
        group_members=gateway.licences.group_member_ids,
        timezone=BRUSSELS,
    )


@pytest.fixture
def intake_settings(graph_emulator: GraphEmulator) -> Settings:
    # No retries: a test that makes the directory fail should not wait for back-offs.
    return settings_for(
        graph_emulator,
        intake_tokens=f"{token_line('scanner', TOKEN)},{token_line('import', OTHER_TOKEN)}",
        post_max_mb=MAX_MB,
        graph_max_retries=0,
        azure_tenant_id=TENANT,
    )


@pytest.fixture
async def intake_gateway(intake_settings: Settings) -> AsyncIterator[GraphGateway]:
    gateway = await open_graph(intake_settings)
    try:
        yield gateway
    finally:
        await gateway.close()


@pytest.fixture
async def stack(
    database: Database,
    graph_emulator: GraphEmulator,
    intake_gateway: GraphGateway,
    intake_settings: Settings,
    tmp_path: Path,
) -> AsyncIterator[IntakeStack]:
    await SqlCatalogueRepository(database).replace(post_catalogue())
    documents = tmp_path / "documents"
    intake = build_intake(
        database, intake_gateway, documents, max_bytes=intake_settings.post_max_bytes
    )
    handler = IntakeHandler(
        intake,
        token_hashes=intake_settings.intake_token_hashes,
        max_bytes=intake_settings.post_max_bytes,
        tenant_id=intake_settings.azure_tenant_id,
    )
    app = web.Application(middlewares=[observe(Metrics())], client_max_size=256 * 1024)
    add_intake_routes(app, handler)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield IntakeStack(
            client,
            database,
            documents,
            graph_emulator,
            intake,
            SqlPostItemRepository(database),
            intake_settings,
        )
    finally:
        await client.close()
