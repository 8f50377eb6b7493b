"""Composition root: `create_app(settings)` builds the aiohttp application; `python app.py` serves.

Everything with a lifetime (database engine, Graph client, outbox sender, housekeeping) starts and
stops in `cleanup_ctx`, so tests get a fresh, isolated application from each call.
"""

from __future__ import annotations

import gc

if __name__ == "__main__":
    # Start-up creates some 200,000 objects that live as long as the process; collecting while
    # they are being created is wasted work (a fifth of start-up). _settle_heap turns it back on.
    gc.disable()

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from bot.documents.pdf import PdfCheck
from bot.documents.stores import document_store
from bot.domain.platform.actors import Actor
from bot.domain.platform.delivery import sustainable_rate
from bot.excel.licences.catalogue_files import ExcelCatalogueWorkbooks
from bot.excel.post.rules_files import ExcelRuleWorkbooks
from bot.excel.workbook_kind import workbook_kind
from bot.graph import DeferredGraph
from bot.http.downloads import HttpFileDownloads
from bot.http.exports import EXPORTS, Exports, add_export_routes
from bot.http.health import healthz, readyz
from bot.http.intake import INTAKE, IntakeHandler, add_intake_routes
from bot.http.metrics import Metrics, MetricsAccess, guarded, loopback_listener
from bot.http.middleware import observe
from bot.http.scans import SCANS, Scans, add_scan_routes, scan_path
from bot.http.signed_links import BY, SignedLinks, SingleUse, signing_secret
from bot.i18n import Translator
from bot.observability import configure_logging
from bot.services.access.status import AccessStatus, access_policy
from bot.services.licences.desk import LicenceDesk
from bot.services.licences.flow import LicenceFlow
from bot.services.licences.reports import build_licence_report
from bot.services.licences.worker import LicenceWorker
from bot.services.licences.worker_settings import WorkerSettings
from bot.services.platform.audit import Auditor
from bot.services.platform.batching import BatchedAuditLog, BatchedProcessedActivities
from bot.services.platform.clock import SystemClock
from bot.services.platform.contacts import ContactBook
from bot.services.platform.dead_letters import DeadLetters
from bot.services.platform.dedupe import RecentActivities
from bot.services.platform.entities import Entities
from bot.services.platform.outbox import OutboxSender
from bot.services.platform.outbox_notifier import OutboxNotifier
from bot.services.platform.rate import InMemoryRateBudget
from bot.services.platform.roles import RoleResolver
from bot.services.post.access import NameBook, PostAccess
from bot.services.post.desk import PostDesk
from bot.services.post.flow import Channels, PostFlow
from bot.services.post.intake import PostIntake
from bot.services.post.retention import purge_scans
from bot.services.post.worker import PostWorker, PostWorkerSettings
from bot.settings import ConfigurationError, Settings, check_startup
from bot.store import (
    Database,
    SqlAuditLog,
    SqlCatalogueRepository,
    SqlConversationRefRepository,
    SqlDelegationRepository,
    SqlLicenceRequestRepository,
    SqlLinkUses,
    SqlOutboxRepository,
    SqlPostItemRepository,
    SqlProcessedActivities,
    SqlRateBudget,
    SqlRoutingRuleRepository,
    SqlUserRepository,
)

if TYPE_CHECKING:
    # Chat (the Agents SDK) and the dialogs load after start: see _capabilities.
    from bot.teams.host import TeamsHost
    from dialogs.licences.admin import LicenceAdminDialog
    from dialogs.post.rules import PostRulesAdminDialog

logger = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
DATABASE = web.AppKey("database", Database)
GRAPH = web.AppKey("graph", DeferredGraph)
HOST: web.AppKey[TeamsHost] = web.AppKey("host")
NOTIFIER = web.AppKey("notifier", OutboxNotifier)
SETTLING = web.AppKey("settling", asyncio.Task[None])
LICENCE_WORKER = web.AppKey("licence_worker", LicenceWorker)
POST_WORKER = web.AppKey("post_worker", PostWorker)
LOADING = web.AppKey("loading", asyncio.Task[None])


