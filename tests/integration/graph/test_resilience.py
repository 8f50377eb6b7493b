"""Retries, error mapping and call accounting against injected Graph faults."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.domain.platform.errors import AppNotPermitted, Throttled, Unavailable
from bot.graph import GraphGateway, open_graph
from devtools.graph_emulator import GraphEmulator
from tests.support.graph import LOTTE_ID, settings_for

USER_PATH = rf"/users/{LOTTE_ID}$"
MEMBERSHIP_PATH = "/transitiveMemberOf"


class Calls:
    """What the gateway reported through on_call."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int]] = []

    def __call__(self, target: str, status: int, seconds: float) -> None:
        assert seconds >= 0
        self.seen.append((target, status))


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
async def gateway(graph_emulator: GraphEmulator, calls: Calls) -> AsyncIterator[GraphGateway]:
    settings = settings_for(graph_emulator, graph_max_retries=1, graph_max_retry_after=5)
    gateway = await open_graph(settings, on_call=calls)
    try:
        yield gateway
    finally:
        await gateway.close()


async def test_throttled_request_is_retried_after_retry_after(
    gateway: GraphGateway, graph_emulator: GraphEmulator, calls: Calls
) -> None:
    graph_emulator.add_fault(USER_PATH, 429, count=1, retry_after=1)

    user = await gateway.directory.get_user(LOTTE_ID)

    assert user.id == LOTTE_ID
    assert graph_emulator.request_count(USER_PATH) == 2
    assert calls.seen == [("entra", 200), ("graph", 429), ("graph", 200)]


async def test_endless_throttling_gives_throttled_after_the_retries(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(MEMBERSHIP_PATH, 429, count=None, retry_after=1)

    with pytest.raises(Throttled) as caught:
        await gateway.directory.member_of(LOTTE_ID)

    assert caught.value.retry_after == 1
    assert graph_emulator.request_count(MEMBERSHIP_PATH) == 1 + 1  # first try + max retries


async def test_retry_after_beyond_the_cap_fails_at_once(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(MEMBERSHIP_PATH, 429, count=None, retry_after=120)

    with pytest.raises(Throttled) as caught:
        await gateway.directory.member_of(LOTTE_ID)

    assert caught.value.retry_after == 120
    assert graph_emulator.request_count(MEMBERSHIP_PATH) == 1


async def test_service_unavailable_is_retried(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault("/manager$", 503, count=1)  # no Retry-After: backoff

    manager = await gateway.directory.get_manager(LOTTE_ID)

    assert manager is not None
    assert graph_emulator.request_count("/manager$") == 2


async def test_persistent_server_errors_are_unavailable(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(USER_PATH, 504, count=None, retry_after=0)
    graph_emulator.add_fault("/manager$", 500, count=None)

    with pytest.raises(Unavailable):
        await gateway.directory.get_user(LOTTE_ID)
    with pytest.raises(Unavailable):
        await gateway.directory.get_manager(LOTTE_ID)
    assert graph_emulator.request_count("/manager$") == 1  # 500 is not retried


async def test_forbidden_is_the_app_missing_a_permission(
    gateway: GraphGateway, graph_emulator: GraphEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    graph_emulator.add_fault(
        "/users$", 403, count=1, code="Authorization_RequestDenied", message="Insufficient"
    )

    with (
        caplog.at_level("WARNING", logger="bot.graph.errors"),
        pytest.raises(AppNotPermitted) as refused,
    ):
        await gateway.directory.find_users("Lotte")

    reference = refused.value.reference
    assert refused.value.params == {"reference": reference}
    assert reference.startswith("WP-") and len(reference) == len("WP-") + 8
    (line,) = [r.getMessage() for r in caplog.records if reference in r.getMessage()]
    assert "Authorization_RequestDenied" in line and "403" in line


async def test_graph_unreachable_is_unavailable(graph_emulator: GraphEmulator) -> None:
    settings = settings_for(graph_emulator, graph_base_url="http://127.0.0.1:9/v1.0")
    gateway = await open_graph(settings)
    try:
        with pytest.raises(Unavailable):
            await gateway.directory.get_user(LOTTE_ID)
    finally:
        await gateway.close()
