"""What Werkplek knows about people and groups in the directory (Entra ID)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class DirectoryUser:
    id: str
    display_name: str
    user_principal_name: str
    mail: str | None = None
    given_name: str | None = None
    surname: str | None = None
    job_title: str | None = None
    department: str | None = None
    company_name: str | None = None
    office_location: str | None = None
    preferred_language: str | None = None
    usage_location: str | None = None
    user_type: str | None = None
    account_enabled: bool | None = None
    on_premises_sync_enabled: bool | None = None
    on_premises_last_sync: datetime | None = None


@dataclass(frozen=True, slots=True)
class GroupRef:
    id: str
    display_name: str
