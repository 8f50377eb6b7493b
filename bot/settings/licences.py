"""Settings of the licence and Power BI access requests."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LicenceSettings(BaseModel):
    # --- licences and Power BI access -----------------------------------------------------------
    licence_worker_enabled: bool = True
    licence_poll_seconds: float = Field(
        5.0,
        description="How often the licence worker looks for due work when nothing woke it.",
    )
    licence_seat_recheck_minutes: float = Field(
        15.0,
        description="How often a request waiting for seats looks at the seat count again.",
    )
    licence_max_attempts: int = Field(
        12,
        description="Transient Graph failures (429, 5xx) before a fulfilment is given up.",
    )
