"""The Directory port over real HTTP against the Graph emulator, with a real token."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.platform.errors import NotFound
from bot.graph import GraphGateway
from devtools.graph_emulator import GraphEmulator
from tests.support.graph import (
    COMMUNICATION_GROUP_ID,
    JEF_ID,
    LOTTE_ID,
    LOTTE_UPN,
    SERVICEDESK_GROUP_ID,
    TEST_PAGE_SIZE,
)


async def test_get_user_returns_every_selected_field(graph_gateway: GraphGateway) -> None:
    user = await graph_gateway.directory.get_user(LOTTE_ID)

    assert user.id == LOTTE_ID
    assert user.display_name == "Lotte Janssens"
    assert user.user_principal_name == LOTTE_UPN
    assert user.mail == LOTTE_UPN
    assert (user.given_name, user.surname) == ("Lotte", "Janssens")
    assert user.job_title == "Medewerker servicedesk"
    assert user.department == "Werkplekdiensten"
    assert user.company_name == "Agentschap Digitaal Vlaanderen"
    assert user.office_location
    assert user.preferred_language == "nl-BE"
    # Fields Graph leaves out unless selected: proof the $select reached the server.
    assert user.usage_location == "BE"
    assert user.user_type == "Member"
    assert user.account_enabled is True
    assert user.on_premises_sync_enabled is True
    assert user.on_premises_last_sync is not None
    assert user.on_premises_last_sync.tzinfo is not None
    assert dt.datetime.now(dt.UTC) - user.on_premises_last_sync < dt.timedelta(hours=1)


async def test_get_user_by_principal_name_keeps_accents(graph_gateway: GraphGateway) -> None:
    user = await graph_gateway.directory.get_user("dries.lemmens@demo.werkplek.be")

    assert user.company_name == "Departement Financiën en Begroting"


async def test_cloud_only_user_and_missing_usage_location(graph_gateway: GraphGateway) -> None:
    tine = (await graph_gateway.directory.find_users("tine.verhoeven"))[0]
    bram = (await graph_gateway.directory.find_users("Bram Willems"))[0]

    assert tine.on_premises_sync_enabled is None
    assert tine.on_premises_last_sync is None
    assert bram.usage_location is None


async def test_unknown_user_is_not_found(graph_gateway: GraphGateway) -> None:
    with pytest.raises(NotFound):
        await graph_gateway.directory.get_user("00000000-0000-4000-8000-000000000000")


async def test_manager(graph_gateway: GraphGateway) -> None:
    manager = await graph_gateway.directory.get_manager(LOTTE_ID)

    assert manager is not None
    assert manager.id == JEF_ID
    assert manager.user_principal_name == "jef.peeters@demo.werkplek.be"
    assert manager.account_enabled is True  # selected fields arrive on the manager too


async def test_someone_without_manager_has_none(graph_gateway: GraphGateway) -> None:
    top = (await graph_gateway.directory.find_users("An De Smet"))[0]

    assert await graph_gateway.directory.get_manager(top.id) is None


async def test_manager_of_unknown_user_is_not_found(graph_gateway: GraphGateway) -> None:
    with pytest.raises(NotFound):
        await graph_gateway.directory.get_manager("nobody@demo.werkplek.be")


async def test_member_of_is_transitive_across_pages(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    groups = await graph_gateway.directory.member_of(LOTTE_ID)

    ids = {group.id for group in groups}
    # Lotte reaches both role groups only through nested groups.
    assert {SERVICEDESK_GROUP_ID, COMMUNICATION_GROUP_ID} <= ids
    assert "Servicedesk Digitaal Vlaanderen" in {group.display_name for group in groups}
    assert len(ids) == len(groups) > TEST_PAGE_SIZE
    pages = graph_emulator.request_count(f"/users/{LOTTE_ID}/transitiveMemberOf/graph.group$")
    assert pages == -(-len(groups) // TEST_PAGE_SIZE)


async def test_member_of_lists_groups_only(graph_gateway: GraphGateway) -> None:
    # Jef also holds a directory role; the cast to groups leaves it out.
    groups = await graph_gateway.directory.member_of(JEF_ID)

    names = {group.display_name for group in groups}
    assert "Werkplek-ServiceDesk" in names
    assert "Helpdesk Administrator" not in names


async def test_find_users_by_name_or_principal_name(graph_gateway: GraphGateway) -> None:
    by_name = await graph_gateway.directory.find_users("Sofie")
    by_upn = await graph_gateway.directory.find_users("sofie.van")

    assert [user.display_name for user in by_name] == ["Sofie Van den Broeck"]
    assert [user.id for user in by_upn] == [user.id for user in by_name]
    assert by_name[0].department == "Ruimtelijke Planning"


async def test_find_users_by_family_name(graph_gateway: GraphGateway) -> None:
    found = await graph_gateway.directory.find_users("Van den Broeck")

    assert [user.display_name for user in found] == ["Sofie Van den Broeck"]
    assert found[0].surname == "Van den Broeck"


async def test_find_users_respects_the_limit(graph_gateway: GraphGateway) -> None:
    found = await graph_gateway.directory.find_users("j", limit=2)

    assert len(found) == 2


async def test_find_users_with_quotes_and_empty_queries(graph_gateway: GraphGateway) -> None:
    assert await graph_gateway.directory.find_users("d'Hondt") == []
    assert await graph_gateway.directory.find_users("   ") == []


async def test_a_query_longer_than_any_name_finds_nobody_and_asks_nothing(
    graph_gateway: GraphGateway,
) -> None:
    """An envelope's "addressee" of a thousand accented letters made a URL the server refused
    (400, so the directory looked unavailable): no name is that long, so nobody is asked."""
    assert await graph_gateway.directory.find_users("é" * 1000) == []
    assert await graph_gateway.directory.find_users("Sofie " + "x" * 300) == []
