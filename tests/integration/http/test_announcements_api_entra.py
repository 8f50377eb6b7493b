"""The announcement API called with Entra app tokens, over real HTTP: tokens signed by the Graph
emulator's token authority, whose signing keys the API fetches over HTTPS as it would Entra's.

The API is built as in test_announcements_api.py (the real services on the real store), with
the app check the composition makes from Settings (bot.composition.announcements.app_tokens_of).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest

from bot.http.entra_tokens import SEND_ROLE
from bot.settings import Settings
from bot.store import Database
from bot.store.platform.tables import audit_log
from devtools.graph_emulator import GraphEmulator
from devtools.graph_emulator.keys import create_signing_key
from tests.integration.http.test_announcements_api import (
    CHANNEL,
    KEY,
    NEWS_GROUP,
    ApiStack,
    api_stack,
    body,
    problem_of,
    sha256,
)
from tests.integration.store.test_store_failures import closed_port

API_ID = "7d1f3b5a-9c2e-4a6b-8d0f-1e3c5a7b9d20"  # Werkplek's own app registration (the bot's)
APP_ID = "3e5a7c9b-1d2f-4b6a-8c0e-2f4a6c8e0b13"  # the HR flow's app registration
STRANGER_ID = "9a8b7c6d-5e4f-4a3b-9c1d-0e1f2a3b4c5d"  # an app of the tenant, not configured
OTHER_TENANT = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"


def entra_settings(emulator: GraphEmulator, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "azure_tenant_id": emulator.tenant_id,
        "azure_authority_host": emulator.authority_url,
        "graph_ca_file": str(emulator.ca_file),
        "bot_app_id": API_ID,
        "announcement_api_keys": {
            "flow": {"hash": f"sha256:{sha256(KEY)}", "scope": {"entities": ["AWV"]}}
        },
        "announcement_api_apps": {
            APP_ID: {
                "name": "hr-flow",
                "scope": {"own_entity": False, "entities": ["DOMG"], "groups": [NEWS_GROUP]},
                "author": "HR-flow",
            }
        },
        "announcement_groups": {NEWS_GROUP: "Nieuwsbrief"},
        "announcement_channels": {CHANNEL: "Nieuws"},
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
async def stack(database: Database, graph_emulator: GraphEmulator) -> AsyncIterator[ApiStack]:
    async with api_stack(database, entra_settings(graph_emulator)) as built:
        yield built


def claims_of(emulator: GraphEmulator, **changes: Any) -> dict[str, Any]:
    """The claims of a client-credentials token of the HR flow for Werkplek's API, as the
    emulator issues them; `changes` replace claims, a None removes one."""
    issued = emulator.authority.issue(
        audience=f"api://{API_ID}", azp=APP_ID, appid=APP_ID, roles=[SEND_ROLE]
    )
    claims: dict[str, Any] = jwt.decode(issued, options={"verify_signature": False})
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def app_token(emulator: GraphEmulator, **changes: Any) -> str:
    """Such a token signed with the emulator's key, as Entra would."""
    return emulator.authority.sign(claims_of(emulator, **changes))


