"""The append-only audit trail: who did what to which object, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"
    DENIED = "denied"
    REJECTED = "rejected"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One state change or denied attempt. Ids only: no names, texts or e-mail addresses."""

    at: datetime
    actor_id: str
    action: str
    outcome: Outcome
    role: str = ""
    tenant_id: str = ""
    object_type: str = ""
    object_id: str = ""
    correlation_id: str = ""
    detail: dict[str, str] = field(default_factory=dict)
