"""Retry policy for Graph: 429/503/504 are retried (kiota's RetryHandler decides which), waiting
what Retry-After asks when it is within our cap, else giving up at once so the caller gets
Throttled instead of a request that hangs for minutes.

Without Retry-After the wait is a short exponential backoff with jitter, also capped. kiota's
own defaults are unsuitable for a chat bot: Retry-After is honoured without any cap, and every
backoff gets a 3-second base delay added.
"""

from __future__ import annotations

import random

import httpx
from kiota_http.middleware import RetryHandler
from kiota_http.middleware.options import RetryHandlerOption

BACKOFF_BASE_SECONDS = 0.25


def retry_delay(retry_after: float | None, attempt: int, cap: float) -> float | None:
    """Seconds to wait before the next attempt (`attempt` retries were made so far), or None
    to give up because the server asks for a longer wait than `cap`."""
    if retry_after is not None:
        return retry_after if retry_after <= cap else None
    backoff: float = BACKOFF_BASE_SECONDS * 2.0**attempt
    return min(cap, backoff + random.uniform(0, BACKOFF_BASE_SECONDS))


class CappedRetryHandler(RetryHandler):
    def __init__(self, max_retries: int, max_retry_after: float) -> None:
        retries = max(0, min(max_retries, RetryHandlerOption.MAX_MAX_RETRIES))
        super().__init__(
            RetryHandlerOption(delay=0.0, max_retries=retries, should_retry=retries > 0)
        )
        self.max_retry_after = max(0.0, max_retry_after)

    def get_delay_time(
        self,
        retry_count: int,
        response: httpx.Response | None = None,
        delay: float = 0.0,
    ) -> float:
        seconds = retry_delay(self._get_retry_after(response), retry_count, self.max_retry_after)
        # The handler does not retry when the delay reaches MAX_DELAY: our way to give up.
        return RetryHandlerOption.MAX_DELAY if seconds is None else seconds
