"""GET /api/post/items/{id}/scan: a signed link serves the scan once, audited; anything else
gets the small HTML page, and the refusal is audited.

Real aiohttp app with the bot's middleware, real store (SQLite and PostgreSQL), scans on disk,
wired the way app.py wires them. Two "replicas" are two apps with their own engines on the same
database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.documents.filesystem import FilesystemDocumentStore
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.post.items import IntakeMetadata, PostItem, Sender
from bot.http.metrics import Metrics
from bot.http.middleware import observe
from bot.http.scans import SCANS, Scans, add_scan_routes, scan_path
from bot.http.signed_links import BY, SignedLinks, SingleUse
from bot.services.platform.audit import Auditor
from bot.store import Database, SqlAuditLog, SqlLinkUses, SqlPostItemRepository
from tests.support.clock import FakeClock
from tests.unit.licences.fakes import JEF, LOTTE, TENANT

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
SECRET = b"integration-scan-secret-0123456789abcdef"
PDF = b"%PDF-1.4\n% a letter for Lotte\n%%EOF\n"
ACTION = "post.scan.download"


@dataclass
class Stack:
    database: Database
    clock: FakeClock
    links: SignedLinks
    documents: FilesystemDocumentStore
    items: SqlPostItemRepository
    clients: list[TestClient]

    async def start_replica(self, database: Database) -> TestClient:
        """One more app serving scans: its own engine, the same database and secret."""
        app = web.Application(middlewares=[observe(Metrics())])
        add_scan_routes(app)
        app[SCANS] = Scans(
            links=self.links,
            single_use=SingleUse(SqlLinkUses(database), self.clock),
            items=SqlPostItemRepository(database),
            documents=self.documents,
            auditor=Auditor(SqlAuditLog(database), self.clock),
        )
        client = TestClient(TestServer(app))
        await client.start_server()
        self.clients.append(client)
        return client

    async def item(self, external_id: str = "scan-0001", data: bytes = PDF) -> PostItem:
        document = await self.documents.put(f"{external_id}.pdf", data)
        metadata = IntakeMetadata(
            external_id=external_id,
            received_at=NOW - timedelta(hours=2),
            scanned_at=NOW - timedelta(hours=1),
            sender=Sender("Klantendienst", "Fluvius"),
            addressee="Lotte Janssens",
        )
        audit = AuditEntry(NOW, "intake:test", "post.intake", Outcome.OK)
        item, _ = await self.items.add(TENANT, metadata, document, NOW, audit)
        return item

    def link(self, item: PostItem, viewer: str = LOTTE) -> str:
        return self.links.link(scan_path(item.id), {BY: viewer})

    async def get(
        self, url: str, method: str = "GET", *, replica: int = 0, **headers: str
    ) -> tuple[int, str, bytes, dict[str, str]]:
        parts = urlsplit(url)
        response = await self.clients[replica].request(
            method, f"{parts.path}?{parts.query}", headers=headers
        )
        return response.status, response.content_type, await response.read(), dict(response.headers)

    async def audit(self) -> list[AuditEntry]:
        return await SqlAuditLog(self.database).recent(action=ACTION)


@pytest.fixture
async def stack(database: Database, tmp_path: Path) -> AsyncIterator[Stack]:
    clock = FakeClock(NOW)
    built = Stack(
        database=database,
        clock=clock,
        links=SignedLinks("https://werkplek.example", SECRET, timedelta(minutes=10), clock),
        documents=FilesystemDocumentStore(tmp_path / "scans"),
        items=SqlPostItemRepository(database),
        clients=[],
    )
    await built.start_replica(database)
    yield built
    for client in built.clients:
        await client.close()


def _with(url: str, *, path: str = "", **changes: str) -> str:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query)) | changes
    query = urlencode({k: v for k, v in params.items() if v})
    return parts._replace(path=path or parts.path, query=query).geturl()


async def _page(
    stack: Stack, url: str, status: int, heading: str, method: str = "GET", **headers: str
) -> str:
    got, content_type, body, answer = await stack.get(url, method, **headers)
    assert (got, content_type) == (status, "text/html"), body[:200]
    assert answer["Cache-Control"] == "no-store"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in answer["Content-Security-Policy"]
    assert b"%PDF" not in body
    page = body.decode("utf-8")
    assert heading in page
    return page


async def test_a_link_serves_the_scan_once(stack: Stack) -> None:
    item = await stack.item()
    url = stack.link(item)

    status, content_type, body, headers = await stack.get(url)

    assert (status, content_type, body) == (200, "application/pdf", PDF)
    assert headers["Content-Disposition"] == f'attachment; filename="{item.reference}.pdf"'
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    (served,) = await stack.audit()
    assert (served.actor_id, served.outcome, served.object_id) == (
        LOTTE,
        Outcome.OK,
        item.reference,
    )

    page = await _page(stack, url, 410, "Deze link is al gebruikt")
    assert "klik bij het poststuk opnieuw op Openen" in page
    denied = [e for e in await stack.audit() if e.outcome is Outcome.DENIED]
    assert [(e.actor_id, e.object_id, e.detail) for e in denied] == [
        (LOTTE, str(item.id), {"reason": "used"})
    ]


async def test_head_does_not_use_the_link(stack: Stack) -> None:
    item = await stack.item()
    url = stack.link(item)
    for _ in range(2):
        status, content_type, body, headers = await stack.get(url, "HEAD")
        assert (status, content_type, body) == (200, "application/pdf", b"")
        assert headers["Content-Disposition"] == f'attachment; filename="{item.reference}.pdf"'
    assert await stack.audit() == []

    assert (await stack.get(url))[:3] == (200, "application/pdf", PDF)
    status, content_type, body, _ = await stack.get(url, "HEAD")
    assert (status, content_type, body) == (410, "text/html", b"")
    assert len(await stack.audit()) == 1  # the download; a look at a used link is no attempt


async def test_a_link_previewer_does_not_use_the_link(stack: Stack) -> None:
    item = await stack.item()
    url = stack.link(item)
    status, _, body, _ = await stack.get(url, **{"User-Agent": "SkypeUriPreview Preview/0.5"})
    assert (status, body) == (200, b"")
    assert (await stack.get(url))[:3] == (200, "application/pdf", PDF)


async def test_an_expired_link_gets_the_page(stack: Stack) -> None:
    item = await stack.item()
    url = stack.link(item)
    stack.clock.advance(minutes=10)
    page = await _page(stack, url, 410, "Deze link is verlopen")
    assert "Open Werkplek in Teams" in page
    (denied,) = await stack.audit()
    assert (denied.actor_id, denied.outcome, denied.detail) == (
        LOTTE,
        Outcome.DENIED,
        {"reason": "expired"},
    )


async def test_a_tampered_link_gets_the_page_and_leaves_the_genuine_one_working(
    stack: Stack,
) -> None:
    item = await stack.item()
    other = await stack.item("scan-0002", b"%PDF-1.4\n% for Jef\n%%EOF\n")
    url = stack.link(item)
    tampered = [
        _with(url, by=JEF),  # the same link, claimed for Jef
        _with(url, path=scan_path(other.id)),  # another item, same signature
        _with(url, exp=str(int(NOW.timestamp()) + 86_400)),  # a longer life
        _with(url, sig="0" * 43),
        _with(url, n="A" * 22),  # the same link, a fresh nonce
        _with(url, path="/api/post/items/abc/scan"),
        _with(url, path="/api/post/items/99999999999999999999999/scan"),
    ]
    for changed in tampered:
        page = await _page(stack, changed, 403, "Deze link is niet geldig")
        assert "Open Werkplek in Teams" in page
    denied = await stack.audit()
    assert len(denied) == len(tampered)
    assert {(e.actor_id, e.outcome, e.detail["reason"]) for e in denied} == {
        ("", Outcome.DENIED, "bad_signature")  # a forged `by` is believed of no one
    }
    assert (await stack.get(url))[:3] == (200, "application/pdf", PDF)


async def test_a_genuine_link_to_no_item_gets_the_page(stack: Stack) -> None:
    url = stack.links.link(scan_path(424242), {BY: LOTTE})
    await _page(stack, url, 403, "Deze link is niet geldig")
    nobody = stack.links.link(scan_path((await stack.item()).id), {})
    await _page(stack, nobody, 403, "Deze link is niet geldig")


async def test_a_deleted_scan_gets_its_own_page(stack: Stack) -> None:
    item = await stack.item()
    assert await stack.documents.delete(item.document.key)
    page = await _page(stack, stack.link(item), 410, "Deze scan is er niet meer")
    assert "postkamer" in page
    assert [e for e in await stack.audit() if e.outcome is Outcome.OK] == []


async def test_the_page_follows_the_browser_language(stack: Stack) -> None:
    item = await stack.item()
    url = stack.link(item)
    await stack.get(url)
    page = await _page(
        stack, url, 410, "This link has already been used", **{"Accept-Language": "en-US,en;q=0.9"}
    )
    assert "click Open on the item again" in page


async def test_two_replicas_see_the_same_use(stack: Stack, database_url: str) -> None:
    other = Database(database_url)
    try:
        await stack.start_replica(other)
        item = await stack.item()
        url = stack.link(item)

        assert (await stack.get(url, replica=1))[:3] == (200, "application/pdf", PDF)
        await _page(stack, url, 410, "Deze link is al gebruikt")  # on replica 0

        # Clicks racing on both replicas: exactly one of them gets the scan.
        fresh = stack.link(item)
        answers = await asyncio.gather(
            *(stack.get(fresh, replica=n % 2) for n in range(6)), return_exceptions=False
        )
        assert sorted(status for status, *_ in answers) == [200, 410, 410, 410, 410, 410]
        served = [e for e in await stack.audit() if e.outcome is Outcome.OK]
        assert len(served) == 2  # one per link
    finally:
        await other.dispose()
