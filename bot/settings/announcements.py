"""Settings of announcements: who may reach whom, whether a second person approves, the named
groups and channels authors pick from, the sender's pace and the API's keys."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field, field_validator

from bot.domain.announcements.audiences import AudienceScope


class AnnouncementSettings(BaseModel):
    announcement_scopes: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="JSON: Entra object id of a comms person or of a group -> what they may "
        'reach, e.g. {"<group id>": {"entities": ["AWV", "DOMG"], "groups": ["<group id>"], '
        '"channels": true, "lists": true, "own_entity": true, "everyone": false}}. "everyone" '
        "lets them pick any entity, group or list; the audience 'everyone' itself needs the "
        "admin role. Someone without an entry reaches their own entity only.",
    )
    announcement_groups: dict[str, str] = Field(
        default_factory=dict,
        description="JSON: Entra group id -> the name authors see, the groups offered as an "
        'audience, e.g. {"<group id>": "Alle leidinggevenden"}.',
    )
    announcement_channels: dict[str, str] = Field(
        default_factory=dict,
        description="JSON: Teams channel conversation id -> its name, the channels offered as "
        "an audience (the bot must be in their team).",
    )
    announcement_approval_required: bool = Field(
        False,
        description="Every announcement is approved by a second comms person or an admin "
        "before it is sent.",
    )
    announcement_window: int = Field(
        500,
        ge=10,
        description="At most this many messages of one announcement wait in the outbox at a "
        "time, so a licence approval or a post notice never waits behind tens of thousands.",
    )
    announcement_status_seconds: float = Field(
        5.0,
        ge=1.0,
        description="The author's status card is updated at most this often while sending.",
    )
    announcement_teams_app_id: str = Field(
        "",
        description="The Teams app's catalogue id: people who never opened Werkplek get it "
        "installed through Graph before an announcement reaches them. Empty: they are counted "
        "as not reachable.",
    )
    announcement_image_max_mb: float = Field(
        2.0,
        gt=0,
        description="The largest image an announcement may show (fetched and checked before "
        "sending).",
    )
    announcement_api_keys: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description='JSON: name -> {"hash": "sha256:<hex>", "scope": {...like '
        'WERKPLEK_ANNOUNCEMENT_SCOPES...}, "author": "<name shown as author>"}: keys of '
        "systems (Power Automate) that create announcements through POST /api/announcements. "
        "Only the hash is stored.",
    )

    @property
    def announcement_audience_scopes(self) -> dict[str, AudienceScope]:
        """The configured scopes, keyed by person or group id."""
        return {key: _scope(entry) for key, entry in self.announcement_scopes.items()}

    @property
    def announcement_image_max_bytes(self) -> int:
        return int(self.announcement_image_max_mb * 1024 * 1024)

    @field_validator(
        "announcement_scopes",
        "announcement_groups",
        "announcement_channels",
        "announcement_api_keys",
        mode="before",
    )
    @classmethod
    def _parse_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @field_validator("announcement_scopes")
    @classmethod
    def _check_scopes(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for key, entry in value.items():
            unknown = set(entry) - _SCOPE_KEYS
            if unknown:
                raise ValueError(f"scope of {key}: unknown keys {sorted(unknown)}")
            _scope(entry)
        return value


_SCOPE_KEYS = frozenset({"own_entity", "entities", "groups", "channels", "lists", "everyone"})


def _scope(entry: dict[str, Any]) -> AudienceScope:
    entities = entry.get("entities", [])
    groups = entry.get("groups", [])
    if not isinstance(entities, list) or not isinstance(groups, list):
        raise ValueError("entities and groups are lists")
    return AudienceScope(
        own_entity=bool(entry.get("own_entity", True)),
        entities=frozenset(str(code).upper() for code in entities),
        groups=frozenset(str(group).lower() for group in groups),
        channels=bool(entry.get("channels", False)),
        lists=bool(entry.get("lists", False)),
        everyone=bool(entry.get("everyone", False)),
    )
