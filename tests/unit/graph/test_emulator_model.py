"""The Graph emulator's query language and directory model, without any HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

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
