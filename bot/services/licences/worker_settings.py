"""How the licence worker paces itself: polling, batches, leases, retries and rechecks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    timezone: tzinfo
    poll_seconds: float = 5.0  # how often to look for due work when nobody woke us
    batch: int = 20
    concurrency: int = 8
    lease_seconds: float = 120.0  # a step that fails unexpectedly is retried after this
    # transient Graph failures before fulfilment gives up; also the steps in a row that may
    # fail unexpectedly or stop the worker before the request is set aside
    max_attempts: int = 12
    retry_base_seconds: float = 15.0
    retry_max_seconds: float = 3600.0
    seat_recheck_seconds: float = 900.0
    usage_location_recheck_seconds: float = 3600.0
    verify_delay_seconds: float = 20.0  # group-based licensing takes Entra a moment
