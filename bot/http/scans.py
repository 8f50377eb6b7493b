"""GET /api/post/items/{id}/scan: the scan of one item, through a short-lived, single-use link.

The post desk checks who may see the item before it makes the link (bot/services/post/desk.py)
and signs the viewer's id into it; this endpoint checks the signature and the expiry, records
the link's one use, serves the PDF and writes a durable audit line in the viewer's name. There
is no public path to a scan: a link is made per viewer, works once and for minutes, and every
download and every refused link leaves a trace. See bot/http/signed_links.py for what uses a
link (GET) and what does not (HEAD, link previewers).
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import NotFound
from bot.domain.post.items import PostItem
from bot.http.link_pages import LinkTopic, Refusal
from bot.http.signed_links import (
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
from bot.ports.post import DocumentStore, PostItemRepository
from bot.services.platform.audit import Auditor

logger = logging.getLogger(__name__)

SCAN_PATH = "/api/post/items/{item_id}/scan"
_ACTION = "post.scan.download"


def scan_path(item_id: int) -> str:
    return SCAN_PATH.format(item_id=item_id)


class Scans:
    def __init__(
        self,
        *,
        links: SignedLinks,
        single_use: SingleUse,
        items: PostItemRepository,
        documents: DocumentStore,
        auditor: Auditor,
    ) -> None:
        self._links = links
        self._single_use = single_use
        self._items = items
        self._documents = documents
        self._auditor = auditor

    async def handle(self, request: web.Request) -> web.StreamResponse:
        item_id = path_id(request, "item_id")
        try:
            link = self._links.check(request)
            item = await self._item(item_id, link)
            if item.scan_deleted_at is not None:
                return refusal_page(request, LinkTopic.SCAN, Refusal.GONE)
            if only_looks(request):
                await self._single_use.check_unused(link)
                return _headers_only(item)
            await self._single_use.claim(link)
        except LinkRefused as refused:
            logger.info("scan link refused (%s) for item %d", refused.why, item_id)
            if not only_looks(request):  # a look is no attempt to download: nothing to audit
                await self._refused(item_id, refused)
            return refusal_page(request, LinkTopic.SCAN, refused.why.refusal)
        try:
            body = await self._documents.get(item.document.key)
        except NotFound:
            return refusal_page(request, LinkTopic.SCAN, Refusal.GONE)
        # Durable before a byte leaves: no view of a scan without its trace.
        await self._auditor.record(
            actor_id=link.by,
            action=_ACTION,
            outcome=Outcome.OK,
            tenant_id=item.tenant_id,
            role="link",
            object_type="post_item",
            object_id=item.reference,
            correlation_id=correlation_id.get(),
            durable=True,
        )
        return web.Response(
            body=body,
            content_type=item.document.content_type,
            headers=file_headers(f"{item.reference}.pdf"),
        )

    async def _item(self, item_id: int, link: VerifiedLink) -> PostItem:
        # The path is signed, so a genuine link names an item that existed; still, a link made
        # for nobody, or for an item that is not there, is not one to serve.
        item = await self._items.get(item_id) if item_id > 0 and link.by else None
        if item is None:
            raise LinkRefused(Why.MALFORMED, link.params)
        return item

    async def _refused(self, item_id: int, refused: LinkRefused) -> None:
        await audit_refused(
            self._auditor,
            refused,
            action=_ACTION,
            object_type="post_item",
            object_id=str(item_id) if item_id > 0 else "",
        )


def _headers_only(item: PostItem) -> web.Response:
    """What a GET would say about the file, without it (HEAD, link previewers)."""
    response = web.Response(headers=file_headers(f"{item.reference}.pdf"))
    response.content_type = item.document.content_type
    return response


SCANS = web.AppKey("scans", Scans)


def add_scan_routes(app: web.Application) -> None:
    """The Scans are set as app[SCANS] once the store is open (in a cleanup context)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        scans = request.app.get(SCANS)
        if scans is None:  # the app started a moment ago: the store is not open yet
            return not_ready(request)
        return await scans.handle(request)

    app.router.add_get(SCAN_PATH, handle)  # HEAD too: it answers headers, and uses nothing
