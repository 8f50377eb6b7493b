"""Composition root: `create_app(settings)` builds the aiohttp application; `python app.py` serves.

The capabilities' services are built by bot.composition, as the command line builds them; this
module adds what only a serving process has: the Teams host, the HTTP routes, the outbox sender
and the background loops. Everything with a lifetime (database engine, Graph client, outbox
sender, housekeeping) starts and stops in `cleanup_ctx`, so tests get a fresh, isolated
application from each call.
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
from datetime import timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from bot.domain.platform.delivery import sustainable_rate
from bot.graph import DeferredGraph
from bot.http.endpoints import add_endpoint_routes, open_endpoints
from bot.http.health import healthz, readyz
from bot.http.metrics import Metrics, MetricsAccess, guarded, loopback_listener
from bot.http.middleware import observe
from bot.http.signed_links import signing_secret
from bot.observability import configure_logging
from bot.ports.platform import Clock
from bot.services.platform.batching import BatchedProcessedActivities
from bot.services.platform.clock import SystemClock
from bot.services.platform.dedupe import RecentActivities
from bot.services.platform.outbox import OutboxSender
from bot.services.platform.rate import InMemoryRateBudget
from bot.settings import ConfigurationError, Settings, check_startup
from bot.store import (
    Database,
    SqlConversationRefRepository,
    SqlLinkUses,
    SqlProcessedActivities,
    SqlRateBudget,
)

if TYPE_CHECKING:
    # The capabilities, chat (the Agents SDK) and the dialogs load after start: see _capabilities.
    from bot.composition import Capabilities
    from bot.teams.host import TeamsHost

logger = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
DATABASE = web.AppKey("database", Database)
GRAPH = web.AppKey("graph", DeferredGraph)
CAPABILITIES: web.AppKey[Capabilities] = web.AppKey("capabilities")
HOST: web.AppKey[TeamsHost] = web.AppKey("host")
SETTLING = web.AppKey("settling", asyncio.Task[None])
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
    add_endpoint_routes(app)
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
    """What _bot and _background import, loaded ahead of them and off the event loop, and the
    understanding step made ready: its lemma dictionaries, the commands' cues and the model of
    the labelled sentences take most of a second on first use, which the first message would
    otherwise wait for."""
    from bot.commands.shipped_model import corpus_model
    from bot.commands.understanding import understand
    from bot.composition import chat  # noqa: F401
    from bot.teams import delivery, host  # noqa: F401
    from dialogs import command_specs

    understand("is mijn aanvraag al goedgekeurd?", command_specs(), examples=corpus_model())


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
    """The capabilities (bot.composition), their HTTP endpoints and chat (the Teams host)."""
    from bot.composition import build_capabilities
    from bot.composition.chat import build_chat
    from bot.teams.host import HostServices, TeamsHost

    settings, database, metrics = app[SETTINGS], app[DATABASE], app[METRICS]
    clock = SystemClock()
    capabilities = build_capabilities(
        settings,
        database,
        app[GRAPH],
        clock,
        link_secret=signing_secret(settings.link_secret.get_secret_value()),
        wake_outbox=app[OUTBOX_WAKE],
        count_dead_letter=lambda queue, reason: metrics.dead_letters.labels(queue, reason).inc(),
        # The host (made below) holds the bot's token; batch operations ask it when they send.
        connector_token=None if settings.is_anonymous else lambda: app[HOST].connector_token(),
    )
    app[CAPABILITIES] = capabilities
    open_endpoints(app, settings, capabilities)
    credential = None
    if not settings.is_anonymous:
        from bot.graph import open_bot_credential  # azure-identity: only with a bot identity

        credential = open_bot_credential(settings, metrics.outbound_call)
    platform = capabilities.platform
    dialogs = build_chat(settings, app[GRAPH].directory, capabilities)
    processed = await _activity_memory(database, clock)
    app[HOST] = TeamsHost(
        HostServices(
            settings=settings,
            dispatcher=dialogs.dispatcher,
            start=dialogs.start,
            roles=platform.roles,
            contacts=platform.contacts,
            processed=processed,
            auditor=platform.auditor,
            clock=clock,
            metrics=metrics,
            credential=credential,
            read_receipts=capabilities.announcements.receipts,
        )
    )
    yield
    if credential is not None:
        await credential.close()
    if isinstance(processed, RecentActivities):
        await processed.close()
    await capabilities.close()


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
    """The outbox sender, the capabilities' workers and housekeeping, each a task until stop."""
    from bot.teams.delivery import ConnectorDelivery

    settings, database, metrics = app[SETTINGS], app[DATABASE], app[METRICS]
    capabilities = app[CAPABILITIES]
    platform = capabilities.platform
    clock, outbox = platform.clock, platform.outbox
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
        on_dead_letter=platform.dead_letters.outbox_message,
    )
    app[OUTBOX_WAKE].target = sender.wake
    stop = asyncio.Event()
    tasks = [asyncio.create_task(_housekeeping(database, clock, stop), name="housekeeping")]
    servicedesk, announcements = capabilities.servicedesk, capabilities.announcements
    workers = (
        (settings.outbox_enabled, sender.run, "outbox-sender"),
        (settings.licence_worker_enabled, capabilities.licences.worker.run, "licence-worker"),
        (settings.post_worker_enabled, capabilities.post.worker.run, "post-worker"),
        (settings.servicedesk_sla_worker_enabled, servicedesk.sla_worker.run, "sla-worker"),
        (settings.announcement_sender_enabled, announcements.sender.run, "announcement-sender"),
    )
    tasks += [asyncio.create_task(run(stop), name=name) for on, run, name in workers if on]
    yield
    stop.set()
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await delivery.close()


async def _housekeeping(database: Database, clock: Clock, stop: asyncio.Event) -> None:
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
        gc.collect()  # loading's own garbage goes now, not once Graph has opened as well
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
