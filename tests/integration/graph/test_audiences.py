"""AudienceDirectory (bot/graph/audiences.py) over real HTTP against the Graph emulator, with a
real token: a large group page by page, its count, people by address, installing the app."""

from __future__ import annotations

import pytest

from bot.domain.platform.errors import InvalidInput, NotFound
from bot.graph import DeferredGraph, GraphGateway
from bot.ports.announcements import AudienceMember
from devtools.graph_emulator import GraphEmulator
from tests.support.graph import LOTTE_ID, LOTTE_UPN, SERVICEDESK_GROUP_ID, settings_for

# An empty group of the demo tenant's, filled with synthetic people per test.
BIG_GROUP = "e2e20df2-8469-4bbf-a06f-f857d302ad07"  # LIC-PowerApps-Premium: no members
ALL_STAFF_GROUP = "1c249bcb-187a-43b0-9047-d1640293e648"  # 24 people, all in nested groups
NORA_ID = "9bc27e58-cefb-4a47-9a5a-7e8919747217"
JEF_ID = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"
UNKNOWN_GROUP = "00000000-0000-4000-8000-000000000000"
WERKPLEK_APP = "7f3c2a1e-5b6d-4e8f-9a0b-1c2d3e4f5a6b"
_PAGES = r"/groups/{group}/transitiveMembers/(microsoft\.)?graph\.user$"


@pytest.fixture
def real_pages(graph_emulator: GraphEmulator) -> GraphEmulator:
    """Graph's own page limit (999) instead of the tests' usual 5."""
    graph_emulator.page_size = 100
    graph_emulator.max_page_size = 999
    return graph_emulator


async def test_a_large_group_comes_page_by_page_each_member_once(
    graph_gateway: GraphGateway, real_pages: GraphEmulator
) -> None:
    made = real_pages.add_synthetic_members(BIG_GROUP, 2_500)

    pages: list[list[AudienceMember]] = []
    async for page in graph_gateway.audiences.group_members(BIG_GROUP):
        pages.append(list(page))

    assert [len(page) for page in pages] == [999, 999, 502]
    seen = [member.user_id for page in pages for member in page]
    assert sorted(seen) == sorted(made)  # every one, once
    assert real_pages.request_count(_PAGES.format(group=BIG_GROUP)) == 3
    first = real_pages.tenant.users[made[0]]
    assert pages[0][0] == AudienceMember(made[0], first["userPrincipalName"], first["mail"], True)


async def test_the_count_matches_the_pages(
    graph_gateway: GraphGateway, real_pages: GraphEmulator
) -> None:
    real_pages.add_synthetic_members(BIG_GROUP, 2_500)
    assert await graph_gateway.audiences.count_members(BIG_GROUP) == 2_500
    assert await graph_gateway.audiences.count_members(ALL_STAFF_GROUP) == 24
    assert real_pages.request_count(r"/graph\.user/\$count$") == 2


async def test_nested_members_and_disabled_accounts_through_small_pages(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.tenant.users[NORA_ID]["accountEnabled"] = False
    pages = [page async for page in graph_gateway.audiences.group_members(SERVICEDESK_GROUP_ID)]
    members = {member.user_id: member for page in pages for member in page}
    assert set(members) == {JEF_ID, LOTTE_ID, NORA_ID}
    assert members[LOTTE_ID].user_principal_name == LOTTE_UPN
    assert (members[LOTTE_ID].enabled, members[NORA_ID].enabled) == (True, False)
    everyone = [page async for page in graph_gateway.audiences.group_members(ALL_STAFF_GROUP)]
    assert [len(page) for page in everyone] == [5, 5, 5, 5, 4]  # the fixture's pages of 5


async def test_stopping_early_reads_no_further_pages(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    pages = graph_gateway.audiences.group_members(ALL_STAFF_GROUP)
    first = await anext(aiter(pages))
    await pages.aclose()  # type: ignore[attr-defined]
    assert len(first) == 5
    assert graph_emulator.request_count(_PAGES.format(group=ALL_STAFF_GROUP)) == 1


async def test_an_unknown_group_is_not_found(graph_gateway: GraphGateway) -> None:
    with pytest.raises(NotFound):
        async for _ in graph_gateway.audiences.group_members(UNKNOWN_GROUP):
            pass
    with pytest.raises(NotFound):
        await graph_gateway.audiences.count_members(UNKNOWN_GROUP)


async def test_a_person_is_found_by_upn_or_by_mail_whatever_the_case(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    lotte = graph_emulator.tenant.users[LOTTE_ID]
    lotte["mail"] = "Lotte.Janssens@werkplek.example"  # a mail that is not the UPN

    by_upn = await graph_gateway.audiences.find_person(LOTTE_UPN.upper())
    by_mail = await graph_gateway.audiences.find_person(" lotte.janssens@WERKPLEK.example ")

    expected = AudienceMember(LOTTE_ID, LOTTE_UPN, "Lotte.Janssens@werkplek.example", True)
    assert by_upn == by_mail == expected


async def test_an_unknown_address_is_none(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    for address in ("niemand@demo.werkplek.be", "o'brien@demo.werkplek.be", "lotte", "  "):
        assert await graph_gateway.audiences.find_person(address) is None


async def test_installing_twice_is_true_both_times_and_installs_once(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    first = await graph_gateway.audiences.install_app(LOTTE_ID, WERKPLEK_APP)
    again = await graph_gateway.audiences.install_app(LOTTE_ID, WERKPLEK_APP)

    assert (first, again) == (True, True)
    assert graph_emulator.installed_apps(LOTTE_ID) == [WERKPLEK_APP]
    posts = graph_emulator.request_count(r"/users/[^/]+/teamwork/installedApps$", method="POST")
    assert posts == 2


async def test_a_person_who_cannot_have_the_app_is_false(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    assert await graph_gateway.audiences.install_app(UNKNOWN_GROUP, WERKPLEK_APP) is False
    graph_emulator.add_fault(r"/teamwork/installedApps$", 403, method="POST")
    assert await graph_gateway.audiences.install_app(JEF_ID, WERKPLEK_APP) is False
    assert graph_emulator.installed_apps(JEF_ID) == []


async def test_other_refusals_raise_like_the_other_adapters(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(r"/teamwork/installedApps$", 400, method="POST")
    with pytest.raises(InvalidInput):
        await graph_gateway.audiences.install_app(JEF_ID, WERKPLEK_APP)


async def test_the_deferred_port_streams_the_pages_once_graph_is_open(
    graph_emulator: GraphEmulator,
) -> None:
    graph = DeferredGraph(settings_for(graph_emulator))
    try:
        pages = [page async for page in graph.audiences.group_members(ALL_STAFF_GROUP)]
        assert sum(len(page) for page in pages) == 24 and len(pages) == 5
        assert await graph.audiences.count_members(ALL_STAFF_GROUP) == 24
    finally:
        await graph.close()
