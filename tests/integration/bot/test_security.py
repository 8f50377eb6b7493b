"""/api/messages with a configured bot identity: the 401 matrix and the tenant allow-list.

Channel tokens are signed by a key of this test and published on a JWKS endpoint of this test;
the SDK's table of Bot Framework signing-key URLs is pointed there (test-only, see NOTES.md).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.hosting.core.authorization import _entra_issuers

from app import DATABASE
from bot.settings import Settings
from bot.store import SqlAuditLog
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.bot.conftest import LOTTE, TENANT, StartBot
from tests.integration.bot.conftest import activity as channel_activity

# The emulator's token authority knows one client: the bot identity reuses it here.
BOT_ID = "werkplek-demo"
ISSUER = _entra_issuers.BOTFRAMEWORK_PUBLIC_ISSUER


class ChannelKeys:
    """A signing key of the 'channel', its JWKS server, and token minting."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        self.url = ""
        self._runner: web.AppRunner | None = None

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        public.update(kid=self.kid, use="sig", alg="RS256")
        return {"keys": [public]}

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/keys", lambda request: web.json_response(self.jwks()))
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/keys"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def token(self, *, audience: str = BOT_ID, expires_in: int = 600, key: Any = None) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": audience,
            "iat": now - 10,
            "nbf": now - 10,
            "exp": now + expires_in,
            "serviceurl": "",
        }
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})


@pytest.fixture
async def channel(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[ChannelKeys]:
    keys = ChannelKeys()
    await keys.start()
    monkeypatch.setitem(_entra_issuers.BOTFRAMEWORK_JWKS_URIS, ISSUER, keys.url)
    yield keys
    await keys.stop()


@pytest.fixture
async def connector() -> AsyncIterator[ConnectorEmulator]:
    emulator = ConnectorEmulator(tenant_rate_per_second=None, enforce_conversation_limits=False)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def client(start_bot: StartBot, graph_settings: Settings) -> TestClient:
    # With a bot identity: the emulator's token authority knows one client, the bot reuses it.
    return await start_bot(
        bot_app_id=graph_settings.azure_client_id,
        bot_app_secret=graph_settings.azure_client_secret,
        bot_tenant_id=graph_settings.azure_tenant_id,
        host="0.0.0.0",
        jwks_timeout_seconds=1.0,
    )


def activity(service_url: str, tenant: str = TENANT, text: str = "help") -> dict[str, Any]:
    return channel_activity(service_url, tenant=tenant, text=text)


async def post(client: TestClient, body: dict[str, Any], token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    started = time.monotonic()
    response = await client.post("/api/messages", json=body, headers=headers)
    assert time.monotonic() - started < 10, "a bad token must be answered, not hang"
    if response.status == 401:
        assert response.content_type == "application/problem+json"
    return response.status


async def test_a_valid_channel_token_is_accepted(
    client: TestClient, channel: ChannelKeys, connector: ConnectorEmulator
) -> None:
    assert await post(client, activity(connector.service_url), channel.token()) in (200, 202)


async def test_bad_tokens_get_401(
    client: TestClient, channel: ChannelKeys, connector: ConnectorEmulator
) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    body = activity(connector.service_url)
    cases = {
        "missing": None,
        "empty": "",
        "not a jwt": "not-a-token",
        "expired": channel.token(expires_in=-3600),
        "wrong signature": channel.token(key=other_key),
        "wrong audience": channel.token(audience="someone-else"),
    }
    statuses = {name: await post(client, body, token) for name, token in cases.items()}
    assert statuses == dict.fromkeys(cases, 401)
    bad_scheme = await client.post(
        "/api/messages", json=body, headers={"Authorization": "Basic abc"}
    )
    assert bad_scheme.status == 401
    assert connector.activities == [], "nothing may be answered for a rejected request"


async def test_unreachable_signing_keys_give_401(
    client: TestClient, connector: ConnectorEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = ChannelKeys()  # never started: its keys cannot be fetched
    monkeypatch.setitem(_entra_issuers.BOTFRAMEWORK_JWKS_URIS, ISSUER, "http://127.0.0.1:9/keys")
    assert await post(client, activity(connector.service_url), keys.token()) == 401


async def test_hanging_signing_key_endpoint_gives_401_in_time(
    client: TestClient, connector: ConnectorEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: list[asyncio.StreamWriter] = []

    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # accept, never answer: the key fetch hangs until we hang up

    server = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setitem(
        _entra_issuers.BOTFRAMEWORK_JWKS_URIS,
        ISSUER,
        f"http://127.0.0.1:{port}/slow-{uuid.uuid4().hex}",
    )
    try:
        assert await post(client, activity(connector.service_url), ChannelKeys().token()) == 401
    finally:
        for writer in held:  # let the abandoned key-fetch thread fail now, not after its timeout
            writer.close()
        server.close()


async def test_health_endpoints_need_no_token(client: TestClient) -> None:
    assert (await client.get("/healthz")).status == 200
    assert (await client.get("/readyz")).status == 200
    assert (await client.get("/metrics")).status == 200


async def test_another_tenant_is_refused_politely_and_audited(
    client: TestClient, channel: ChannelKeys, connector: ConnectorEmulator
) -> None:
    body = activity(connector.service_url, tenant="99999999-0000-0000-0000-000000000000")
    assert await post(client, body, channel.token()) in (200, 202)
    replies = [r.activity for r in connector.activities]
    assert len(replies) == 1
    assert "alleen beschikbaar voor medewerkers" in replies[0]["text"]
    audit = await SqlAuditLog(client.app[DATABASE]).recent(action="tenant.refused")
    assert audit and audit[0].actor_id == LOTTE
    assert await SqlAuditLog(client.app[DATABASE]).recent(action="command.help") == []


async def test_a_malformed_body_is_a_client_error(
    client: TestClient, channel: ChannelKeys, connector: ConnectorEmulator
) -> None:
    headers = {"Authorization": f"Bearer {channel.token()}"}
    not_json = await client.post(
        "/api/messages", data=b"{not json", headers={**headers, "Content-Type": "application/json"}
    )
    not_an_activity = await client.post("/api/messages", json={"type": 42}, headers=headers)
    no_conversation = await client.post("/api/messages", json={"type": "message"}, headers=headers)
    assert [not_json.status, not_an_activity.status, no_conversation.status] == [400, 400, 400]
    assert connector.activities == []
