"""Files on tickets on the real store (SQLite and PostgreSQL), the real document store on disk,
the real bounded downloads against a local server playing SharePoint, and the download route
behind signed, single-use links.

- The repository: a file, its line in the conversation, its audit line and its card for the
  thread land together or not at all.
- The service end to end: a file fetched and kept; one larger than the limit is refused while it
  streams (the server sees the client go away long before the end).
- The route: the bytes once, as an attachment of the type the file was taken as, never sniffed;
  a used, expired, forged or mismatched link gets problem+json (a browser, the page), audited.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from bot.documents.filesystem import FilesystemDocumentStore
from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.conversations import SeenUser
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.platform.roles import Role
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.ticket_files import NewTicketFile, TicketFile
from bot.domain.servicedesk.tickets import (
    MessageKind,
    NewTicket,
    Relay,
    Ticket,
    TicketMessage,
    Urgency,
)
from bot.http.downloads import HttpFileDownloads
from bot.http.metrics import Metrics
from bot.http.middleware import observe
from bot.http.signed_links import BY, SignedLinks, SingleUse
from bot.http.ticket_files import (
    TICKET_FILES,
    TicketFileDownloads,
    add_ticket_file_routes,
    ticket_file_path,
)
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.people import DeskPeople
from bot.services.servicedesk.ticket_files import FileLimits, TicketFiles
from bot.services.servicedesk.tickets import DeskSettings, TicketDesk, desk_card_key
from bot.store import Database, SqlAuditLog, SqlLinkUses, SqlOutboxRepository
from bot.store.platform.users import SqlUserRepository
from bot.store.servicedesk.ticket_files import SqlTicketFileRepository
from bot.store.servicedesk.tickets import SqlTicketRepository
from bot.turn import IncomingFile
from dialogs.servicedesk.ticket_files import TicketFileNoticeCards
from dialogs.servicedesk.ticket_notices import TicketNoticeCards
from tests.support.clock import FakeClock

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
BRUSSELS = ZoneInfo("Europe/Brussels")
CHANNEL = "19:servicedesk@thread.tacv2"
SECRET = b"integration-ticket-file-secret-0123456789"
PDF = b"%PDF-1.7\n% the error, scanned\n%%EOF\n"
LOTTE = Actor("lotte-id", "tenant-1", "Lotte Janssens", frozenset({Role.STAFF}))
ANN = Actor("ann-id", "tenant-1", "Ann Desmet", frozenset({Role.STAFF, Role.AGENT}))
LIMIT = 256 * 1024
ACTION = "servicedesk.ticket.file.download"


def new_ticket(requester: str = LOTTE.user_id) -> NewTicket:
    return NewTicket(
        tenant_id="tenant-1",
        requester_id=requester,
        category=Category.OTHER,
        urgency=Urgency.NORMAL,
        question="Mijn printer trekt geen papier.",
        created_at=NOW,
    )


def new_file(ticket: Ticket, key: str = "2026/12/abc.pdf") -> NewTicketFile:
    return NewTicketFile(
        ticket_id=ticket.id,
        at=NOW,
        author_id=ticket.requester_id,
        name="foutmelding.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="ab" * 32,
        document_key=key,
    )


def clip(ticket: Ticket) -> TicketMessage:
    return TicketMessage(NOW, ticket.requester_id, MessageKind.REQUESTER, "📎 foutmelding.pdf")


# --- the repository ---------------------------------------------------------------------------
async def test_a_file_lands_with_its_line_audit_and_thread_card(database: Database) -> None:
    tickets, files = SqlTicketRepository(database), SqlTicketFileRepository(database)
    ticket = await tickets.add(new_ticket())

    def then(stored: TicketFile) -> tuple[list[AuditEntry], list[NewOutboxMessage]]:
        audit = AuditEntry(NOW, LOTTE.user_id, "servicedesk.ticket.file", Outcome.OK)
        card = NewOutboxMessage(
            tenant_id="tenant-1",
            dedupe_key=f"ticket-{ticket.id}-file-{stored.id}",
            activity={"type": "message", "text": "file"},
            conversation_id=CHANNEL,
            thread_of=desk_card_key(ticket.id),
        )
        return [audit], [card]

    stored = await files.add(new_file(ticket), clip(ticket), then)

    assert await files.get(stored.id) == stored
    assert stored.at == NOW and stored.at.tzinfo is not None
    assert await files.of_ticket(ticket.id) == [stored]
    assert await files.of_ticket(ticket.id + 1) == []
    said = await tickets.messages(ticket.id, internal=False)
    assert [(m.kind, m.text) for m in said] == [(MessageKind.REQUESTER, "📎 foutmelding.pdf")]
    queued = await SqlOutboxRepository(database).by_dedupe_key(
        f"ticket-{ticket.id}-file-{stored.id}"
    )
    assert queued is not None and queued.thread_of == desk_card_key(ticket.id)
    assert [e.action for e in await SqlAuditLog(database).recent()] == ["servicedesk.ticket.file"]
    # Recording a file is no step of the ticket: its version stays.
    assert (await tickets.get(ticket.id)) == ticket


async def test_nothing_is_half_recorded(database: Database) -> None:
    tickets, files = SqlTicketRepository(database), SqlTicketFileRepository(database)
    ticket = await tickets.add(new_ticket())

    def broken(stored: TicketFile) -> tuple[list[AuditEntry], list[NewOutboxMessage]]:
        raise RuntimeError("the card could not be made")

    with pytest.raises(RuntimeError):
        await files.add(new_file(ticket), clip(ticket), broken)
    assert await files.of_ticket(ticket.id) == []
    assert await tickets.messages(ticket.id, internal=True) == []


@pytest.mark.parametrize("file_id", [0, -1, 999, 2**63])
async def test_an_unknown_file_is_none(database: Database, file_id: int) -> None:
    assert await SqlTicketFileRepository(database).get(file_id) is None


# --- the service, end to end ----------------------------------------------------------------
class SharePoint:
    """Serves a small PDF and an endless stream, counting what the stream got out."""

    def __init__(self) -> None:
        self.streamed = 0
        self.client_left = False

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/rapport", self.small)
        app.router.add_get("/endless", self.endless)
        return app

    async def small(self, request: web.Request) -> web.Response:
        return web.Response(body=PDF)

    async def endless(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()  # no Content-Length: the limit holds while reading
        await response.prepare(request)
        try:
            for _ in range(16 * 1024):  # 1 GB if nobody stops it
                await response.write(b"%PDF" + bytes(65532))
                self.streamed += 65536
        except (ConnectionResetError, RuntimeError):
            self.client_left = True
        return response


@dataclass
class Desk:
    service: TicketFiles
    tickets: SqlTicketRepository
    files: SqlTicketFileRepository
    documents: FilesystemDocumentStore
    base: str
    sharepoint: SharePoint


@pytest.fixture
async def desk(database: Database, tmp_path: Path) -> AsyncIterator[Desk]:
    users = SqlUserRepository(database)
    for who in (LOTTE, ANN):
        await users.upsert(SeenUser(who.user_id, who.tenant_id, display_name=who.name))
    clock = FakeClock(NOW)
    tickets = SqlTicketRepository(database, clock=clock, reference_zone=BRUSSELS)
    settings = DeskSettings(channel_id=CHANNEL)

    class NoEntities:
        async def entity_of(self, user_id: str) -> None:
            return None

    ticket_desk = TicketDesk(
        tickets=tickets,
        people=DeskPeople(users, NoEntities()),
        cards=TicketNoticeCards(BRUSSELS),
        clock=clock,
        calendar=WorkingCalendar(BRUSSELS),
        settings=settings,
    )
    files = SqlTicketFileRepository(database)
    documents = FilesystemDocumentStore(tmp_path / "documents")
    downloads = HttpFileDownloads(["127.0.0.1"])
    links = SignedLinks("https://werkplek.example", SECRET, timedelta(minutes=10), clock)
    service = TicketFiles(
        desk=ticket_desk,
        files=files,
        documents=documents,
        downloads=downloads,
        cards=TicketFileNoticeCards(),
        links=lambda t, f, by: links.link(ticket_file_path(t, f), {BY: by}),
        auditor=Auditor(SqlAuditLog(database), clock),
        clock=clock,
        settings=settings,
        limits=FileLimits(LIMIT, 10),
    )
    sharepoint = SharePoint()
    server = TestServer(sharepoint.app(), host="127.0.0.1")
    await server.start_server()
    yield Desk(service, tickets, files, documents, f"http://127.0.0.1:{server.port}", sharepoint)
    await downloads.close()
    await server.close()


async def test_a_sent_file_is_fetched_kept_and_shown_in_the_thread(desk: Desk) -> None:
    ticket = await desk.tickets.add(new_ticket())
    await desk.tickets.set_relay(ticket.id, Relay.ON)
    sent = [IncomingFile("rapport.pdf", f"{desk.base}/rapport")]

    attached = await desk.service.attach(LOTTE, ticket.id, sent)

    [stored] = attached.files
    assert attached.refused == [] and await desk.documents.get(stored.document_key) == PDF
    opened = await desk.service.open_file(ANN, ticket.id, stored.id)
    assert ticket_file_path(ticket.id, stored.id) in opened.url and "sig=" in opened.url


async def test_a_file_over_the_limit_is_refused_while_it_streams(desk: Desk) -> None:
    ticket = await desk.tickets.add(new_ticket())
    sent = [IncomingFile("enorm.pdf", f"{desk.base}/endless")]

    attached = await desk.service.attach(LOTTE, ticket.id, sent)

    [refused] = attached.refused
    assert (refused.name, refused.reason_key) == ("enorm.pdf", "download.error.too_large")
    assert attached.files == [] and await desk.files.of_ticket(ticket.id) == []
    # The client stopped reading at the limit: the server got nowhere near its gigabyte.
    assert desk.sharepoint.streamed < 64 * 1024 * 1024


# --- the route --------------------------------------------------------------------------------
@dataclass
class Route:
    client: TestClient[web.Request, web.Application]
    clock: FakeClock
    links: SignedLinks
    database: Database
    ticket: Ticket
    file: TicketFile

    def link(self, ticket_id: int | None = None, file_id: int | None = None) -> str:
        path = ticket_file_path(ticket_id or self.ticket.id, file_id or self.file.id)
        return self.links.link(path, {BY: ANN.user_id})

    async def get(self, url: str, method: str = "GET", **headers: str) -> ClientResponse:
        parts = urlsplit(url)
        return await self.client.request(method, f"{parts.path}?{parts.query}", headers=headers)

    async def audit(self) -> list[AuditEntry]:
        return await SqlAuditLog(self.database).recent(action=ACTION)


@pytest.fixture
async def route(database: Database, tmp_path: Path) -> AsyncIterator[Route]:
    clock = FakeClock(NOW)
    documents = FilesystemDocumentStore(tmp_path / "documents")
    tickets, files = SqlTicketRepository(database), SqlTicketFileRepository(database)
    ticket = await tickets.add(new_ticket())
    kept = await documents.put("foutmelding.pdf", PDF)
    stored = await files.add(new_file(ticket, kept.key), clip(ticket), lambda _: ([], []))
    links = SignedLinks("https://werkplek.example", SECRET, timedelta(minutes=10), clock)
    app = web.Application(middlewares=[observe(Metrics())])
    add_ticket_file_routes(app)
    app[TICKET_FILES] = TicketFileDownloads(
        links=links,
        single_use=SingleUse(SqlLinkUses(database), clock),
        tickets=tickets,
        files=files,
        documents=documents,
        auditor=Auditor(SqlAuditLog(database), clock),
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Route(client, clock, links, database, ticket, stored)
    await client.close()


async def _problem(route: Route, url: str, status: int) -> dict[str, object]:
    response = await route.get(url)
    assert response.status == status
    assert response.content_type == "application/problem+json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body: dict[str, object] = json.loads(await response.read())
    assert body["status"] == status
    return body


async def test_a_link_serves_the_file_once_as_an_attachment(route: Route) -> None:
    url = route.link()
    response = await route.get(url)
    assert response.status == 200 and await response.read() == PDF
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="foutmelding.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    [served] = await route.audit()
    assert (served.actor_id, served.outcome, served.object_id) == (
        ANN.user_id,
        Outcome.OK,
        route.ticket.reference,
    )

    await _problem(route, url, 410)  # used
    denied = [e for e in await route.audit() if e.outcome is Outcome.DENIED]
    assert [(e.actor_id, e.detail["reason"]) for e in denied] == [(ANN.user_id, "used")]


async def test_head_answers_headers_without_using_the_link(route: Route) -> None:
    url = route.link()
    response = await route.get(url, "HEAD")
    assert response.status == 200 and response.content_type == "application/pdf"
    assert (await route.get(url)).status == 200


async def test_an_expired_link_is_refused(route: Route) -> None:
    url = route.link()
    route.clock.advance(minutes=11)
    await _problem(route, url, 410)
    [denied] = await route.audit()
    assert (denied.actor_id, denied.detail["reason"]) == (ANN.user_id, "expired")


async def test_a_forged_link_is_refused_anonymously_and_a_browser_gets_the_page(
    route: Route,
) -> None:
    genuine = urlsplit(route.link())
    params = dict(parse_qsl(genuine.query)) | {BY: LOTTE.user_id}  # someone else's name in it
    forged = genuine._replace(query=urlencode(params)).geturl()
    await _problem(route, forged, 403)
    [denied] = await route.audit()
    assert (denied.actor_id, denied.detail["reason"]) == ("", "bad_signature")

    page = await route.get(forged, Accept="text/html,application/xhtml+xml")
    assert page.status == 403 and page.content_type == "text/html"
    # Another ticket's path under a genuine link's signature: the path is signed too.
    moved = genuine._replace(path=ticket_file_path(route.ticket.id + 1, route.file.id)).geturl()
    await _problem(route, moved, 403)


async def test_a_genuine_link_to_a_file_of_another_ticket_is_refused(route: Route) -> None:
    tickets = SqlTicketRepository(route.database)
    other = await tickets.add(new_ticket("jef-id"))
    await _problem(route, route.link(ticket_id=other.id), 403)
    [denied] = await route.audit()
    assert denied.detail["reason"] == "malformed"
