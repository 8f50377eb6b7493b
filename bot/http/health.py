"""Liveness and readiness.

/readyz is probed often (every replica, by the orchestrator and the load balancer, sometimes by
several at once): its database check is shared. Probes within CHECK_SECONDS of a check get its
answer, and probes arriving while a check runs wait for that one instead of starting their own,
so a slow or failing database sees at most one readiness query per replica per second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.http.problems import problem

Readiness = Callable[[], Awaitable[tuple[bool, bool]]]
# Fresh enough for a probe (orchestrators probe every few seconds), rare enough to cost nothing.
CHECK_SECONDS = 1.0


class SharedReadiness:
    """A readiness check run at most once per `seconds`, its answer shared by every probe."""

    def __init__(
        self,
        check: Readiness,
        seconds: float = CHECK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._check = check
        self._seconds = seconds
        self._monotonic = monotonic
        self._last: tuple[float, tuple[bool, bool]] | None = None
        self._running: asyncio.Future[tuple[bool, bool]] | None = None

    async def __call__(self) -> tuple[bool, bool]:
        last = self._last
        if last is not None and self._monotonic() - last[0] < self._seconds:
            return last[1]
        if self._running is None:
            self._running = asyncio.ensure_future(self._run())
        # shield: a probe that hangs up must not cancel the check the others wait for.
        return await asyncio.shield(self._running)

    async def _run(self) -> tuple[bool, bool]:
        try:
            try:
                answer = await self._check()
            except Exception:
                answer = (False, False)  # a check that breaks says "not ready", as a failing one
            self._last = (self._monotonic(), answer)
            return answer
        finally:
            self._running = None  # also when cancelled (shutdown): the next probe checks anew


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def readyz(readiness: Readiness) -> Callable[[web.Request], Awaitable[web.Response]]:
    shared = SharedReadiness(readiness)

    async def handler(request: web.Request) -> web.Response:
        reachable, current = await shared()
        checks = {"database": reachable, "migrations": current}
        if reachable and current:
            return web.json_response(
                {"status": "ready", "checks": checks}, headers={"Cache-Control": "no-store"}
            )
        return problem(
            503,
            "De databank is niet bereikbaar of niet bijgewerkt.",
            detail_en="The database is unreachable or its migrations are not current.",
            headers={"Retry-After": "1", "Cache-Control": "no-store"},
            checks=checks,
        )

    return handler
