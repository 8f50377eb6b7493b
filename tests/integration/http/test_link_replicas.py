"""Single-use links across replicas: two Werkplek apps as app.py builds them (create_app), on one
database, sharing the link secret. A link used on one is used on the other, and racing clicks
on both get the file exactly once. On PostgreSQL this is the multi-replica deployment; on SQLite
it is two processes' worth of engines on one file.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from app import create_app
from bot.http.exports import XLSX
from bot.http.signed_links import SignedLinks
from bot.services.platform.clock import SystemClock
from bot.settings import Settings
from bot.store import Database, SqlAuditLog

SECRET = "replica-link-secret-0123456789abcdef0123"
ADMIN = "0b7b9a34-4c1e-4d8e-9f00-5a1c2e3d4f56"


@pytest.fixture
async def replicas(graph_settings: Settings, database_url: str) -> AsyncIterator[list[TestClient]]:
    settings = graph_settings.model_copy(
        update={
            "database_url": database_url,
            "link_secret": SecretStr(SECRET),
            "outbox_enabled": False,
            "licence_worker_enabled": False,
            "post_worker_enabled": False,
        }
    )
    clients = [TestClient(TestServer(create_app(settings))) for _ in range(2)]
    for client in clients:
        await client.start_server()
    yield clients
    for client in clients:
        await client.close()


def _link() -> str:
    links = SignedLinks(
        "https://werkplek.example", SECRET.encode(), timedelta(minutes=10), SystemClock()
    )
    parts = urlsplit(links.export_link("catalogue", {"lang": "nl"}, ADMIN))
    return f"{parts.path}?{parts.query}"


async def _get(client: TestClient, url: str) -> tuple[int, str]:
    async with client.get(url) as response:
        await response.read()
        return response.status, response.content_type


async def test_a_link_used_on_one_replica_is_used_on_the_other(
    replicas: list[TestClient], database_url: str
) -> None:
    first, second = replicas
    url = _link()
    assert await _get(first, url) == (200, XLSX)
    assert await _get(second, url) == (410, "text/html")
    assert await _get(first, url) == (410, "text/html")

    racing = _link()
    answers = await asyncio.gather(*(_get(replicas[n % 2], racing) for n in range(8)))
    assert sorted(answers) == [(200, XLSX)] + [(410, "text/html")] * 7

    database = Database(database_url)
    try:
        trail = await SqlAuditLog(database).recent(action="export.catalogue")
    finally:
        await database.dispose()
    assert sorted(str(e.outcome) for e in trail) == ["denied"] * 9 + ["ok"] * 2
    assert {e.actor_id for e in trail} == {ADMIN}
