"""The people an announcement goes to, what became of each, and the figures that add up.

The audience is resolved once into a snapshot of recipients (stored, so a restart continues
where it was). Each recipient's delivery is one outbox message (dedupe key
`recipient_dedupe_key`), so its outcome is the outbox's verdict. Every person is counted once,
in exactly one bucket, and the buckets add up to the audience size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.platform.outbox import OutboxStatus


class Outcome(StrEnum):
    """One recipient's delivery, as the figures count it."""

    SENT = "sent"  # accepted by Teams at the first attempt
    THROTTLED_SENT = "throttled_sent"  # accepted after one or more retries (429, 5xx)
    FAILED = "failed"  # Teams refused it for good, or it kept failing (a dead letter)
    BLOCKED = "blocked"  # 403: the person blocked or uninstalled the app, or never had it
    NOT_FOUND = "not_found"  # 404: the person or the conversation no longer exists
    NOT_REACHED = "not_reached"  # not yet delivered (queued, in flight, or cancelled before)


def recipient_dedupe_key(announcement_id: int, user_id: str) -> str:
    return f"ann:{announcement_id}:{user_id.lower()}"


def batch_dedupe_key(announcement_id: int) -> str:
    """The key a batch operation's activity carries: Teams' copy to each member then stands
    for `recipient_dedupe_key(announcement_id, member)` (the connector emulator checks both
    against one another, so a person reached by a batch and by the outbox counts twice)."""
    return f"ann:{announcement_id}"


def outcome_of(status: OutboxStatus | None, retries: int, *, batch_sent: bool = False) -> Outcome:
    """A recipient's outcome from their outbox message (None: they have none). `batch_sent`:
    their batch operation ended without them among its failed entries, so Teams sent it; a
    message of their own (a failed entry sent one by one) has the last word all the same."""
    if status is None and batch_sent:
        return Outcome.SENT
    match status:
        case OutboxStatus.SENT:
            return Outcome.SENT if retries == 0 else Outcome.THROTTLED_SENT
        case OutboxStatus.UNREACHABLE:
            return Outcome.BLOCKED
        case OutboxStatus.GONE:
            return Outcome.NOT_FOUND
        case OutboxStatus.FAILED | OutboxStatus.DEAD:
            return Outcome.FAILED
    return Outcome.NOT_REACHED


@dataclass(frozen=True, slots=True)
class NewRecipient:
    user_id: str  # Entra object id; for a channel: its conversation id
    entity: str = ""  # entity code, for the report ("" when unknown)
    locale: str = ""  # "" : the default language
    # A team channel (the CHANNELS audience): posted in that conversation, not a 1:1 chat.
    conversation_id: str = ""


@dataclass(frozen=True, slots=True)
class Recipient:
    announcement_id: int
    user_id: str
    entity: str
    outcome: Outcome
    sent_at: datetime | None = None
    read_at: datetime | None = None
    acknowledged_at: datetime | None = None
    conversation_id: str = ""


@dataclass(frozen=True, slots=True)
class Figures:
    """Where every recipient of one announcement is. `audience` is the snapshot's size."""

    audience: int
    sent: int = 0
    throttled_sent: int = 0
    failed: int = 0
    blocked: int = 0
    not_found: int = 0
    not_reached: int = 0
    read: int = 0  # of those reached
    acknowledged: int = 0

    @property
    def reached(self) -> int:
        return self.sent + self.throttled_sent

    @property
    def finished(self) -> int:
        """People with a final outcome (all but the not yet reached)."""
        return self.audience - self.not_reached

    @property
    def adds_up(self) -> bool:
        return (
            self.sent
            + self.throttled_sent
            + self.failed
            + self.blocked
            + self.not_found
            + self.not_reached
            == self.audience
        )


def tally(rows: Iterable[tuple[Outcome, bool, bool]]) -> Figures:
    """Figures from (outcome, read, acknowledged) per recipient."""
    counts = dict.fromkeys(Outcome, 0)
    read = acknowledged = audience = 0
    for outcome, was_read, was_acknowledged in rows:
        audience += 1
        counts[outcome] += 1
        read += was_read
        acknowledged += was_acknowledged
    return Figures(
        audience=audience,
        sent=counts[Outcome.SENT],
        throttled_sent=counts[Outcome.THROTTLED_SENT],
        failed=counts[Outcome.FAILED],
        blocked=counts[Outcome.BLOCKED],
        not_found=counts[Outcome.NOT_FOUND],
        not_reached=counts[Outcome.NOT_REACHED],
        read=read,
        acknowledged=acknowledged,
    )


@dataclass(frozen=True, slots=True)
class EntityFigures:
    """One line of the report's summary: an entity's reached / read / acknowledged."""

    entity: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class Progress:
    """What the author's live status card shows: the figures, the rate and the expected end."""

    figures: Figures
    per_second: float  # recipients finished per second since the start (0 when unknown)
    expected_end: datetime | None


def progress(figures: Figures, started_at: datetime | None, now: datetime) -> Progress:
    if started_at is None or figures.finished == 0:
        return Progress(figures, 0.0, None)
    seconds = max((now - started_at).total_seconds(), 1e-3)
    rate = figures.finished / seconds
    if figures.not_reached == 0:
        return Progress(figures, rate, now)
    return Progress(figures, rate, now + timedelta(seconds=figures.not_reached / rate))
