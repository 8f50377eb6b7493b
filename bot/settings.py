"""Every setting Werkplek reads, typed and documented once. The only reader of the environment.

Read with `Settings()` inside `create_app`/the CLI, never at import. `.env` is honoured for
local runs. Names follow ARCHITECTURE.md: a few unprefixed (PORT, HOST, DATABASE_URL,
GRAPH_BASE_URL, AZURE_*), the bot identity in the Agents SDK's own CONNECTIONS__* variables,
and the rest under WERKPLEK_*: a field without an alias is read from WERKPLEK_<FIELD NAME>, so a
new setting's field name is its documented variable name.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.domain.platform.connector_hosts import TEAMS_CONNECTOR_HOSTS, ConnectorHosts

_SDK_PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"

CommaList = Annotated[list[str], NoDecode]
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_TOKEN_NAME = re.compile(r"[A-Za-z0-9._-]{1,57}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        # Only for fields without a validation_alias (pydantic-settings does not prefix aliases).
        env_prefix="WERKPLEK_",
        extra="ignore",
        populate_by_name=True,
        # A refused value never reaches the start-up error (and so the logs): it may be a
        # secret pasted where its hash belongs (WERKPLEK_INTAKE_TOKENS).
        hide_input_in_errors=True,
    )

    # --- HTTP -------------------------------------------------------------------------------
    port: int = Field(3978, validation_alias="PORT")
    host: str = Field("127.0.0.1", validation_alias="HOST")

    # --- storage ----------------------------------------------------------------------------
    database_url: str = Field(
        "sqlite+aiosqlite:///var/werkplek.db",
        validation_alias="DATABASE_URL",
    )

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

    # --- Werkplek ---------------------------------------------------------------------------
    allowed_tenants: CommaList = Field(
        default_factory=list,
        description="Tenants whose users may talk to the bot; empty: only AZURE_TENANT_ID.",
    )
    role_groups: dict[str, list[str]] = Field(
        default_factory=dict,
        description='JSON: role -> Entra group ids, e.g. {"agent": ["<group id>"]}.',
    )
    role_cache_seconds: float = 300.0
    default_service_url: str = Field(
        "https://smba.trafficmanager.net/teams/",
        description="Connector URL used to open a 1:1 chat with someone the bot never met.",
    )
    connector_hosts: CommaList = Field(
        default_factory=lambda: list(TEAMS_CONNECTOR_HOSTS),
        description="Connector hosts the bot may reply and send to (exact host or host:port, "
        "never a suffix; https only, except loopback). Default: the Teams service hosts.",
    )
    connector_max_retry_after: float = Field(
        60.0,
        gt=0,
        description="Longest Retry-After of the Teams connector honoured, for the tenant-wide "
        "pause and for one message's next try.",
    )
    servicedesk_url: str = "https://servicedesk.example.org"
    timezone: str = Field(
        "Europe/Brussels",
        description="IANA time zone of the organisation: dates on cards, deadlines, working days "
        "and reports. Read it as `Settings.zone`.",
    )
    default_locale: str = "nl"

    # --- access status ------------------------------------------------------------------------
    access_stale_sync_days: float = Field(
        3.0,
        description="A synchronised account whose last sync is older than this gets a warning.",
    )
    access_key_groups: dict[str, str] = Field(
        default_factory=dict,
        description="JSON: group id -> friendly name of the groups shown on the card.",
    )
    security_info_url: str = "https://mysignins.microsoft.com/security-info"
    device_help_url: str = "https://portal.manage.microsoft.com"
    account_help_url: str = Field(
        "https://servicedesk.example.org",
        description="Where a person with a disabled account or a sync problem gets help.",
    )

    # --- outbox (proactive sends) ------------------------------------------------------------
    outbox_rate_per_second: float = Field(
        50.0,
        description="Tenant-wide send limit shared by all replicas (Teams allows about 50/s).",
    )
    outbox_concurrency: int = 64
    outbox_max_attempts: int = 8
    outbox_lease_seconds: float = 60.0
    outbox_enabled: bool = True

    # --- licences and Power BI access -----------------------------------------------------------
    licence_worker_enabled: bool = True
    licence_poll_seconds: float = Field(
        5.0,
        description="How often the licence worker looks for due work when nothing woke it.",
    )
    licence_seat_recheck_minutes: float = Field(
        15.0,
        description="How often a request waiting for seats looks at the seat count again.",
    )
    licence_max_attempts: int = Field(
        12,
        description="Transient Graph failures (429, 5xx) before a fulfilment is given up.",
    )

    # --- incoming post --------------------------------------------------------------------------
    intake_tokens: CommaList = Field(
        default_factory=list,
        description='Who may post scans: comma list of "name:sha256 hex of the token" (make one '
        "with `werkplek post token NAME`). Empty: the intake API refuses everyone.",
    )
    post_max_mb: float = Field(
        30.0,
        description="The largest scan the intake API accepts, in MB.",
    )
    documents_dir: str = Field(
        "var/documents",
        description="Where scans are kept on this machine (when not in SharePoint).",
    )
    documents_drive_id: str = Field(
        "",
        description="Graph drive id (b!...) of the SharePoint library or OneDrive that keeps the "
        "scans. Empty: they stay on this machine (WERKPLEK_DOCUMENTS_DIR).",
    )
    documents_folder: str = Field(
        "Werkplek/Post",
        description="Folder in that drive for the scans (yyyy/mm/ folders go below it).",
    )
    post_worker_enabled: bool = Field(
        True,
        description="Routes items left unrouted, sends reminders and purges old scans.",
    )
    mailroom_channel_id: str = Field(
        "",
        description="Teams channel conversation id of the mailroom: items to route land there.",
    )
    post_retention_days: int = Field(
        90,
        description="Days after handling that a scan is deleted (metadata and audit are kept).",
    )
    post_reminder_working_days: int = Field(
        3,
        description="Working days an item may stay unhandled before its addressee is reminded.",
    )
    post_escalation_working_days: int = Field(
        7,
        description="Working days unhandled before the entity's ICT admins are told.",
    )

    # --- links and files ------------------------------------------------------------------------
    public_base_url: str = Field(
        "http://localhost:3978",
        description="The bot's public https address, used in the download links it hands out.",
    )
    link_secret: SecretStr = Field(
        SecretStr(""),
        description="Signs download links; the same on every replica. Empty: a random one per "
        "start (links then die with a restart and work on one replica only).",
    )
    link_minutes: float = Field(
        10.0,
        description="How long a download link works.",
    )
    file_download_hosts: CommaList = Field(
        default_factory=lambda: ["sharepoint.com"],
        description="Host suffixes the bot may download files people send it from.",
    )
    max_upload_mb: float = Field(
        5.0,
        description="The largest workbook the bot imports from chat.",
    )

    # --- operations ---------------------------------------------------------------------------
    log_level: str = "INFO"
    log_format: str = "json"
    jwks_timeout_seconds: float = Field(
        5.0,
        description="Longest wait for token validation (signing-key fetch) before answering 401.",
    )
    metrics_token: str = Field(
        "",
        description="sha256 hex of the bearer token that may read GET /metrics on the main port "
        "(Prometheus `authorization: credentials`). Empty: /metrics answers loopback peers only "
        "(or only on WERKPLEK_METRICS_PORT when that is set).",
    )
    metrics_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Also serve /metrics, without a token, on 127.0.0.1:<port> (an agent on the "
        "same host or pod); the main port then serves it only with the token. 0: no such port.",
    )
    migrate_on_start: bool = True

    @field_validator(
        "allowed_tenants",
        "file_download_hosts",
        "intake_tokens",
        "bot_entra_callers",
        "connector_hosts",
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("intake_tokens")
    @classmethod
    def _check_token_hashes(cls, value: list[str]) -> list[str]:
        names = set()
        for entry in value:
            name, _, digest = entry.partition(":")
            if not name.strip() or not _SHA256_HEX.fullmatch(digest.strip().lower()):
                # Never echo the entry: a pasted token instead of its hash is a secret.
                raise ValueError(
                    'WERKPLEK_INTAKE_TOKENS entries are "name:<64 hex characters>" '
                    "(the sha256 of the token, see `werkplek post token`)"
                )
            if name.strip() in names:
                raise ValueError(f"WERKPLEK_INTAKE_TOKENS names {name.strip()!r} twice")
            if not _TOKEN_NAME.fullmatch(name.strip()):
                # The name is the scanner's identity in the store and the audit log
                # ("intake:<name>" in a 64-character column): short and plain.
                raise ValueError(
                    "WERKPLEK_INTAKE_TOKENS names are 1 to 57 letters, digits, '-', '_' or '.'"
                )
            names.add(name.strip())
        return value

    @field_validator("metrics_token")
    @classmethod
    def _check_metrics_hash(cls, value: str) -> str:
        value = value.strip().lower()
        if value and not _SHA256_HEX.fullmatch(value):
            # Never echo it: a pasted token instead of its hash is a secret.
            raise ValueError(
                "WERKPLEK_METRICS_TOKEN is the sha256 of the token (64 hex characters), "
                "not the token itself"
            )
        return value

    @field_validator("connector_hosts")
    @classmethod
    def _check_connector_hosts(cls, value: list[str]) -> list[str]:
        ConnectorHosts(value)  # raises on an entry that is not a host or host:port
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        value = value.strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            # ValueError: an empty or path-like key, which zoneinfo refuses before any lookup.
            raise ValueError(
                f"WERKPLEK_TIMEZONE={value!r} is not an IANA time zone name (e.g. Europe/Brussels)"
            ) from None
        return value

    @field_validator("role_groups", "access_key_groups", mode="before")
    @classmethod
    def _parse_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # populate_by_name is for code and tests (`Settings(port=...)`). Left on for the
        # environment and .env, it would also read an aliased field under its prefixed name
        # (WERKPLEK_PORT, WERKPLEK_BOT_APP_SECRET): one documented name per setting, no other.
        for source in (env_settings, dotenv_settings):
            source.config = SettingsConfigDict(**{**source.config, "populate_by_name": False})
        return init_settings, env_settings, dotenv_settings, file_secret_settings

    @classmethod
    def variable(cls, field: str) -> str:
        """The environment variable that `field` is read from."""
        alias = cls.model_fields[field].validation_alias
        return alias if isinstance(alias, str) else cls.model_config["env_prefix"] + field.upper()

    @classmethod
    def from_variables(cls, variables: Mapping[str, str]) -> Settings:
        """Settings from these environment variables alone (not the process's, not .env), for
        tools that hand the same variables to child processes and must read them alike."""
        fields = {cls.variable(name): name for name in cls.model_fields}
        unknown = sorted(set(variables) - set(fields))
        if unknown:
            # Silently dropping one would leave a default where the children use the value.
            raise ValueError(f"not Werkplek settings: {', '.join(unknown)}")
        # Every field given, so the process's environment (read by any construction, even
        # model_validate) has nothing left to fill in.
        values: dict[str, Any] = {
            name: field.get_default(call_default_factory=True)
            for name, field in cls.model_fields.items()
        }
        values.update((fields[name], value) for name, value in variables.items())
        return cls(_env_file=None, **values)

    @property
    def zone(self) -> ZoneInfo:
        """The organisation's time zone, checked at start-up (zoneinfo caches it per key)."""
        return ZoneInfo(self.timezone)

    @property
    def is_anonymous(self) -> bool:
        """No bot identity configured: the bot accepts unauthenticated local traffic."""
        return not self.bot_app_id

    @property
    def listens_on_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def allowed_connector_hosts(self) -> ConnectorHosts:
        return ConnectorHosts(self.connector_hosts)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def post_max_bytes(self) -> int:
        return int(self.post_max_mb * 1024 * 1024)

    @property
    def intake_token_hashes(self) -> dict[str, str]:
        """Token name -> lower-case sha256 hex of the token."""
        pairs = (entry.partition(":") for entry in self.intake_tokens)
        return {name.strip(): digest.strip().lower() for name, _, digest in pairs}

    @property
    def tenants(self) -> frozenset[str]:
        allowed = set(self.allowed_tenants)
        if not allowed and self.azure_tenant_id:
            allowed.add(self.azure_tenant_id)
        return frozenset(allowed)


class ConfigurationError(Exception):
    """The settings cannot work together; the process refuses to start."""


def check_startup(settings: Settings) -> None:
    """Refuse configurations that would be unsafe to serve."""
    if settings.is_anonymous and not settings.listens_on_loopback:
        raise ConfigurationError(
            "No bot app id is configured (CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID), "
            f"so /api/messages would accept unauthenticated traffic, but HOST={settings.host} is "
            "not a loopback address. Configure the bot identity or listen on 127.0.0.1."
        )
    if not settings.allowed_connector_hosts.allows(settings.default_service_url):
        raise ConfigurationError(
            f"WERKPLEK_DEFAULT_SERVICE_URL={settings.default_service_url} is not on an allowed "
            "connector host (WERKPLEK_CONNECTOR_HOSTS; https only, except loopback): the bot "
            "would open chats there with its own token."
        )
    missing = [
        name
        for name, value in (
            ("AZURE_TENANT_ID", settings.azure_tenant_id),
            ("AZURE_CLIENT_ID", settings.azure_client_id),
            ("AZURE_CLIENT_SECRET", settings.azure_client_secret.get_secret_value()),
        )
        if not value
    ]
    if missing:
        raise ConfigurationError(
            f"Microsoft Graph is not configured: set {', '.join(missing)} (see .env.example)."
        )
