"""GET /api/exports/{kind}: the workbooks chat commands link to, made when the link is opened.

A chat command hands out a signed link (bot/http/signed_links.py) instead of a file: Teams cannot
take a file from a bot in every client, and nothing has to be stored. Opening the link checks its
signature and expiry, records its one use, makes the workbook from current data, writes an audit
line in the name of the person the link was made for, and answers with the file. A link that
cannot be served answers with a small page saying what to do (bot/http/link_pages.py), and the
refusal is audited.

Kinds: "catalogue" (the licence catalogue), "licence-report" (`from`, `to`: first and last
day, ISO; `entity`: a code, optional), "post-rules" (the routing rules of incoming post, all
of them: an import replaces them all), "articles" (the service desk's knowledge base, all of
it: an import replaces it whole) and "tickets-report" (the service desk's report: `from`, `to`,
`entity` as for the licence report). `lang` picks the language of the workbook's texts.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo

from aiohttp import web

from bot.domain.platform.audit import Outcome
from bot.http.link_pages import LinkTopic, Refusal
from bot.http.signed_links import (
    EXPORTS_PATH,
    LinkRefused,
    SignedLinks,
    SingleUse,
    Why,
    audit_refused,
    file_headers,
    not_ready,
    only_looks,
    refusal_page,
)
from bot.i18n import pick_locale
from bot.observability import correlation_id
from bot.ports.platform import Clock
from bot.services.platform.audit import Auditor

logger = logging.getLogger(__name__)

CATALOGUE = "catalogue"
LICENCE_REPORT = "licence-report"
POST_RULES = "post-rules"
ARTICLES = "articles"
TICKETS_REPORT = "tickets-report"
ANNOUNCEMENT_REPORT = "announcement-report"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROUTE = EXPORTS_PATH + "/{kind}"

# () -> the catalogue workbook
CatalogueBytes = Callable[[], Awaitable[bytes]]
# (first day, last day, entity code or None, locale) -> a report's workbook (licences, tickets)
ReportBytes = Callable[[date, date, str | None, str], Awaitable[bytes]]
# () -> the routing rules workbook
RulesBytes = Callable[[], Awaitable[bytes]]
# () -> the knowledge base workbook
ArticlesBytes = Callable[[], Awaitable[bytes]]
# (announcement id, locale) -> its report's workbook
AnnouncementBytes = Callable[[int, str], Awaitable[bytes]]


class BadExport(Exception):
    """A signed link whose parameters still make no sense (made by an older release?)."""


@dataclass(frozen=True, slots=True)
class _Export:
    """One download, decided before anything is made: its file name, audit detail and maker."""

    filename: str
    make: Callable[[], Awaitable[bytes]]
    detail: dict[str, str] = field(default_factory=dict)


class Exports:
    def __init__(
        self,
        *,
        links: SignedLinks,
        single_use: SingleUse,
        auditor: Auditor,
        clock: Clock,
        timezone: tzinfo,
        catalogue: CatalogueBytes,
        licence_report: ReportBytes,
        post_rules: RulesBytes | None = None,
        articles: ArticlesBytes | None = None,
        tickets_report: ReportBytes | None = None,
        announcement_report: AnnouncementBytes | None = None,
    ) -> None:
        """post_rules, articles, tickets_report: None when incoming post, the service desk, is
        not wired (its kind is then unknown)."""
        self._links = links
        self._single_use = single_use
        self._auditor = auditor
        self._clock = clock
        self._tz = timezone
        self._catalogue = catalogue
        self._report = licence_report
        self._post_rules = post_rules
        self._articles = articles
        self._tickets_report = tickets_report
        self._announcement_report = announcement_report

    async def handle(self, request: web.Request) -> web.StreamResponse:
        kind = request.match_info["kind"]
        if kind not in self.kinds:
            return refusal_page(request, LinkTopic.EXPORT, Refusal.INVALID, status=404)
        topic = LinkTopic(kind)
        try:
            link = self._links.check(request)
            if not link.by:
                raise LinkRefused(Why.MALFORMED, link.params)
            try:
                export = self._export(kind, link.params)
            except BadExport:
                return refusal_page(request, topic, Refusal.INVALID, status=400)
            if only_looks(request):
                await self._single_use.check_unused(link)
                return web.Response(content_type=XLSX, headers=file_headers(export.filename))
            # Used before it is made: a double click never builds a report twice.
            await self._single_use.claim(link)
        except LinkRefused as refused:
            logger.info("export link refused (%s) for %s", refused.why, kind)
            if not only_looks(request):  # a look is no attempt to download: nothing to audit
                await self._refused(kind, refused)
            return refusal_page(request, topic, refused.why.refusal)
        try:
            body = await export.make()
        except Exception:
            await self._audit(kind, link.by, Outcome.FAILED, {})
            raise  # the middleware answers 500 with a reference
        await self._audit(kind, link.by, Outcome.OK, export.detail)
        return web.Response(body=body, content_type=XLSX, headers=file_headers(export.filename))

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds this app serves."""
        served = {CATALOGUE, LICENCE_REPORT}
        if self._post_rules is not None:
            served.add(POST_RULES)
        if self._articles is not None:
            served.add(ARTICLES)
        if self._tickets_report is not None:
            served.add(TICKETS_REPORT)
        if self._announcement_report is not None:
            served.add(ANNOUNCEMENT_REPORT)
        return frozenset(served)

    def _export(self, kind: str, params: Mapping[str, str]) -> _Export:
        today = self._clock.now().astimezone(self._tz).date().isoformat()
        if kind == CATALOGUE:
            return _Export(f"werkplek-catalogus-{today}.xlsx", self._catalogue)
        if kind == POST_RULES and self._post_rules is not None:
            return _Export(f"werkplek-postregels-{today}.xlsx", self._post_rules)
        if kind == ARTICLES and self._articles is not None:
            return _Export(f"werkplek-kennisbank-{today}.xlsx", self._articles)
        if kind == TICKETS_REPORT and self._tickets_report is not None:
            return _report_export("werkplek-servicedesk", self._tickets_report, params)
        if kind == ANNOUNCEMENT_REPORT and self._announcement_report is not None:
            return _announcement_export(self._announcement_report, params)
        return _report_export("werkplek-licenties", self._report, params)

    async def _refused(self, kind: str, refused: LinkRefused) -> None:
        await audit_refused(
            self._auditor, refused, action=f"export.{kind}", object_type="export", object_id=kind
        )

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


