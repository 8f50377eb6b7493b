"""`werkplek report tickets --from --to [--entity] [--out]` on a real SQLite store: the workbook
of the period's tickets and searches, one entity's, and what it refuses."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.store import Database, SqlCatalogueRepository
from devtools.demo_catalogue import demo_catalogue
from tests.integration.servicedesk.report_data import store_week
from tests.support.db import MakeDatabaseUrl, run_blocking
from tests.unit.servicedesk.report_world import THANKS


@pytest.fixture
def database_url(
    make_database_url: MakeDatabaseUrl, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> str:
    url = make_database_url("sqlite")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)

    async def seed() -> None:
        database = Database(url)
        try:
            await SqlCatalogueRepository(database).replace(demo_catalogue())
            await store_week(database)
        finally:
            await database.dispose()

    run_blocking(seed())
    return url


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(path.read_bytes()))
    return {s.title: [list(row) for row in s.iter_rows(values_only=True)] for s in book.worksheets}


def test_the_report_of_a_period_is_written(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "tickets", "--from", "2026-11-02", "--to", "2026-11-08"]) == 0
    path = tmp_path / "servicedesk-2026-11-02-2026-11-08.xlsx"
    assert f"Rapport geschreven naar {path.name} (5 meldingen)." in capsys.readouterr().out
    sheets = _sheets(path)
    assert list(sheets) == [
        "Samenvatting",
        "Per categorie",
        "Per entiteit",
        "Meldingen",
        "Vragen zonder antwoord",
    ]
    summary = {row[0]: row[1] for row in sheets["Samenvatting"][1:]}
    assert (summary["Meldingen"], summary["Eerste antwoord te laat"]) == (5, 2)
    assert (summary["Vragen aan de kennisbank"], summary["Geholpen door de kennisbank"]) == (
        8,
        0.25,
    )
    assert [row[0] for row in sheets["Meldingen"][1:]] == [
        "SD-2026-000001",
        "SD-2026-000003",
        "SD-2026-000004",
        "SD-2026-000002",
        "SD-2026-000005",
    ]
    assert sheets["Vragen zonder antwoord"][1] == [1, "Hoe reset ik mijn wachtwoord?", "nl", 3]
    # Per entity of the people who asked (ADV's asked the central desk), and what they wrote
    # with their rating on their ticket's row.
    assert [row[:2] for row in sheets["Per entiteit"][1:]] == [
        ["(onbekend)", 1],
        ["ADV", 2],
        ["AWV", 2],
    ]
    header, one, *_ = sheets["Meldingen"]
    assert (one[header.index("Servicedesk")], one[header.index("Entiteit")]) == (
        "centrale servicedesk",
        "ADV",
    )
    assert one[header.index("Opmerking bij de score")] == THANKS


def test_one_entitys_report_by_its_code_in_any_case(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "awv.xlsx"
    args = ["report", "tickets", "--from", "2026-11-01", "--to", "2026-11-30"]
    assert main([*args, "--entity", "awv", "--out", str(out)]) == 0
    assert "(2 meldingen)" in capsys.readouterr().out
    sheets = _sheets(out)
    assert [row[0] for row in sheets["Per entiteit"][1:]] == ["AWV"]
    assert [row[1] for row in sheets["Meldingen"][1:]] == ["AWV", "AWV"]


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--from", "2026-11-08", "--to", "2026-11-02"], "De einddatum (--to) ligt voor"),
        (
            ["--from", "2026-11-02", "--to", "2026-11-08", "--entity", "XYZ"],
            "De entiteit XYZ staat niet in de catalogus.",
        ),
    ],
)
def test_a_report_that_cannot_be_made_says_why(
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    said: str,
) -> None:
    assert main(["report", "tickets", *extra]) == 2
    assert said in capsys.readouterr().err
    assert not list(tmp_path.glob("*.xlsx"))
