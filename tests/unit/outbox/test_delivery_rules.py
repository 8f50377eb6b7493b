"""Classification of connector answers and the retry schedule."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from bot.domain.platform.delivery import (
    MAX_RETRY_AFTER_SECONDS,
    NO_RESPONSE,
    Verdict,
    classify,
    next_attempt_delay,
    parse_retry_after,
    replacement_wait_delay,
    sustainable_rate,
)


@pytest.mark.parametrize(
    ("status", "code", "retry_after", "verdict"),
    [
        (200, None, None, Verdict.SENT),
        (201, None, None, Verdict.SENT),
        (202, None, None, Verdict.SENT),
        (429, "TooManyRequests", "2", Verdict.RETRY),
        (429, None, None, Verdict.RETRY),
        (412, "PreconditionFailed", None, Verdict.RETRY),
        (502, None, None, Verdict.RETRY),
        (504, None, None, Verdict.RETRY),
        (500, None, None, Verdict.RETRY),
        (503, None, "10", Verdict.RETRY),
        (599, None, None, Verdict.RETRY),
        (NO_RESPONSE, None, None, Verdict.RETRY),
        (401, None, None, Verdict.RETRY),
        (408, None, None, Verdict.RETRY),
        (403, "MessageWritesBlocked", None, Verdict.UNREACHABLE),
        (403, "ConversationBlockedByUser", None, Verdict.UNREACHABLE),
        (403, "BotNotInConversationRoster", None, Verdict.UNREACHABLE),
        (403, "BotDisabledByAdmin", None, Verdict.UNREACHABLE),
        (403, None, None, Verdict.FAILED),
        (403, "InsufficientPermissions", None, Verdict.FAILED),
        (404, "ConversationNotFound", None, Verdict.GONE),
        (404, None, None, Verdict.GONE),
        (410, None, None, Verdict.GONE),
        (400, "BadArgument", None, Verdict.FAILED),
        (413, None, None, Verdict.FAILED),
        (409, None, "5", Verdict.RETRY),
        (409, None, "soon", Verdict.FAILED),
    ],
)
def test_classify(status: int, code: str | None, retry_after: str | None, verdict: Verdict) -> None:
    assert classify(status, code, retry_after) is verdict


NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        (" 10 ", 10.0),
        ("0.25", 0.25),
        ("0", 0.0),
        ("-4", 0.0),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),
        ("99999999", MAX_RETRY_AFTER_SECONDS),
        (None, None),
        ("", None),
        ("later", None),
        ("nan", None),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


@pytest.mark.parametrize("attempt", [1, 2, 3, 5, 8, 20, 200])
def test_backoff_stays_within_the_exponential_ceiling_and_cap(attempt: int) -> None:
    rng = random.Random(attempt)
    ceiling = min(60.0, 0.5 * 2 ** (attempt - 1))
    delays = [next_attempt_delay(attempt, None, base=0.5, cap=60.0, rng=rng) for _ in range(500)]
    assert all(0.0 <= delay <= ceiling for delay in delays)
    # full jitter: spread over the range, not clustered at the top
    assert min(delays) < ceiling * 0.1
    assert max(delays) > ceiling * 0.9


@pytest.mark.parametrize("retry_after", [0.0, 1.0, 7.5, 120.0, 1000.0])
@pytest.mark.parametrize("attempt", [1, 4, 10])
def test_backoff_is_never_earlier_than_retry_after(attempt: int, retry_after: float) -> None:
    rng = random.Random(42)
    for _ in range(200):
        delay = next_attempt_delay(attempt, retry_after, base=1.0, cap=300.0, rng=rng)
        assert delay >= retry_after
        assert delay <= max(retry_after, min(300.0, 2.0 ** (attempt - 1)))


def test_backoff_grows_with_attempts_on_average() -> None:
    rng = random.Random(7)

    def mean(attempt: int) -> float:
        return sum(next_attempt_delay(attempt, None, rng=rng) for _ in range(2000)) / 2000

    assert mean(1) < mean(3) < mean(6)


def test_backoff_uses_the_module_random_without_rng() -> None:
    assert 0.0 <= next_attempt_delay(1, None) <= 1.0


def test_sustainable_rate_keeps_headroom_under_the_limit() -> None:
    assert 49.0 <= sustainable_rate(50.0) < 50.0
    assert sustainable_rate(1000.0) < 1000.0


def test_a_replacement_looks_again_soon_then_less_often() -> None:
    delays = [replacement_wait_delay(waited, None, first=2.0, cap=30.0) for waited in range(6)]
    assert delays == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert replacement_wait_delay(10_000, None) == 30.0  # no overflow on absurd counts


def test_a_replacement_never_looks_before_its_deferred_original_is_due() -> None:
    # the original goes out in 100 s at the earliest: looking earlier would find it pending
    assert replacement_wait_delay(0, 100.0, first=2.0, cap=30.0) == 102.0
    assert replacement_wait_delay(3, 0.0, first=2.0, cap=30.0) == 16.0
