"""/metrics and /readyz on the real application (SQLite store, Graph emulator settings): the
token, the loopback-only default, the separate loopback port, and readiness checked at most
once a second however many probes arrive."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.http.health import CHECK_SECONDS
from bot.settings import Settings
from tests.integration.store.test_store_failures import closed_port
from tests.support.db import MakeDatabaseUrl

TOKEN = "prometheus-scrape-token-9c3e"
StartApp = Callable[..., Awaitable[TestClient]]


@pytest.fixture
async def start_app(
    graph_settings: Settings, make_database_url: MakeDatabaseUrl
) -> AsyncIterator[StartApp]:
    clients: list[TestClient] = []

    async def start(**overrides: Any) -> TestClient:
        settings = graph_settings.model_copy(
            update={
                "database_url": make_database_url("sqlite"),
                "outbox_enabled": False,
                "licence_worker_enabled": False,
                "post_worker_enabled": False,
                **overrides,
            }
        )
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


async def test_by_default_metrics_answer_loopback_peers_that_came_through_no_proxy(
    start_app: StartApp,
) -> None:
    client = await start_app()
    direct = await client.get("/metrics")
    assert direct.status == 200
    assert "werkplek_http_requests_total" in await direct.text()
    proxied = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status == 403
    assert proxied.content_type == "application/problem+json"


async def test_with_a_token_metrics_need_it_from_everyone(start_app: StartApp) -> None:
    client = await start_app(metrics_token=hashlib.sha256(TOKEN.encode()).hexdigest())
    assert (await client.get("/metrics")).status == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer guessed"})
    assert wrong.status == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    right = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status == 200
    assert "werkplek_http_requests_total" in await right.text()


async def test_a_separate_port_serves_metrics_on_loopback_and_the_main_port_does_not(
    start_app: StartApp,
) -> None:
    port = closed_port()
    client = await start_app(metrics_port=port)
    assert (await client.get("/metrics")).status == 404
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        assert response.status == 200
        assert "werkplek_http_requests_total" in await response.text()
        assert (await client.get("/api/messages")).status == 405  # the bot itself is not there
    await client.close()
    with pytest.raises(aiohttp.ClientConnectionError):  # closed with the app
        async with aiohttp.ClientSession() as session:
            await session.get(f"http://127.0.0.1:{port}/metrics")


async def test_readiness_is_checked_at_most_once_a_second(
    start_app: StartApp, make_database_url: MakeDatabaseUrl
) -> None:
    url = make_database_url("sqlite")
    client = await start_app(database_url=url)
    answers = await asyncio.gather(*(client.get("/readyz") for _ in range(30)))
    assert {answer.status for answer in answers} == {200}
    assert answers[0].headers["Cache-Control"] == "no-store"
    folder = Path(url.removeprefix("sqlite+aiosqlite:///")).parent
    await asyncio.sleep(CHECK_SECONDS)  # the burst's answer has expired: the next probe checks
    checked = time.monotonic()  # ... no earlier than this
    ready = await client.get("/readyz")
    folder.rename(folder.with_name("moved-away"))  # the database is gone from where it was

    still = await client.get("/readyz")
    if time.monotonic() - checked < CHECK_SECONDS * 0.9:  # a slow machine proves nothing here
        assert (ready.status, still.status) == (200, 200)  # the check of a moment ago holds
    await asyncio.sleep(CHECK_SECONDS + 0.1)
    gone = await client.get("/readyz")
    assert gone.status == 503
    assert gone.headers["Retry-After"] == "1"
    folder.with_name("moved-away").rename(folder)
