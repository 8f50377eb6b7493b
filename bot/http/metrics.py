"""Prometheus metrics, one registry per application (no process globals)."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

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

    def outbound_call(self, target: str, status: int, seconds: float) -> None:
        self.outbound.labels(target, str(status)).inc()
        self.outbound_latency.labels(target).observe(seconds)

    async def handle(self, request: web.Request) -> web.Response:
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
