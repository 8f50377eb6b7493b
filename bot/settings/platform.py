"""Settings every capability stands on: where the bot listens and keeps its data, whose tenant it
serves with which roles, the organisation's time zone, links and files, and operations."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, field_validator

from bot.settings.values import SHA256_HEX, CommaList


class PlatformSettings(BaseModel):
    # --- HTTP -------------------------------------------------------------------------------
    port: int = Field(3978, validation_alias="PORT")
    host: str = Field("127.0.0.1", validation_alias="HOST")

    # --- storage ----------------------------------------------------------------------------
    database_url: str = Field(
        "sqlite+aiosqlite:///var/werkplek.db",
        validation_alias="DATABASE_URL",
    )

    # --- tenants, roles, the organisation -------------------------------------------------
    allowed_tenants: CommaList = Field(
        default_factory=list,
        description="Tenants whose users may talk to the bot; empty: only AZURE_TENANT_ID.",
    )
    role_groups: dict[str, list[str]] = Field(
        default_factory=dict,
        description='JSON: role -> Entra group ids, e.g. {"agent": ["<group id>"]}.',
    )
    role_cache_seconds: float = 300.0
    servicedesk_url: str = "https://servicedesk.example.org"
    timezone: str = Field(
        "Europe/Brussels",
        description="IANA time zone of the organisation: dates on cards, deadlines, working days "
        "and reports. Read it as `Settings.zone`.",
    )
    default_locale: str = "nl"
    working_hours: str = Field(
        "08:00-17:00",
        description="The organisation's working hours each working day, e.g. 08:00-17:00: "
        "service-desk targets count them.",
    )
    holiday_country: str = Field(
        "BE",
        description="Whose public holidays are no working days (ISO country code, the "
        "`holidays` library's; with WERKPLEK_HOLIDAY_SUBDIVISION for a region's own).",
    )
    holiday_subdivision: str = ""
    closing_days: CommaList = Field(
        default_factory=lambda: ["07-11"],
        description="More days the organisation is closed: MM-DD every year or YYYY-MM-DD once "
        "(default: 11 July, the Flemish Community's holiday).",
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

    @field_validator("metrics_token")
    @classmethod
    def _check_metrics_hash(cls, value: str) -> str:
        value = value.strip().lower()
        if value and not SHA256_HEX.fullmatch(value):
            # Never echo it: a pasted token instead of its hash is a secret.
            raise ValueError(
                "WERKPLEK_METRICS_TOKEN is the sha256 of the token (64 hex characters), "
                "not the token itself"
            )
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

    @field_validator("working_hours")
    @classmethod
    def _check_working_hours(cls, value: str) -> str:
        from bot.domain.platform.working_time import WorkingHours

        WorkingHours.parse(value)  # a ValueError names the setting's value
        return value.strip()

    @field_validator("holiday_country")
    @classmethod
    def _check_holiday_country(cls, value: str) -> str:
        value = value.strip().upper()
        if not (len(value) == 2 and value.isalpha()):
            raise ValueError(f"WERKPLEK_HOLIDAY_COUNTRY={value!r} is no ISO country code (BE)")
        return value

    @field_validator("closing_days")
    @classmethod
    def _check_closing_days(cls, value: list[str]) -> list[str]:
        from bot.services.platform.working_calendar import closing_day

        for day in value:
            closing_day(day)
        return value

    @field_validator("role_groups", mode="before")
    @classmethod
    def _parse_role_groups(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The organisation's time zone, checked at start-up (zoneinfo caches it per key)."""
        return ZoneInfo(self.timezone)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