class _Relay:
    """Calls a target set later: services built before the outbox sender can still wake it."""

    def __init__(self) -> None:
        self.target: Callable[[], None] | None = None

    def __call__(self) -> None:
        if self.target is not None:
            self.target()


OUTBOX_WAKE = web.AppKey("outbox_wake", _Relay)

# Teams retries a delivery within minutes; two days of activity ids is plenty to catch them.
_ACTIVITY_MEMORY = timedelta(days=2)
# Teams redelivers within minutes; after a restart, ids older than this need no remembering.
_RETRY_WINDOW = timedelta(minutes=15)
_HOUSEKEEPING_INTERVAL_SECONDS = 3600.0
# A used link's row matters until the link's own expiry refuses it; kept this much longer for
# replicas whose clocks disagree a little.
_LINK_CLOCK_MARGIN = timedelta(minutes=10)
# Waiting this long for company lets concurrent turns share one dedupe statement on PostgreSQL.
_DEDUPE_LINGER_SECONDS = 0.005
_AUDIT_LINGER_SECONDS = 0.005
# Young-generation threshold raised from CPython's 700; the older two left near their defaults.
_GC_THRESHOLDS = (20_000, 20, 20)
# Served while the capabilities load: the probes, and the metrics that would show a slow load.
_WITHOUT_CAPABILITIES = frozenset({"/healthz", "/readyz", "/metrics"})
# Anonymous local runs have no Azure bot registration; the local clients accept any bot id.
_LOCAL_BOT_ID = "werkplek-local-bot"


def create_app(settings: Settings | None = None) -> web.Application:
    settings = settings or Settings()
    check_startup(settings)
    metrics = Metrics()
    app = web.Application(
        middlewares=[observe(metrics), _after_loading], client_max_size=256 * 1024
    )
    app[SETTINGS] = settings
    app[METRICS] = metrics
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_graph)
    app.cleanup_ctx.append(_capabilities)
    app.router.add_post("/api/messages", _messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz(lambda: app[DATABASE].readiness()))
    access = MetricsAccess(settings.metrics_token, separate_port=bool(settings.metrics_port))
    app.router.add_get("/metrics", guarded(metrics, access))
    if settings.metrics_port:
        app.cleanup_ctx.append(loopback_listener(metrics, settings.metrics_port))
    add_export_routes(app)
    add_intake_routes(app)
    add_scan_routes(app)
    app[OUTBOX_WAKE] = _Relay()
    return app


async def _messages(request: web.Request) -> web.StreamResponse:
    return await request.app[HOST].handle(request)


async def _database(app: web.Application) -> AsyncIterator[None]:
    database = Database(app[SETTINGS].database_url)
    if app[SETTINGS].migrate_on_start:
        await database.migrate()
    app[DATABASE] = database
    yield
    await database.dispose()


async def _graph(app: web.Application) -> AsyncIterator[None]:
    # Opened once the capabilities have loaded (or by the first call that needs it): two imports
    # in threads at once would slow down the start-up they run beside.
    graph = DeferredGraph(app[SETTINGS], on_call=app[METRICS].outbound_call)
    app[GRAPH] = graph
    yield
    await graph.close()


async def _capabilities(app: web.Application) -> AsyncIterator[None]:
    """Chat, the capabilities and their workers, loaded right after start.

    The Agents SDK and the dialogs take longer to import than everything else start-up needs
    (some 0.3 s); the server listens meanwhile, /readyz answers for the database as always,
    and a request that needs the capabilities waits for them (see _after_loading).
    """
    started: list[AsyncIterator[None]] = []
    loading = asyncio.create_task(_load(app, started), name="load-capabilities")
    app[LOADING] = loading
    yield
    if not loading.done():
        loading.cancel()
    await asyncio.wait([loading])
    for context in reversed(started):
        await anext(context, None)


