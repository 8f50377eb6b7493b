"""The directory cache saves Graph requests (counted on the emulator)."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain.platform.errors import NotFound, Unavailable
from bot.graph import DeferredGraph, open_graph
from devtools.graph_emulator import GraphEmulator
from tests.support.clock import FakeClock
from tests.support.graph import LOTTE_ID, settings_for

USER_PATH = rf"/users/{LOTTE_ID}$"


async def test_repeated_lookups_hit_the_cache_until_it_expires(
    graph_emulator: GraphEmulator,
) -> None:
    clock = FakeClock()
    settings = settings_for(graph_emulator, directory_cache_seconds=60)
    gateway = await open_graph(settings, clock=clock.monotonic)
    try:
        directory = gateway.directory
        first = await directory.get_user(LOTTE_ID)
        assert await directory.get_user(LOTTE_ID) == first
        await directory.member_of(LOTTE_ID)
        await directory.member_of(LOTTE_ID)
        await directory.get_manager(LOTTE_ID)
        await directory.get_manager(LOTTE_ID)
        assert graph_emulator.request_count(USER_PATH) == 1
        assert graph_emulator.request_count("/manager$") == 1
        memberships = graph_emulator.request_count("/transitiveMemberOf")

        clock.advance(seconds=61)
        await directory.get_user(LOTTE_ID)
        await directory.member_of(LOTTE_ID)
        assert graph_emulator.request_count(USER_PATH) == 2
        assert graph_emulator.request_count("/transitiveMemberOf") == 2 * memberships
    finally:
        await gateway.close()


async def test_concurrent_identical_lookups_share_one_request(
    graph_emulator: GraphEmulator,
) -> None:
    gateway = await open_graph(settings_for(graph_emulator))
    try:
        users = await asyncio.gather(*(gateway.directory.get_user(LOTTE_ID) for _ in range(8)))
        assert len({user.id for user in users}) == 1
        assert graph_emulator.request_count(USER_PATH) == 1
    finally:
        await gateway.close()


async def test_failures_are_not_cached(graph_emulator: GraphEmulator) -> None:
    settings = settings_for(graph_emulator, graph_max_retries=0)
    gateway = await open_graph(settings)
    try:
        graph_emulator.add_fault(USER_PATH, 503, count=1)
        with pytest.raises(Unavailable):
            await gateway.directory.get_user(LOTTE_ID)
        assert (await gateway.directory.get_user(LOTTE_ID)).id == LOTTE_ID

        for _ in range(2):
            with pytest.raises(NotFound):
                await gateway.directory.get_user("nobody@demo.werkplek.be")
        assert graph_emulator.request_count("/users/nobody@demo.werkplek.be$") == 2
    finally:
        await gateway.close()


async def test_the_deferred_directory_forgets_one_user(graph_emulator: GraphEmulator) -> None:
    graph = DeferredGraph(settings_for(graph_emulator, directory_cache_seconds=60))
    try:
        graph.directory.forget(LOTTE_ID)  # nothing opened, nothing cached: no error
        await graph.directory.get_user(LOTTE_ID)
        await graph.directory.get_user(LOTTE_ID)
        assert graph_emulator.request_count(USER_PATH) == 1

        graph.directory.forget(LOTTE_ID.upper())
        await graph.directory.get_user(LOTTE_ID)
    finally:
        await graph.close()

    assert graph_emulator.request_count(USER_PATH) == 2
