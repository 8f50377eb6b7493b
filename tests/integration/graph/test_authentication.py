"""Tokens: the real azure-identity credential over HTTPS against the emulator's authority,
and the Graph listener refusing anything but its own valid tokens."""

from __future__ import annotations

import ssl
import time

import aiohttp
import jwt
import pytest

from bot.domain.platform.errors import Unavailable
from bot.graph import GraphAuthenticationError, open_graph
from devtools.graph_emulator import GraphEmulator
from tests.support.graph import LOTTE_ID, settings_for


async def test_token_is_fetched_once_over_https_and_cached(graph_emulator: GraphEmulator) -> None:
    calls: list[tuple[str, int]] = []
    settings = settings_for(graph_emulator)
    gateway = await open_graph(
        settings, on_call=lambda target, status, _: calls.append((target, status))
    )
    try:
        await gateway.directory.get_user(LOTTE_ID)
        await gateway.directory.get_manager(LOTTE_ID)
    finally:
        await gateway.close()

    assert calls.count(("entra", 200)) == 1
    assert calls.count(("graph", 200)) == 2
    assert graph_emulator.request_count("/oauth2/v2.0/token$", listener="authority") == 1


async def test_wrong_secret_is_a_clear_authentication_error(graph_emulator: GraphEmulator) -> None:
    gateway = await open_graph(settings_for(graph_emulator, azure_client_secret="not-the-secret"))
    try:
        with pytest.raises(GraphAuthenticationError) as caught:
            await gateway.directory.get_user(LOTTE_ID)
    finally:
        await gateway.close()

    assert caught.value.reason == "AADSTS7000215"  # Entra's "invalid client secret"
    assert isinstance(caught.value, Unavailable)
    assert "not-the-secret" not in str(caught.value)
    assert graph_emulator.request_count() == 0  # Graph was never called


async def test_unknown_application_is_refused(graph_emulator: GraphEmulator) -> None:
    gateway = await open_graph(settings_for(graph_emulator, azure_client_id="someone-else"))
    try:
        with pytest.raises(GraphAuthenticationError) as caught:
            await gateway.directory.get_user(LOTTE_ID)
    finally:
        await gateway.close()

    assert caught.value.reason == "AADSTS700016"


async def test_authority_certificate_must_be_trusted(graph_emulator: GraphEmulator) -> None:
    # No retries: a certificate that fails verification fails the same way every time.
    gateway = await open_graph(settings_for(graph_emulator, graph_ca_file="", graph_max_retries=0))
    try:
        with pytest.raises(Unavailable):
            await gateway.directory.get_user(LOTTE_ID)
    finally:
        await gateway.close()

    assert graph_emulator.request_count(listener=None) == 0  # the TLS handshake failed first


async def test_missing_configuration_names_the_variables(graph_emulator: GraphEmulator) -> None:
    with pytest.raises(ValueError, match="AZURE_CLIENT_SECRET"):
        await open_graph(settings_for(graph_emulator, azure_client_secret=""))


async def _get_user(emulator: GraphEmulator, headers: dict[str, str]) -> tuple[int, dict]:
    url = f"{emulator.graph_url}/users/{LOTTE_ID}"
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as reply:
        return reply.status, await reply.json(content_type=None)


async def test_graph_requires_a_valid_token(graph_emulator: GraphEmulator) -> None:
    foreign = jwt.encode({"aud": "https://graph.microsoft.com"}, "x" * 32, algorithm="HS256")
    expired = graph_emulator.issue_token(exp=int(time.time()) - 60)
    other_audience = graph_emulator.issue_token(audience="https://api.botframework.com")
    valid = graph_emulator.issue_token()

    for headers in (
        {},
        {"Authorization": f"Bearer {foreign}"},
        {"Authorization": f"Bearer {expired}"},
        {"Authorization": f"Bearer {other_audience}"},
    ):
        status, body = await _get_user(graph_emulator, headers)
        assert status == 401
        assert body["error"]["code"] == "InvalidAuthenticationToken"
    assert (await _get_user(graph_emulator, {"Authorization": f"Bearer {valid}"}))[0] == 200


async def test_token_endpoint_and_metadata(graph_emulator: GraphEmulator) -> None:
    ssl_context = ssl.create_default_context(cafile=str(graph_emulator.ca_file))
    base = graph_emulator.authority_url
    tenant = graph_emulator.tenant_id
    async with aiohttp.ClientSession() as session:
        form = {
            "grant_type": "client_credentials",
            "client_id": graph_emulator.client_id,
            "client_secret": graph_emulator.client_secret,
            "scope": "https://graph.microsoft.com/.default",
        }
        async with session.post(
            f"{base}/{tenant}/oauth2/v2.0/token", data=form, ssl=ssl_context
        ) as r:
            assert r.status == 200
            token = await r.json()
        async with session.get(
            f"{base}/{tenant}/v2.0/.well-known/openid-configuration", ssl=ssl_context
        ) as r:
            metadata = await r.json()
        async with session.get(metadata["jwks_uri"], ssl=ssl_context) as r:
            jwks = await r.json()
        async with session.post(
            f"{base}/{tenant}/oauth2/v2.0/token",
            data={**form, "scope": "User.Read"},
            ssl=ssl_context,
        ) as r:
            assert r.status == 400
            assert (await r.json())["error"] == "invalid_scope"

    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == token["ext_expires_in"] == 3599
    key = jwt.PyJWK(jwks["keys"][0]).key
    claims = jwt.decode(
        token["access_token"],
        key,
        algorithms=["RS256"],
        audience="https://graph.microsoft.com",
        issuer=metadata["issuer"],
    )
    assert claims["tid"] == tenant
    assert claims["appid"] == graph_emulator.client_id
    assert metadata["token_endpoint"] == f"{base}/{tenant}/oauth2/v2.0/token"


async def test_a_struggling_authority_is_unavailable_not_misconfigured(
    graph_emulator: GraphEmulator,
) -> None:
    graph_emulator.add_fault("/oauth2/v2.0/token$", 503, count=None)
    gateway = await open_graph(settings_for(graph_emulator, graph_max_retries=0))
    try:
        with pytest.raises(Unavailable) as caught:
            await gateway.directory.get_user(LOTTE_ID)
    finally:
        await gateway.close()

    assert not isinstance(caught.value, GraphAuthenticationError)
