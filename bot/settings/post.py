"""Settings of incoming post: who may post scans, where scans are kept, routing and reminders."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from bot.settings.values import SHA256_HEX, CommaList

_TOKEN_NAME = re.compile(r"[A-Za-z0-9._-]{1,57}")


class PostSettings(BaseModel):
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

    @field_validator("intake_tokens")
    @classmethod
    def _check_token_hashes(cls, value: list[str]) -> list[str]:
        names = set()
        for entry in value:
            name, _, digest = entry.partition(":")
            if not name.strip() or not SHA256_HEX.fullmatch(digest.strip().lower()):
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

    @property
    def post_max_bytes(self) -> int:
        return int(self.post_max_mb * 1024 * 1024)

    @property
    def intake_token_hashes(self) -> dict[str, str]:
        """Token name -> lower-case sha256 hex of the token."""
        pairs = (entry.partition(":") for entry in self.intake_tokens)
        return {name.strip(): digest.strip().lower() for name, _, digest in pairs}
