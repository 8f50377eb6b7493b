"""`werkplek rules import|export` with people and channels by name, on a real SQLite store and
the Graph emulator through msgraph-sdk: names are stored as ids, a wrong name is a row's
problem, the export names people and channels and reads back to the same rules; without Graph a
named cell says so and ids still work."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.post.items import Destination, DestinationKind
from bot.domain.post.routing import RoutingRule, RuleConditions
from bot.excel.post.rules import write_rules
from devtools.graph_emulator import GraphEmulator
from tests.integration.post_cli.conftest import Store
from tests.support.graph import JEF_ID, LOTTE_ID, LOTTE_UPN
from tests.unit.excel.builders import sheets_of

WERKPLEKDIENSTEN = "3e790606-cdf3-44dd-8553-60695dfa7674"
POST_CHANNEL = f"{WERKPLEKDIENSTEN}|19:werkplek-demo-postkamer@thread.tacv2"


@pytest.fixture
def with_graph(
    store: Store, graph_emulator: GraphEmulator, monkeypatch: pytest.MonkeyPatch
) -> Store:
    for name, value in {
        "GRAPH_BASE_URL": graph_emulator.graph_url,
        "AZURE_AUTHORITY_HOST": graph_emulator.authority_url,
        "AZURE_TENANT_ID": graph_emulator.tenant_id,
        "AZURE_CLIENT_ID": graph_emulator.client_id,
        "AZURE_CLIENT_SECRET": graph_emulator.client_secret,
        "WERKPLEK_GRAPH_CA_FILE": str(graph_emulator.ca_file),
        "WERKPLEK_GRAPH_MAX_RETRIES": "0",
    }.items():
        monkeypatch.setenv(name, value)
    return store


async def werkplek(*argv: str) -> int:
    """The command line in its own thread: the emulator serves on this test's event loop."""
    return await asyncio.to_thread(main, list(argv))


def by_name() -> list[RoutingRule]:
    return [
        RoutingRule(
            "R-001",
            1,
            Destination(DestinationKind.PERSON, "Jef.Peeters@demo.werkplek.be"),
            RuleConditions(addressee_ids=(f"Lotte Janssens <{LOTTE_UPN}>",)),
        ),
        RoutingRule("R-002", 2, Destination(DestinationKind.TEAM, "Team Werkplekdiensten / Post")),
    ]


def by_id() -> list[RoutingRule]:
    return [
        RoutingRule(
            "R-001",
            1,
            Destination(DestinationKind.PERSON, JEF_ID),
            RuleConditions(addressee_ids=(LOTTE_ID,)),
        ),
        RoutingRule("R-002", 2, Destination(DestinationKind.TEAM, POST_CHANNEL)),
    ]


async def test_names_are_stored_as_ids_and_the_export_names_them(
    with_graph: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upload = tmp_path / "regels.xlsx"
    upload.write_bytes(write_rules(by_name()))

    assert await werkplek("rules", "import", str(upload)) == 0

    assert "Regels opgeslagen: 2 (2 actief)." in capsys.readouterr().out
    assert with_graph.rules() == by_id()

    export = tmp_path / "export.xlsx"
    assert await werkplek("rules", "export", str(export)) == 0
    header, *rows = sheets_of(export.read_bytes())["Regels"]
    cells = [(row[header.index("Geadresseerden")], row[header.index("Doel")]) for row in rows]
    assert cells == [
        (f"Lotte Janssens <{LOTTE_ID}>", f"Jef Peeters <{JEF_ID}>"),
        (None, f"Team Werkplekdiensten / Post <{POST_CHANNEL}>"),
    ]

    with_graph.set_rules([])
    assert await werkplek("rules", "import", str(export)) == 0
    assert with_graph.rules() == by_id(), "export -> import unchanged gives the same rules"


async def test_a_name_nobody_answers_to_is_a_problem_of_its_row(
    with_graph: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = by_name()
    rules[1] = RoutingRule(
        "R-002", 2, Destination(DestinationKind.TEAM, "Team Werkplekdiensten / Kantine")
    )
    rules.append(
        RoutingRule("R-003", 3, Destination(DestinationKind.PERSON, "niemand@demo.werkplek.be"))
    )
    upload = tmp_path / "regels.xlsx"
    upload.write_bytes(write_rules(rules))

    assert await werkplek("rules", "import", str(upload)) == 1

    err = capsys.readouterr().err
    assert "Er is niets opgeslagen. Fouten in het werkboek: 2." in err
    assert (
        "- blad Regels, rij 3, kolom Doel: Het team bestaat, maar heeft geen kanaal met die naam: "
        "„Team Werkplekdiensten / Kantine”." in err
    )
    assert (
        "- blad Regels, rij 4, kolom Doel: Niemand gevonden met het e-mailadres "
        "„niemand@demo.werkplek.be”." in err
    )
    assert with_graph.rules() == []


def test_without_graph_a_name_says_so_and_ids_still_work(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named = tmp_path / "namen.xlsx"
    named.write_bytes(write_rules(by_name()[:1]))
    ids = tmp_path / "ids.xlsx"
    ids.write_bytes(write_rules(by_id()))

    assert main(["rules", "import", str(named)]) == 1
    err = capsys.readouterr().err
    assert "kolom Doel: „Jef.Peeters@demo.werkplek.be” kan nu niet opgezocht worden" in err
    assert "kolom Geadresseerden: „lotte.janssens@demo.werkplek.be” kan nu niet" in err

    assert main(["rules", "import", str(ids)]) == 0
    assert store.rules() == by_id()
