"""GET /api/exports/{kind}: signed links download real workbooks from a real store, audited.

The handlers run in a real aiohttp app with the same middleware as the bot, on a migrated
database (SQLite and PostgreSQL), wired the way app.py wires them.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook

from bot.domain.audit import AuditEntry, Outcome
from bot.domain.licence_requests import NewLicenceRequest
from bot.excel.catalogue import read_catalogue, write_catalogue
from bot.excel.licence_report import write_licence_report
from bot.excel.post_rules import read_rules, write_rules
from bot.http.exports import POST_RULES, XLSX, Exports, add_export_routes
from bot.http.metrics import Metrics
from bot.http.middleware import observe
from bot.http.signed_links import SignedLinks
from bot.i18n import Translator
from bot.services.audit import Auditor
from bot.services.licence_reports import build_licence_report
from bot.store import (
    Database,
    SqlAuditLog,
    SqlCatalogueRepository,
    SqlLicenceRequestRepository,
    SqlRoutingRuleRepository,
)
from tests.unit.fakes import FixedClock
from tests.unit.licences.fakes import LOTTE, MARLEEN, TENANT, THOMAS, demo_catalogue
from tests.unit.post.fakes import MAILROOM_CLERK
from tests.unit.post_rules_admin.world import current_rules, tax_rule

BRUSSELS = ZoneInfo("Europe/Brussels")
SECRET = b"integration-link-secret-0123456789"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


@dataclass
class Stack:
    client: TestClient
    links: SignedLinks
    clock: FixedClock
    database: Database

    async def get(self, url: str) -> tuple[int, str, bytes, dict[str, str]]:
        parts = urlsplit(url)
        response = await self.client.get(f"{parts.path}?{parts.query}")
        return response.status, response.content_type, await response.read(), dict(response.headers)

    async def audit(self, action: str) -> list[AuditEntry]:
        return await SqlAuditLog(self.database).recent(action=action)


@pytest.fixture
async def stack(database: Database) -> AsyncIterator[Stack]:
    clock = FixedClock(NOW)
    catalogue = SqlCatalogueRepository(database)
    requests = SqlLicenceRequestRepository(database)
    await catalogue.replace(demo_catalogue())
    await requests.add(
        NewLicenceRequest(
            tenant_id=TENANT,
            requester_id=LOTTE,
            requester_name="Lotte Janssens",
            entity="ADV",
            item_key="powerbi-pro",
            justification="Ik maak de maandrapportering voor de afdeling.",
            stages=(),
        ),
        datetime(2026, 10, 15, 10, 0, tzinfo=UTC),
        AuditEntry(NOW, LOTTE, "licence.submit", Outcome.OK),
    )

    # What app.py wires: the workbook is made from current data when the link is opened.
    async def catalogue_bytes() -> bytes:
        return await asyncio.to_thread(write_catalogue, await catalogue.load())

    async def report_bytes(first: date, last: date, entity: str | None, locale: str) -> bytes:
        start = datetime.combine(first, time(), BRUSSELS)
        end = datetime.combine(last + timedelta(days=1), time(), BRUSSELS)
        report = await build_licence_report(requests, catalogue, None, start, end, entity)
        return await asyncio.to_thread(
            write_licence_report, report, Translator(locale), "Europe/Brussels"
        )

    rules = SqlRoutingRuleRepository(database)
    await rules.replace([*current_rules(), tax_rule()])

    async def rules_bytes() -> bytes:
        return await asyncio.to_thread(write_rules, await rules.load())

    links = SignedLinks("https://werkplek.example", SECRET, timedelta(minutes=10), clock)
    app = web.Application(middlewares=[observe(Metrics())])
    add_export_routes(
        app,
        Exports(
            links=links,
            auditor=Auditor(SqlAuditLog(database), clock),
            clock=clock,
            timezone=BRUSSELS,
            catalogue=catalogue_bytes,
            licence_report=report_bytes,
            post_rules=rules_bytes,
        ),
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Stack(client, links, clock, database)
    await client.close()


def _tamper(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query)) | changes
    return parts._replace(query=urlencode({k: v for k, v in params.items() if v})).geturl()


async def test_a_signed_link_downloads_the_catalogue_and_is_audited(stack: Stack) -> None:
    url = stack.links.export_link("catalogue", {"lang": "nl"}, MARLEEN)
    stack.clock.advance(9 * 60)  # still within the link's 10 minutes
    status, content_type, body, headers = await stack.get(url)
    assert (status, content_type) == (200, XLSX)
    assert headers["Content-Disposition"] == (
        'attachment; filename="werkplek-catalogus-2026-11-28.xlsx"'
    )
    assert headers["Cache-Control"] == "no-store"
    assert read_catalogue(body) == demo_catalogue()
    assert "Artikelen" in load_workbook(io.BytesIO(body)).sheetnames
    (entry,) = await stack.audit("export.catalogue")
    assert (entry.actor_id, entry.outcome, entry.object_id) == (MARLEEN, Outcome.OK, "catalogue")
    assert entry.correlation_id  # the request id the middleware gave the download


async def test_a_signed_link_downloads_the_routing_rules_as_stored_now(stack: Stack) -> None:
    url = stack.links.export_link(POST_RULES, {}, MAILROOM_CLERK)
    await SqlRoutingRuleRepository(stack.database).replace(current_rules())  # after the link
    status, content_type, body, headers = await stack.get(url)
    assert (status, content_type) == (200, XLSX)
    assert headers["Content-Disposition"] == (
        'attachment; filename="werkplek-postregels-2026-11-28.xlsx"'
    )
    assert read_rules(body, ["ADV", "DOMG", "DFB"]) == current_rules()
    assert "Regels" in load_workbook(io.BytesIO(body)).sheetnames
    (entry,) = await stack.audit("export.post-rules")
    assert (entry.actor_id, entry.outcome, entry.object_id) == (
        MAILROOM_CLERK,
        Outcome.OK,
        "post-rules",
    )


async def test_without_incoming_post_the_rules_are_no_download(stack: Stack) -> None:
    async def nothing() -> bytes:
        raise AssertionError("not asked")

    async def no_report(first: date, last: date, entity: str | None, locale: str) -> bytes:
        return await nothing()

    exports = Exports(
        links=stack.links,
        auditor=Auditor(SqlAuditLog(stack.database), stack.clock),
        clock=stack.clock,
        timezone=BRUSSELS,
        catalogue=nothing,
        licence_report=no_report,
    )
    assert POST_RULES not in exports.kinds
    app = web.Application()
    add_export_routes(app, exports)
    async with TestClient(TestServer(app)) as client:
        parts = urlsplit(stack.links.export_link(POST_RULES, {}, MAILROOM_CLERK))
        response = await client.get(f"{parts.path}?{parts.query}")
        assert (response.status, response.content_type) == (404, "application/problem+json")


async def test_the_report_link_downloads_its_entity_and_period(stack: Stack) -> None:
    params = {"from": "2026-10-01", "to": "2026-10-31", "entity": "ADV", "lang": "nl"}
    url = stack.links.export_link("licence-report", params, THOMAS)
    status, content_type, body, headers = await stack.get(url)
    assert (status, content_type) == (200, XLSX)
    assert "werkplek-licenties-2026-10-01-2026-10-31-ADV.xlsx" in headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(body))
    cells = [str(c) for row in workbook.worksheets[0].iter_rows(values_only=True) for c in row]
    assert any(c.startswith("LIC-2026-") for c in cells)  # the October request is in it
    (entry,) = await stack.audit("export.licence-report")
    assert entry.actor_id == THOMAS
    assert entry.detail == {"from": "2026-10-01", "to": "2026-10-31", "entity": "ADV"}


async def test_a_report_of_another_period_leaves_the_request_out(stack: Stack) -> None:
    params = {"from": "2026-11-01", "to": "2026-11-28", "lang": "en"}
    status, _, body, _ = await stack.get(stack.links.export_link("licence-report", params, MARLEEN))
    assert status == 200
    workbook = load_workbook(io.BytesIO(body))
    cells = [str(c) for row in workbook.worksheets[0].iter_rows(values_only=True) for c in row]
    assert not any(c.startswith("LIC-2026-") for c in cells)


async def _assert_refused(stack: Stack, url: str) -> None:
    status, content_type, body, _ = await stack.get(url)
    assert (status, content_type) == (403, "application/problem+json")
    assert b"niet (meer) geldig" in body
    assert await stack.audit("export.catalogue") == []
    assert await stack.audit("export.licence-report") == []


async def test_an_expired_link_is_refused(stack: Stack) -> None:
    url = stack.links.export_link("catalogue", {}, MARLEEN)
    stack.clock.advance(10 * 60)
    await _assert_refused(stack, url)


@pytest.mark.parametrize(
    "changes",
    [
        {"entity": "DOMG"},  # another entity
        {"entity": ""},  # the whole administration
        {"by": LOTTE},  # in someone else's name
        {"to": "2026-12-31"},
        {"exp": "4102444800"},  # a later expiry
        {"sig": ""},
        {"exp": "soon"},
    ],
)
async def test_a_tampered_link_is_refused(stack: Stack, changes: dict[str, str]) -> None:
    params = {"from": "2026-10-01", "to": "2026-10-31", "entity": "ADV"}
    url = stack.links.export_link("licence-report", params, THOMAS)
    await _assert_refused(stack, _tamper(url, **changes))


async def test_a_link_for_one_kind_does_not_open_another(stack: Stack) -> None:
    url = stack.links.export_link(
        "licence-report", {"from": "2026-10-01", "to": "2026-10-31"}, THOMAS
    )
    await _assert_refused(stack, url.replace("/licence-report?", "/catalogue?"))


async def test_an_unknown_kind_is_not_found(stack: Stack) -> None:
    url = stack.links.export_link("salaries", {}, MARLEEN)
    status, content_type, _, _ = await stack.get(url)
    assert (status, content_type) == (404, "application/problem+json")


async def test_a_genuine_link_with_an_impossible_period_is_a_bad_request(stack: Stack) -> None:
    params = {"from": "2026-10-31", "to": "2026-10-01"}
    status, content_type, _, _ = await stack.get(
        stack.links.export_link("licence-report", params, MARLEEN)
    )
    assert (status, content_type) == (400, "application/problem+json")
    assert await stack.audit("export.licence-report") == []
