"""The post commands with Microsoft Graph configured (the Graph emulator): the folder import
matches the envelope to a person in the directory, and the register and the rules dry run name
people instead of showing their ids."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.domain.post.items import Destination, DestinationKind
from bot.domain.post.routing import RoutingRule, RuleConditions
from bot.excel.post.rules import write_rules
from bot.store.post.tables import post_items
from devtools.graph_emulator import GraphEmulator
from tests.integration.post.files import tiny_pdf
from tests.integration.post_cli.conftest import JEF, NOW, Store
from tests.support.graph import LOTTE_ID


@pytest.fixture
def with_graph(
    store: Store, graph_emulator: GraphEmulator, monkeypatch: pytest.MonkeyPatch
) -> Store:
    monkeypatch.setenv("GRAPH_BASE_URL", graph_emulator.graph_url)
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", graph_emulator.authority_url)
    monkeypatch.setenv("AZURE_TENANT_ID", graph_emulator.tenant_id)
    monkeypatch.setenv("AZURE_CLIENT_ID", graph_emulator.client_id)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", graph_emulator.client_secret)
    monkeypatch.setenv("WERKPLEK_GRAPH_CA_FILE", str(graph_emulator.ca_file))
    monkeypatch.setenv("WERKPLEK_GRAPH_MAX_RETRIES", "0")
    return store


async def werkplek(*argv: str) -> int:
    """The command line in its own thread: the emulator serves on this test's event loop."""
    return await asyncio.to_thread(main, list(argv))


async def test_import_routes_by_the_envelope_and_the_register_names_people(
    with_graph: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "brief.pdf").write_bytes(tiny_pdf())
    sidecar = {
        "externalId": "graph-1",
        "receivedAt": "2026-03-02T09:00:00+01:00",
        "scannedAt": "2026-03-02T09:20:00+01:00",
        "sender": {"name": "Karel Claes", "organisation": "FOD Financiën"},
        "addressee": "T.a.v. Dhr. J. Peeters",
        "documentType": "letter",
    }
    (inbox / "brief.json").write_text(json.dumps(sidecar), encoding="utf-8")

    assert await werkplek("post", "import", str(inbox)) == 0

    reference = f"POST-{NOW.year}-000001"  # numbered in the year of the import
    assert f"brief: opgeslagen als {reference}" in capsys.readouterr().out
    (row,) = with_graph.rows(post_items)
    assert (row["state"], row["destination_target"]) == ("routed", JEF)

    out = tmp_path / "register.xlsx"
    assert await werkplek("report", "post", "--from", "2026-03-01", "--to", "2026-03-31",
                          "--out", str(out)) == 0  # fmt: skip
    sheet = load_workbook(io.BytesIO(out.read_bytes()))["Postregister"]
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert first["Bezorgd bij"] == "Jef Peeters"

    to_lotte = RoutingRule(
        "R-010",
        1,
        Destination(DestinationKind.PERSON, LOTTE_ID),
        RuleConditions(sender_contains="FOD Financiën"),
    )
    rules = tmp_path / "regels.xlsx"
    rules.write_bytes(write_rules([to_lotte]))
    capsys.readouterr()

    assert await werkplek("rules", "import", str(rules), "--dry-run") == 0

    assert (
        f"- {reference}: persoon Jef Peeters -> persoon Lotte Janssens (regel R-010)"
        in capsys.readouterr().out
    )
