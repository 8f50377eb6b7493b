"""The real application in-process (aiohttp test server), against the local emulators."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import create_app
from bot.settings import Settings

TENANT = "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
LOTTE = "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"

StartBot = Callable[..., Awaitable[TestClient]]


@pytest.fixture
async def start_bot(graph_settings: Settings, database_url: str) -> AsyncIterator[StartBot]:
    """`await start_bot(**setting_overrides)`: a client for a fresh app on the test database."""
    clients: list[TestClient] = []

    async def start(**overrides: Any) -> TestClient:
        settings = graph_settings.model_copy(
            update={
                "database_url": database_url,
                "allowed_tenants": [TENANT],
                "outbox_enabled": False,
                # The connector emulator stands in for the Teams service (any local port).
                "connector_hosts": [*graph_settings.connector_hosts, "127.0.0.1"],
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


def activity(
    service_url: str,
    kind: str = "message",
    *,
    user: str = LOTTE,
    tenant: str = TENANT,
    conversation: str = "a:personal-1",
    **fields: Any,
) -> dict[str, Any]:
    """A Teams personal-chat activity as the Bot Framework channel delivers it."""
    return {
        "type": kind,
        "id": uuid.uuid4().hex,
        "locale": "nl-BE",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{user}", "aadObjectId": user, "name": "Lotte Janssens"},
        "recipient": {"id": "28:werkplek", "name": "Werkplek"},
        "conversation": {"id": conversation, "conversationType": "personal", "tenantId": tenant},
        "channelData": {"tenant": {"id": tenant}},
        **fields,
    }
