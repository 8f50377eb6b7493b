"""Fetching files people send the bot: allow-listed hosts only, size enforced while reading.

A local aiohttp server plays SharePoint. Plain http is allowed for loopback hosts only, which
is what lets this test (and the local demo) run without certificates.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.domain.platform.errors import InvalidInput, Unavailable
from bot.http.downloads import HttpFileDownloads, host_allowed, megabytes

LIMIT = 64 * 1024


class Files:
    def __init__(self) -> None:
        self.requests: list[str] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/small", self.small)
        app.router.add_get("/big", self.big)
        app.router.add_get("/streamed", self.streamed)
        app.router.add_get("/gone", self.gone)
        app.router.add_get("/hop", self.hop)
        app.router.add_get("/away", self.away)
        return app

    async def small(self, request: web.Request) -> web.Response:
        self.requests.append("small")
        return web.Response(body=b"PK\x03\x04 workbook")

    async def big(self, request: web.Request) -> web.Response:
        self.requests.append("big")
        return web.Response(body=b"x" * (LIMIT + 1))

    async def streamed(self, request: web.Request) -> web.StreamResponse:
        """No Content-Length: the limit must hold while reading, and reading must stop early."""
        self.requests.append("streamed")
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for _ in range(1000):  # 64 MB if nobody stops it
                await response.write(b"y" * 65536)
        except (ConnectionResetError, RuntimeError):
            self.requests.append("streamed: client went away")
        return response

    async def gone(self, request: web.Request) -> web.Response:
        self.requests.append("gone")
        return web.Response(status=404)

    async def hop(self, request: web.Request) -> web.Response:
        self.requests.append("hop")
        raise web.HTTPFound("/small")

    async def away(self, request: web.Request) -> web.Response:
        self.requests.append("away")
        raise web.HTTPFound("https://evil.example/steal")


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, Files]]:
    files = Files()
    test_server = TestServer(files.app(), host="127.0.0.1")
    await test_server.start_server()
    yield f"http://127.0.0.1:{test_server.port}", files
    await test_server.close()


@pytest.fixture
async def downloads() -> AsyncIterator[HttpFileDownloads]:
    fetcher = HttpFileDownloads(["sharepoint.com", "127.0.0.1"])
    yield fetcher
    await fetcher.close()


async def test_a_file_from_an_allowed_host_is_fetched(
    server: tuple[str, Files], downloads: HttpFileDownloads
) -> None:
    base, _ = server
    assert await downloads.fetch(f"{base}/small", LIMIT) == b"PK\x03\x04 workbook"


async def test_a_redirect_within_allowed_hosts_is_followed(
    server: tuple[str, Files], downloads: HttpFileDownloads
) -> None:
    base, files = server
    assert await downloads.fetch(f"{base}/hop", LIMIT) == b"PK\x03\x04 workbook"
    assert files.requests == ["hop", "small"]


async def test_a_redirect_to_another_host_is_refused(
    server: tuple[str, Files], downloads: HttpFileDownloads
) -> None:
    base, _ = server
    with pytest.raises(InvalidInput) as refused:
        await downloads.fetch(f"{base}/away", LIMIT)
    assert refused.value.message_key == "download.error.not_allowed"


async def test_a_file_over_the_limit_is_refused(
    server: tuple[str, Files], downloads: HttpFileDownloads
) -> None:
    base, _ = server
    with pytest.raises(InvalidInput) as refused:
        await downloads.fetch(f"{base}/big", LIMIT)
    assert refused.value.message_key == "download.error.too_large"
    assert refused.value.params == {"max_mb": "0.1"}


async def test_the_limit_holds_while_streaming(
    server: tuple[str, Files], downloads: HttpFileDownloads
) -> None:
    base, _ = server
    with pytest.raises(InvalidInput) as refused:
        await downloads.fetch(f"{base}/streamed", LIMIT)
    assert refused.value.message_key == "download.error.too_large"


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:1/small",  # loopback, but not on the allow-list
        "http://contoso.sharepoint.com/file.xlsx",  # allowed host, but not https
        "https://evil.example/file.xlsx",
        "https://sharepoint.com.evil.example/file.xlsx",
        "https://evilsharepoint.com/file.xlsx",
        "ftp://contoso.sharepoint.com/file.xlsx",
        "file:///etc/passwd",
        "not a url",
    ],
)
async def test_other_hosts_and_schemes_are_refused_before_any_request(
    url: str, downloads: HttpFileDownloads
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await downloads.fetch(url, LIMIT)
    assert refused.value.message_key == "download.error.not_allowed"


async def test_a_missing_file_or_a_dead_host_is_unavailable(
    server: tuple[str, Files], downloads: HttpFileDownloads
) -> None:
    base, _ = server
    with pytest.raises(Unavailable):
        await downloads.fetch(f"{base}/gone", LIMIT)
    with pytest.raises(Unavailable):
        await downloads.fetch("http://127.0.0.1:1/nothing-listens-here", LIMIT)


def test_host_suffixes_match_whole_labels() -> None:
    allowed = ["sharepoint.com"]
    assert host_allowed("contoso.sharepoint.com", allowed)
    assert host_allowed("contoso-my.SharePoint.com.", allowed)
    assert host_allowed("sharepoint.com", allowed)
    assert not host_allowed("evilsharepoint.com", allowed)
    assert not host_allowed("sharepoint.com.evil.example", allowed)
    assert not host_allowed("anything", [])


def test_limits_read_as_people_say_them() -> None:
    assert megabytes(5 * 1024 * 1024) == "5"
    assert megabytes(1536 * 1024) == "1.5"
