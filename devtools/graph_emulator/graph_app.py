"""The Graph listener: bearer-token check, then the routes below /v1.0; plus the drives'
pre-authenticated upload and download URLs (routes_drives), which take no bearer token."""

from __future__ import annotations

import logging

from aiohttp import web

from devtools.graph_emulator import (
    routes_devices,
    routes_drives,
    routes_groups,
    routes_licences,
    routes_teams,
    routes_teamwork,
    routes_users,
)
from devtools.graph_emulator.authority import TokenRejected
from devtools.graph_emulator.control import add_control_routes
from devtools.graph_emulator.odata import GraphCall, odata_error
from devtools.graph_emulator.router import Route, match
from devtools.graph_emulator.runtime import Runtime, observe
from devtools.graph_emulator.tenant import DirectoryError

logger = logging.getLogger(__name__)

RUNTIME = web.AppKey("runtime", Runtime)
ROUTES: list[Route] = [
    *routes_users.ROUTES,
    *routes_groups.ROUTES,
    *routes_licences.ROUTES,
    *routes_devices.ROUTES,
    *routes_drives.ROUTES,
    *routes_teams.ROUTES,
    *routes_teamwork.ROUTES,
]
# What Graph sends with a 401 so clients know which authority to ask.
WWW_AUTHENTICATE = (
    'Bearer realm="", '
    'authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    'client_id="00000003-0000-0000-c000-000000000000"'
)


def _authenticate(request: web.Request, runtime: Runtime) -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRejected("Access token is empty.")
    runtime.authority.validate(token.strip())


async def dispatch(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    tail = request.match_info["tail"]
    try:
        _authenticate(request, runtime)
        # Path-based drive addresses (root:/a/b.pdf:/content) first: they span segments.
        found = routes_drives.match_path(request.method, tail)
        if found is None:
            found = match(ROUTES, request.method, tail)
        if found is None:
            segment = tail.rstrip("/").rsplit("/", 1)[-1]
            raise DirectoryError(
                400, "BadRequest", f"Resource not found for the segment '{segment}'."
            )
        if isinstance(found, str):  # "method": the path exists, the method does not
            raise DirectoryError(
                405,
                "Request_BadRequest",
                "Specified HTTP method is not allowed for the request target.",
            )
        handler, params = found
        call = GraphCall(request, runtime.tenant, params, runtime.page_size, runtime.max_page_size)
        return await handler(call)
    except TokenRejected as exc:
        return odata_error(
            request,
            401,
            "InvalidAuthenticationToken",
            str(exc),
            {"WWW-Authenticate": WWW_AUTHENTICATE},
        )
    except DirectoryError as exc:
        return odata_error(request, exc.status, exc.code, exc.message)
    except Exception:
        logger.exception("graph emulator failed on %s %s", request.method, request.path)
        return odata_error(request, 500, "InternalServerError", "The emulator failed.")


def create_graph_app(runtime: Runtime) -> web.Application:
    # Upload fragments may be up to 60 MiB: far above aiohttp's default body limit.
    app = web.Application(
        middlewares=[observe("graph", runtime)], client_max_size=routes_drives.MAX_REQUEST_BYTES
    )
    app[RUNTIME] = runtime
    add_control_routes(app, runtime)
    routes_drives.install(app)
    app.router.add_route("*", "/v1.0/{tail:.*}", dispatch)
    return app
