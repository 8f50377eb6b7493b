"""Retry delays and the status -> domain error mapping of the Graph gateway."""

from __future__ import annotations

import httpx
import pytest

from bot.domain.platform.errors import (
    AppNotPermitted,
    InvalidInput,
    NotFound,
    Throttled,
    Unavailable,
)
from bot.graph.errors import GraphAuthenticationError, error_for_status, header, parse_retry_after
from bot.graph.retry import BACKOFF_BASE_SECONDS, CappedRetryHandler, retry_delay


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    assert retry_delay(3, attempt=0, cap=5) == 3
    assert retry_delay(5, attempt=2, cap=5) == 5
    assert retry_delay(6, attempt=0, cap=5) is None  # asks too much: give up now


def test_backoff_without_retry_after_grows_and_stays_capped() -> None:
    first = retry_delay(None, attempt=0, cap=30)
    third = retry_delay(None, attempt=2, cap=30)
    assert first is not None and third is not None
    assert BACKOFF_BASE_SECONDS <= first <= 2 * BACKOFF_BASE_SECONDS
    assert 4 * BACKOFF_BASE_SECONDS <= third <= 5 * BACKOFF_BASE_SECONDS
    assert retry_delay(None, attempt=20, cap=2) == 2


def test_handler_turns_a_long_retry_after_into_no_retry() -> None:
    handler = CappedRetryHandler(max_retries=3, max_retry_after=10)
    short = httpx.Response(429, headers={"Retry-After": "4"})
    long = httpx.Response(429, headers={"Retry-After": "60"})

    assert handler.get_delay_time(0, short) == 4
    assert handler.get_delay_time(0, long) >= 180  # kiota's "never retry" threshold
    assert handler.options.max_retry == 3


def test_handler_without_retries_never_retries() -> None:
    handler = CappedRetryHandler(max_retries=0, max_retry_after=10)
    assert handler.options.should_retry is False
    assert CappedRetryHandler(max_retries=50, max_retry_after=10).options.max_retry == 10


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (404, NotFound),
        (403, AppNotPermitted),
        (401, GraphAuthenticationError),
        (429, Throttled),
        (400, InvalidInput),
        (500, Unavailable),
        (502, Unavailable),
        (503, Unavailable),
    ],
)
def test_statuses_map_to_domain_errors(status: int, expected: type) -> None:
    assert type(error_for_status(status)) is expected


def test_throttled_carries_retry_after() -> None:
    error = error_for_status(429, parse_retry_after(header({"retry-after": "12"}, "Retry-After")))
    assert isinstance(error, Throttled)
    assert error.retry_after == 12


def test_header_helpers() -> None:
    assert header({"Retry-After": ["3"]}, "retry-after") == "3"
    assert header(None, "retry-after") is None
    assert parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT") is None
    assert parse_retry_after("-4") == 0


def test_authentication_error_explains_itself_without_secrets() -> None:
    error = GraphAuthenticationError("AADSTS7000215")
    assert isinstance(error, Unavailable)
    assert "AADSTS7000215" in str(error)