async def _load(app: web.Application, started: list[AsyncIterator[None]]) -> None:
    try:
        # The imports run in a thread: the event loop keeps answering probes meanwhile.
        await asyncio.to_thread(_import_capabilities)
        for context in (_bot, _background):
            generator = context(app)
            await anext(generator)
            started.append(generator)
    except Exception:
        logger.critical("Werkplek could not load its capabilities", exc_info=True)
        raise
    app[GRAPH].start()  # not earlier: one import at a time competes with serving


def _import_capabilities() -> None:
    """What _bot and _background import, loaded ahead of them and off the event loop."""
    from bot.teams import delivery, host  # noqa: F401
    from dialogs.licences import admin, notices  # noqa: F401
    from dialogs.post import notices as post_notices  # noqa: F401
    from dialogs.post import rules  # noqa: F401


async def capabilities_loaded(app: web.Application) -> None:
    """Wait until chat and the capabilities have loaded; raises what stopped them loading."""
    await asyncio.shield(app[LOADING])


@web.middleware
async def _after_loading(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    loading = request.app.get(LOADING)
    if loading is not None and request.path not in _WITHOUT_CAPABILITIES:
        if not loading.done():
            await asyncio.wait([loading])  # a caller that hangs up does not cancel the load
        if loading.cancelled() or loading.exception() is not None:
            raise web.HTTPServiceUnavailable(headers={"Retry-After": "5"})
    return await handler(request)


async def _bot(app: web.Application) -> AsyncIterator[None]:
    from bot.teams.host import HostServices, TeamsHost
    from dialogs import build_dialogs

    settings, database = app[SETTINGS], app[DATABASE]
    clock = SystemClock()
    audit_log = BatchedAuditLog(SqlAuditLog(database), linger_seconds=_AUDIT_LINGER_SECONDS)
    auditor = Auditor(audit_log, clock)
    directory = app[GRAPH].directory
    metrics = app[METRICS]
    credential = None
    if not settings.is_anonymous:
        from bot.graph import open_bot_credential  # azure-identity: only with a bot identity

        credential = open_bot_credential(settings, metrics.outbound_call)
    access = AccessStatus(directory, app[GRAPH].access, clock, access_policy(settings))
    # One view of the catalogue's entities and their admins, shared by both capabilities.
    entities = Entities(
        SqlCatalogueRepository(database), directory, app[GRAPH].licences.group_member_ids
    )
    desk, downloads, admin, links = _licences(app, auditor, clock, entities)
    post, rules_admin = _post(app, auditor, clock, links, downloads, entities)
    dialogs = build_dialogs(
        directory=directory,
        auditor=auditor,
        servicedesk_url=settings.servicedesk_url,
        access=access,
        zone=settings.zone,
        licences=desk,
        licence_admin=admin,
        post=post,
        post_rules_admin=rules_admin,
        # Personal answers asked for in a channel or group chat go to the 1:1 chat this way.
        notifier=OutboxNotifier(SqlOutboxRepository(database), clock, app[OUTBOX_WAKE]),
    )
    processed = await _activity_memory(database, clock)
    app[HOST] = TeamsHost(
        HostServices(
            settings=settings,
            dispatcher=dialogs.dispatcher,
            start=dialogs.start,
            roles=RoleResolver(directory, settings.role_groups, clock, settings.role_cache_seconds),
            contacts=ContactBook(
                SqlUserRepository(database),
                SqlConversationRefRepository(database),
                settings.allowed_connector_hosts,
            ),
            processed=processed,
            auditor=auditor,
            clock=clock,
            metrics=metrics,
            credential=credential,
        )
    )
    yield
    if credential is not None:
        await credential.close()
    if isinstance(processed, RecentActivities):
        await processed.close()
    await downloads.close()
    await audit_log.close()


def _licences(
    app: web.Application, auditor: Auditor, clock: SystemClock, entities: Entities
) -> tuple[LicenceDesk, HttpFileDownloads, LicenceAdminDialog, SignedLinks]:
    """The licence capability: desk (chat), worker (background), admin files and exports."""
    from dialogs.licences.admin import LicenceAdminDialog
    from dialogs.licences.notices import LicenceNoticeCards

    settings, database = app[SETTINGS], app[DATABASE]
    zone = settings.zone
    catalogue = SqlCatalogueRepository(database)
    requests = SqlLicenceRequestRepository(database, reference_zone=zone)
    licences = app[GRAPH].licences
    flow = LicenceFlow(
        catalogue=catalogue,
        requests=requests,
        directory=app[GRAPH].directory,
        licences=licences,
        cards=LicenceNoticeCards(zone),
        users=SqlUserRepository(database),
        clock=clock,
        default_locale=settings.default_locale,
        on_enqueued=app[OUTBOX_WAKE],
        entities=entities,
    )
    worker = LicenceWorker(
        flow,
        WorkerSettings(
            timezone=zone,
            poll_seconds=settings.licence_poll_seconds,
            seat_recheck_seconds=settings.licence_seat_recheck_minutes * 60,
            max_attempts=settings.licence_max_attempts,
        ),
        on_set_aside=_dead_letters(auditor, app[METRICS]).licence_step,
    )
    app[LICENCE_WORKER] = worker
    desk = LicenceDesk(flow, zone, wake_worker=worker.wake)
    links = SignedLinks(
        settings.public_base_url,
        signing_secret(settings.link_secret.get_secret_value()),
        timedelta(minutes=settings.link_minutes),
        clock,
    )
    workbooks = ExcelCatalogueWorkbooks()

    async def catalogue_bytes() -> bytes:
        return await asyncio.to_thread(workbooks.write, await catalogue.load())

    async def report_bytes(first: date, last: date, entity: str | None, locale: str) -> bytes:
        from bot.excel.licences.report import write_licence_report  # openpyxl: on first use

        start = datetime.combine(first, time(), zone)
        end = datetime.combine(last + timedelta(days=1), time(), zone)  # `last` is included
        report = await build_licence_report(requests, catalogue, licences, start, end, entity)
        return await asyncio.to_thread(
            write_licence_report, report, Translator(locale), settings.zone
        )

    rules = SqlRoutingRuleRepository(database)
    rule_workbooks = ExcelRuleWorkbooks()

    async def rules_bytes() -> bytes:
        return await asyncio.to_thread(rule_workbooks.write, await rules.load())

    app[EXPORTS] = Exports(
        links=links,
        single_use=SingleUse(SqlLinkUses(database), clock),
        auditor=auditor,
        clock=clock,
        timezone=zone,
        catalogue=catalogue_bytes,
        licence_report=report_bytes,
        post_rules=rules_bytes,
    )
    downloads = HttpFileDownloads(settings.file_download_hosts)
    admin = LicenceAdminDialog(
        desk, auditor, links, downloads, workbooks, clock, zone, settings.max_upload_bytes
    )
    return desk, downloads, admin, links


def _post(
    app: web.Application,
    auditor: Auditor,
    clock: SystemClock,
    links: SignedLinks,
    downloads: HttpFileDownloads,
    entities: Entities,
) -> tuple[PostDesk, PostRulesAdminDialog]:
    """Incoming post: intake API, desk (chat), routing rules in chat, worker (routing left
    over, reminders, purge) and the signed scan links."""
    from dialogs.post.notices import PostNoticeCards
    from dialogs.post.rules import PostRulesAdminDialog

    settings, database = app[SETTINGS], app[DATABASE]
    zone = settings.zone
    graph = app[GRAPH]
    items = SqlPostItemRepository(database, reference_zone=zone)
    names = NameBook()
    cards = PostNoticeCards(
        zone, mailroom_conversation_id=settings.mailroom_channel_id, names=names.lookup
    )
    users = SqlUserRepository(database)
    flow = PostFlow(
        items=items,
        cards=cards,
        users=users,
        clock=clock,
        channels=Channels(settings.mailroom_channel_id, settings.default_service_url),
        default_locale=settings.default_locale,
        on_enqueued=app[OUTBOX_WAKE],
    )
    documents = document_store(settings, graph.documents)  # SharePoint when a drive is set
    catalogue = SqlCatalogueRepository(database)
    rules = SqlRoutingRuleRepository(database)
    delegations = SqlDelegationRepository(database, clock=clock, zone=zone)
    intake = PostIntake(
        flow=flow,
        items=items,
        documents=documents,
        check=PdfCheck(settings.post_max_bytes),
        directory=graph.directory,
        catalogue=catalogue,
        rules=rules,
        delegations=delegations,
        group_members=graph.licences.group_member_ids,
        timezone=zone,
        on_enqueued=app[OUTBOX_WAKE],
        entities=entities,
    )
    app[INTAKE] = IntakeHandler(
        intake,
        token_hashes=settings.intake_token_hashes,
        max_bytes=settings.post_max_bytes,
        tenant_id=settings.azure_tenant_id,
    )
    app[SCANS] = Scans(
        links=links,
        single_use=SingleUse(SqlLinkUses(database), clock),
        items=items,
        documents=documents,
        auditor=auditor,
    )
    access = PostAccess(
        directory=graph.directory,
        catalogue=catalogue,
        rules=rules,
        delegations=delegations,
        group_members=graph.licences.group_member_ids,
        mailroom_conversation_id=settings.mailroom_channel_id,
        clock=clock,
        timezone=zone,
        entities=entities,
    )
    desk = PostDesk(
        flow=flow,
        access=access,
        auditor=auditor,
        scan_links=lambda item_id, viewer: links.link(scan_path(item_id), {BY: viewer}),
        link_minutes=links.lifetime_minutes,
        names=names,
        on_rules_changed=intake.forget_rules,
    )
    rules_admin = PostRulesAdminDialog(
        desk,
        auditor,
        links,
        downloads,
        ExcelRuleWorkbooks(),
        workbook_kind,
        settings.max_upload_bytes,
        on_rules_changed=intake.forget_rules,
    )

    async def purge() -> None:
        await purge_scans(items, documents, clock, settings.post_retention_days, Actor.system())

    app[POST_WORKER] = PostWorker(
        flow=flow,
        access=access,
        intake=intake,
        purge=purge,
        settings=PostWorkerSettings(
            timezone=zone,
            reminder_working_days=settings.post_reminder_working_days,
            escalation_working_days=settings.post_escalation_working_days,
        ),
    )
    return desk, rules_admin


async def _activity_memory(
    database: Database, clock: SystemClock
) -> RecentActivities | BatchedProcessedActivities:
    store = SqlProcessedActivities(database)
    if database.dialect == "postgresql":
        # Replicas must see each other's ids: ask the shared table, a few callers per statement.
        return BatchedProcessedActivities(store, linger_seconds=_DEDUPE_LINGER_SECONDS)
    memory = RecentActivities(store)
    await memory.warm_up(clock.now() - _RETRY_WINDOW)
    return memory


async def _background(app: web.Application) -> AsyncIterator[None]:
    from bot.teams.delivery import ConnectorDelivery

    settings, database = app[SETTINGS], app[DATABASE]
    clock = SystemClock()
    outbox = SqlOutboxRepository(database)
    # One process on SQLite keeps the budget in memory; replicas sharing PostgreSQL share it there.
    # Replicas each pace their own window, so their shared bucket keeps a little headroom.
    budget = (
        SqlRateBudget(database, sustainable_rate(settings.outbox_rate_per_second))
        if database.dialect == "postgresql"
        else InMemoryRateBudget(settings.outbox_rate_per_second)
    )
    delivery = ConnectorDelivery(
        conversations=SqlConversationRefRepository(database),
        bot_app_id=settings.bot_app_id or _LOCAL_BOT_ID,
        default_service_url=settings.default_service_url,
        connector_hosts=settings.allowed_connector_hosts,
        token_provider=None if settings.is_anonymous else app[HOST].connector_token,
        find_message=outbox.by_dedupe_key,
        clock=clock,
    )
    metrics = app[METRICS]
    dead_letter_log = BatchedAuditLog(SqlAuditLog(database))
    sender = OutboxSender(
        outbox,
        budget,
        delivery,
        clock,
        rate_per_second=settings.outbox_rate_per_second,
        concurrency=settings.outbox_concurrency,
        lease_seconds=settings.outbox_lease_seconds,
        max_attempts=settings.outbox_max_attempts,
        max_retry_after_seconds=settings.connector_max_retry_after,
        on_result=lambda verdict, seconds: metrics.outbox.labels(str(verdict)).inc(),
        on_dead_letter=_dead_letters(Auditor(dead_letter_log, clock), metrics).outbox_message,
    )
    app[NOTIFIER] = OutboxNotifier(outbox, clock, on_enqueued=sender.wake)
    app[OUTBOX_WAKE].target = sender.wake
    stop = asyncio.Event()
    tasks = [asyncio.create_task(_housekeeping(database, clock, stop), name="housekeeping")]
    if settings.outbox_enabled:
        tasks.append(asyncio.create_task(sender.run(stop), name="outbox-sender"))
    if settings.licence_worker_enabled:
        worker = app[LICENCE_WORKER]
        tasks.append(asyncio.create_task(worker.run(stop), name="licence-worker"))
    if settings.post_worker_enabled:
        tasks.append(asyncio.create_task(app[POST_WORKER].run(stop), name="post-worker"))
    yield
    stop.set()
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await delivery.close()
    await dead_letter_log.close()


def _dead_letters(auditor: Auditor, metrics: Metrics) -> DeadLetters:
    return DeadLetters(
        auditor, lambda queue, reason: metrics.dead_letters.labels(queue, reason).inc()
    )


async def _housekeeping(database: Database, clock: SystemClock, stop: asyncio.Event) -> None:
    processed = SqlProcessedActivities(database)
    link_uses = SqlLinkUses(database)
    while not stop.is_set():
        try:
            await processed.forget_before(clock.now() - _ACTIVITY_MEMORY)
        except Exception:
            logger.exception("housekeeping failed; retrying next round")
        try:
            await link_uses.forget_expired(clock.now() - _LINK_CLOCK_MARGIN)
        except Exception:
            logger.exception("forgetting used links failed; retrying next round")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), _HOUSEKEEPING_INTERVAL_SECONDS)


