"""Outbound-call accounting: every HTTP attempt to Graph or Entra is reported to an optional
`on_call(target, status, seconds)` callback (the app counts them for Prometheus).

Graph calls are measured by a kiota middleware placed after the retry handler, so each retry
counts as a call; Entra token calls through azure-core's request/response hooks. A failed
connection is reported with status 0.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
from kiota_http.middleware.middleware import BaseMiddleware

logger = logging.getLogger(__name__)

OnCall = Callable[[str, int, float], None]
GRAPH = "graph"
ENTRA = "entra"
_STARTED = "werkplek.call_started"


def report(on_call: OnCall, target: str, status: int, seconds: float) -> None:
    # Metrics must never break a Graph call.
    try:
        on_call(target, status, seconds)
    except Exception:
        logger.exception("on_call hook failed for %s", target)


class CallMeter(BaseMiddleware):
    """Reports each Graph HTTP attempt (innermost middleware, next to the transport)."""

    def __init__(self, on_call: OnCall) -> None:
        super().__init__()
        self._on_call = on_call

    async def send(
        self, request: httpx.Request, transport: httpx.AsyncBaseTransport
    ) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = await super().send(request, transport)
        except Exception:
            report(self._on_call, GRAPH, 0, time.perf_counter() - started)
            raise
        report(self._on_call, GRAPH, response.status_code, time.perf_counter() - started)
        return response


def entra_hooks(on_call: OnCall) -> dict[str, Callable[[Any], None]]:
    """azure-core pipeline hooks (credential keyword arguments) timing each token request."""

    def on_request(request: Any) -> None:
        request.context[_STARTED] = time.perf_counter()

    def on_response(response: Any) -> None:
        started = response.context.get(_STARTED)
        seconds = time.perf_counter() - started if started is not None else 0.0
        report(on_call, ENTRA, response.http_response.status_code, seconds)

    return {"raw_request_hook": on_request, "raw_response_hook": on_response}
