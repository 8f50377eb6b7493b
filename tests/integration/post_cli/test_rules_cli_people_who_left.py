"""`werkplek rules import` with Graph configured: a rule sending post to someone who left (Hanne
Goossens' account is disabled in the demo tenant) is stored all the same, with a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.post.items import Destination, DestinationKind
from bot.domain.post.routing import RoutingRule, RuleConditions
from bot.excel.post.rules import write_rules
from bot.store.post.tables import post_rules
from tests.integration.post_cli.conftest import Store
from tests.integration.post_cli.test_post_cli_graph import werkplek, with_graph
from tests.support.graph import LOTTE_ID

__all__ = ["with_graph"]  # the fixture, used by name

HANNE = "faa0fa5f-cac9-4449-acca-8f8b303e5795"


async def test_a_rule_to_someone_who_left_is_stored_with_a_warning(
    with_graph: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = [
        RoutingRule("R-001", 1, Destination(DestinationKind.PERSON, LOTTE_ID)),
        RoutingRule(
            "R-002",
            2,
            Destination(DestinationKind.PERSON, HANNE),
            RuleConditions(sender_contains="Vlaamse Milieumaatschappij"),
        ),
    ]
    workbook = tmp_path / "regels.xlsx"
    workbook.write_bytes(write_rules(rules))

    assert await werkplek("rules", "import", str(workbook)) == 0

    said = capsys.readouterr()
    assert "regel R-002 stuurt post naar Hanne Goossens" in said.err
    assert "uitgeschakeld" in said.err
    assert "R-001" not in said.err
    assert [row["id"] for row in with_graph.rows(post_rules)] == ["R-001", "R-002"]
