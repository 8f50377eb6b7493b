"""A pass-through between the Playground and the bot that sets the client locale.

The Playground 0.2.28 hard-codes `locale: "en-US"` (and a clientInfo entity with `en-US`/`US`)
in every activity it sends; neither its CLI nor its config file can change that. A Dutch-speaking
Teams user's client sends `nl-BE`, so the demo and the end-to-end tests put this proxy in front
of the bot's `/api/messages` and rewrite those fields. Everything else (method, headers, body,
the bot's invoke response) passes through unchanged.

It runs an aiohttp server on its own event loop in a daemon thread, so synchronous code (the
demo runner, session fixtures) can host it. `locale` can be changed while it runs, e.g. to test
the English fallback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL

logger = logging.getLogger(__name__)

# Hop-by-hop and length headers are the proxy's own business on each leg.
_SKIPPED_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}
_START_TIMEOUT_SECONDS = 10.0


def rewrite_locale(activity: dict[str, Any], locale: str) -> dict[str, Any]:
    """Set the activity's locale and its clientInfo entity's locale and country, in place."""
    # Only where the Playground set one: Teams sends no locale on conversationUpdate either.
    if "locale" in activity:
        activity["locale"] = locale
    country = locale.rsplit("-", 1)[-1].upper() if "-" in locale else None
    for entity in activity.get("entities") or []:
        if isinstance(entity, dict) and entity.get("type") == "clientInfo":
            entity["locale"] = locale
            if country and "country" in entity:
                entity["country"] = country
    return activity


class LocaleProxy:
    """Forward every request to `target_url`, rewriting the locale of JSON activities."""

    def __init__(self, target_url: str, locale: str, host: str = "127.0.0.1", port: int = 0):
        self.target_url = target_url
        self.locale = locale
        self._host = host
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._bound_port: int | None = None

    @property
    def url(self) -> str:
        """The URL to give the Playground as its bot endpoint (same path as the target)."""
        if self._bound_port is None:
            raise RuntimeError("proxy not started")
        path = URL(self.target_url).path or "/"
        return f"http://{self._host}:{self._bound_port}{path}"

    def start(self) -> LocaleProxy:
        started = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._serve())
            except BaseException as error:  # reported to the starting thread below
                errors.append(error)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="locale-proxy", daemon=True)
        self._thread.start()
        if not started.wait(_START_TIMEOUT_SECONDS):
            raise RuntimeError("locale proxy did not start")
        if errors:
            raise RuntimeError("locale proxy failed to start") from errors[0]
        logger.info("locale proxy on port %s sets locale %s", self._bound_port, self.locale)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(_START_TIMEOUT_SECONDS)

    async def _serve(self) -> None:
        app = web.Application(client_max_size=64 * 1024**2)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self._bound_port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        if body and request.content_type == "application/json":
            body = self._rewrite(body)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _SKIPPED_HEADERS}
        try:
            async with self._session.request(
                request.method, self.target_url, data=body or None, headers=headers
            ) as upstream:
                payload = await upstream.read()
                out_headers = {
                    k: v for k, v in upstream.headers.items() if k.lower() not in _SKIPPED_HEADERS
                }
                return web.Response(status=upstream.status, body=payload, headers=out_headers)
        except aiohttp.ClientConnectionError:
            # The Playground reads a refused connection as "bot not started"; keep that meaning.
            return web.Response(status=502, text="bot not reachable")

    def _rewrite(self, body: bytes) -> bytes:
        try:
            activity = json.loads(body)
        except ValueError:
            return body
        if not isinstance(activity, dict):
            return body
        return json.dumps(rewrite_locale(activity, self.locale)).encode("utf-8")
