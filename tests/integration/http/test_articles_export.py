"""GET /api/exports/articles: the signed link `kennisbank` hands out downloads the knowledge base
as stored when the link is opened, once, audited; the workbook reads back to the same articles
and is told as the knowledge base's by its sheets.

The handler runs in a real aiohttp app with the bot's middleware, on a migrated database (SQLite
and PostgreSQL), with the service desk's workbook made as bot/composition/servicedesk.py makes
it (`ServiceDesk.articles_workbook`).
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook

from bot.composition.servicedesk import ServiceDesk
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.servicedesk.articles import KnowledgeBase
from bot.excel.servicedesk.articles import read_articles
from bot.excel.servicedesk.articles_files import ExcelArticleWorkbooks
from bot.excel.workbook_kind import WorkbookKind, workbook_kind
from bot.http.exports import ARTICLES, XLSX, Exports, add_export_routes
from bot.http.metrics import Metrics
from bot.http.middleware import observe
from bot.http.signed_links import SignedLinks, SingleUse
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.articles_import import ArticlesImport
from bot.services.servicedesk.knowledge import KnowledgeDesk
from bot.store import Database, SqlAuditLog, SqlLinkUses
from bot.store.servicedesk.articles import SqlKnowledgeBase
from devtools.demo_articles import demo_knowledge
from dialogs.servicedesk.admin import ARTICLES_EXPORT
from tests.support.clock import FakeClock

BRUSSELS = ZoneInfo("Europe/Brussels")
SECRET = b"integration-link-secret-0123456789"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
ADMIN_ID = "admin-1"


@dataclass
class Stack:
    client: TestClient
    links: SignedLinks
    clock: FakeClock
    database: Database
    store: SqlKnowledgeBase

    async def get(self, url: str, method: str = "GET") -> tuple[int, str, bytes, dict[str, str]]:
        parts = urlsplit(url)
        response = await self.client.request(method, f"{parts.path}?{parts.query}")
        return response.status, response.content_type, await response.read(), dict(response.headers)

    async def audit(self, action: str) -> list[AuditEntry]:
        return await SqlAuditLog(self.database).recent(action=action)


async def _nothing() -> bytes:
    raise AssertionError("not asked")


async def _no_report(first: date, last: date, entity: str | None, locale: str) -> bytes:
    return await _nothing()


@pytest.fixture
async def stack(database: Database) -> AsyncIterator[Stack]:
    clock = FakeClock(NOW)
    auditor = Auditor(SqlAuditLog(database), clock)
    store = SqlKnowledgeBase(database)
    await store.replace(demo_knowledge())
    desk = KnowledgeDesk(store, auditor, clock)
    workbooks = ExcelArticleWorkbooks()
    # Only the knowledge base's parts: the rest of the service desk is not served here.
    parts = {"knowledge": desk, "workbooks": workbooks}
    parts["articles_import"] = ArticlesImport(desk, workbooks, auditor)
    servicedesk = ServiceDesk(**{f.name: parts.get(f.name) for f in fields(ServiceDesk)})
    links = SignedLinks("https://werkplek.example", SECRET, timedelta(minutes=10), clock)
    app = web.Application(middlewares=[observe(Metrics())])
    add_export_routes(
        app,
        Exports(
            links=links,
            single_use=SingleUse(SqlLinkUses(database), clock),
            auditor=auditor,
            clock=clock,
            timezone=BRUSSELS,
            catalogue=_nothing,
            licence_report=_no_report,
            articles=servicedesk.articles_workbook,
        ),
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Stack(client, links, clock, database, store)
    await client.close()


async def test_a_signed_link_downloads_the_knowledge_base_as_stored_now(stack: Stack) -> None:
    url = stack.links.export_link(ARTICLES_EXPORT, {"lang": "nl"}, ADMIN_ID)
    current = demo_knowledge()
    changed = KnowledgeBase(
        (replace(current.articles[0], title_nl="MFA registreren (nieuw)"), *current.articles[1:])
    )
    await stack.store.replace(changed)  # after the link was made: the file is made when opened
    stack.clock.advance(minutes=9)
    status, content_type, body, headers = await stack.get(url)
    assert (status, content_type) == (200, XLSX)
    assert headers["Content-Disposition"] == (
        'attachment; filename="werkplek-kennisbank-2026-11-28.xlsx"'
    )
    assert headers["Cache-Control"] == "no-store"
    knowledge, problems = read_articles(body)
    assert problems == [] and knowledge == changed
    assert load_workbook(io.BytesIO(body)).sheetnames == ["Toelichting", "Artikels"]
    assert workbook_kind(body) is WorkbookKind.ARTICLES  # sent back in chat, it is told apart
    (entry,) = await stack.audit("export.articles")
    assert (entry.actor_id, entry.outcome, entry.object_id) == (ADMIN_ID, Outcome.OK, ARTICLES)
    assert entry.correlation_id


async def test_the_link_works_once_and_then_says_how_to_get_a_new_one(stack: Stack) -> None:
    url = stack.links.export_link(ARTICLES_EXPORT, {"lang": "nl"}, ADMIN_ID)
    assert (await stack.get(url))[:2] == (200, XLSX)
    status, content_type, body, _ = await stack.get(url)
    assert (status, content_type) == (410, "text/html")
    page = body.decode("utf-8")
    assert "Deze link is al gebruikt" in page
    assert "typ opnieuw ‘kennisbank’" in page
    outcomes = sorted(e.outcome for e in await stack.audit("export.articles"))
    assert outcomes == sorted([Outcome.OK, Outcome.DENIED])


async def test_an_expired_or_tampered_link_is_refused_and_audited(stack: Stack) -> None:
    url = stack.links.export_link(ARTICLES_EXPORT, {}, ADMIN_ID)
    status, content_type, _, _ = await stack.get(url.replace(f"by={ADMIN_ID}", "by=someone-1"))
    assert (status, content_type) == (403, "text/html")
    stack.clock.advance(minutes=10)
    assert (await stack.get(url))[:2] == (410, "text/html")
    denied = await stack.audit("export.articles")
    assert sorted(e.detail["reason"] for e in denied) == ["bad_signature", "expired"]
    assert all(e.outcome is Outcome.DENIED for e in denied)


async def test_a_catalogue_link_does_not_open_the_knowledge_base(stack: Stack) -> None:
    url = stack.links.export_link("catalogue", {}, ADMIN_ID)
    status, content_type, _, _ = await stack.get(url.replace("/catalogue?", "/articles?"))
    assert (status, content_type) == (403, "text/html")
    assert [e.outcome for e in await stack.audit("export.articles")] == [Outcome.DENIED]


async def test_without_the_service_desk_the_knowledge_base_is_no_download(stack: Stack) -> None:
    exports = Exports(
        links=stack.links,
        single_use=SingleUse(SqlLinkUses(stack.database), stack.clock),
        auditor=Auditor(SqlAuditLog(stack.database), stack.clock),
        clock=stack.clock,
        timezone=BRUSSELS,
        catalogue=_nothing,
        licence_report=_no_report,
    )
    assert ARTICLES not in exports.kinds
    app = web.Application()
    add_export_routes(app, exports)
    async with TestClient(TestServer(app)) as client:
        parts = urlsplit(stack.links.export_link(ARTICLES_EXPORT, {}, ADMIN_ID))
        response = await client.get(f"{parts.path}?{parts.query}")
        assert (response.status, response.content_type) == (404, "text/html")
