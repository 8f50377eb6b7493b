"""Fetching a file a person sent the bot (the FileDownloads port), with aiohttp.

Teams hands the bot a pre-authorised download URL on SharePoint/OneDrive. The URL arrives in an
activity, so it is treated as user input: only https, only hosts on the allow-list (a host
matches a suffix when it is the suffix or ends with "." + suffix), redirects followed only to
allowed hosts, and the size limit enforced while reading, so a large file is never held in
memory. Plain http is accepted for loopback hosts only (tests, the local demo).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

import aiohttp

from bot.domain.platform.errors import InvalidInput, Unavailable
from bot.i18n import N_

logger = logging.getLogger(__name__)

NOT_ALLOWED = N_("download.error.not_allowed")
TOO_LARGE = N_("download.error.too_large")
FAILED = N_("download.error.failed")

_TIMEOUT = aiohttp.ClientTimeout(total=60, connect=10, sock_read=30)
# Files come from a handful of SharePoint hosts; a burst of uploads must not open sockets without
# end (aiohttp's default has no per-host limit). Host names resolve for at most a minute.
MAX_CONNECTIONS = 20
MAX_CONNECTIONS_PER_HOST = 8
_DNS_CACHE_SECONDS = 60
_MAX_REDIRECTS = 3
_CHUNK = 64 * 1024
_MEGABYTE = 1024 * 1024


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_allowed(host: str, suffixes: Iterable[str]) -> bool:
    host = host.casefold().rstrip(".")
    for suffix in suffixes:
        suffix = suffix.casefold().strip().strip(".")
        if suffix and (host == suffix or host.endswith("." + suffix)):
            return True
    return False


def megabytes(size: int) -> str:
    """5242880 -> "5", 1572864 -> "1.5": the limit as people read it."""
    return f"{size / _MEGABYTE:.1f}".removesuffix(".0")


class HttpFileDownloads:
    """FileDownloads over HTTPS. `close()` when the app stops."""

    def __init__(self, allowed_hosts: Iterable[str]) -> None:
        self._allowed = tuple(h.strip() for h in allowed_hosts if h.strip())
        self._session: aiohttp.ClientSession | None = None

    async def fetch(self, url: str, max_bytes: int) -> bytes:
        try:
            return await self._fetch(url, max_bytes)
        except (aiohttp.ClientError, TimeoutError):
            logger.warning("file download failed or broke off")
            raise Unavailable(FAILED) from None

    async def _fetch(self, url: str, max_bytes: int) -> bytes:
        for _ in range(_MAX_REDIRECTS + 1):
            self._check(url)
            async with self._client().get(url, allow_redirects=False) as response:
                if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
                    url = urljoin(url, response.headers["Location"])
                    continue
                if response.status != 200:
                    logger.warning("file download answered %d", response.status)
                    raise Unavailable(FAILED)
                return await _read_limited(response, max_bytes)
        logger.warning("file download redirected more than %d times", _MAX_REDIRECTS)
        raise Unavailable(FAILED)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _check(self, url: str) -> None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        secure = parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host))
        if not secure or not host_allowed(host, self._allowed):
            # The host is not personal data; the full URL carries a token and stays out.
            logger.warning("file download refused: scheme %s, host %s", parts.scheme, host)
            raise InvalidInput(NOT_ALLOWED)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=_TIMEOUT,
                connector=aiohttp.TCPConnector(
                    limit=MAX_CONNECTIONS,
                    limit_per_host=MAX_CONNECTIONS_PER_HOST,
                    ttl_dns_cache=_DNS_CACHE_SECONDS,
                ),
            )
        return self._session


async def _read_limited(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    too_large = InvalidInput(TOO_LARGE, max_mb=megabytes(max_bytes))
    if response.content_length is not None and response.content_length > max_bytes:
        raise too_large
    body = bytearray()
    async for chunk in response.content.iter_chunked(_CHUNK):
        body += chunk
        if len(body) > max_bytes:
            raise too_large
    return bytes(body)
