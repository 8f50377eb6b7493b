"""Directory.group_members over real HTTP against the Graph emulator, with a real token: a
group's people however deeply nested, across pages, never more than asked for."""

from __future__ import annotations

import pytest

from bot.domain.platform.errors import NotFound
from bot.graph import GraphGateway
from devtools.graph_emulator import GraphEmulator
from tests.support.graph import JEF_ID, LOTTE_ID, SERVICEDESK_GROUP_ID, TEST_PAGE_SIZE

# The demo tenant's group of the entity groups (24 people, no person directly in it).
ALL_STAFF_GROUP = "1c249bcb-187a-43b0-9047-d1640293e648"
NORA_ID = "9bc27e58-cefb-4a47-9a5a-7e8919747217"
_PAGES = r"/groups/{group}/transitiveMembers/(microsoft\.)?graph\.user$"


async def test_the_people_of_nested_groups_with_their_names(graph_gateway: GraphGateway) -> None:
    agents = await graph_gateway.directory.group_members(SERVICEDESK_GROUP_ID)

    assert {user.id for user in agents} == {JEF_ID, LOTTE_ID, NORA_ID}
    lotte = next(user for user in agents if user.id == LOTTE_ID)
    assert lotte.display_name == "Lotte Janssens"
    assert lotte.account_enabled is True  # selected: a disabled account can be left out


async def test_all_pages_up_to_the_limit(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    everyone = await graph_gateway.directory.group_members(ALL_STAFF_GROUP)

    assert len(everyone) == len({user.id for user in everyone}) == 24
    pages = graph_emulator.request_count(_PAGES.format(group=ALL_STAFF_GROUP))
    assert pages == -(-24 // TEST_PAGE_SIZE)


async def test_no_more_pages_than_the_limit_needs(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    first = await graph_gateway.directory.group_members(ALL_STAFF_GROUP, limit=7)

    assert len(first) == 7
    assert graph_emulator.request_count(_PAGES.format(group=ALL_STAFF_GROUP)) == 2
    assert await graph_gateway.directory.group_members(ALL_STAFF_GROUP, limit=0) == []


async def test_an_unknown_group_is_not_found(graph_gateway: GraphGateway) -> None:
    with pytest.raises(NotFound):
        await graph_gateway.directory.group_members("00000000-0000-4000-8000-000000000000")
