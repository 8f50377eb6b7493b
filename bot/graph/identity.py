"""The bot's own Entra identity (the Azure Bot registration), for proactive sends to Teams.

Same client-credentials flow as Graph, through the same async azure-identity credential, so it
never blocks the event loop and works against the local token authority. bot.teams receives the
credential as an opaque object with `get_token(*scopes)`; only this package imports azure.
"""

from __future__ import annotations

from typing import Any

from azure.identity.aio import ClientSecretCredential

from bot.graph.metering import OnCall, entra_hooks
from bot.settings import Settings

# Multi-tenant bot registrations get their Bot Framework tokens from this tenant.
_BOTFRAMEWORK_TENANT = "botframework.com"


def open_bot_credential(
    settings: Settings, on_call: OnCall | None = None
) -> ClientSecretCredential:
    options: dict[str, Any] = {
        "authority": settings.bot_authority_host or settings.azure_authority_host,
        "retry_total": max(0, settings.graph_max_retries),
    }
    if settings.graph_ca_file:
        options["connection_verify"] = settings.graph_ca_file
    if on_call is not None:
        options.update(entra_hooks(on_call))
    return ClientSecretCredential(
        settings.bot_tenant_id or _BOTFRAMEWORK_TENANT,
        settings.bot_app_id,
        settings.bot_app_secret.get_secret_value(),
        **options,
    )
