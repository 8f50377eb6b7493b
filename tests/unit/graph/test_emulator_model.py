"""The Graph emulator's query language and directory model, without any HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from devtools.graph_emulator.faults import FaultInjector
from devtools.graph_emulator.odata_filter import UnsupportedQuery, parse_filter, parse_search
from devtools.graph_emulator.router import Route, match
from devtools.graph_emulator.tenant import DirectoryError, TenantState, resolve_relative_times

SOFIE = {
    "displayName": "Sofie Van den Broeck",
    "userPrincipalName": "sofie.vandenbroeck@demo.werkplek.be",
    "accountEnabled": True,
    "usageLocation": None,
    "createdDateTime": "2024-03-01T08:00:00Z",
    "department": "Ruimtelijke Planning",
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("startswith(displayName,'sofie')", True),
        ("startswith(displayName,'van') or startswith(userPrincipalName,'sofie.')", True),
        ("startswith(displayName,'van') and startswith(userPrincipalName,'sofie.')", False),
        ("accountEnabled eq true and usageLocation eq null", True),
        ("not (accountEnabled eq true)", False),
        ("department in ('Begroting', 'Ruimtelijke Planning')", True),
        ("createdDateTime ge 2024-01-01T00:00:00Z", True),
        ("displayName eq 'SOFIE VAN DEN BROECK'", True),
        ("endswith(userPrincipalName,'@demo.werkplek.be')", True),
        ("displayName ne 'x'", True),
    ],
)
def test_filters(expression: str, expected: bool) -> None:
    assert parse_filter(expression)(SOFIE) is expected


def test_quotes_inside_literals() -> None:
    assert parse_filter("displayName eq 'd''Hondt'")({"displayName": "d'Hondt"})


@pytest.mark.parametrize(
    "expression", ["contains(displayName,'x')", "displayName has 'x'", "startswith(displayName"]
)
def test_unsupported_filters_are_refused(expression: str) -> None:
    with pytest.raises(UnsupportedQuery):
        parse_filter(expression)


def test_search_matches_word_prefixes() -> None:
    assert parse_search('"displayName:broe"')(SOFIE)
    assert parse_search('"displayName:xyz" OR "department:ruim"')(SOFIE)
    assert not parse_search('"displayName:sofie" AND "department:begroting"')(SOFIE)
    with pytest.raises(UnsupportedQuery):
        parse_search("sofie")


def test_relative_times_are_resolved() -> None:
    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    resolved = resolve_relative_times({"a": ["now-30m", "now+1d"], "b": "now-x"}, now)
    assert resolved == {"a": ["2026-11-28T11:30:00Z", "2026-11-29T12:00:00Z"], "b": "now-x"}


def tenant() -> TenantState:
    def user(uid: str, location: str | None = "BE", licences: list[str] | None = None) -> Any:
        return {
            "id": uid,
            "userPrincipalName": f"{uid}@t.example",
            "usageLocation": location,
            "assignedLicenses": [{"skuId": s, "disabledPlans": []} for s in licences or []],
        }

    def group(gid: str, members: list[str], licences: list[str] | None = None) -> Any:
        return {
            "id": gid,
            "displayName": gid,
            "members": members,
            "assignedLicenses": [{"skuId": s, "disabledPlans": []} for s in licences or []],
        }

    return TenantState(
        {
            "tenant": {"id": "t", "defaultDomain": "t.example"},
            "subscribedSkus": [
                {
                    "skuId": "sku-a",
                    "skuPartNumber": "A",
                    "prepaidUnits": {"enabled": 2},
                    "servicePlans": [],
                }
            ],
            "users": [user("u1"), user("u2", location=None), user("u3", licences=["sku-a"])],
            # g3 contains g2 contains g1 contains u1, and g1 contains g3: a cycle must not hang.
            "groups": [
                group("g1", ["u1", "g3"], licences=["sku-a"]),
                group("g2", ["g1"]),
                group("g3", ["g2"]),
            ],
        }
    )


def test_transitive_parents_survive_cycles() -> None:
    parents = [record["id"] for _, record in tenant().transitive_parents("u1")]
    assert parents == ["g1", "g2", "g3"]


def test_group_based_and_direct_licences_count_once_per_user() -> None:
    state = tenant()
    assert state.consumed_units("sku-a") == 2  # u1 through g1, u3 directly
    states = state.licence_states(state.user("u1"))
    assert [s["assignedByGroup"] for s in states] == ["g1"]


def test_licence_rules() -> None:
    state = tenant()
    with pytest.raises(DirectoryError, match="usage location"):
        state.assign_licences("u2", [{"skuId": "sku-a"}], [])
    with pytest.raises(DirectoryError, match="inherited from a group"):
        state.assign_licences("u1", [], ["sku-a"])
    state.add_member("g1", "u2")
    with pytest.raises(DirectoryError, match="already exist"):
        state.add_member("g1", "u2")
    state.remove_member("g1", "u2")
    state.user("u2")["usageLocation"] = "BE"
    state.user("u3")["assignedLicenses"] = []
    state.assign_licences("u2", [{"skuId": "sku-a"}], [])
    assert state.consumed_units("sku-a") == 2
    with pytest.raises(DirectoryError, match="available licenses"):
        state.assign_licences("u3", [{"skuId": "sku-a"}], [])


def test_routes_ignore_case_and_accept_both_cast_spellings() -> None:
    async def handler(call: Any) -> Any:
        return None

    routes = [Route("GET", "users/{user}/transitivememberof/graph.group", handler)]
    found = match(routes, "GET", "users/ABC/transitiveMemberOf/microsoft.graph.group")
    assert found == (handler, {"user": "ABC"})
    assert match(routes, "POST", "users/ABC/transitiveMemberOf/graph.group") == "method"
    assert match(routes, "GET", "users/ABC/memberOf") is None


# --- group-based licensing ---------------------------------------------------------------------


def seated_tenant(seats: int) -> TenantState:
    """sku-p with `seats` seats, given through group gp (members p1, p2, a nested group) and
    directly to d1."""

    def user(uid: str, licences: list[str] | None = None) -> Any:
        return {
            "id": uid,
            "userPrincipalName": f"{uid}@t.example",
            "usageLocation": "BE",
            "assignedLicenses": [{"skuId": s, "disabledPlans": []} for s in licences or []],
        }

    return TenantState(
        {
            "tenant": {"id": "t", "defaultDomain": "t.example"},
            "subscribedSkus": [
                {
                    "skuId": "sku-p",
                    "skuPartNumber": "P",
                    "prepaidUnits": {"enabled": seats},
                    "servicePlans": [],
                }
            ],
            "users": [user("d1", ["sku-p"]), user("p1"), user("p2"), user("p3"), user("n1")],
            "groups": [
                {
                    "id": "gp",
                    "members": ["p1", "p2", "gn"],
                    "assignedLicenses": [{"skuId": "sku-p", "disabledPlans": []}],
                },
                {"id": "gn", "members": ["n1"], "assignedLicenses": []},
            ],
        }
    )


def group_state(state: TenantState, uid: str) -> tuple[str, str] | None:
    found = [s for s in state.licence_states(state.user(uid)) if s["assignedByGroup"] == "gp"]
    return (found[0]["state"], found[0]["error"]) if found else None


ACTIVE = ("Active", "None")
WAITING = ("Error", "CountViolation")


def test_group_members_without_a_seat_wait_in_count_violation() -> None:
    state = seated_tenant(seats=2)  # d1 directly, p1 through the group; p2 waits

    assert (group_state(state, "p1"), group_state(state, "p2")) == (ACTIVE, WAITING)
    assert group_state(state, "n1") is None  # nested members are not licensed by the group
    assert state.consumed_units("sku-p") == 2  # the waiting member uses no seat
    assert state.effective_licences(state.user("p2")) == []  # and holds no licence
    assert [lic["skuId"] for lic in state.effective_licences(state.user("p1"))] == ["sku-p"]


def test_waiting_members_are_served_when_seats_come_free() -> None:
    state = seated_tenant(seats=2)
    state.add_member("gp", "p3")
    assert group_state(state, "p3") == WAITING

    state.set_prepaid_units("sku-p", 3)  # one more seat: the first in the queue gets it
    assert (group_state(state, "p2"), group_state(state, "p3")) == (ACTIVE, WAITING)

    state.remove_member("gp", "p1")  # p1 gives theirs back
    assert (group_state(state, "p1"), group_state(state, "p3")) == (None, ACTIVE)
    assert state.consumed_units("sku-p") == 3


def test_lowering_the_seats_takes_no_licence_away() -> None:
    state = seated_tenant(seats=3)
    assert group_state(state, "p2") == ACTIVE

    state.set_prepaid_units("sku-p", 1)
    state.add_member("gp", "p3")

    assert (group_state(state, "p1"), group_state(state, "p2")) == (ACTIVE, ACTIVE)
    assert group_state(state, "p3") == WAITING
    assert state.consumed_units("sku-p") == 3  # more in use than bought, as Entra shows it
    with pytest.raises(DirectoryError, match="available licenses"):
        state.assign_licences("p3", [{"skuId": "sku-p"}], [])


def test_a_direct_licence_holder_in_the_group_counts_once() -> None:
    state = seated_tenant(seats=2)
    state.add_member("gp", "d1")

    assert group_state(state, "d1") == ACTIVE  # holds the SKU already: no second seat
    assert state.consumed_units("sku-p") == 2
    state.assign_licences("d1", [], ["sku-p"])  # the group keeps giving it
    assert [lic["skuId"] for lic in state.effective_licences(state.user("d1"))] == ["sku-p"]


def test_seats_and_usage_locations_are_validated() -> None:
    state = seated_tenant(seats=1)

    with pytest.raises(DirectoryError, match="negative"):
        state.set_prepaid_units("sku-p", -1)
    with pytest.raises(DirectoryError) as unknown:
        state.set_prepaid_units("sku-x", 1)
    with pytest.raises(DirectoryError, match="usageLocation"):
        state.set_usage_location("p1", "Belgium")
    assert unknown.value.status == 404
    assert state.set_usage_location("p1", "nl")["usageLocation"] == "NL"
    assert state.set_usage_location("p1", "")["usageLocation"] is None


# --- routes and faults for the licence flows ---------------------------------------------------


def test_membership_item_route_comes_after_the_cast() -> None:
    async def cast(call: Any) -> Any:
        return None

    async def item(call: Any) -> Any:
        return None

    routes = [
        Route("GET", "users/{user}/memberof/graph.group", cast),
        Route("GET", "users/{user}/memberof/{object}", item),
        Route("GET", "groups/{group}/transitivemembers/graph.user", cast),
    ]
    assert match(routes, "GET", "users/u/memberOf/microsoft.graph.group") == (cast, {"user": "u"})
    assert match(routes, "GET", "users/u/memberOf/g1") == (item, {"user": "u", "object": "g1"})
    found = match(routes, "GET", "groups/g/transitiveMembers/microsoft.graph.user")
    assert found == (cast, {"group": "g"})


@pytest.mark.parametrize(
    ("method", "path", "hit"),
    [
        ("POST", "/v1.0/groups/g1/members/$ref", True),
        ("POST", "/v1.0/groups/g1/Members/$REF", True),  # Graph paths ignore case
        ("DELETE", "/v1.0/groups/g1/members/u1/$ref", False),
        ("GET", "/v1.0/groups/g1/members", False),
        ("POST", "/v1.0/users/u1/assignLicense", True),
        ("GET", "/v1.0/users/u1/licenseDetails", False),
    ],
)
def test_fault_rules_can_target_the_licence_writes(method: str, path: str, hit: bool) -> None:
    faults = FaultInjector()
    faults.add(r"/members/\$ref$", 429, count=None, retry_after=2, method="POST")
    faults.add(r"/assignLicense$", 503, count=None, method="post")

    rule = faults.take(method, path)

    assert (rule is not None) is hit
    if rule is not None and "ref" in path.lower():
        assert (rule.status, rule.retry_after) == (429, 2)
