"""The emulator's Graph contract for announcements' audiences over raw HTTP: big pages, $count
on the user cast, people by address, Teams app installations and the bench helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from devtools.graph_emulator import GraphEmulator
from tests.integration.graph.test_emulator_api import Graph
from tests.support.graph import LOTTE_ID, LOTTE_UPN

EMPTY_GROUP = "e2e20df2-8469-4bbf-a06f-f857d302ad07"
APP = "7f3c2a1e-5b6d-4e8f-9a0b-1c2d3e4f5a6b"
EVENTUAL = {"ConsistencyLevel": "eventual"}


@pytest.fixture
async def graph(graph_emulator: GraphEmulator) -> AsyncIterator[Graph]:
    graph_emulator.max_page_size = 999
    async with aiohttp.ClientSession() as session:
        yield Graph(session, graph_emulator)


async def test_pages_of_999_with_next_links_to_the_end(
    graph: Graph, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_synthetic_members(EMPTY_GROUP, 1_500)
    url = (
        f"groups/{EMPTY_GROUP}/transitiveMembers/microsoft.graph.user"
        "?$select=id,userPrincipalName,mail,accountEnabled&$top=999&$count=true"
    )
    status, first = await graph.get(url, **EVENTUAL)
    _, second = await graph.get(first["@odata.nextLink"], **EVENTUAL)

    assert status == 200 and first["@odata.count"] == 1_500
    assert (len(first["value"]), len(second["value"])) == (999, 501)
    assert "@odata.nextLink" not in second
    assert set(first["value"][0]) == {"id", "userPrincipalName", "mail", "accountEnabled"}
    assert (await graph.get(url.replace("$top=999", "$top=1000"), **EVENTUAL))[0] == 400


async def test_count_of_the_user_cast_is_plain_text_and_wants_eventual(graph: Graph) -> None:
    path = "groups/1c249bcb-187a-43b0-9047-d1640293e648/transitiveMembers/graph.user/$count"
    status, counted = await graph.get(path, **EVENTUAL)
    refused, error = await graph.get(path)
    assert (status, counted) == (200, "24")
    assert (refused, error["error"]["code"]) == (400, "Request_BadRequest")


async def test_users_filter_on_upn_or_mail_ignores_case(graph: Graph) -> None:
    query = "userPrincipalName eq '{0}' or mail eq '{0}'"
    _, found = await graph.get(f"users?$filter={query.format(LOTTE_UPN.upper())}&$select=id")
    _, none = await graph.get(f"users?$filter={query.format('x@demo.werkplek.be')}&$select=id")
    assert [user["id"] for user in found["value"]] == [LOTTE_ID]
    assert none["value"] == []


async def test_installing_a_teams_app_once_then_conflict_and_listed(
    graph: Graph, graph_emulator: GraphEmulator
) -> None:
    path = f"users/{LOTTE_ID}/teamwork/installedApps"
    bind = {"teamsApp@odata.bind": f"{graph.base}/appCatalogs/teamsApps/{APP}"}
    created, _, _ = await graph.call("POST", path, bind)
    conflict, error, _ = await graph.call("POST", path, bind)
    unknown, _, _ = await graph.call("POST", "users/nobody/teamwork/installedApps", bind)
    bad, _, _ = await graph.call("POST", path, {"teamsApp@odata.bind": "nonsense"})
    _, listed = await graph.get(f"{path}?$expand=teamsApp")
    _, filtered = await graph.get(f"{path}?$expand=teamsApp&$filter=teamsApp/id eq 'other'")

    assert (created, conflict, unknown, bad) == (201, 409, 404, 400)
    assert error["error"]["code"] == "Conflict"
    assert [item["teamsApp"]["id"] for item in listed["value"]] == [APP]
    assert filtered["value"] == []
    assert graph_emulator.installed_apps(LOTTE_ID) == [APP]


async def test_control_adds_synthetic_members_and_lists_installs(
    graph: Graph, graph_emulator: GraphEmulator
) -> None:
    control = f"{graph.root}/_emulator"
    status, added, _ = await graph.call(
        "POST", f"{control}/groups/{EMPTY_GROUP}/synthetic-members", {"count": 3}
    )
    again, more, _ = await graph.call(
        "POST", f"{control}/groups/{EMPTY_GROUP}/synthetic-members", {"count": 2, "prefix": "x"}
    )
    assert (status, added["added"], again, more["added"]) == (200, 3, 200, 2)
    assert added["first"].startswith("bench.000001@") and more["last"].startswith("x.000005@")
    members = graph_emulator.tenant.group(EMPTY_GROUP)["members"]
    assert len(members) == len(set(members)) == 5
    bad, _, _ = await graph.call("POST", f"{control}/groups/{EMPTY_GROUP}/synthetic-members", {})
    assert bad == 400

    graph_emulator.tenant.install_app(LOTTE_ID, APP)
    _, installs, _ = await graph.call("GET", f"{control}/app-installs")
    assert installs == [{"userId": LOTTE_ID, "teamsAppId": APP}]
    graph_emulator.reset()
    assert graph_emulator.tenant.group(EMPTY_GROUP)["members"] == []
    assert graph_emulator.installed_apps(LOTTE_ID) == []
