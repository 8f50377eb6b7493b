"""Who a desk's tickets can be given to (bot/services/servicedesk/agents.py), on the in-memory
directory: the agents' groups' people by name, per entity for an entity's desk, kept for a
while; nobody when the directory fails; the check on one person by their roles now."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from bot.domain.platform.directory import DirectoryUser, GroupRef
from bot.domain.platform.errors import Unavailable
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.agents import DeskAgent
from bot.services.platform.roles import RoleResolver
from bot.services.servicedesk.agents import FAILURE_SECONDS, DeskAgents
from tests.support.clock import FakeClock
from tests.unit.fakes import MemoryDirectory
from tests.unit.servicedesk.fakes import MemoryPeople

AGENTS, LEADS, STAFF = "grp-agents", "grp-leads", "grp-staff"
PEOPLE = {
    "ann": ("Ann Desmet", "nl", "AWV"),
    "els": ("Els Wouters", "nl", "AWV"),
    "piet": ("Piet Claes", "nl", "DOMG"),
    "bart": ("bart Aerts", "nl", ""),
    "lotte": ("Lotte Janssens", "nl", "AWV"),
}


def directory() -> MemoryDirectory:
    users = {i: DirectoryUser(i, name, f"{i}@x.example") for i, (name, _, _) in PEOPLE.items()}
    return MemoryDirectory(
        users=users,
        groups={
            "ann": [GroupRef(AGENTS, "Servicedesk")],
            "els": [GroupRef(LEADS, "Servicedesk leiding")],
            "piet": [GroupRef(AGENTS, "Servicedesk")],
            "bart": [GroupRef(AGENTS, "Servicedesk"), GroupRef(LEADS, "Servicedesk leiding")],
            "lotte": [GroupRef(STAFF, "Personeel")],
        },
    )


def desk_agents(found: MemoryDirectory, clock: FakeClock, **options: object) -> DeskAgents:
    roles = RoleResolver(found, {Role.AGENT.value: [AGENTS, LEADS]}, clock)
    return DeskAgents(
        directory=found,
        agent_groups=[AGENTS, LEADS],
        roles=roles,
        people=MemoryPeople(dict(PEOPLE)),
        clock=clock,
        **options,  # type: ignore[arg-type]
    )


async def test_the_central_desk_has_every_agent_once_by_name() -> None:
    agents = desk_agents(directory(), FakeClock())
    assert await agents.of_desk("") == [
        DeskAgent("ann", "Ann Desmet"),
        DeskAgent("bart", "bart Aerts"),
        DeskAgent("els", "Els Wouters"),
        DeskAgent("piet", "Piet Claes"),
    ]


async def test_an_entity_desk_has_its_own_agents_only() -> None:
    agents = desk_agents(directory(), FakeClock())
    assert [a.id for a in await agents.of_desk("AWV")] == ["ann", "els"]
    assert [a.id for a in await agents.of_desk("DOMG")] == ["piet"]


async def test_a_disabled_account_is_left_out() -> None:
    found = directory()
    found.users["piet"] = replace(found.users["piet"], account_enabled=False)
    agents = desk_agents(found, FakeClock())
    assert "piet" not in {a.id for a in await agents.of_desk("")}


async def test_the_list_is_bounded() -> None:
    agents = desk_agents(directory(), FakeClock(), limit=2)
    assert len(await agents.of_desk("")) == 2


async def test_a_list_is_kept_for_a_while() -> None:
    found, clock = directory(), FakeClock()
    agents = desk_agents(found, clock, ttl_seconds=300)
    await agents.of_desk("")
    await agents.of_desk("")
    assert found.calls.count(f"group_members:{AGENTS}") == 1
    clock.advance(seconds=301)
    await agents.of_desk("")
    assert found.calls.count(f"group_members:{AGENTS}") == 2


async def test_a_failing_directory_gives_nobody_for_a_short_while_and_no_names(
    caplog: pytest.LogCaptureFixture,
) -> None:
    found, clock = directory(), FakeClock()
    found.failure = Unavailable()
    agents = desk_agents(found, clock)
    with caplog.at_level(logging.WARNING):
        assert await agents.of_desk("") == []
    assert "Unavailable" in caplog.text
    assert not any(name in caplog.text for name, _, _ in PEOPLE.values())
    found.failure = None
    assert await agents.of_desk("") == []  # kept a moment: the next cards do not all ask
    clock.advance(seconds=FAILURE_SECONDS + 1)
    assert len(await agents.of_desk("")) == 4


@pytest.mark.parametrize(
    ("person", "desk", "is_one"),
    [
        ("ann", "", True),  # any agent for the central desk
        ("ann", "AWV", True),
        ("ann", "DOMG", False),  # an agent, of another entity
        ("els", "AWV", True),  # through the second group
        ("lotte", "", False),  # staff
        ("lotte", "AWV", False),  # staff of the entity
        ("nobody", "", False),  # unknown to the directory
        ("", "", False),
    ],
)
async def test_the_check_is_on_the_persons_roles_and_entity(
    person: str, desk: str, is_one: bool
) -> None:
    agents = desk_agents(directory(), FakeClock())
    assert await agents.is_agent_of(person, desk) is is_one


async def test_the_check_fails_closed_when_the_directory_fails() -> None:
    found = directory()
    found.failure = Unavailable()
    agents = desk_agents(found, FakeClock())
    assert await agents.is_agent_of("ann", "") is False
