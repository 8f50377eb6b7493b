"""GET /api/exports/tickets-report: the signed link `rapport tickets` hands out downloads the
service desk's report of the period as the store holds it when the link is opened, once,
audited in the name of whom it was made for.

The handler runs in a real aiohttp app with the bot's middleware, on a migrated database (SQLite
and PostgreSQL), with the workbook made as bot/composition/servicedesk.py makes it
(`ServiceDesk.tickets_report_workbook`).
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, fields
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook

from bot.composition.servicedesk import ServiceDesk
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.tickets import NewTicket, Urgency
from bot.http.exports import TICKETS_REPORT, XLSX, Exports, add_export_routes
from bot.http.metrics import Metrics
from bot.http.middleware import observe
from bot.http.signed_links import SignedLinks, SingleUse
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.reports import TicketReports
from bot.store import Database, SqlAuditLog, SqlLinkUses
from bot.store.servicedesk.ticket_report import SqlTicketReportSource
from bot.store.servicedesk.tickets import SqlTicketRepository
from dialogs.servicedesk.report import TICKETS_REPORT_EXPORT
from tests.integration.servicedesk.report_data import store_week
from tests.support.clock import FakeClock
from tests.unit.servicedesk.report_world import BRUSSELS, CALENDAR, NOW, Entities, at

SECRET = b"integration-link-secret-0123456789"
AGENT_ID = "agent-jef"
WEEK = {"from": "2026-11-02", "to": "2026-11-08", "lang": "nl"}


@dataclass
class Stack:
    client: TestClient
    links: SignedLinks
    clock: FakeClock
    database: Database

    async def get(self, url: str) -> tuple[int, str, bytes, dict[str, str]]:
        parts = urlsplit(url)
        response = await self.client.get(f"{parts.path}?{parts.query}")
        return response.status, response.content_type, await response.read(), dict(response.headers)

    async def audit(self, action: str = "export.tickets-report") -> list[AuditEntry]:
        return await SqlAuditLog(self.database).recent(action=action)


async def _nothing() -> bytes:
    raise AssertionError("not asked")


async def _no_report(first: date, last: date, entity: str | None, locale: str) -> bytes:
    return await _nothing()


def _exports(database: Database, links: SignedLinks, clock: FakeClock, **served: object) -> Exports:
    auditor = Auditor(SqlAuditLog(database), clock)
    return Exports(
        links=links,
        single_use=SingleUse(SqlLinkUses(database), clock),
        auditor=auditor,
        clock=clock,
        timezone=BRUSSELS,
        catalogue=_nothing,
        licence_report=_no_report,
        **served,  # type: ignore[arg-type]
    )


@pytest.fixture
async def stack(database: Database) -> AsyncIterator[Stack]:
    clock = FakeClock(NOW)
    await store_week(database)
    reports = TicketReports(SqlTicketReportSource(database), Entities(), CALENDAR, clock)
    # Only the report: the rest of the service desk is not served here.
    servicedesk = ServiceDesk(**{f.name: None for f in fields(ServiceDesk)} | {"reports": reports})
    links = SignedLinks("https://werkplek.example", SECRET, timedelta(minutes=10), clock)
    app = web.Application(middlewares=[observe(Metrics())])
    exports = _exports(database, links, clock, tickets_report=servicedesk.tickets_report_workbook)
    add_export_routes(app, exports)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Stack(client, links, clock, database)
    await client.close()


def _sheets(body: bytes) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(body))
    return {s.title: [list(row) for row in s.iter_rows(values_only=True)] for s in book.worksheets}


async def test_a_signed_link_downloads_the_report_as_stored_now(stack: Stack) -> None:
    url = stack.links.export_link(TICKETS_REPORT_EXPORT, WEEK, AGENT_ID)
    late = NewTicket("tenant-1", "person-9", Category.OTHER, Urgency.NORMAL, "Vraag", at(5, 11))
    await SqlTicketRepository(stack.database).add(late)  # after the link: made when opened
    stack.clock.advance(minutes=9)
    status, content_type, body, headers = await stack.get(url)
    assert (status, content_type) == (200, XLSX)
    assert headers["Content-Disposition"] == (
        'attachment; filename="werkplek-servicedesk-2026-11-02-2026-11-08.xlsx"'
    )
    assert headers["Cache-Control"] == "no-store"
    sheets = _sheets(body)
    assert len(sheets) == 5 and "Vragen zonder antwoord" in sheets
    summary = {row[0]: row[1] for row in sheets["Samenvatting"][1:]}
    assert (summary["Meldingen"], summary["Vragen aan de kennisbank"]) == (6, 8)
    (entry,) = await stack.audit()
    assert (entry.actor_id, entry.outcome, entry.object_id) == (
        AGENT_ID,
        Outcome.OK,
        TICKETS_REPORT,
    )
    assert entry.detail == {"from": "2026-11-02", "to": "2026-11-08", "entity": ""}


async def test_one_entitys_report_in_english(stack: Stack) -> None:
    params = {**WEEK, "entity": "AWV", "lang": "en"}
    status, _, body, headers = await stack.get(
        stack.links.export_link(TICKETS_REPORT_EXPORT, params, AGENT_ID)
    )
    assert status == 200
    assert "werkplek-servicedesk-2026-11-02-2026-11-08-AWV.xlsx" in headers["Content-Disposition"]
    sheets = _sheets(body)
    assert [row[0] for row in sheets["Per entity"][1:]] == ["AWV"]
    assert [row[0] for row in sheets["Tickets"][1:]] == ["SD-2026-000003", "SD-2026-000002"]
    (entry,) = await stack.audit()
    assert entry.detail["entity"] == "AWV"


async def test_the_link_works_once_and_then_says_how_to_get_a_new_one(stack: Stack) -> None:
    url = stack.links.export_link(TICKETS_REPORT_EXPORT, WEEK, AGENT_ID)
    assert (await stack.get(url))[:2] == (200, XLSX)
    status, content_type, body, _ = await stack.get(url)
    assert (status, content_type) == (410, "text/html")
    assert "vraag het rapport opnieuw, bijvoorbeeld met ‘rapport tickets’" in body.decode()
    outcomes = sorted(e.outcome for e in await stack.audit())
    assert outcomes == sorted([Outcome.OK, Outcome.DENIED])


async def test_a_licence_report_link_does_not_open_the_ticket_report(stack: Stack) -> None:
    url = stack.links.export_link("licence-report", WEEK, AGENT_ID)
    status, content_type, _, _ = await stack.get(
        url.replace("/licence-report?", "/tickets-report?")
    )
    assert (status, content_type) == (403, "text/html")
    assert [e.outcome for e in await stack.audit()] == [Outcome.DENIED]


async def test_without_the_service_desk_the_report_is_no_download(stack: Stack) -> None:
    exports = _exports(stack.database, stack.links, stack.clock)
    assert TICKETS_REPORT not in exports.kinds
    app = web.Application()
    add_export_routes(app, exports)
    async with TestClient(TestServer(app)) as client:
        parts = urlsplit(stack.links.export_link(TICKETS_REPORT_EXPORT, WEEK, AGENT_ID))
        response = await client.get(f"{parts.path}?{parts.query}")
        assert (response.status, response.content_type) == (404, "text/html")