def _report_export(prefix: str, report: ReportBytes, params: Mapping[str, str]) -> _Export:
    """A report of a period (`from`, `to`: the first and last day, ISO), of one entity or all
    (`entity`), in a language (`lang`)."""
    try:
        first = date.fromisoformat(params.get("from", ""))
        last = date.fromisoformat(params.get("to", ""))
    except ValueError:
        raise BadExport() from None
    if last < first:
        raise BadExport()
    entity = params.get("entity") or None
    locale = pick_locale(params.get("lang"))
    name = f"{prefix}-{first.isoformat()}-{last.isoformat()}"
    if entity:
        name += "-" + "".join(c for c in entity if c.isalnum() or c in "-_")

    async def make() -> bytes:
        return await report(first, last, entity, locale)

    detail = {"from": first.isoformat(), "to": last.isoformat(), "entity": entity or ""}
    return _Export(name + ".xlsx", make, detail)


def _announcement_export(report: AnnouncementBytes, params: Mapping[str, str]) -> _Export:
    """An announcement's report (`announcement`: its id) in a language (`lang`). Who may have
    it was checked when the link was made for them."""
    raw = params.get("announcement", "")
    if not raw.isdigit() or not 0 < int(raw) < 2**63:
        raise BadExport()
    announcement_id = int(raw)
    locale = pick_locale(params.get("lang"))

    async def make() -> bytes:
        return await report(announcement_id, locale)

    return _Export(f"werkplek-aankondiging-{announcement_id}.xlsx", make, {"announcement": raw})


EXPORTS = web.AppKey("exports", Exports)


def add_export_routes(app: web.Application, exports: Exports | None = None) -> None:
    """GET /api/exports/{kind}. The Exports may be given now or set as app[EXPORTS] later (in a
    cleanup context, once the database and the auditor exist)."""
    if exports is not None:
        app[EXPORTS] = exports
    app.router.add_get(ROUTE, _handle)  # HEAD too: it answers headers, and uses nothing


async def _handle(request: web.Request) -> web.StreamResponse:
    exports = request.app.get(EXPORTS)
    if exports is None:  # the app started a moment ago: the database is not open yet
        return not_ready(request)
    return await exports.handle(request)
