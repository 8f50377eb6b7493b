"""Settings of the way to Teams: the connector hosts the bot may talk to and the outbox that sends
proactive messages there."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from bot.domain.platform.connector_hosts import TEAMS_CONNECTOR_HOSTS, ConnectorHosts
from bot.settings.values import CommaList


class ConnectorSettings(BaseModel):
    # --- the Teams connector ------------------------------------------------------------------
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

    # --- outbox (proactive sends) ------------------------------------------------------------
    outbox_rate_per_second: float = Field(
        50.0,
        description="Tenant-wide send limit shared by all replicas (Teams allows about 50/s).",
    )
    outbox_concurrency: int = 64
    outbox_max_attempts: int = 8
    outbox_lease_seconds: float = 60.0
    outbox_enabled: bool = True

    @field_validator("connector_hosts")
    @classmethod
    def _check_connector_hosts(cls, value: list[str]) -> list[str]:
        ConnectorHosts(value)  # raises on an entry that is not a host or host:port
        return value

    @property
    def allowed_connector_hosts(self) -> ConnectorHosts:
        return ConnectorHosts(self.connector_hosts)
