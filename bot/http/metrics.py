"""Prometheus metrics, one registry per application (no process globals), and who may read them.

Metrics say how busy the bot is, which routes fail and which systems it calls: not for the
internet that reaches /api/messages. GET /metrics on the main port answers
- with WERKPLEK_METRICS_TOKEN (a sha256): only a request bearing that token (what Prometheus'
  `authorization` scrape setting sends); compared in constant time;
- else with WERKPLEK_METRICS_PORT: nobody (404): they are on 127.0.0.1:<port>, token-free, for an
  agent on the same host or pod;
- else: loopback peers whose request passed no proxy (no Forwarded, X-Forwarded-*, X-Real-IP or
  Via header), so a reverse proxy on the same machine does not open it to its clients.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.http.problems import problem

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "werkplek_http_requests_total",
            "HTTP requests served",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "werkplek_http_request_seconds",
            "Time to answer an HTTP request",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "werkplek_errors_total", "Unexpected errors", ["where"], registry=self.registry
        )
        self.outbound = Counter(
            "werkplek_outbound_calls_total",
            "Calls to other systems",
            ["target", "status"],
            registry=self.registry,
        )
        self.outbound_latency = Histogram(
            "werkplek_outbound_call_seconds",
            "Duration of calls to other systems",
            ["target"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.activities = Counter(
            "werkplek_activities_total",
            "Bot Framework activities by type and what happened to them",
            ["type", "result"],
            registry=self.registry,
        )
        self.outbox = Counter(
            "werkplek_outbox_deliveries_total",
            "Outbox delivery attempts by verdict",
            ["verdict"],
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "werkplek_dead_letters_total",
            "Work set aside for a person to look at: outbox messages and licence worker steps",
            ["queue", "reason"],
            registry=self.registry,
        )

    def outbound_call(self, target: str, status: int, seconds: float) -> None:
        self.outbound.labels(target, str(status)).inc()
        self.outbound_latency.labels(target).observe(seconds)

    async def handle(self, request: web.Request) -> web.Response:
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


LOOPBACK = "127.0.0.1"
# Set by proxies (RFC 7239, the de-facto X- headers, RFC 9110 Via): the real client is elsewhere.
_PROXY_HEADERS = (
    "Forwarded",
    "X-Forwarded-For",
    "X-Forwarded-Host",
    "X-Forwarded-Proto",
    "X-Real-IP",
    "Via",
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class MetricsAccess:
    """Who may read /metrics on the main port (see the module docstring)."""

    def __init__(self, token_sha256: str = "", *, separate_port: bool = False) -> None:
        self._digest = token_sha256.strip().lower()
        self._separate_port = separate_port

    def refusal(self, request: web.Request) -> web.Response | None:
        if self._digest:
            if self._bears_token(request.headers.get("Authorization", "")):
                return None
            response = problem(401, "Token ontbreekt of is ongeldig.", detail_en="Bad token.")
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        if self._separate_port:
            return problem(404)
        if _direct_loopback_peer(request):
            return None
        return problem(
            403,
            "Alleen lokaal leesbaar; stel WERKPLEK_METRICS_TOKEN in.",
            detail_en="Readable locally only; configure WERKPLEK_METRICS_TOKEN.",
        )

    def _bears_token(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        presented = hashlib.sha256(token.strip().encode("utf-8")).hexdigest()
        return hmac.compare_digest(presented, self._digest)


def guarded(metrics: Metrics, access: MetricsAccess) -> Handler:
    """GET /metrics on the main port, for those `access` lets in."""

    async def handler(request: web.Request) -> web.StreamResponse:
        refusal = access.refusal(request)
        return refusal if refusal is not None else await metrics.handle(request)

    return handler


def loopback_listener(
    metrics: Metrics, port: int
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context serving GET /metrics on 127.0.0.1:`port` while the app runs."""

    async def listen(app: web.Application) -> AsyncIterator[None]:
        side = web.Application()
        side.router.add_get("/metrics", metrics.handle)
        runner = web.AppRunner(side, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, LOOPBACK, port).start()
            yield
        finally:
            await runner.cleanup()

    return listen


def _direct_loopback_peer(request: web.Request) -> bool:
    # The socket's peer, not request.remote (which forwarding middleware may rewrite).
    peer = request.transport.get_extra_info("peername") if request.transport else None
    if not isinstance(peer, tuple | list) or not peer:
        return False
    try:
        address = ipaddress.ip_address(str(peer[0]).split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 on a dual-stack socket
    loopback = address.is_loopback
    return loopback and not any(name in request.headers for name in _PROXY_HEADERS)
