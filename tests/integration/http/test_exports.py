"""GET /api/exports/{kind}: signed links download real workbooks from a real store, once, audited.

The handlers run in a real aiohttp app with the same middleware as the bot, on a migrated
database (SQLite and PostgreSQL), wired the way app.py wires them. A link that cannot be served
answers with a small HTML page; a refusal is audited.
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

from bot.domain.licences.requests import NewLicenceRequest
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.signing import signed_params
from bot.excel.licences.catalogue import read_catalogue, write_catalogue
from bot.excel.licences.report import write_licence_report
from bot.excel.post.rules import read_rules, write_rules
from bot.http.exports import POST_RULES, XLSX, Exports, add_export_routes
from bot.http.metrics import Metrics
from bot.http.middleware import observe
from bot.http.signed_links import SignedLinks, SingleUse
from bot.i18n import Translator
from bot.services.licences.reports import build_licence_report
from bot.services.platform.audit import Auditor
from bot.store import (
    Database,
    SqlAuditLog,
    SqlCatalogueRepository,
    SqlLicenceRequestRepository,
    SqlLinkUses,
    SqlRoutingRuleRepository,
)
from tests.support.clock import FakeClock
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
    clock: FakeClock
    database: Database

    async def get(
        self, url: str, method: str = "GET", **headers: str
    ) -> tuple[int, str, bytes, dict[str, str]]:
        parts = urlsplit(url)
        response = await self.client.request(method, f"{parts.path}?{parts.query}", headers=headers)
        return response.status, response.content_type, await response.read(), dict(response.headers)

    async def audit(self, action: str) -> list[AuditEntry]:
        return await SqlAuditLog(self.database).recent(action=action)


@pytest.fixture
async def stack(database: Database) -> AsyncIterator[Stack]:
    clock = FakeClock(NOW)
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
        return await asyncio.to_thread(write_licence_report, report, Translator(locale), BRUSSELS)

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
            single_use=SingleUse(SqlLinkUses(database), clock),
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
    stack.clock.advance(minutes=9)  # still within the link's 10 minutes
    status, content_type, body, headers = await stack.get(url)
    assert (status, content_type) == (200, XLSX)
    assert headers["Content-Disposition"] == (
        'attachment; filename="werkplek-catalogus-2026-11-28.xlsx"'
    )
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
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
        single_use=SingleUse(SqlLinkUses(stack.database), stack.clock),
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
        assert (response.status, response.content_type) == (404, "text/html")


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


async def _assert_page(
    stack: Stack, url: str, status: int, heading: str, method: str = "GET", **headers: str
) -> str:
    """The link answers with the small HTML page, not the file, and nothing cacheable."""
    got, content_type, body, answer = await stack.get(url, method, **headers)
    assert (got, content_type) == (status, "text/html")
    assert answer["Content-Type"] == "text/html; charset=utf-8"
    assert answer["Cache-Control"] == "no-store"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "no-referrer"
    assert answer["Content-Security-Policy"].startswith("default-src 'none';")
    assert "Content-Disposition" not in answer
    page = body.decode("utf-8")
    if method == "GET":
        assert heading in page
        assert not page.startswith("PK")  # not a workbook
    return page


async def _denials(stack: Stack, action: str) -> list[AuditEntry]:
    return [e for e in await stack.audit(action) if e.outcome is Outcome.DENIED]


async def _assert_refused(stack: Stack, url: str, action: str = "export.licence-report") -> None:
    page = await _assert_page(stack, url, 403, "Deze link is niet geldig")
    assert "Open Werkplek in Teams" in page
    assert [e for e in await stack.audit(action) if e.outcome is Outcome.OK] == []
    (denied,) = await _denials(stack, action)
    # A forged link is no one's: the claimed `by` is not believed, and only the reason is kept.
    assert denied.actor_id == ""
    assert denied.detail["reason"] in ("bad_signature", "malformed", "no_nonce")


async def test_an_expired_link_shows_the_expired_page_and_is_audited(stack: Stack) -> None:
    url = stack.links.export_link("catalogue", {}, MARLEEN)
    stack.clock.advance(minutes=10)
    page = await _assert_page(stack, url, 410, "Deze link is verlopen")
    assert "typ opnieuw ‘catalogus’" in page
    (denied,) = await _denials(stack, "export.catalogue")
    assert (denied.actor_id, denied.detail["reason"]) == (MARLEEN, "expired")
    assert await stack.audit("export.catalogue") == [denied]


@pytest.mark.parametrize(
    "changes",
    [
        {"entity": "DOMG"},  # another entity
        {"entity": ""},  # the whole administration
        {"by": LOTTE},  # in someone else's name
        {"to": "2026-12-31"},
        {"exp": "4102444800"},  # a later expiry
        {"exp": "99999999999999999999"},  # past any calendar
        {"n": "another-nonce-0123456789"},  # a fresh use of the same link
        {"n": ""},
        {"sig": ""},
        {"exp": "soon"},
    ],
)
async def test_a_tampered_link_is_refused(stack: Stack, changes: dict[str, str]) -> None:
    params = {"from": "2026-10-01", "to": "2026-10-31", "entity": "ADV"}
    url = stack.links.export_link("licence-report", params, THOMAS)
    await _assert_refused(stack, _tamper(url, **changes))
    # The genuine link was not used by the attempt.
    status, content_type, _, _ = await stack.get(url)
    assert (status, content_type) == (200, XLSX)


async def test_a_repeated_parameter_is_refused(stack: Stack) -> None:
    url = stack.links.export_link("catalogue", {}, MARLEEN)
    await _assert_refused(stack, url + f"&by={LOTTE}", action="export.catalogue")


async def test_a_signed_link_without_a_nonce_is_refused(stack: Stack) -> None:
    """What a release before single use made: genuine, but it could be used forever."""
    path = "/api/exports/catalogue"
    expires = int(NOW.timestamp()) + 600
    query = signed_params(SECRET, path, {"by": MARLEEN}, expires)
    await _assert_refused(stack, f"{path}?{urlencode(query)}", action="export.catalogue")


async def test_a_link_for_one_kind_does_not_open_another(stack: Stack) -> None:
    url = stack.links.export_link(
        "licence-report", {"from": "2026-10-01", "to": "2026-10-31"}, THOMAS
    )
    await _assert_refused(
        stack, url.replace("/licence-report?", "/catalogue?"), action="export.catalogue"
    )


async def test_an_unknown_kind_is_not_found(stack: Stack) -> None:
    url = stack.links.export_link("salaries", {}, MARLEEN)
    await _assert_page(stack, url, 404, "Deze link is niet geldig")


async def test_a_genuine_link_with_an_impossible_period_is_a_bad_request(stack: Stack) -> None:
    params = {"from": "2026-10-31", "to": "2026-10-01"}
    url = stack.links.export_link("licence-report", params, MARLEEN)
    await _assert_page(stack, url, 400, "Deze link is niet geldig")
    assert await stack.audit("export.licence-report") == []


# --- single use ---------------------------------------------------------------------------------
async def test_a_link_works_once(stack: Stack) -> None:
    url = stack.links.export_link(POST_RULES, {}, MAILROOM_CLERK)
    status, content_type, _, _ = await stack.get(url)
    assert (status, content_type) == (200, XLSX)

    page = await _assert_page(stack, url, 410, "Deze link is al gebruikt")
    assert "Open Werkplek in Teams en typ opnieuw ‘regels’" in page
    assert "onderbroken" in page  # what to do when the download broke off
    denied, ok = sorted(await stack.audit("export.post-rules"), key=lambda e: e.outcome)
    assert (ok.outcome, ok.actor_id) == (Outcome.OK, MAILROOM_CLERK)
    assert (denied.outcome, denied.actor_id) == (Outcome.DENIED, MAILROOM_CLERK)
    assert denied.detail == {"reason": "used"}
    assert denied.correlation_id and denied.correlation_id != ok.correlation_id


async def test_a_new_link_for_the_same_export_works_after_the_first_is_used(stack: Stack) -> None:
    for _ in range(2):
        url = stack.links.export_link("catalogue", {}, MARLEEN)
        assert (await stack.get(url))[0] == 200
        assert (await stack.get(url))[0] == 410


async def test_of_two_clicks_at_once_exactly_one_gets_the_file(stack: Stack) -> None:
    url = stack.links.export_link("catalogue", {}, MARLEEN)
    answers = await asyncio.gather(*(stack.get(url) for _ in range(5)))
    assert sorted(status for status, *_ in answers) == [200, 410, 410, 410, 410]
    oks = [e for e in await stack.audit("export.catalogue") if e.outcome is Outcome.OK]
    assert len(oks) == 1


async def test_head_answers_the_headers_and_does_not_use_the_link(stack: Stack) -> None:
    url = stack.links.export_link("catalogue", {}, MARLEEN)
    for _ in range(3):
        status, content_type, body, headers = await stack.get(url, "HEAD")
        assert (status, content_type, body) == (200, XLSX, b"")
        assert headers["Content-Disposition"] == (
            'attachment; filename="werkplek-catalogus-2026-11-28.xlsx"'
        )
        assert headers["Cache-Control"] == "no-store"
    assert await stack.audit("export.catalogue") == []  # nothing was downloaded

    status, content_type, body, _ = await stack.get(url)
    assert (status, content_type) == (200, XLSX)
    assert read_catalogue(body) == demo_catalogue()
    # Once used, HEAD says so too (without a body, and without a second audit line).
    await _assert_page(stack, url, 410, "", method="HEAD")
    assert len(await stack.audit("export.catalogue")) == 1


async def test_head_of_a_tampered_or_expired_link_is_refused_unaudited(stack: Stack) -> None:
    url = stack.links.export_link("catalogue", {}, MARLEEN)
    await _assert_page(stack, _tamper(url, by=LOTTE), 403, "", method="HEAD")
    stack.clock.advance(minutes=10)
    await _assert_page(stack, url, 410, "", method="HEAD")
    assert await stack.audit("export.catalogue") == []


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
        "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0; BingPreview/1.0b)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    ],
)
async def test_a_link_previewer_gets_no_file_and_does_not_use_the_link(
    stack: Stack, agent: str
) -> None:
    url = stack.links.export_link("catalogue", {}, MARLEEN)
    status, _, body, headers = await stack.get(url, **{"User-Agent": agent})
    assert (status, body) == (200, b"")
    assert headers["Cache-Control"] == "no-store"
    assert await stack.audit("export.catalogue") == []

    status, content_type, body, _ = await stack.get(url)  # the person's own click
    assert (status, content_type) == (200, XLSX)
    assert read_catalogue(body) == demo_catalogue()


async def test_the_page_speaks_english_to_an_english_browser(stack: Stack) -> None:
    url = stack.links.export_link(
        "licence-report", {"from": "2026-10-01", "to": "2026-10-31"}, THOMAS
    )
    assert (await stack.get(url))[0] == 200
    page = await _assert_page(
        stack, url, 410, "This link has already been used", **{"Accept-Language": "en-GB,nl;q=0.5"}
    )
    assert '<html lang="en">' in page
    assert "‘licence report’" in page
    dutch = await _assert_page(stack, url, 410, "al gebruikt", **{"Accept-Language": "fr, de"})
    assert '<html lang="nl">' in dutch


async def test_the_page_escapes_the_reference_a_caller_chose(stack: Stack) -> None:
    url = stack.links.export_link("catalogue", {}, MARLEEN)
    hostile = '"><script>alert(1)</script>'
    page = await _assert_page(
        stack, _tamper(url, sig="x"), 403, "niet geldig", **{"X-Request-Id": hostile}
    )
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


async def test_a_non_ascii_file_name_is_sent_safely(stack: Stack) -> None:
    params = {"from": "2026-10-01", "to": "2026-10-31", "entity": "ÉCO"}
    status, _, _, headers = await stack.get(
        stack.links.export_link("licence-report", params, THOMAS)
    )
    assert status == 200
    assert headers["Content-Disposition"] == (
        'attachment; filename="werkplek-licenties-2026-10-01-2026-10-31-_CO.xlsx"; '
        "filename*=UTF-8''werkplek-licenties-2026-10-01-2026-10-31-%C3%89CO.xlsx"
    )


async def test_forgetting_expired_uses_keeps_the_live_ones(database: Database) -> None:
    uses = SqlLinkUses(database)
    assert await uses.first_use("a" * 22, NOW, NOW + timedelta(minutes=10))
    assert await uses.first_use("b" * 22, NOW, NOW + timedelta(minutes=30))
    assert not await uses.first_use("a" * 22, NOW + timedelta(minutes=1), NOW + timedelta(hours=1))
    assert await uses.forget_expired(NOW + timedelta(minutes=20)) == 1
    assert not await uses.was_used("a" * 22)
    assert await uses.was_used("b" * 22)
