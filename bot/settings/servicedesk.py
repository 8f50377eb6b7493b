"""Settings of the service desk: where its agents work and the service levels they keep."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field, field_validator


class ServiceDeskSettings(BaseModel):
    servicedesk_channel_id: str = Field(
        "",
        description="Teams channel conversation id of the central service desk: every ticket "
        "gets its card there. Empty: tickets are kept, no card is posted.",
    )
    servicedesk_entity_channels: dict[str, str] = Field(
        default_factory=dict,
        description="JSON: entity code -> channel conversation id of that entity's own desk, "
        'e.g. {"AWV": "19:...@thread.tacv2"}; its staff\'s tickets go there.',
    )
    servicedesk_lead_channel_id: str = Field(
        "",
        description="Teams channel conversation id of the service desk's leads: a ticket that "
        "misses its first-response or resolution target is escalated there. Empty: to the "
        "ticket's own desk channel.",
    )
    servicedesk_sla_worker_enabled: bool = Field(
        True,
        description="Reminds the assignee before a ticket's target is missed and escalates "
        "when it is.",
    )
    servicedesk_targets: dict[str, list[float]] = Field(
        default_factory=dict,
        description="JSON: urgency -> [first response, resolution] in working hours, e.g. "
        '{"high": [1, 8]}; urgencies left out keep their defaults (high 1/8, normal 4/24, '
        "low 8/40).",
    )
    servicedesk_max_file_mb: float = Field(
        10.0,
        gt=0,
        description="The largest file a person can attach to their ticket from the chat "
        "(refused while it is fetched, never read whole).",
    )

    @property
    def servicedesk_max_file_bytes(self) -> int:
        return int(self.servicedesk_max_file_mb * 1024 * 1024)

    @field_validator("servicedesk_entity_channels", "servicedesk_targets", mode="before")
    @classmethod
    def _parse_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @field_validator("servicedesk_targets")
    @classmethod
    def _check_targets(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        from bot.domain.servicedesk.tickets import Urgency

        for urgency, hours in value.items():
            Urgency(urgency)  # a ValueError names the unknown urgency
            if len(hours) != 2 or not 0 < hours[0] <= hours[1]:
                raise ValueError(
                    f"servicedesk target for {urgency!r}: [first response, resolution] hours, "
                    "the first no later than the second"
                )
        return value
