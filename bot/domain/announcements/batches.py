"""Teams batch operations: how an announcement can reach past the per-app 50 requests a second.

An announcement goes out in one of two modes:

- PER_RECIPIENT: one message per person through the durable outbox (exact status per person,
  edit and recall possible, at the tenant's rate limit);
- BATCH: Teams' batch operations (`v3/batch/conversation/users` or `.../channels`), one
  operation per BATCH_SIZE recipients of one language, sent out by Teams itself. Teams returns
  no message ids for them, so they cannot be edited or recalled (nor matched to read receipts);
  the operation's failed entries are retried one by one through the outbox.

The author chooses (AUTOMATIC by default: BATCH from a configured audience size on).

A batch goes CLAIMED (its recipients taken from the snapshot, in one transaction) -> RUNNING
(Teams accepted the operation; its state is polled) -> SETTLED (the operation ended and its
failed entries were handed to the outbox, or recorded as not reached when the announcement no
longer sends). A recipient of a settled batch who is not among its failed entries was sent the
announcement by Teams.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

# Teams takes at most this many users (or channels) in one batch operation.
BATCH_SIZE = 100
# A CLAIMED batch is being submitted by one replica until this long after it took it (its
# next_check_at): no other replica submits it meanwhile, or both operations would reach its
# people. Longer than a request's timeout.
SUBMIT_LEASE = timedelta(seconds=30)

# Operation states after which Teams sends nothing more (compared case-insensitively).
_FINAL_STATES = frozenset({"completed", "failed", "cancelled", "canceled"})


class DeliveryMode(StrEnum):
    AUTOMATIC = "auto"  # BATCH from the configured audience size on, else PER_RECIPIENT
    PER_RECIPIENT = "per_recipient"
    BATCH = "batch"


def effective_mode(choice: DeliveryMode, audience_size: int, batch_from: int) -> DeliveryMode:
    """How an announcement is actually sent: PER_RECIPIENT or BATCH. `batch_from` is the
    configured audience size from which AUTOMATIC means BATCH (0: never)."""
    if choice is not DeliveryMode.AUTOMATIC:
        return choice
    if batch_from > 0 and audience_size >= batch_from:
        return DeliveryMode.BATCH
    return DeliveryMode.PER_RECIPIENT


class BatchPhase(StrEnum):
    CLAIMED = "claimed"  # recipients taken; the operation not (yet) accepted by Teams
    RUNNING = "running"  # Teams accepted it (operation_id known); its state is polled
    SETTLED = "settled"  # ended; failed entries handed on


@dataclass(frozen=True, slots=True)
class Batch:
    """One batch operation of an announcement: at most BATCH_SIZE recipients of one language,
    all people or all team channels."""

    id: int
    announcement_id: int
    phase: BatchPhase
    locale: str
    in_channel: bool  # team channels (members are channel conversation ids), else people
    members: tuple[str, ...]  # what Teams is sent: user object ids, or channel conversation ids
    operation_id: str = ""
    # RUNNING: when to ask Teams again; CLAIMED: until when a replica is submitting it.
    next_check_at: datetime | None = None
    created_at: datetime | None = None  # when it was claimed


@dataclass(frozen=True, slots=True)
class OperationStatus:
    """What Teams says of an operation (GET v3/batch/conversation/{operationId})."""

    state: str  # NotStarted, InProgress, Completed, Failed, Cancelled...
    total: int = 0  # totalEntriesCount
    status_map: Mapping[int, int] = field(default_factory=dict)  # HTTP status -> entries
    retry_after_seconds: float | None = None  # how long to wait before asking again

    @property
    def finished(self) -> bool:
        """Teams will send nothing more: its state says so, or every entry has a status."""
        if self.state.lower() in _FINAL_STATES:
            return True
        return self.total > 0 and sum(self.status_map.values()) >= self.total


@dataclass(frozen=True, slots=True)
class FailedEntry:
    member_id: str  # as it was sent (user object id or channel conversation id)
    error: str


@dataclass(frozen=True, slots=True)
class FailedEntriesPage:
    entries: tuple[FailedEntry, ...]
    continuation: str = ""  # "" : the last page
