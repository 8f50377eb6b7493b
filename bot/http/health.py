"""Liveness and readiness."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.http.problems import problem

Readiness = Callable[[], Awaitable[tuple[bool, bool]]]


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def readyz(readiness: Readiness) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        try:
            reachable, current = await readiness()
        except Exception:
            reachable, current = False, False
        checks = {"database": reachable, "migrations": current}
        if reachable and current:
            return web.json_response({"status": "ready", "checks": checks})
        return problem(
            503,
            "De databank is niet bereikbaar of niet bijgewerkt.",
            detail_en="The database is unreachable or its migrations are not current.",
            checks=checks,
        )

    return handler
