"""GET /api/exports/{kind}: the workbooks chat commands link to, made when the link is opened.

A chat command hands out a signed link (bot/http/signed_links.py) instead of a file: Teams cannot
take a file from a bot in every client, and nothing has to be stored. Opening the link checks its
signature and expiry, makes the workbook from current data, writes an audit line in the name of
the person the link was made for, and answers with the file.

Kinds: "catalogue" (the licence catalogue), "licence-report" (`from`, `to`: first and last
day, ISO; `entity`: a code, optional) and "post-rules" (the routing rules of incoming post, all
of them: an import replaces them all). `lang` picks the language of the workbook's texts.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, tzinfo

from aiohttp import web

from bot.domain.audit import Outcome
from bot.http.problems import problem
from bot.http.signed_links import BY, EXPORTS_PATH, LinkRefused, SignedLinks
from bot.i18n import pick_locale
from bot.observability import correlation_id
from bot.ports import Clock
from bot.services.audit import Auditor

logger = logging.getLogger(__name__)

CATALOGUE = "catalogue"
LICENCE_REPORT = "licence-report"
POST_RULES = "post-rules"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROUTE = EXPORTS_PATH + "/{kind}"

# () -> the catalogue workbook
CatalogueBytes = Callable[[], Awaitable[bytes]]
# (first day, last day, entity code or None, locale) -> the licence report workbook
ReportBytes = Callable[[date, date, str | None, str], Awaitable[bytes]]
# () -> the routing rules workbook
RulesBytes = Callable[[], Awaitable[bytes]]


class BadExport(Exception):
    """A signed link whose parameters still make no sense (made by an older release?)."""


class Exports:
    def __init__(
        self,
        *,
        links: SignedLinks,
        auditor: Auditor,
        clock: Clock,
        timezone: tzinfo,
        catalogue: CatalogueBytes,
        licence_report: ReportBytes,
        post_rules: RulesBytes | None = None,
    ) -> None:
        """post_rules: None when incoming post is not wired (its kind is then unknown)."""
        self._links = links
        self._auditor = auditor
        self._clock = clock
        self._tz = timezone
        self._catalogue = catalogue
        self._report = licence_report
        self._post_rules = post_rules

    async def handle(self, request: web.Request) -> web.StreamResponse:
        kind = request.match_info["kind"]
        if kind not in self.kinds:
            return problem(404, "Deze download bestaat niet.", detail_en="No such download.")
        try:
            params = self._links.check(request)
        except LinkRefused as refused:
            return refused.response
        by = params.get(BY, "")
        if not by:
            return LinkRefused("no requester").response
        try:
            body, filename, detail = await self._make(kind, params)
        except BadExport:
            return problem(
                400, "De link vraagt iets wat niet kan.", detail_en="The link asks the impossible."
            )
        except Exception:
            await self._audit(kind, by, Outcome.FAILED, {})
            raise  # the middleware answers 500 with a reference
        await self._audit(kind, by, Outcome.OK, detail)
        return web.Response(
            body=body,
            content_type=XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                # The link is a credential for a few minutes: keep it out of Referer headers.
                "Referrer-Policy": "no-referrer",
            },
        )

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds this app serves."""
        served = {CATALOGUE, LICENCE_REPORT}
        if self._post_rules is not None:
            served.add(POST_RULES)
        return frozenset(served)

    async def _make(
        self, kind: str, params: Mapping[str, str]
    ) -> tuple[bytes, str, dict[str, str]]:
        today = self._clock.now().astimezone(self._tz).date()
        if kind == CATALOGUE:
            return await self._catalogue(), f"werkplek-catalogus-{today.isoformat()}.xlsx", {}
        if kind == POST_RULES and self._post_rules is not None:
            return await self._post_rules(), f"werkplek-postregels-{today.isoformat()}.xlsx", {}
        try:
            first = date.fromisoformat(params.get("from", ""))
            last = date.fromisoformat(params.get("to", ""))
        except ValueError:
            raise BadExport() from None
        if last < first:
            raise BadExport()
        entity = params.get("entity") or None
        locale = pick_locale(params.get("lang"))
        body = await self._report(first, last, entity, locale)
        name = f"werkplek-licenties-{first.isoformat()}-{last.isoformat()}"
        if entity:
            name += "-" + "".join(c for c in entity if c.isalnum() or c in "-_")
        detail = {"from": first.isoformat(), "to": last.isoformat(), "entity": entity or ""}
        return body, name + ".xlsx", detail

    async def _audit(self, kind: str, by: str, outcome: Outcome, detail: dict[str, str]) -> None:
        try:
            await self._auditor.record(
                actor_id=by,
                action=f"export.{kind}",
                outcome=outcome,
                object_type="export",
                object_id=kind,
                correlation_id=correlation_id.get(),
                durable=True,
                **detail,
            )
        except Exception:
            logger.exception("audit write failed for export.%s", kind)
            if outcome is Outcome.OK:
                raise  # no file leaves without its audit line


EXPORTS = web.AppKey("exports", Exports)


def add_export_routes(app: web.Application, exports: Exports | None = None) -> None:
    """GET /api/exports/{kind}. The Exports may be given now or set as app[EXPORTS] later (in a
    cleanup context, once the database and the auditor exist)."""
    if exports is not None:
        app[EXPORTS] = exports
    app.router.add_get(ROUTE, _handle, allow_head=False)


async def _handle(request: web.Request) -> web.StreamResponse:
    exports = request.app.get(EXPORTS)
    if exports is None:
        return problem(503, "Nog niet klaar.", detail_en="Not ready yet.")
    return await exports.handle(request)
