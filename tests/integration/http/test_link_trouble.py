"""A link opened in a browser never ends in raw JSON: when our side cannot serve it (the app is
still starting, the database is away, making the file failed, the path leads nowhere), the
browser gets the Dutch or English page that says what to do, with the reference that is in the
log; an API client that asks for JSON keeps problem+json.

Real aiohttp apps with the bot's middleware, a real store (SQLite and PostgreSQL) or one whose
server is not there.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.http.exports import Exports, add_export_routes
from bot.http.metrics import Metrics
from bot.http.middleware import observe
from bot.http.scans import add_scan_routes, scan_path
from bot.http.signed_links import SignedLinks, SingleUse
from bot.services.platform.audit import Auditor
from bot.store import Database, SqlAuditLog, SqlLinkUses
from tests.integration.store.test_store_failures import closed_port
from tests.support.clock import FakeClock
from tests.unit.licences.fakes import MARLEEN

SECRET = b"integration-link-secret-trouble-0123"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
# What Edge sends when a person clicks a link in Teams.
BROWSER = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8",
    "Accept-Language": "nl-BE,nl;q=0.9,en;q=0.8",
}
API = {"Accept": "application/json"}
PROBLEM = "application/problem+json"

Maker = Callable[[], Awaitable[bytes]]
Client = TestClient[web.Request, web.Application]
Start = Callable[..., Awaitable[tuple[Client, SignedLinks]]]


async def _workbook() -> bytes:
    return b"PK-not-read-here"


async def _report(first: date, last: date, entity: str | None, locale: str) -> bytes:
    return b"PK-not-read-here"


@pytest.fixture
async def start() -> AsyncIterator[Start]:
    clients: list[Client] = []

    async def start(
        database: Database | None, catalogue: Maker = _workbook
    ) -> tuple[Client, SignedLinks]:
        """The bot's middleware and link routes; without a database, as in the first seconds
        after a start (the store not open yet, so nothing serves the links)."""
        clock = FakeClock(NOW)
        links = SignedLinks("https://werkplek.example", SECRET, timedelta(minutes=10), clock)
        app = web.Application(middlewares=[observe(Metrics())])
        exports = None
        if database is not None:
            exports = Exports(
                links=links,
                single_use=SingleUse(SqlLinkUses(database), clock),
                auditor=Auditor(SqlAuditLog(database), clock),
                clock=clock,
                timezone=UTC,
                catalogue=catalogue,
                licence_report=_report,
            )
        add_export_routes(app, exports)
        add_scan_routes(app)
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return client, links

    yield start
    for client in clients:
        await client.close()


async def _get(
    client: Client, url: str, headers: dict[str, str]
) -> tuple[int, str, str, Mapping[str, str]]:
    """Status, content type, body and headers (read case-insensitively, as HTTP names them)."""
    parts = urlsplit(url)
    response = await client.get(f"{parts.path}?{parts.query}", headers=headers)
    return response.status, response.content_type, await response.text(), response.headers


async def test_a_link_opened_while_werkplek_starts_gets_the_starting_page(start: Start) -> None:
    client, links = await start(None)
    for url in (links.export_link("catalogue", {}, MARLEEN), scan_path(12) + "?sig=x"):
        status, content_type, page, headers = await _get(client, url, BROWSER)
        assert (status, content_type) == (503, "text/html")
        assert "Werkplek start nog op" in page and "Je link is nog niet gebruikt." in page
        assert int(headers["Retry-After"]) > 0 and headers["Content-Language"] == "nl"
        assert headers["X-Request-Id"] in page  # the reference for the service desk

        status, content_type, body, _ = await _get(client, url, API)
        assert (status, content_type) == (503, PROBLEM) and "Nog niet klaar" in body


async def test_a_link_opened_while_the_database_is_away_gets_the_page(
    start: Start, caplog: pytest.LogCaptureFixture
) -> None:
    away = Database(f"postgresql+asyncpg://werkplek@127.0.0.1:{closed_port()}/werkplek")
    try:
        client, links = await start(away)
        url = links.export_link("catalogue", {}, MARLEEN)
        english = {**BROWSER, "Accept-Language": "en-GB,en;q=0.9"}
        with caplog.at_level(logging.ERROR, logger="bot.http.middleware"):
            status, content_type, page, headers = await _get(client, url, english)
        assert (status, content_type) == (503, "text/html")
        assert "Werkplek cannot reach its data right now" in page and "Reload this page" in page
        assert headers["Retry-After"] == "30" and '<html lang="en">' in page
        assert headers["X-Request-Id"] in page
        assert any("database unavailable" in r.getMessage() for r in caplog.records)

        status, content_type, body, headers = await _get(client, url, API)
        assert (status, content_type) == (503, PROBLEM)
        assert headers["X-Request-Id"] in body and headers["Retry-After"] == "30"
    finally:
        await away.dispose()


async def test_a_failure_while_making_the_file_gets_the_page_with_its_reference(
    start: Start, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken() -> bytes:
        raise RuntimeError("the workbook writer broke")

    client, links = await start(database, catalogue=broken)
    with caplog.at_level(logging.ERROR, logger="bot.http.middleware"):
        status, content_type, page, headers = await _get(
            client, links.export_link("catalogue", {}, MARLEEN), BROWSER
        )
    assert (status, content_type) == (500, "text/html")
    assert "Er ging iets mis" in page and "Vraag in Werkplek in Teams een nieuwe link" in page
    reference = headers["X-Request-Id"]
    assert reference in page
    assert "the workbook writer broke" not in page
    assert any(r.exc_info and "unhandled error" in r.getMessage() for r in caplog.records)

    status, content_type, body, headers = await _get(
        client, links.export_link("catalogue", {}, MARLEEN), API
    )
    assert (status, content_type) == (500, PROBLEM) and headers["X-Request-Id"] in body


async def test_a_path_that_leads_nowhere_gets_the_invalid_link_page(
    start: Start, database: Database
) -> None:
    client, _ = await start(database)
    status, content_type, page, _ = await _get(client, "/api/exports/catalogue/extra", BROWSER)
    assert (status, content_type) == (404, "text/html")
    assert "Deze link is niet geldig" in page

    status, content_type, _, _ = await _get(client, "/api/exports/catalogue/extra", API)
    assert (status, content_type) == (404, PROBLEM)
