"""Roles from group memberships: mapping, caching, and degrading when the directory fails."""

from __future__ import annotations

import asyncio

from bot.domain.platform.directory import GroupRef
from bot.domain.platform.errors import Unavailable
from bot.domain.platform.roles import Role
from bot.services.platform.roles import RoleResolver
from tests.support.clock import FakeClock
from tests.unit.fakes import MemoryDirectory

GROUPS = {"agent": ["G-DESK"], "comms": ["g-comm"], "admin": ["G-ADMIN"]}


def resolver(directory: MemoryDirectory, clock: FakeClock) -> RoleResolver:
    return RoleResolver(directory, GROUPS, clock, ttl_seconds=300)


async def test_groups_map_to_roles_case_insensitively() -> None:
    directory = MemoryDirectory(groups={"u": [GroupRef("g-desk", "Desk"), GroupRef("G-COMM", "C")]})
    roles = await resolver(directory, FakeClock()).roles_of("u")
    assert roles == {Role.STAFF, Role.AGENT, Role.COMMS}


async def test_everyone_is_staff() -> None:
    assert await resolver(MemoryDirectory(), FakeClock()).roles_of("nobody") == {Role.STAFF}


async def test_lookups_are_cached_until_the_ttl() -> None:
    directory, clock = MemoryDirectory(groups={"u": [GroupRef("G-ADMIN", "A")]}), FakeClock()
    roles = resolver(directory, clock)
    await asyncio.gather(*(roles.roles_of("u") for _ in range(5)))
    clock.advance(seconds=299)
    await roles.roles_of("u")
    assert directory.calls == ["member_of:u"]
    clock.advance(seconds=2)
    await roles.roles_of("u")
    assert directory.calls == ["member_of:u", "member_of:u"]


async def test_a_directory_failure_degrades_to_staff_briefly() -> None:
    directory, clock = MemoryDirectory(groups={"u": [GroupRef("G-ADMIN", "A")]}), FakeClock()
    directory.failure = Unavailable()
    roles = resolver(directory, clock)
    assert await roles.roles_of("u") == {Role.STAFF}
    directory.failure = None
    clock.advance(seconds=31)
    assert await roles.roles_of("u") == {Role.STAFF, Role.ADMIN}
