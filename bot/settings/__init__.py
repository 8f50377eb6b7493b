"""Every setting Werkplek reads, typed and documented once. The only reader of the environment.

Read with `Settings()` inside `create_app`/the CLI, never at import. `.env` is honoured for
local runs. Names follow ARCHITECTURE.md: a few unprefixed (PORT, HOST, DATABASE_URL,
GRAPH_BASE_URL, AZURE_*), the bot identity in the Agents SDK's own CONNECTIONS__* variables,
and the rest under WERKPLEK_*: a field without an alias is read from WERKPLEK_<FIELD NAME>, so a
new setting's field name is its documented variable name.

The fields are declared in groups (this package's modules, plain pydantic models that read
nothing); `Settings` is all of them at once, read from the environment here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.settings.access import AccessSettings
from bot.settings.announcements import AnnouncementSettings
from bot.settings.connector import ConnectorSettings
from bot.settings.identities import IdentitySettings
from bot.settings.licences import LicenceSettings
from bot.settings.platform import PlatformSettings
from bot.settings.post import PostSettings
from bot.settings.servicedesk import ServiceDeskSettings


class Settings(
    AnnouncementSettings,
    ServiceDeskSettings,
    PostSettings,
    LicenceSettings,
    AccessSettings,
    ConnectorSettings,
    IdentitySettings,
    PlatformSettings,
    BaseSettings,
):
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
