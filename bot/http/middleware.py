"""Cross-cutting HTTP behaviour: correlation ids, metrics, and errors as problem+json (or, for a
browser that followed a link, as a Dutch or English page that says what to do)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.domain.platform.errors import StoreUnavailable
from bot.http.link_pages import LinkTopic, Refusal, Trouble, prefers_html
from bot.http.metrics import Metrics
from bot.http.problems import problem
from bot.http.signed_links import refusal_page, trouble_response
from bot.observability import correlation_id

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_REQUEST_ID_HEADER = "X-Request-Id"
# A database outage is usually over within a failover or a restart: ask clients back after this.
UNAVAILABLE_RETRY_SECONDS = 30


def _route_name(request: web.Request) -> str:
    # The route pattern, never the raw path: ids in paths would explode the label set.
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


def observe(metrics: Metrics) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        incoming = request.headers.get(_REQUEST_ID_HEADER, "")
        request_id = incoming if 0 < len(incoming) <= 64 else uuid.uuid4().hex
        token = correlation_id.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = await _answer(request, handler, request_id, metrics)
            status = response.status
            response.headers[_REQUEST_ID_HEADER] = request_id
            return response
        finally:
            route = _route_name(request)
            metrics.requests.labels(route, request.method, str(status)).inc()
            metrics.latency.labels(route).observe(time.perf_counter() - started)
            correlation_id.reset(token)

    return middleware


async def _answer(
    request: web.Request, handler: Handler, request_id: str, metrics: Metrics
) -> web.StreamResponse:
    page = prefers_html(request.headers.get("Accept"))
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        if page and error.status == 404:  # a link that leads nowhere, opened in a browser
            return refusal_page(request, LinkTopic.EXPORT, Refusal.INVALID, status=404)
        return problem(error.status, error.reason, headers=_passthrough(error))
    except StoreUnavailable:
        # Nothing was stored (the store's transaction rolled back): the caller may simply retry.
        metrics.errors.labels("database").inc()
        logger.exception("database unavailable on %s", _route_name(request))
        retry = {"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)}
        if page:
            return trouble_response(request, Trouble.UNAVAILABLE, headers=retry)
        return problem(
            503,
            "Werkplek kan zijn gegevens nu niet bereiken; probeer het zo meteen opnieuw.",
            detail_en="Werkplek cannot reach its data right now; please retry shortly.",
            reference=request_id,
            headers=retry,
        )
    except Exception:
        metrics.errors.labels("http").inc()
        logger.exception("unhandled error on %s", _route_name(request))
        if page:
            return trouble_response(request, Trouble.FAILED)
        return problem(
            500,
            "Er ging iets mis bij ons.",
            detail_en="Something went wrong on our side.",
            reference=request_id,
        )


def _passthrough(error: web.HTTPException) -> dict[str, str]:
    keep = ("Allow", "Retry-After", "WWW-Authenticate")
    return {name: error.headers[name] for name in keep if name in error.headers}
