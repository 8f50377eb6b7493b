"""Builds the Graph SDK client: credential, HTTP client with our middleware, request adapter.

- Token: azure-identity's aio ClientSecretCredential. It talks to the authority itself (no MSAL
  underneath, so no instance discovery to switch off for a non-Microsoft authority such as the
  local emulator); an extra CA is passed explicitly (`connection_verify`), never through
  process-wide environment variables.
- HTTP: kiota's default middleware with our capped retry handler instead of its own, Graph's
  telemetry handler, and the call meter innermost so each attempt is counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from azure.identity.aio import ClientSecretCredential
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from kiota_http.kiota_client_factory import KiotaClientFactory
from kiota_http.middleware import RetryHandler
from kiota_http.middleware.middleware import BaseMiddleware
from kiota_http.middleware.options import UrlReplaceHandlerOption
from msgraph._version import VERSION as MSGRAPH_VERSION
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import APIVersion, GraphClientFactory
from msgraph_core.middleware import GraphTelemetryHandler
from msgraph_core.middleware.options import GraphTelemetryHandlerOption

from bot.graph.metering import CallMeter, OnCall, entra_hooks
from bot.graph.retry import CappedRetryHandler
from bot.settings import Settings

GRAPH_SCOPES = ["https://graph.microsoft.com/.default"]
# A chat reply waits on these calls: fail over to "try again later" well before users give up.
HTTP_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# A fixed ceiling on the sockets a burst of turns can open to Graph (HTTP/2 multiplexes within
# them); callers beyond it wait for a free one, within HTTP_TIMEOUT.
HTTP_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30)


@dataclass(frozen=True, slots=True)
class GraphClient:
    """The SDK client and the resources that must be closed with it."""

    service: GraphServiceClient
    credential: ClientSecretCredential
    http: httpx.AsyncClient

    async def close(self) -> None:
        try:
            await self.http.aclose()
        finally:
            await self.credential.close()


def missing_settings(settings: Settings) -> list[str]:
    """Names of the environment variables Graph access still needs (never their values)."""
    required = {
        "AZURE_TENANT_ID": settings.azure_tenant_id,
        "AZURE_CLIENT_ID": settings.azure_client_id,
        "AZURE_CLIENT_SECRET": settings.azure_client_secret.get_secret_value(),
    }
    return [name for name, value in required.items() if not value]


def build_credential(settings: Settings, on_call: OnCall | None = None) -> ClientSecretCredential:
    options: dict[str, Any] = {
        "authority": settings.azure_authority_host,
        # azure-core's retry policy for token requests, bounded like the Graph calls.
        "retry_total": max(0, settings.graph_max_retries),
        "retry_backoff_max": settings.graph_max_retry_after,
    }
    if settings.graph_ca_file:
        options["connection_verify"] = settings.graph_ca_file
    if on_call is not None:
        options.update(entra_hooks(on_call))
    return ClientSecretCredential(
        settings.azure_tenant_id,
        settings.azure_client_id,
        settings.azure_client_secret.get_secret_value(),
        **options,
    )


def build_middleware(settings: Settings, on_call: OnCall | None = None) -> list[BaseMiddleware]:
    telemetry = GraphTelemetryHandlerOption(api_version=APIVersion.v1, sdk_version=MSGRAPH_VERSION)
    options: dict[str, Any] = {
        # What msgraph's own adapter configures: /users/me-token-to-replace -> /me.
        UrlReplaceHandlerOption.get_key(): UrlReplaceHandlerOption(
            enabled=True, replacement_pairs={"/users/me-token-to-replace": "/me"}
        ),
        GraphTelemetryHandlerOption.get_key(): telemetry,
    }
    retry = CappedRetryHandler(settings.graph_max_retries, settings.graph_max_retry_after)
    chain: list[BaseMiddleware] = [
        retry if isinstance(handler, RetryHandler) else handler
        for handler in KiotaClientFactory.get_default_middleware(options)
    ]
    chain.append(GraphTelemetryHandler(options=telemetry))
    if on_call is not None:
        chain.append(CallMeter(on_call))
    return chain


def build_client(settings: Settings, on_call: OnCall | None = None) -> GraphClient:
    missing = missing_settings(settings)
    if missing:
        raise ValueError(f"Microsoft Graph is not configured: set {', '.join(missing)}")
    credential = build_credential(settings, on_call)
    http = httpx.AsyncClient(timeout=HTTP_TIMEOUT, limits=HTTP_LIMITS, http2=True)
    GraphClientFactory.create_with_custom_middleware(
        build_middleware(settings, on_call), client=http
    )
    adapter = GraphRequestAdapter(
        AzureIdentityAuthenticationProvider(credential, scopes=GRAPH_SCOPES), client=http
    )
    adapter.base_url = settings.graph_base_url.rstrip("/")
    return GraphClient(GraphServiceClient(request_adapter=adapter), credential, http)
