"""/api/messages with a configured bot identity: the 401 matrix and the tenant allow-list.

Channel tokens are signed by a key of this test and published on a JWKS endpoint of this test;
the SDK's table of Bot Framework signing-key URLs, and its Entra signing-key URL, are pointed
there (test-only, see NOTES.md). Entra ID signs every tenant's tokens with the same keys, which
is exactly why the issuer and the calling app must be checked: here too one key signs them all.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.hosting.core.authorization import _entra_issuers
from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator

from app import DATABASE
from bot.settings import Settings
from bot.store import SqlAuditLog, SqlConversationRefRepository, SqlProcessedActivities
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.bot.conftest import LOTTE, TENANT, StartBot
from tests.integration.bot.conftest import activity as channel_activity

# The emulator's token authority knows one client: the bot identity reuses it here.
BOT_ID = "werkplek-demo"
ISSUER = _entra_issuers.BOTFRAMEWORK_PUBLIC_ISSUER
# The default allowed Entra caller (WERKPLEK_BOT_ENTRA_CALLERS): the agents platform service.
PLATFORM = Settings.model_fields["bot_entra_callers"].get_default(call_default_factory=True)[0]
OTHER_APP = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
FOREIGN_TENANT = "99999999-0000-4000-8000-000000000000"


def v1_issuer(tenant: str) -> str:
    return f"https://sts.windows.net/{tenant}/"


def v2_issuer(tenant: str) -> str:
    return f"https://login.microsoftonline.com/{tenant}/v2.0"


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

    def token(
        self,
        service_url: str | None,
        *,
        audience: str = BOT_ID,
        expires_in: int | None = 600,
        key: Any = None,
        issuer: str = ISSUER,
        **claims: Any,
    ) -> str:
        """A channel token; `service_url=None` leaves out the serviceurl claim."""
        now = int(time.time())
        payload: dict[str, Any] = {"iss": issuer, "aud": audience, "iat": now - 10, "nbf": now - 10}
        if expires_in is not None:
            payload["exp"] = now + expires_in
        if service_url is not None:
            payload["serviceurl"] = service_url
        payload.update(claims)
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def entra_token(self, tenant: str, caller: str, *, version: str = "1.0") -> str:
        """An Entra access token for the bot, as `caller` would get it from `tenant`."""
        caller_claim = {"appid": caller} if version == "1.0" else {"azp": caller}
        issuer = v1_issuer(tenant) if version == "1.0" else v2_issuer(tenant)
        return self.token(None, issuer=issuer, tid=tenant, ver=version, **caller_claim)


def answers(connector: ConnectorEmulator) -> list[object]:
    """What the bot sent back. The SDK adds a typing indicator when a turn takes longer than
    500 ms (a busy machine): that is no answer."""
    return [r for r in connector.activities if r.activity.get("type") != "typing"]


@pytest.fixture
async def channel(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[ChannelKeys]:
    keys = ChannelKeys()
    await keys.start()
    monkeypatch.setitem(_entra_issuers.BOTFRAMEWORK_JWKS_URIS, ISSUER, keys.url)
    real_jwks_uri = jwt_token_validator._build_jwks_uri

    def jwks_uri(issuer: Any, *configs: Any) -> str:
        # Entra's key URL is built, not looked up: every non-Bot-Framework issuer uses ours.
        return keys.url if issuer != ISSUER else real_jwks_uri(issuer, *configs)

    monkeypatch.setattr(jwt_token_validator, "_build_jwks_uri", jwks_uri)
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


async def nothing_happened(client: TestClient, connector: ConnectorEmulator) -> None:
    """No reply, no audit line, no remembered chat, not even a processed activity."""
    database = client.app[DATABASE]
    assert connector.activities == [], "nothing may be answered for a rejected request"
    assert await SqlAuditLog(database).recent() == []
    assert await SqlConversationRefRepository(database).get(TENANT, LOTTE) is None
    since = datetime(2000, 1, 1, tzinfo=UTC)
    assert await SqlProcessedActivities(database).keys_since(since, 10) == []


async def test_a_valid_channel_token_is_accepted(
    client: TestClient, channel: ChannelKeys, connector: ConnectorEmulator
) -> None:
    url = connector.service_url
    assert await post(client, activity(url), channel.token(url)) in (200, 202)
    # The same connector, written as Teams may: host case and the trailing slash do not matter.
    same = url.rstrip("/").replace("127.0.0.1", "127.0.0.1".upper()).replace("http:", "HTTP:")
    assert await post(client, activity(url, text="hulp"), channel.token(same)) in (200, 202)
    assert len(answers(connector)) == 2, "both were answered"


async def test_bad_tokens_get_401(
    client: TestClient, channel: ChannelKeys, connector: ConnectorEmulator
) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    url = connector.service_url
    body = activity(url)
    cases = {
        "missing": None,
        "empty": "",
        "not a jwt": "not-a-token",
        "expired": channel.token(url, expires_in=-3600),
        "never expires": channel.token(url, expires_in=None),
        "wrong signature": channel.token(url, key=other_key),
        "wrong audience": channel.token(url, audience="someone-else"),
        "unknown issuer": channel.token(url, issuer="https://api.botframework.example"),
        "no issuer": channel.token(url, issuer=""),
        "serviceurl of another host": channel.token("https://attacker.example/teams/"),
        "serviceurl of another port": channel.token(url.replace("127.0.0.1:", "127.0.0.1:1")),
        "serviceurl of another path": channel.token(url.rstrip("/") + "/elsewhere/"),
        "serviceurl empty": channel.token(""),
        "serviceurl missing": channel.token(None),
    }
    statuses = {name: await post(client, body, token) for name, token in cases.items()}
    assert statuses == dict.fromkeys(cases, 401)
    bad_scheme = await client.post(
        "/api/messages", json=body, headers={"Authorization": "Basic abc"}
    )
    assert bad_scheme.status == 401
    await nothing_happened(client, connector)


async def test_entra_tokens_need_our_tenant_and_an_allowed_caller(
    client: TestClient, channel: ChannelKeys, connector: ConnectorEmulator
) -> None:
    body = activity(connector.service_url)
    cases = {
        "foreign tenant, v1": channel.entra_token(FOREIGN_TENANT, PLATFORM),
        "foreign tenant, v2": channel.entra_token(FOREIGN_TENANT, PLATFORM, version="2.0"),
        "our tenant, another app (appid)": channel.entra_token(TENANT, OTHER_APP),
        "our tenant, another app (azp)": channel.entra_token(TENANT, OTHER_APP, version="2.0"),
        # A v2 token names its caller in azp: an allowed appid claim beside it proves nothing.
        "our tenant, v2 without azp": channel.token(
            None, issuer=v2_issuer(TENANT), tid=TENANT, ver="2.0", appid=PLATFORM
        ),
        "our tenant, no caller": channel.token(None, issuer=v1_issuer(TENANT), tid=TENANT),
        "our tenant, unknown version": channel.token(
            None, issuer=v1_issuer(TENANT), tid=TENANT, ver="3.0", appid=PLATFORM
        ),
        "allowed caller, wrong serviceurl": channel.token(
            "https://attacker.example/teams/", issuer=v1_issuer(TENANT), tid=TENANT, appid=PLATFORM
        ),
        "a Microsoft first-party tenant the SDK trusts": channel.entra_token(
            _entra_issuers.WELL_KNOWN_PUBLIC_TENANT_IDS[0], PLATFORM
        ),
    }
    statuses = {name: await post(client, body, token) for name, token in cases.items()}
    assert statuses == dict.fromkeys(cases, 401)
    await nothing_happened(client, connector)


@pytest.mark.parametrize("version", ["1.0", "2.0"])
async def test_a_single_tenant_entra_token_from_an_allowed_caller_is_accepted(
    client: TestClient, channel: ChannelKeys, connector: ConnectorEmulator, version: str
) -> None:
    token = channel.entra_token(TENANT, PLATFORM, version=version)
    assert await post(client, activity(connector.service_url), token) in (200, 202)
    assert len(answers(connector)) == 1, "answered"
    assert await SqlConversationRefRepository(client.app[DATABASE]).get(TENANT, LOTTE)


async def test_tenant_issuers_can_be_switched_off(
    start_bot: StartBot,
    graph_settings: Settings,
    channel: ChannelKeys,
    connector: ConnectorEmulator,
) -> None:
    client = await start_bot(
        bot_app_id=graph_settings.azure_client_id,
        bot_app_secret=graph_settings.azure_client_secret,
        bot_tenant_id=TENANT,
        bot_tenant_issuers=False,
        host="0.0.0.0",
    )
    url = connector.service_url
    assert await post(client, activity(url), channel.entra_token(TENANT, PLATFORM)) == 401
    assert await post(client, activity(url), channel.token(url)) in (200, 202)


async def test_unreachable_signing_keys_give_401(
    client: TestClient, connector: ConnectorEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = ChannelKeys()  # never started: its keys cannot be fetched
    monkeypatch.setitem(_entra_issuers.BOTFRAMEWORK_JWKS_URIS, ISSUER, "http://127.0.0.1:9/keys")
    url = connector.service_url
    assert await post(client, activity(url), keys.token(url)) == 401


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
        url = connector.service_url
        assert await post(client, activity(url), ChannelKeys().token(url)) == 401
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
    assert await post(client, body, channel.token(connector.service_url)) in (200, 202)
    replies = [r.activity for r in connector.activities]
    assert len(replies) == 1
    assert "alleen beschikbaar voor medewerkers" in replies[0]["text"]
    audit = await SqlAuditLog(client.app[DATABASE]).recent(action="tenant.refused")
    assert audit and audit[0].actor_id == LOTTE
    assert await SqlAuditLog(client.app[DATABASE]).recent(action="command.help") == []


async def test_a_malformed_body_is_a_client_error(
    client: TestClient, channel: ChannelKeys, connector: ConnectorEmulator
) -> None:
    url = connector.service_url
    headers = {"Authorization": f"Bearer {channel.token(url)}"}
    bodies: dict[str, Any] = {
        "not json": b"{not json",
        "not utf-8": b'{"type": "\xff"}',
        "not an object": b"[]",
        "not an activity": json.dumps({"type": 42, "serviceUrl": url}).encode(),
        "no conversation": json.dumps({"type": "message", "serviceUrl": url}).encode(),
        "no serviceUrl": json.dumps({**activity(url), "serviceUrl": None}).encode(),
        "absurdly nested": b'{"serviceUrl": "' + url.encode() + b'", "x": ' + b"[" * 100_000,
        "nested value": json.dumps({**activity(url), "serviceUrl": url}).encode()[:-1]
        + b', "value": '
        + b"[" * 990
        + b"]" * 990
        + b"}",
    }
    for name, data in bodies.items():
        response = await client.post(
            "/api/messages", data=data, headers={**headers, "Content-Type": "application/json"}
        )
        assert (name, response.status) == (name, 400)
        assert response.content_type == "application/problem+json"
    await nothing_happened(client, connector)
