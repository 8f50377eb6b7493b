"""A real SQLite store the `werkplek` command line opens through DATABASE_URL, the scans folder
it uses, and helpers to put post into both (tests only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.documents.filesystem import FilesystemDocumentStore
from bot.domain.licences.catalogue import Catalogue, Entity
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.post.items import (
    Destination,
    DestinationKind,
    DocumentType,
    IntakeMetadata,
    PostItem,
    Routing,
    Sender,
)
from bot.domain.post.routing import RoutingRule
from bot.store import (
    Database,
    SqlCatalogueRepository,
    SqlPostItemRepository,
    SqlRoutingRuleRepository,
)
from tests.integration.post.files import tiny_pdf
from tests.support.db import MakeDatabaseUrl, run_blocking

TENANT = "8f0d9a6e-1c2b-4d3e-9f4a-5b6c7d8e9f01"
JEF = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"
AN = "08c483c0-e05f-4da4-9567-595928862476"
STAFF = "c6f62345-9962-4982-a38e-417299f70562"
NOW = datetime.now(UTC)  # the command line runs on the real clock
DAY = timedelta(days=1)


@dataclass
class Store:
    """The store and scans folder of the command line under test."""

    url: str
    documents: Path

    def run(self, work: Any) -> Any:
        """Run `work(database)` (a coroutine function) on a fresh connection."""

        async def go() -> Any:
            database = Database(self.url)
            try:
                return await work(database)
            finally:
                await database.dispose()

        return run_blocking(go())

    def add_item(
        self,
        external_id: str,
        *,
        received: datetime,
        to: Destination | None = None,
        rule_id: str = "",
        addressee_id: str = "",
        handled: datetime | None = None,
        entity: str = "ADV",
        organisation: str = "FOD Financiën",
        document_type: DocumentType = DocumentType.LETTER,
        reason: str = "",
    ) -> PostItem:
        """Store an item with a real scan, routed (and handled) as asked."""

        async def work(database: Database) -> PostItem:
            documents = FilesystemDocumentStore(self.documents)
            document = await documents.put("scan.pdf", tiny_pdf())
            items = SqlPostItemRepository(database)
            metadata = IntakeMetadata(
                external_id=external_id,
                received_at=received,
                scanned_at=received + timedelta(minutes=10),
                sender=Sender("Karel Claes", organisation),
                addressee="T.a.v. Dhr. J. Peeters",
                entity=entity,
                subject="Aanslagbiljet",
                document_type=document_type,
            )
            audit = AuditEntry(received, "intake:test", "post.intake", Outcome.OK)
            item, _ = await items.add(TENANT, metadata, document, received, audit)
            if to is not None:
                routing = Routing(to, addressee_id=addressee_id, rule_id=rule_id, reason=reason)
                after = item.route(routing, received)
                await items.save(after, expected_version=item.version)
                item = after
            if handled is not None:
                after = item.handle(JEF, handled)
                await items.save(after, expected_version=item.version)
                item = after
            return item

        result: PostItem = self.run(work)
        return result

    def item(self, reference: str) -> PostItem:
        async def work(database: Database) -> PostItem | None:
            return await SqlPostItemRepository(database).get_by_reference(reference)

        found: PostItem | None = self.run(work)
        assert found is not None
        return found

    def rules(self) -> list[RoutingRule]:
        async def work(database: Database) -> list[RoutingRule]:
            return await SqlRoutingRuleRepository(database).load()

        found: list[RoutingRule] = self.run(work)
        return found

    def set_rules(self, rules: Sequence[RoutingRule]) -> None:
        async def work(database: Database) -> None:
            await SqlRoutingRuleRepository(database).replace(rules)

        self.run(work)

    def set_entities(self, *codes: str) -> None:
        catalogue = Catalogue(entities=tuple(Entity(code, code, code, STAFF) for code in codes))

        async def work(database: Database) -> None:
            await SqlCatalogueRepository(database).replace(catalogue)

        self.run(work)

    def rows(self, table: sa.Table) -> list[dict[str, Any]]:
        async def work(database: Database) -> list[dict[str, Any]]:
            async with database.connect() as connection:
                result = await connection.execute(sa.select(table).order_by(table.c.id))
                return [dict(row) for row in result.mappings()]

        found: list[dict[str, Any]] = self.run(work)
        return found

    def scan_files(self) -> list[Path]:
        return sorted(p for p in self.documents.rglob("*") if p.is_file())


@pytest.fixture
def store(
    make_database_url: MakeDatabaseUrl, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Store:
    url = make_database_url("sqlite")
    documents = tmp_path / "documents"
    monkeypatch.chdir(tmp_path)  # no .env from the checkout; default output lands here
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WERKPLEK_TIMEZONE", "Europe/Brussels")
    monkeypatch.setenv("WERKPLEK_DEFAULT_LOCALE", "nl")
    monkeypatch.setenv("WERKPLEK_DOCUMENTS_DIR", str(documents))
    monkeypatch.setenv("WERKPLEK_ALLOWED_TENANTS", TENANT)
    monkeypatch.setenv("WERKPLEK_POST_RETENTION_DAYS", "90")
    return Store(url, documents)


def person(user_id: str) -> Destination:
    return Destination(DestinationKind.PERSON, user_id)
