"""The connector emulator's sliding windows and route matching (pure parts)."""

from __future__ import annotations

import pytest

from devtools.connector_emulator.limits import (
    CONVERSATION_WRITE_LIMITS,
    SlidingWindow,
    tenant_window,
)
from devtools.connector_emulator.routes import Route, match_route


def test_tenant_window_admits_the_limit_per_sliding_second() -> None:
    window = tenant_window(3)
    for stamp in (0.0, 0.1, 0.2):
        assert window.wait_needed(stamp) == 0.0
        window.admit(stamp)
    assert window.wait_needed(0.5) == pytest.approx(0.5)
    assert window.wait_needed(1.0) == 0.0  # the request at 0.0 left the window (t-1, t]


def test_tenant_window_without_a_rate_only_counts() -> None:
    window = tenant_window(None)
    counts = []
    for index in range(100):
        assert window.wait_needed(index * 0.001) == 0.0
        counts.append(window.admit(index * 0.001))
    assert counts[-1] == 100


def test_conversation_limits_seven_per_second_then_eight_per_two() -> None:
    window = SlidingWindow(limits=CONVERSATION_WRITE_LIMITS)
    for index in range(7):
        window.admit(index * 0.01)
    assert window.wait_needed(0.5) > 0  # 7 per second reached
    assert window.wait_needed(1.0) == 0.0
    window.admit(1.0)
    # 8 in the last 2 seconds: the next one waits until the first leaves the 2 s window
    assert window.wait_needed(1.5) == pytest.approx(0.5)


def test_conversation_limits_sixty_per_thirty_seconds() -> None:
    window = SlidingWindow(limits=CONVERSATION_WRITE_LIMITS)
    for index in range(60):
        window.admit(index * 0.3)  # 60 in 17.7 s, never more than 4 per second
    assert window.wait_needed(18.0) == pytest.approx(12.0)


def test_admit_reports_the_count_in_the_last_second() -> None:
    window = SlidingWindow(limits=CONVERSATION_WRITE_LIMITS)
    assert window.admit(0.0) == 1
    assert window.admit(0.5) == 2
    assert window.admit(1.2) == 2


@pytest.mark.parametrize(
    ("method", "path", "route"),
    [
        ("POST", "/v3/conversations", Route("create")),
        ("POST", "/V3/Conversations/", Route("create")),
        ("POST", "/v3/conversations/a%3A1xyz/activities", Route("send", "a:1xyz")),
        ("POST", "/teams/v3/conversations/a:1Ab/activities", Route("send", "a:1Ab")),
        ("POST", "/v3/conversations/c1/activities/42", Route("reply", "c1", "42")),
        ("PUT", "/v3/conversations/c1/Activities/42", Route("update", "c1", "42")),
        ("DELETE", "/v3/conversations/c1/activities/42", Route("delete", "c1", "42")),
        ("GET", "/v3/conversations/c1/pagedMembers", Route("members", "c1")),
        ("GET", "/v3/conversations/c1/pagedmembers?pageSize=5", Route("members", "c1")),
        ("GET", "/v3/conversations", None),
        ("GET", "/v3/conversations/c1/activities", None),
        ("POST", "/api/messages", None),
    ],
)
def test_routes(method: str, path: str, route: Route | None) -> None:
    assert match_route(method, path) == route
