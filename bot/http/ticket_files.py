"""GET /api/servicedesk/tickets/{ticket_id}/files/{file_id}: one file attached to a ticket,
through a short-lived, single-use link (as the scans: bot/http/scans.py).

The files service checks who may open the file before it makes the link (the person who asked,
an agent of the ticket's desk, an admin) and signs their id into it; this endpoint checks the
signature and the expiry, records the link's one use, and serves the bytes as an attachment
with the type the file was taken as, never sniffed, never shown inline, with a durable audit
line in the opener's name. A refused link is audited too. A browser gets the small page with
the next step; any other client problem+json (RFC 9457).
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import NotFound
from bot.domain.servicedesk.ticket_files import TicketFile
from bot.domain.servicedesk.tickets import Ticket
from bot.http.link_pages import LinkTopic, Refusal, prefers_html
from bot.http.problems import problem
from bot.http.signed_links import (
    PRIVATE_HEADERS,
    LinkRefused,
    SignedLinks,
    SingleUse,
    VerifiedLink,
    Why,
    audit_refused,
    file_headers,
    not_ready,
    only_looks,
    path_id,
    refusal_page,
)
from bot.observability import correlation_id
from bot.ports.post import DocumentStore
from bot.ports.servicedesk import TicketFileRepository, TicketRepository
from bot.services.platform.audit import Auditor

logger = logging.getLogger(__name__)

TICKET_FILE_PATH = "/api/servicedesk/tickets/{ticket_id}/files/{file_id}"
_ACTION = "servicedesk.ticket.file.download"
_OBJECT_TYPE = "servicedesk_ticket"
# What an API client is told about a link that cannot be served (a browser gets the page).
_PROBLEMS = {
    Refusal.INVALID: ("Deze link is ongeldig.", "This link is not valid."),
    Refusal.EXPIRED: ("Deze link is verlopen.", "This link has expired."),
    Refusal.USED: ("Deze link is al gebruikt.", "This link was used already."),
    Refusal.GONE: ("Dit bestand is er niet meer.", "This file is no longer there."),
}


def ticket_file_path(ticket_id: int, file_id: int) -> str:
    return TICKET_FILE_PATH.format(ticket_id=ticket_id, file_id=file_id)


class TicketFileDownloads:
    def __init__(
        self,
        *,
        links: SignedLinks,
        single_use: SingleUse,
        tickets: TicketRepository,
        files: TicketFileRepository,
        documents: DocumentStore,
        auditor: Auditor,
    ) -> None:
        self._links = links
        self._single_use = single_use
        self._tickets = tickets
        self._files = files
        self._documents = documents
        self._auditor = auditor

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket_id, file_id = path_id(request, "ticket_id"), path_id(request, "file_id")
        try:
            link = self._links.check(request)
            ticket, file = await self._file(ticket_id, file_id, link)
            if only_looks(request):
                await self._single_use.check_unused(link)
                return _headers_only(file)
            await self._single_use.claim(link)
        except LinkRefused as refused:
            logger.info("ticket file link refused (%s) for file %d", refused.why, file_id)
            if not only_looks(request):  # a look is no attempt to download: nothing to audit
                await self._refused(ticket_id, file_id, refused)
            return _refusal(request, refused.why.refusal)
        try:
            body = await self._documents.get(file.document_key)
        except NotFound:
            return _refusal(request, Refusal.GONE)
        # Durable before a byte leaves: no download of a file without its trace.
        await self._auditor.record(
            actor_id=link.by,
            action=_ACTION,
            outcome=Outcome.OK,
            tenant_id=ticket.tenant_id,
            role="link",
            object_type=_OBJECT_TYPE,
            object_id=ticket.reference,
            correlation_id=correlation_id.get(),
            durable=True,
            file=str(file.id),
        )
        response = web.Response(body=body, headers=file_headers(file.name))
        response.content_type = file.content_type
        return response

    async def _file(
        self, ticket_id: int, file_id: int, link: VerifiedLink
    ) -> tuple[Ticket, TicketFile]:
        # The path is signed, so a genuine link names a file of that ticket; still, a link made
        # for nobody, or for a file or ticket that is not there, is not one to serve.
        if not (ticket_id and file_id and link.by):
            raise LinkRefused(Why.MALFORMED, link.params)
        file = await self._files.get(file_id)
        ticket = await self._tickets.get(ticket_id)
        if file is None or ticket is None or file.ticket_id != ticket.id:
            raise LinkRefused(Why.MALFORMED, link.params)
        return ticket, file

    async def _refused(self, ticket_id: int, file_id: int, refused: LinkRefused) -> None:
        await audit_refused(
            self._auditor,
            refused,
            action=_ACTION,
            object_type=_OBJECT_TYPE,
            object_id=str(ticket_id) if ticket_id else "",
            file=str(file_id) if file_id else "",
        )


def _refusal(request: web.Request, refusal: Refusal) -> web.Response:
    if prefers_html(request.headers.get("Accept")):
        return refusal_page(request, LinkTopic.EXPORT, refusal)
    detail, detail_en = _PROBLEMS[refusal]
    return problem(
        refusal.status,
        detail,
        detail_en=detail_en,
        reference=correlation_id.get(),
        headers=dict(PRIVATE_HEADERS),
    )


def _headers_only(file: TicketFile) -> web.Response:
    """What a GET would say about the file, without it (HEAD, link previewers)."""
    response = web.Response(headers=file_headers(file.name))
    response.content_type = file.content_type
    return response


TICKET_FILES = web.AppKey("ticket_files", TicketFileDownloads)


def add_ticket_file_routes(app: web.Application) -> None:
    """The downloads are set as app[TICKET_FILES] once the store is open (in a cleanup
    context)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        downloads = request.app.get(TICKET_FILES)
        if downloads is None:  # the app started a moment ago: the store is not open yet
            return not_ready(request)
        return await downloads.handle(request)

    app.router.add_get(TICKET_FILE_PATH, handle)  # HEAD too: it answers headers, and uses nothing
