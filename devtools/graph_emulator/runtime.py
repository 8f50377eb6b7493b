"""The state both listeners share: directory, token authority, faults, request log, paging."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from devtools.graph_emulator.authority import TokenAuthority
from devtools.graph_emulator.faults import FaultInjector, FaultRule, RequestLog
from devtools.graph_emulator.odata import CLIENT_REQUEST_ID, REQUEST_ID, odata_error
from devtools.graph_emulator.tenant import TenantState

logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/_emulator"

# Default ODataError code and message per injected status (what Graph says in those cases).
FAULT_TEXTS = {
    400: ("Request_BadRequest", "Invalid request."),
    401: ("InvalidAuthenticationToken", "Access token validation failure."),
    403: ("Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
    404: ("Request_ResourceNotFound", "Resource does not exist."),
    409: ("Request_MultipleObjectsWithSameKeyValue", "Another object with the same value exists."),
    429: ("TooManyRequests", "Too many requests. Retry after the time in the Retry-After header."),
    500: ("InternalServerError", "Internal server error."),
    502: ("BadGateway", "Bad gateway."),
    503: ("ServiceUnavailable", "The service is temporarily unavailable. Retry later."),
    504: ("GatewayTimeout", "The upstream service did not respond in time."),
}


@dataclass
class Runtime:
    tenant: TenantState
    tenant_file: Path | None
    authority: TokenAuthority
    faults: FaultInjector = field(default_factory=FaultInjector)
    log: RequestLog = field(default_factory=RequestLog)
    page_size: int = 100
    max_page_size: int = 999
    info: dict[str, Any] = field(default_factory=dict)

    def reset_tenant(self) -> None:
        self.tenant = TenantState.load(self.tenant_file)


def fault_response(
    listener: str, runtime: Runtime, request: web.Request, rule: FaultRule
) -> web.Response:
    default_code, default_message = FAULT_TEXTS.get(
        rule.status, ("UnknownError", "Injected fault.")
    )
    headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else {}
    if listener == "authority":
        response = runtime.authority.error(
            rule.status,
            rule.code or "temporarily_unavailable",
            50196,
            rule.message or default_message,
        )
        response.headers.update(headers)
        return response
    return odata_error(
        request, rule.status, rule.code or default_code, rule.message or default_message, headers
    )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def observe(listener: str, runtime: Runtime) -> Any:
    """Middleware: request ids, latency (Graph only), injected faults, and the request log."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(CONTROL_PREFIX):
            return await handler(request)
        request[REQUEST_ID] = str(uuid.uuid4())
        request[CLIENT_REQUEST_ID] = request.headers.get("client-request-id", request[REQUEST_ID])
        status = 500
        try:
            if listener == "graph" and runtime.faults.latency_ms > 0:
                await asyncio.sleep(runtime.faults.latency_ms / 1000)
            rule = runtime.faults.take(request.method, request.path)
            response: web.StreamResponse
            if rule is not None:
                response = fault_response(listener, runtime, request, rule)
            else:
                response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            runtime.log.record(listener, request.method, request.path, request.query_string, status)

    return middleware
