"""Settings of the access status card."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field, field_validator


class AccessSettings(BaseModel):
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

    @field_validator("access_key_groups", mode="before")
    @classmethod
    def _parse_key_groups(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value
