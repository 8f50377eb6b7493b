"""GET /api/post/items/{id}/scan: the scan of one item, through a short-lived signed link.

The post desk checks who may see the item before it makes the link (bot/services/post_desk.py)
and signs the viewer's id into it; this endpoint checks the signature and the expiry, serves the
PDF and writes a durable audit line in the viewer's name. There is no public path to a scan: a
link is made per viewer, works for minutes, and every download leaves a trace.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.domain.audit import Outcome
from bot.domain.errors import NotFound
from bot.http.problems import problem
from bot.http.signed_links import BY, LinkRefused, SignedLinks
from bot.observability import correlation_id
from bot.ports import DocumentStore, PostItemRepository
from bot.services.audit import Auditor

logger = logging.getLogger(__name__)

SCAN_PATH = "/api/post/items/{item_id}/scan"


def scan_path(item_id: int) -> str:
    return SCAN_PATH.format(item_id=item_id)


class Scans:
    def __init__(
        self,
        *,
        links: SignedLinks,
        items: PostItemRepository,
        documents: DocumentStore,
        auditor: Auditor,
    ) -> None:
        self._links = links
        self._items = items
        self._documents = documents
        self._auditor = auditor

    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            params = self._links.check(request)
        except LinkRefused as refused:
            return refused.response
        by = params.get(BY, "")
        try:
            item_id = int(request.match_info["item_id"])
        except ValueError:
            item_id = 0
        item = await self._items.get(item_id) if item_id > 0 and by else None
        if item is None:
            return problem(404, "Dit poststuk bestaat niet.", detail_en="No such item.")
        if item.scan_deleted_at is not None:
            return _gone()
        try:
            body = await self._documents.get(item.document.key)
        except NotFound:
            return _gone()
        # Durable before a byte leaves: no view of a scan without its trace.
        await self._auditor.record(
            actor_id=by,
            action="post.scan.download",
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
            headers={
                "Content-Disposition": f'inline; filename="{item.reference}.pdf"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )


def _gone() -> web.Response:
    return problem(
        410,
        "De scan van dit poststuk is verwijderd (bewaartermijn verstreken).",
        detail_en="The scan of this item was deleted (retention period over).",
    )


SCANS = web.AppKey("scans", Scans)


def add_scan_routes(app: web.Application) -> None:
    """The Scans are set as app[SCANS] once the store is open (in a cleanup context)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        return await request.app[SCANS].handle(request)

    app.router.add_get(SCAN_PATH, handle)
