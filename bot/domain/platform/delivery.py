"""How a proactive send went, and when to try again: pure rules, no I/O.

The Teams connector answers every send with an HTTP status, sometimes an error code in the body
(`{"error": {"code": ...}}`) and, when throttling, a Retry-After header. `classify` turns that
into one of five verdicts the outbox sender acts on; `next_attempt_delay` spaces retries out
(exponential backoff with full jitter, never earlier than Retry-After says).

A message that edits an earlier one (`replaces`) can also be told to WAIT: its original has not
gone out yet, so there is nothing to edit so far; `replacement_wait_delay` says when to look again.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

from bot.domain.platform.outbox import OutboxStatus


class Verdict(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # transient: throttled, busy, timed out, connection lost
    UNREACHABLE = "unreachable"  # the person blocked or never installed the app
    GONE = "gone"  # the conversation no longer exists
    FAILED = "failed"  # permanent: our request is wrong, retrying will not help
    WAIT = "wait"  # a replacement whose original is still pending or in flight: not yet possible
    REFUSED = "refused"  # we refuse to send it: its connector host is not allowed (set aside)


# Status 0 stands for "no HTTP answer at all" (connection refused or reset, timeout).
NO_RESPONSE = 0

# Teams documents 429, 412, 502 and 504 as retryable; 500 and 503 are the usual transient
# server answers, 408 a timeout, 401 an expired token the adapter refreshes before the next try.
_RETRY_STATUSES = frozenset({NO_RESPONSE, 401, 408, 412, 429, 500, 502, 503, 504})

# 403 codes meaning "this person cannot be reached by the bot", not "our request is wrong".
UNREACHABLE_CODES = frozenset(
    {
        "MessageWritesBlocked",
        "ConversationBlockedByUser",
        "BotNotInConversationRoster",
        "BotDisabledByAdmin",
        "UserNotFound",
        "TenantNotFound",
    }
)

# A Retry-After further away than this is treated as broken rather than honoured forever.
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0

# A budget shared by several replicas keeps this fraction of the connector's limit unused: each
# replica's own sliding window (bot/services/platform/outbox_permits.py) only sees its own
# requests, so the shared pace must leave room for network and scheduling jitter between them
# (2 % of a second's worth of requests = 20 ms of slack; with 1 % two replicas on a busy 2-core
# machine had about 1.1 % of their sends refused with 429, with 2 % about 0.3 %).
RATE_HEADROOM = 0.02


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What one delivery attempt produced. `error` is short and never holds personal data.

    `activity_id` is the Teams message id of a SENT message (for an edit: the edited one's).
    For WAIT, `retry_after` is how long the original is still deferred (None: it is due now or
    in flight) and `status` is NO_RESPONSE: no request was made.
    """

    verdict: Verdict
    status: int = 200
    retry_after: float | None = None
    error: str = ""
    activity_id: str = ""

    @property
    def is_throttled(self) -> bool:
        return self.status == 429


class PermitWithdrawn(Exception):
    """Raised by a send permit when the message's lease is about to end before its turn came:
    the delivery must not send; the message is left for a later claim."""


FINAL_STATUS_OF = {
    Verdict.SENT: OutboxStatus.SENT,
    Verdict.UNREACHABLE: OutboxStatus.UNREACHABLE,
    Verdict.GONE: OutboxStatus.GONE,
    Verdict.FAILED: OutboxStatus.FAILED,
    Verdict.REFUSED: OutboxStatus.DEAD,
}


def classify(status: int, error_code: str | None, retry_after: str | None) -> Verdict:
    """The verdict for one connector answer (status NO_RESPONSE when there was none)."""
    if 200 <= status < 300:
        return Verdict.SENT
    if status in _RETRY_STATUSES:
        return Verdict.RETRY
    if status == 403 and error_code in UNREACHABLE_CODES:
        return Verdict.UNREACHABLE
    if status in (404, 410):
        return Verdict.GONE
    if 500 <= status < 600:
        return Verdict.RETRY
    # Any other answer that explicitly says when to come back is treated as transient.
    if parse_retry_after(retry_after) is not None:
        return Verdict.RETRY
    return Verdict.FAILED


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds (fractions tolerated) or an
    HTTP date. None when absent or unreadable; capped at MAX_RETRY_AFTER_SECONDS."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    seconds: float | None
    try:
        seconds = float(text)
    except ValueError:
        seconds = _seconds_until_http_date(text, now)
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def _seconds_until_http_date(text: str, now: datetime | None) -> float | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - (now or datetime.now(UTC))).total_seconds()


def next_attempt_delay(
    attempt: int,
    retry_after_seconds: float | None,
    *,
    base: float = 1.0,
    cap: float = 300.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds before attempt number `attempt + 1`, after `attempt` failed ones (1-based).

    Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))], so that many senders retrying
    together spread out. Never below Retry-After (the server's word wins over the cap).
    """
    ceiling = min(cap, base * 2.0 ** min(max(attempt - 1, 0), 62))
    delay = (rng or random).uniform(0.0, ceiling)
    if retry_after_seconds is not None:
        delay = max(delay, retry_after_seconds)
    return delay


def replacement_wait_delay(
    waited: int,
    original_due_in: float | None,
    *,
    first: float = 2.0,
    cap: float = 30.0,
) -> float:
    """Seconds before a replacement looks at its original again, after `waited` earlier looks.

    `first`, doubling up to `cap`: an original in flight is usually sent within a second, one
    whose sender died is claimed again after its lease. Never before the original's own next
    attempt (`original_due_in`) plus `first` to claim and send it: waking earlier would only
    find it still waiting. No jitter: the look is one indexed read, not a connector request.
    """
    delay = min(cap, first * 2.0 ** min(max(waited, 0), 62))
    if original_due_in is not None:
        delay = max(delay, original_due_in + first)
    return delay


def honoured_retry_after(seconds: float | None, cap: float) -> float | None:
    """A connector's Retry-After as far as it is honoured: at most `cap` seconds.

    A 429 pauses the whole tenant's outbox; a made-up or mistaken "Retry-After: 86400" would
    stop every notification for a day. Waiting at most the cap costs, when Teams really meant
    longer, one more request that is throttled again and pauses again."""
    if seconds is None:
        return None
    return min(seconds, max(cap, 0.0))


def sustainable_rate(limit_per_second: float) -> float:
    """The pace for a rate budget shared by replicas under a connector limit (RATE_HEADROOM)."""
    return limit_per_second * (1.0 - RATE_HEADROOM)
