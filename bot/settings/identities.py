"""Settings of the two identities the bot acts as: the application that calls Microsoft Graph,
and the bot that Teams talks to (in the Agents SDK's own CONNECTIONS__* variables)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

from bot.settings.values import CommaList

_SDK_PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"


class IdentitySettings(BaseModel):
    # --- Microsoft Graph (application identity of the bot's back office) --------------------
    graph_base_url: str = Field(
        "https://graph.microsoft.com/v1.0",
        validation_alias="GRAPH_BASE_URL",
    )
    azure_tenant_id: str = Field("", validation_alias="AZURE_TENANT_ID")
    azure_client_id: str = Field("", validation_alias="AZURE_CLIENT_ID")
    azure_client_secret: SecretStr = Field(SecretStr(""), validation_alias="AZURE_CLIENT_SECRET")
    azure_authority_host: str = Field(
        "https://login.microsoftonline.com",
        validation_alias="AZURE_AUTHORITY_HOST",
    )
    graph_ca_file: str = Field(
        "",
        description="Extra CA bundle to trust for the token authority (local emulator).",
    )
    graph_max_retries: int = 3
    graph_max_retry_after: float = Field(
        30.0,
        description="Longest Retry-After (seconds) of a throttled Graph call that is honoured.",
    )
    directory_cache_seconds: float = 300.0

    # --- bot identity (the Agents SDK's own variables) ---------------------------------------
    bot_app_id: str = Field("", validation_alias=_SDK_PREFIX + "CLIENTID")
    bot_app_secret: SecretStr = Field(SecretStr(""), validation_alias=_SDK_PREFIX + "CLIENTSECRET")
    bot_tenant_id: str = Field("", validation_alias=_SDK_PREFIX + "TENANTID")
    bot_authority_host: str = Field("", validation_alias=_SDK_PREFIX + "AUTHORITYENDPOINT")
    bot_tenant_issuers: bool = Field(
        True,
        description="Single-tenant bot: also believe tokens issued by the bot tenant's own Entra "
        "ID (v1 and v2 issuers), from the callers below only. Off: Bot Framework tokens only.",
    )
    bot_entra_callers: CommaList = Field(
        # The agents platform's service app (the SDK's AuthenticationConstants.APX_PRODUCTION_SCOPE,
        # the `azp` of the Entra tokens it sends to agents); the Bot Framework channel itself
        # sends Bot Framework tokens and needs no entry.
        default_factory=lambda: ["5a807f24-c9de-44ee-a3a7-329e88a00ffc"],
        description="App ids (appid/azp) whose Entra-issued tokens may call /api/messages.",
    )