def forged_hs256(claims: dict[str, Any], secret: bytes) -> str:
    """An HS256 token keyed with `secret` (PyJWT refuses to make one with a public key)."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = {"alg": "HS256", "typ": "JWT", "kid": "x"}
    signed = f"{part(json.dumps(header).encode())}.{part(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signed.encode(), hashlib.sha256).digest()
    return f"{signed}.{part(signature)}"


# --- an allowed app -------------------------------------------------------------------------------


async def test_an_app_token_makes_an_announcement_authored_by_the_app(
    stack: ApiStack, graph_emulator: GraphEmulator
) -> None:
    token = app_token(graph_emulator)
    made = await stack.post(body(audience={"kind": "entities", "entities": ["DOMG"]}), key=token)

    assert made.status == 201, await made.text()
    answer = await made.json()
    stored = await stack.repository.get(answer["id"])
    assert stored is not None
    assert stored.author_id == "api:hr-flow" and stored.author_name == "HR-flow"
    assert stored.source == "api:hr-flow"
    [line] = await stack.rows(audit_log)
    assert (line["action"], line["actor_id"]) == ("announcements.create", "api:hr-flow")
    read = await stack.get(answer["id"], key=token)
    assert read.status == 200 and (await read.json())["id"] == answer["id"]


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"aud": API_ID}, id="the-app-id-as-audience"),
        # v1 shape: no idtyp, the client in appid only.
        pytest.param({"ver": "1.0", "idtyp": None, "azp": None}, id="v1-claims"),
    ],
)
async def test_both_default_audiences_and_v1_claims_are_accepted(
    stack: ApiStack, graph_emulator: GraphEmulator, claims: dict[str, Any]
) -> None:
    token = app_token(graph_emulator, **claims)
    made = await stack.post(body(audience={"kind": "groups", "groups": [NEWS_GROUP]}), key=token)

    assert made.status == 201, await made.text()


async def test_an_audience_outside_the_apps_scope_is_403_as_for_a_key(
    stack: ApiStack, graph_emulator: GraphEmulator
) -> None:
    response = await stack.post(body(), key=app_token(graph_emulator))  # AWV: the key's, not its

    assert response.status == 403
    document = await problem_of(response)
    assert document["reason"] == "announcements.api.refused"
    await stack.assert_nothing_stored()


async def test_the_app_and_a_key_each_see_their_own_announcements(
    stack: ApiStack, graph_emulator: GraphEmulator
) -> None:
    by_key = await stack.post(body())
    token = app_token(graph_emulator)
    by_app = await stack.post(body(audience={"kind": "entities", "entities": ["DOMG"]}), key=token)

    assert by_key.status == 201 and by_app.status == 201  # the same client key, two callers
    assert (await stack.get((await by_key.json())["id"], key=token)).status == 404
    assert (await stack.get((await by_app.json())["id"])).status == 404


# --- refused tokens -------------------------------------------------------------------------------


def _invalid_tokens(emulator: GraphEmulator) -> dict[str, str]:
    other_key = create_signing_key()
    now = int(time.time())
    return {
        "expired": app_token(emulator, iat=now - 7200, nbf=now - 7200, exp=now - 3600),
        "not-yet-valid": app_token(emulator, nbf=now + 3600),
        "wrong-audience": app_token(emulator, aud="api://another-api"),
        "graph-audience": app_token(emulator, aud="https://graph.microsoft.com"),
        "other-tenant": app_token(emulator, tid=OTHER_TENANT),
        "other-tenants-issuer": app_token(
            emulator, iss=f"{emulator.authority_url}/{OTHER_TENANT}/v2.0"
        ),
        # v1's issuer is believed at Microsoft's own authority only.
        "v1-issuer-elsewhere": app_token(
            emulator, iss=f"https://sts.windows.net/{emulator.tenant_id}/"
        ),
        "another-key-same-kid": jwt.encode(
            claims_of(emulator),
            other_key.private_key,
            algorithm="RS256",
            headers={"kid": emulator.signing_key.key_id},
        ),
        "another-key-own-kid": jwt.encode(
            claims_of(emulator),
            other_key.private_key,
            algorithm="RS256",
            headers={"kid": other_key.key_id},
        ),
        "alg-none": jwt.encode(
            claims_of(emulator),
            "",
            algorithm="none",
            headers={"kid": emulator.signing_key.key_id},
        ),
        "hs256-with-the-public-key": forged_hs256(
            claims_of(emulator), emulator.signing_key.public_pem
        ),
        "no-tenant": app_token(emulator, tid=None),
        "no-expiry": app_token(emulator, exp=None),
        "tampered": app_token(emulator)[:-6] + "AAAAAA",
    }


INVALID = [
    "expired",
    "not-yet-valid",
    "wrong-audience",
    "graph-audience",
    "other-tenant",
    "other-tenants-issuer",
    "v1-issuer-elsewhere",
    "another-key-same-kid",
    "another-key-own-kid",
    "alg-none",
    "hs256-with-the-public-key",
    "no-tenant",
    "no-expiry",
    "tampered",
]


@pytest.mark.parametrize("case", INVALID)
async def test_a_token_that_is_not_valid_is_401_as_an_unknown_key(
    stack: ApiStack, graph_emulator: GraphEmulator, case: str
) -> None:
    token = _invalid_tokens(graph_emulator)[case]
    made = await stack.post(body(audience={"kind": "entities", "entities": ["DOMG"]}), key=token)
    read = await stack.get(1, key=token)

    for response in (made, read):
        assert response.status == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
        assert (await problem_of(response))["reason"] == "announcements.api.unauthorized"
    await stack.assert_nothing_stored()


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        pytest.param({"roles": ["User.Read.All"]}, "announcements.api.app_role", id="no-role"),
        pytest.param({"roles": None}, "announcements.api.app_role", id="no-roles"),
        pytest.param(
            {"azp": STRANGER_ID, "appid": STRANGER_ID},
            "announcements.api.app_unknown",
            id="unknown-app",
        ),
        pytest.param(
            {"idtyp": "user", "scp": "Announcements.Send", "roles": None},
            "announcements.api.app_only",
            id="delegated-user-token",
        ),
        pytest.param(
            {"idtyp": None, "scp": "Announcements.Send"},
            "announcements.api.app_only",
            id="delegated-v1-without-idtyp",
        ),
    ],
)
async def test_a_valid_token_of_a_caller_that_may_not_is_403_with_the_reason(
    stack: ApiStack, graph_emulator: GraphEmulator, claims: dict[str, Any], reason: str
) -> None:
    token = app_token(graph_emulator, **claims)
    made = await stack.post(body(audience={"kind": "entities", "entities": ["DOMG"]}), key=token)
    read = await stack.get(1, key=token)

    for response in (made, read):
        assert response.status == 403
        document = await problem_of(response)
        assert document["reason"] == reason
        assert " / " in document["detail"]  # Dutch, then English
    await stack.assert_nothing_stored()


# --- keys, and what surrounds the check ---------------------------------------------------------


async def test_an_api_key_still_works_beside_the_apps(stack: ApiStack) -> None:
    made = await stack.post(body())

    assert made.status == 201
    stored = await stack.repository.get((await made.json())["id"])
    assert stored is not None and stored.author_id == "api:flow"


async def test_signing_keys_that_cannot_be_fetched_are_503_not_500(
    database: Database, graph_emulator: GraphEmulator
) -> None:
    settings = entra_settings(
        graph_emulator, azure_authority_host=f"https://127.0.0.1:{closed_port()}"
    )
    async with api_stack(database, settings) as stack:
        token = app_token(graph_emulator)
        made = await stack.post(body(), key=token)
        read = await stack.get(1, key=token)
        by_key = await stack.post(body())  # keys need no signing keys

        for response in (made, read):
            assert response.status == 503
            assert response.headers["Retry-After"]
            assert (await problem_of(response))["reason"] == "announcements.api.unavailable"
        assert by_key.status == 201


async def test_without_an_app_configured_a_token_is_an_unknown_key(
    database: Database, graph_emulator: GraphEmulator
) -> None:
    settings = entra_settings(graph_emulator, announcement_api_apps={})
    async with api_stack(database, settings) as stack:
        response = await stack.post(body(), key=app_token(graph_emulator))

        assert response.status == 401
        await stack.assert_nothing_stored()


def test_an_app_named_like_a_key_or_with_an_id_that_is_not_a_guid_refuses_to_start(
    graph_emulator: GraphEmulator,
) -> None:
    with pytest.raises(ValueError, match="must differ"):
        entra_settings(graph_emulator, announcement_api_apps={APP_ID: {"name": "flow"}})
    with pytest.raises(ValueError, match="GUIDs"):
        entra_settings(graph_emulator, announcement_api_apps={"hr-flow": {"name": "hr"}})
    with pytest.raises(ValueError, match="only"):
        entra_settings(graph_emulator, announcement_api_apps={APP_ID: {"name": "hr", "role": "x"}})
