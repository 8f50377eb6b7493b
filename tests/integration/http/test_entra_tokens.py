"""EntraAppTokens' signing-key cache against a tiny JWKS server: fetched once, again when a token
names an unknown key (at most once a minute) and daily, kept when a refresh fails.

The tokens are signed with throwaway RSA keys; the clock of the cache is a counter the tests
move. The claim checks themselves are in test_announcements_api_entra.py.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.http.entra_tokens import (
    SEND_ROLE,
    AppAllowed,
    EntraAppTokens,
    SigningKeysUnavailable,
    jwt_of,
)
from devtools.graph_emulator.keys import SigningKey, create_signing_key

TENANT = "2b4d6f8a-0c1e-4a3b-9d5f-7a9c1e3b5d70"
APP_ID = "6c8e0a2b-4d6f-4b1a-8c3e-5f7a9b1d3e50"
AUDIENCE = "api://werkplek"


@dataclass
class Jwks:
    """What the JWKS endpoint serves, and how often it was asked."""

    keys: list[SigningKey]
    status: int = 200
    raw: bytes | None = None
    fetches: int = 0
    seconds: list[float] = field(default_factory=lambda: [1000.0])

    def now(self) -> float:
        return self.seconds[0]

    def later(self, seconds: float) -> None:
        self.seconds[0] += seconds

    async def serve(self, request: web.Request) -> web.Response:
        self.fetches += 1
        if self.raw is not None:
            return web.Response(body=self.raw, status=self.status)
        return web.json_response({"keys": [key.jwk() for key in self.keys]}, status=self.status)


@dataclass
class Authority:
    jwks: Jwks
    url: str
    tokens: EntraAppTokens

    def token(self, key: SigningKey, **changes: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": AUDIENCE,
            "iss": f"{self.url}/{TENANT}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "tid": TENANT,
            "azp": APP_ID,
            "idtyp": "app",
            "roles": [SEND_ROLE],
            "ver": "2.0",
        }
        claims.update(changes)
        headers = {"kid": key.key_id}
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers=headers)


@pytest.fixture
async def authority() -> AsyncIterator[Authority]:
    jwks = Jwks([create_signing_key()])
    app = web.Application()
    app.router.add_get(f"/{TENANT}/discovery/v2.0/keys", jwks.serve)
    server = TestServer(app)
    await server.start_server()
    url = str(server.make_url("")).rstrip("/")
    tokens = EntraAppTokens(
        tenant_id=TENANT,
        apps={APP_ID.upper(): "hr-flow"},  # ids compare whatever their case
        audiences=[AUDIENCE],
        authority=url,
        timeout_seconds=2,
        clock=jwks.now,
    )
    try:
        yield Authority(jwks, url, tokens)
    finally:
        await tokens.close()
        await server.close()


async def test_the_keys_are_fetched_once_for_many_tokens(authority: Authority) -> None:
    key = authority.jwks.keys[0]
    for _ in range(3):
        assert await authority.tokens.check(authority.token(key)) == AppAllowed("hr-flow")

    assert authority.jwks.fetches == 1


async def test_an_unknown_key_is_looked_up_at_most_once_a_minute(authority: Authority) -> None:
    known, rolled = authority.jwks.keys[0], create_signing_key()
    assert await authority.tokens.check(authority.token(known)) is not None
    authority.jwks.keys.append(rolled)  # Entra publishes a new key
    authority.jwks.later(30)

    # Within the minute of the first fetch: not asked again, so not (yet) known.
    assert await authority.tokens.check(authority.token(rolled)) is None
    assert authority.jwks.fetches == 1
    authority.jwks.later(31)
    assert await authority.tokens.check(authority.token(rolled)) == AppAllowed("hr-flow")
    assert authority.jwks.fetches == 2
    # A forger's unknown key: one more look a minute later, none before.
    stranger = create_signing_key()
    assert await authority.tokens.check(authority.token(stranger)) is None
    authority.jwks.later(59)
    assert await authority.tokens.check(authority.token(stranger)) is None
    assert authority.jwks.fetches == 2


async def test_the_keys_are_fetched_again_after_a_day(authority: Authority) -> None:
    old = authority.jwks.keys[0]
    assert await authority.tokens.check(authority.token(old)) is not None
    authority.jwks.keys = [create_signing_key()]  # the old key withdrawn
    authority.jwks.later(24 * 3600)

    assert await authority.tokens.check(authority.token(old)) is None
    assert authority.jwks.fetches == 2


async def test_a_failed_refresh_keeps_the_keys_and_an_unknown_key_is_unavailable(
    authority: Authority,
) -> None:
    key = authority.jwks.keys[0]
    assert await authority.tokens.check(authority.token(key)) is not None
    authority.jwks.status = 500
    authority.jwks.later(24 * 3600)

    assert await authority.tokens.check(authority.token(key)) == AppAllowed("hr-flow")
    with pytest.raises(SigningKeysUnavailable):
        await authority.tokens.check(authority.token(create_signing_key()))
    assert authority.jwks.fetches == 2  # the failure is not retried by every request
    authority.jwks.status = 200
    authority.jwks.later(5)
    assert await authority.tokens.check(authority.token(key)) is not None
    assert authority.jwks.fetches == 3


@pytest.mark.parametrize(
    "raw",
    [b"<html>", b'{"keys": "none"}', b'{"keys": [{"kty": "EC", "kid": "k"}]}', b"{" * 300_000],
    ids=["not-json", "not-a-list", "no-rsa-key", "too-large"],
)
async def test_a_document_that_is_not_a_usable_jwks_is_unavailable(
    authority: Authority, raw: bytes
) -> None:
    authority.jwks.raw = raw

    with pytest.raises(SigningKeysUnavailable):
        await authority.tokens.check(authority.token(authority.jwks.keys[0]))


async def test_a_v1_issuer_is_not_believed_at_another_authority(authority: Authority) -> None:
    key = authority.jwks.keys[0]
    v1 = authority.token(key, iss=f"https://sts.windows.net/{TENANT}/", ver="1.0", appid=APP_ID)

    assert await authority.tokens.check(v1) is None


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer a.b.c", "a.b.c"),
        ("bearer  eyJ0.eyJ1.", "eyJ0.eyJ1."),  # an unsigned one still reaches the check
        ("Bearer flow-key-3c9e1a7b5d", None),
        ("Bearer a.b", None),
        ("Bearer a.b.c.d", None),
        ("Bearer a+b.c.d", None),
        ("Basic a.b.c", None),
        ("", None),
    ],
)
def test_only_a_bearer_shaped_like_a_jwt_is_a_token(header: str, token: str | None) -> None:
    assert jwt_of(header) == token
