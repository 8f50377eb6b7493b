"""Settings of announcements: who may reach whom, whether a second person approves, the named
groups and channels authors pick from, the sender's pace and the API's callers (keys and Entra
apps)."""

from __future__ import annotations

import json
import re
from typing import Any, Self

from pydantic import BaseModel, Field, field_validator, model_validator

from bot.domain.announcements.audiences import AudienceScope
from bot.settings.values import SHA256_HEX, CommaList


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
    announcement_sender_enabled: bool = Field(
        True,
        description="This process sends announcements (resolves audiences, queues their "
        "messages); several replicas may all run it.",
    )
    announcement_window: int = Field(
        500,
        ge=10,
        description="At most this many messages of one announcement wait in the outbox at a "
        "time (at least ten seconds of WERKPLEK_OUTBOX_RATE_PER_SECOND), so a licence approval "
        "or a post notice never waits behind tens of thousands.",
    )
    announcement_status_seconds: float = Field(
        5.0,
        ge=1.0,
        description="The author's status card is updated at most this often while sending.",
    )
    announcement_batch_from: int = Field(
        5000,
        ge=0,
        description="Announcements whose author left the delivery to Werkplek go out through "
        "Teams batch operations (a hundred people per request, sent on by Teams, past the "
        "50 requests a second) from this audience size on; smaller ones one message per person "
        "through the outbox (exact status, edit and recall). 0: never in batches.",
    )
    announcement_batches_at_once: int = Field(
        20,
        ge=1,
        le=200,
        description="At most this many Teams batch operations of one announcement run at a time.",
    )
    announcement_batch_poll_seconds: float = Field(
        2.0,
        ge=0.2,
        description="How often a running Teams batch operation is asked how far it is.",
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
    announcement_image_hosts: CommaList = Field(
        default_factory=lambda: ["sharepoint.com"],
        description="Host suffixes an announcement's image may come from: the bot fetches it "
        "to check it is an image of a bounded size, so only hosts of the organisation (never "
        "an internal address someone typed).",
    )
    announcement_api_keys: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description='JSON: name -> {"hash": "sha256:<64 hex characters>", "scope": {...like '
        'WERKPLEK_ANNOUNCEMENT_SCOPES...}, "author": "<name shown as author>"}: keys of '
        "systems (Power Automate) that create announcements through POST /api/announcements "
        "(Authorization: Bearer <key>). Only the key's sha256 is stored, as for "
        "WERKPLEK_INTAKE_TOKENS (`werkplek post token NAME` makes a key and its hash; the "
        '"sha256:" prefix may be left out). Names are 1 to 60 letters, digits, "-", "_" or '
        '".". A key reaches only its scope (never "everyone", which needs the admin role).',
    )
    announcement_api_apps: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description='JSON: client app id (GUID) -> {"name": "<1 to 60 letters, digits, \'-\', '
        '\'_\' or \'.\'>", "scope": {...like WERKPLEK_ANNOUNCEMENT_SCOPES...}, "author": "<name '
        'shown as author>"}: Entra apps that call the announcement API with an app-only access '
        "token for Werkplek's API (client credentials) holding the app role "
        "Announcements.Send. An app acts as `api:<name>`, as a key does: names are shared with "
        "WERKPLEK_ANNOUNCEMENT_API_KEYS and may not repeat one.",
    )
    announcement_api_audiences: CommaList = Field(
        default_factory=list,
        description="The `aud` values an app's token may carry (Werkplek's API registration). "
        "Empty: api://<bot app id> and <bot app id>.",
    )

    @property
    def announcement_audience_scopes(self) -> dict[str, AudienceScope]:
        """The configured scopes, keyed by person or group id."""
        return {key: _scope(entry) for key, entry in self.announcement_scopes.items()}

    def announcement_key_scopes(self, prefix: str) -> dict[str, AudienceScope]:
        """Each API key's scope, keyed by the author id the key acts as (prefix + its name)."""
        return {
            prefix + name: _scope(entry.get("scope") or {})
            for name, entry in self.announcement_api_keys.items()
        }

    @property
    def announcement_key_hashes(self) -> dict[str, str]:
        """API key name -> lower-case sha256 hex of the key (checked by _check_api_keys)."""
        return {
            name: _key_digest(entry.get("hash"))
            for name, entry in self.announcement_api_keys.items()
        }

    @property
    def announcement_key_authors(self) -> dict[str, str]:
        """API key name -> the author its announcements show (the name when none is set)."""
        return {
            name: str(entry.get("author") or name).strip() or name
            for name, entry in self.announcement_api_keys.items()
        }

    def announcement_app_scopes(self, prefix: str) -> dict[str, AudienceScope]:
        """Each Entra app's scope, keyed by the author id the app acts as (prefix + its name)."""
        return {
            prefix + entry["name"]: _scope(entry.get("scope") or {})
            for entry in self.announcement_api_apps.values()
        }

    @property
    def announcement_app_names(self) -> dict[str, str]:
        """Entra client app id (lower case) -> the name the app acts as."""
        return {
            app_id.lower(): entry["name"] for app_id, entry in self.announcement_api_apps.items()
        }

    @property
    def announcement_app_authors(self) -> dict[str, str]:
        """Entra app name -> the author its announcements show (the name when none is set)."""
        return {
            entry["name"]: str(entry.get("author") or entry["name"]).strip() or entry["name"]
            for entry in self.announcement_api_apps.values()
        }

    def announcement_app_audiences(self, bot_app_id: str) -> list[str]:
        """The `aud` values an app's token may carry: the configured ones, else the bot's
        Application ID URI and id (both, as v1 and v2 tokens write it differently)."""
        if self.announcement_api_audiences:
            return list(self.announcement_api_audiences)
        return [f"api://{bot_app_id}", bot_app_id] if bot_app_id else []

    @property
    def announcement_image_max_bytes(self) -> int:
        return int(self.announcement_image_max_mb * 1024 * 1024)

    @field_validator(
        "announcement_scopes",
        "announcement_groups",
        "announcement_channels",
        "announcement_api_keys",
        "announcement_api_apps",
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

    @field_validator("announcement_api_keys")
    @classmethod
    def _check_api_keys(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for name, entry in value.items():
            if not _KEY_NAME.fullmatch(name):
                # The name is the key's identity in the store and the audit log ("api:<name>"
                # as the author, in a 64-character column): short and plain.
                raise ValueError(
                    "WERKPLEK_ANNOUNCEMENT_API_KEYS names are 1 to 60 letters, digits, '-', "
                    "'_' or '.'"
                )
            if not isinstance(entry, dict) or set(entry) - _API_KEY_FIELDS:
                raise ValueError(
                    f"WERKPLEK_ANNOUNCEMENT_API_KEYS {name}: only {sorted(_API_KEY_FIELDS)}"
                )
            if not SHA256_HEX.fullmatch(_key_digest(entry.get("hash"))):
                # Never echo it: a pasted key instead of its hash is a secret.
                raise ValueError(
                    f'WERKPLEK_ANNOUNCEMENT_API_KEYS {name}: "hash" is "sha256:" and the sha256 '
                    "of the key (64 hex characters), not the key itself"
                )
            _check_caller(f"WERKPLEK_ANNOUNCEMENT_API_KEYS {name}", entry)
        return value

    @field_validator("announcement_api_apps")
    @classmethod
    def _check_api_apps(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        names: set[str] = set()
        for app_id, entry in value.items():
            if not _GUID.fullmatch(app_id):
                raise ValueError(
                    "WERKPLEK_ANNOUNCEMENT_API_APPS keys are client app ids (GUIDs), "
                    "the app registration's Application (client) ID"
                )
            if not isinstance(entry, dict) or set(entry) - _API_APP_FIELDS:
                raise ValueError(
                    f"WERKPLEK_ANNOUNCEMENT_API_APPS {app_id}: only {sorted(_API_APP_FIELDS)}"
                )
            name = entry.get("name")
            if not isinstance(name, str) or not _KEY_NAME.fullmatch(name):
                raise ValueError(
                    f'WERKPLEK_ANNOUNCEMENT_API_APPS {app_id}: "name" is 1 to 60 letters, '
                    "digits, '-', '_' or '.'"
                )
            if name in names:
                raise ValueError(f"WERKPLEK_ANNOUNCEMENT_API_APPS: the name {name} is used twice")
            names.add(name)
            _check_caller(f"WERKPLEK_ANNOUNCEMENT_API_APPS {app_id}", entry)
        if len({app_id.lower() for app_id in value}) != len(value):
            raise ValueError("WERKPLEK_ANNOUNCEMENT_API_APPS: an app id is listed twice")
        return value

    @model_validator(mode="after")
    def _check_caller_names(self) -> Self:
        # One author id per caller: an app named like a key would share its announcements,
        # its client keys and its scope.
        shared = {entry["name"] for entry in self.announcement_api_apps.values()} & set(
            self.announcement_api_keys
        )
        if shared:
            raise ValueError(
                "WERKPLEK_ANNOUNCEMENT_API_APPS names must differ from the "
                f"WERKPLEK_ANNOUNCEMENT_API_KEYS names: {sorted(shared)}"
            )
        return self


_KEY_NAME = re.compile(r"[A-Za-z0-9._-]{1,60}")
_API_KEY_FIELDS = frozenset({"hash", "scope", "author"})
_HASH_PREFIX = "sha256:"
_API_APP_FIELDS = frozenset({"name", "scope", "author"})
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def _key_digest(value: object) -> str:
    """The hex digest of a configured key hash ("sha256:<hex>" or "<hex>"), lower case."""
    digest = str(value or "").strip().lower()
    return digest.removeprefix(_HASH_PREFIX)


_SCOPE_KEYS = frozenset({"own_entity", "entities", "groups", "channels", "lists", "everyone"})


def _check_caller(what: str, entry: dict[str, Any]) -> None:
    """A key's or an app's scope and author (`what` names it in the error)."""
    scope = entry.get("scope") or {}
    if not isinstance(scope, dict) or set(scope) - _SCOPE_KEYS:
        raise ValueError(f"{what}: unknown scope keys")
    _scope(scope)
    if not isinstance(entry.get("author", ""), str):
        raise ValueError(f'{what}: "author" is a text')


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
