"""The Agents SDK's ConnectorClients the outbox's Delivery sends through, and the bot's token.

One client per service URL with one long-lived aiohttp session (a session per send would cost a
TCP and TLS handshake each time); at most MAX_SERVICE_URLS of them are kept, the least recently
used closed first. The bot's token is fetched through the given provider and reused until
shortly before it expires. In anonymous local mode (no provider) requests go out without a token.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Awaitable, Callable

import aiohttp
from microsoft_agents.hosting.core.connector.client import ConnectorClient

TokenProvider = Callable[[], Awaitable[str]]

# Teams answers from a handful of service URLs (one per region path); more than this many at
# once means something else is going on, and each costs a session and its connections.
MAX_SERVICE_URLS = 16

# Tokens are renewed this long before they expire; opaque tokens (no readable `exp`) are
# renewed after _OPAQUE_TOKEN_SECONDS.
_RENEW_BEFORE_SECONDS = 300.0
_OPAQUE_TOKEN_SECONDS = 600.0


class ConnectorClients:
    """The connector clients in use, by service URL, and the token they carry."""

    def __init__(
        self,
        token_provider: TokenProvider | None,
        *,
        request_timeout_seconds: float,
        max_connections_per_service: int,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._token = _TokenCache(token_provider, monotonic)
        self._timeout = aiohttp.ClientTimeout(total=request_timeout_seconds)
        self._max_connections = max_connections_per_service
        # Insertion order is recency: a used client moves to the end, the first is evicted.
        self._open: dict[str, tuple[ConnectorClient, str]] = {}
        self._closing: dict[asyncio.Task[None], ConnectorClient] = {}  # evicted, closing soon

    async def client(self, service_url: str) -> ConnectorClient:
        """The connector client for a service URL, with a current token on its session."""
        token = await self._token.get()
        known = self._open.pop(service_url, None)
        if known is not None:
            client, client_token = known
            if client_token != token:
                _set_bearer(client.client, token)
            self._open[service_url] = (client, token)  # now the most recently used
            return client
        while len(self._open) >= MAX_SERVICE_URLS:
            oldest = next(iter(self._open))
            self._retire(self._open.pop(oldest)[0])
        session = aiohttp.ClientSession(
            base_url=service_url,
            timeout=self._timeout,
            connector=aiohttp.TCPConnector(limit=self._max_connections),
        )
        client = ConnectorClient(service_url, token, session=session)
        self._open[service_url] = (client, token)
        return client

    def token_refused(self) -> None:
        """The connector answered 401: the next request fetches a new token."""
        self._token.invalidate()

    async def close(self) -> None:
        clients, self._open = self._open, {}
        closing, self._closing = self._closing, {}
        for task in closing:
            task.cancel()
        await asyncio.gather(*closing, return_exceptions=True)
        for client in [*(client for client, _ in clients.values()), *closing.values()]:
            await client.close()  # a second close of a session does nothing

    def _retire(self, client: ConnectorClient) -> None:
        """Close an evicted client once requests it may still carry are over (each ends
        within the request timeout)."""

        async def close_later() -> None:
            await asyncio.sleep(self._timeout.total or 0.0)
            await client.close()

        task = asyncio.create_task(close_later())
        self._closing[task] = client
        task.add_done_callback(lambda done: self._closing.pop(done, None))


class _TokenCache:
    """One token for the connector audience, renewed shortly before it expires."""

    def __init__(self, provider: TokenProvider | None, monotonic: Callable[[], float]) -> None:
        self._provider = provider
        self._monotonic = monotonic
        self._token = ""
        self._renew_at = 0.0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._renew_at = 0.0

    async def get(self) -> str:
        if self._provider is None:
            return ""
        if self._token and self._monotonic() < self._renew_at:
            return self._token
        async with self._lock:  # one renewal at a time; the others reuse its result
            if self._token and self._monotonic() < self._renew_at:
                return self._token
            token = await self._provider()
            lifetime = _seconds_left(token)
            renew_in = (
                _OPAQUE_TOKEN_SECONDS
                if lifetime is None
                else max(lifetime - _RENEW_BEFORE_SECONDS, lifetime / 2)
            )
            self._token, self._renew_at = token, self._monotonic() + renew_in
            return token


def _seconds_left(token: str) -> float | None:
    """Seconds until the JWT's `exp` (read, not verified: we only schedule the renewal)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        expires = float(json.loads(base64.urlsafe_b64decode(padded))["exp"])
    except (ValueError, TypeError, KeyError):
        return None
    return max(0.0, expires - time.time())


def _set_bearer(session: aiohttp.ClientSession, token: str) -> None:
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
    else:
        session.headers.pop("Authorization", None)
