"""Every in-memory cache keyed by people, tenants or what they send has a ceiling, and goes over
it by forgetting the oldest entries, not by growing: roles, entity admins, recent activity ids,
the intake's look-ups (the Graph TTL cache has its own test in tests/unit/graph/test_cache.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

import pytest

from bot.domain.licences.catalogue import Catalogue, Entity
from bot.domain.platform.directory import GroupRef
from bot.domain.platform.roles import Role
from bot.services.platform import entities as entities_module
from bot.services.platform.dedupe import RecentActivities
from bot.services.platform.entities import Entities
from bot.services.platform.roles import RoleResolver
from tests.support.clock import FakeClock
from tests.unit.fakes import MemoryDirectory


async def test_roles_forget_the_least_recently_asked_person_beyond_the_ceiling() -> None:
    directory = MemoryDirectory(groups={p: [GroupRef("G-ADMIN", "A")] for p in "abcd"})
    roles = RoleResolver(directory, {"admin": ["G-ADMIN"]}, FakeClock(), max_entries=3)
    for person in "abc":
        await roles.roles_of(person)
    await roles.roles_of("a")  # asked again: now the most recent
    await roles.roles_of("d")  # over the ceiling: "b" goes
    directory.calls.clear()

    assert await roles.roles_of("a") == {Role.STAFF, Role.ADMIN}
    await roles.roles_of("c")
    await roles.roles_of("d")
    assert directory.calls == []  # still remembered
    await roles.roles_of("b")
    assert directory.calls == ["member_of:b"]  # forgotten, asked again


async def test_roles_of_many_people_stay_within_the_ceiling() -> None:
    roles = RoleResolver(MemoryDirectory(), {"admin": ["G-ADMIN"]}, FakeClock(), max_entries=50)
    await asyncio.gather(*(roles.roles_of(f"person-{n}") for n in range(500)))
    assert len(roles._cache) == 50


class _Catalogue:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    async def load(self) -> Catalogue:
        return self.catalogue


async def test_entity_admins_are_remembered_for_a_bounded_number_of_entities(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    codes = [f"E{n}" for n in range(6)]
    catalogue = Catalogue(
        entities=tuple(
            Entity(code, code, code, f"staff-{code}", f"admins-{code}") for code in codes
        )
    )
    asked: list[str] = []

    async def members(group_id: str) -> Sequence[str]:
        asked.append(group_id)
        return [f"admin-of-{group_id}"]

    monkeypatch.setattr(entities_module, "MAX_ENTITIES", 4)
    entities = Entities(_Catalogue(catalogue), MemoryDirectory(), members)  # type: ignore[arg-type]
    for code in codes:
        await entities.admins(code)
    assert len(entities._admins) == 4
    asked.clear()
    await entities.admins("E5")  # among the newest: remembered
    await entities.admins("E0")  # the oldest: forgotten, asked again
    assert asked == ["admins-E0"]


class _Remembered:
    async def first_time_many(self, keys: list[str], seen_at: datetime) -> set[str]:
        return set(keys)

    async def keys_since(self, since: datetime, limit: int) -> list[str]:
        return []

    async def forget_before(self, cutoff: datetime) -> int:
        return 0


async def test_recent_activity_ids_keep_only_the_newest_up_to_their_capacity() -> None:
    now = FakeClock().now()
    recent = RecentActivities(_Remembered(), capacity=100, linger_seconds=0)
    for n in range(1000):
        assert await recent.first_time(f"activity-{n}", now)
    assert len(recent._seen) == 100
    assert not await recent.first_time("activity-999", now)  # the newest are still known
    assert await recent.first_time("activity-0", now)  # the oldest were let go
    await recent.close()


async def test_the_intake_remembers_entities_of_a_bounded_number_of_people(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.services.post import routing as post_routing
    from tests.unit.post.fakes import make_world
    from tests.unit.post_intake.test_intake_service import CountingDirectory, intake_for

    monkeypatch.setattr(post_routing, "SEARCH_CACHE_SIZE", 2)
    world = make_world()
    intake, _ = intake_for(world, CountingDirectory(world.directory))
    for person in ("person-1", "person-2", "person-3", "person-4"):
        await intake._router._entity_of(person)
    assert list(intake._router._entity_codes) == ["person-3", "person-4"]  # the newest two


async def test_file_downloads_open_a_bounded_number_of_sockets() -> None:
    from bot.http.downloads import MAX_CONNECTIONS, MAX_CONNECTIONS_PER_HOST, HttpFileDownloads

    downloads = HttpFileDownloads(["sharepoint.com"])
    try:
        connector = downloads._client().connector
        assert connector is not None
        assert (connector.limit, connector.limit_per_host) == (
            MAX_CONNECTIONS,
            MAX_CONNECTIONS_PER_HOST,
        )
        assert 0 < MAX_CONNECTIONS_PER_HOST <= MAX_CONNECTIONS
    finally:
        await downloads.close()
