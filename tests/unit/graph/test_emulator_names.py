"""The Graph emulator's additions for the rules workbook's names: Graph's limit of 15 values in
a filter's `in` lists, and teams (groups provisioned as a team) with their channels."""

from __future__ import annotations

import pytest

from devtools.graph_emulator.odata_filter import MAX_IN_VALUES, UnsupportedQuery, parse_filter
from devtools.graph_emulator.tenant import DirectoryError, TenantState

WERKPLEKDIENSTEN = "3e790606-cdf3-44dd-8553-60695dfa7674"
DOMG_STAFF = "0cac39fb-0f9b-49c9-acb2-882ab81aef93"


def _values(count: int) -> str:
    return ",".join(f"'a{n}@x.be'" for n in range(count))


def test_in_lists_hold_fifteen_values_together_as_in_graph() -> None:
    seven = _values(7)
    matches = parse_filter(f"mail in ({seven}) or userPrincipalName in ({seven})")
    assert matches({"mail": "A3@X.BE"}) and not matches({"mail": "b@x.be"})

    with pytest.raises(UnsupportedQuery, match="Max allowed: 15"):
        parse_filter(f"mail in ({_values(8)}) or userPrincipalName in ({_values(8)})")
    with pytest.raises(UnsupportedQuery):
        parse_filter(f"id in ({_values(MAX_IN_VALUES + 1)})")


def test_a_team_is_a_group_provisioned_as_one_and_has_channels() -> None:
    tenant = TenantState.load()

    team = tenant.team(WERKPLEKDIENSTEN.upper())
    assert [channel["displayName"] for channel in team["channels"]] == [
        "Algemeen",
        "Servicedesk escalaties",
        "Post",
    ]
    with pytest.raises(DirectoryError) as refused:
        tenant.team(DOMG_STAFF)  # a security group, no team
    assert refused.value.status == 404