async def _settle_heap(app: web.Application) -> None:
    """Once everything is loaded, keep the garbage collector off the long-lived objects.

    Start-up leaves some 200,000 objects (SDK models, msgraph's generated classes) that live as
    long as the process. Left in the collected generations, every full collection walks them
    all: measured at about a millisecond of CPU per message under load, a third of a turn.
    Freezing them, and collecting the young generation less often (a turn's garbage is mostly
    gone by then), cuts the collector's share roughly fivefold.
    """

    async def settle() -> None:
        with contextlib.suppress(Exception):  # failing to load is reported by _load
            await capabilities_loaded(app)
        with contextlib.suppress(Exception):  # Graph failing to open is reported elsewhere
            await app[GRAPH].gateway()
        gc.collect()
        gc.freeze()
        gc.set_threshold(*_GC_THRESHOLDS)
        gc.enable()

    app[SETTLING] = asyncio.create_task(settle(), name="settle-heap")


async def _stop_unless_loaded(app: web.Application) -> None:
    """A process that cannot load its capabilities stops (main exits with 1), as it did when
    they loaded before it listened: better no replica than one that refuses every message."""

    def stop(loading: asyncio.Task[None]) -> None:
        if not loading.cancelled() and loading.exception() is not None:
            signal.raise_signal(signal.SIGTERM)  # run_app's handler: a clean shutdown

    app[LOADING].add_done_callback(stop)


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        application = create_app(settings)
    except ConfigurationError as error:
        logger.critical("Werkplek refuses to start: %s", error)
        raise SystemExit(2) from None
    application.on_startup.append(_settle_heap)  # a serving process only, not tests' apps
    application.on_startup.append(_stop_unless_loaded)
    web.run_app(application, host=settings.host, port=settings.port, print=None)
    loading = application[LOADING]
    if loading.done() and not loading.cancelled() and loading.exception() is not None:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
