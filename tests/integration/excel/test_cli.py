"""`werkplek catalog import|export` and `werkplek report licences` on a real SQLite store."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.domain.licences.catalogue import Catalogue
from bot.domain.licences.requests import NewLicenceRequest
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.excel.licences.catalogue import read_catalogue, write_catalogue
from bot.store import Database, SqlCatalogueRepository, SqlLicenceRequestRepository
from devtools.demo_catalogue import demo_catalogue
from tests.support.db import MakeDatabaseUrl, run_blocking
from tests.unit.excel.builders import demo_sheets, workbook


@pytest.fixture
def database_url(
    make_database_url: MakeDatabaseUrl, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> str:
    url = make_database_url("sqlite")
    monkeypatch.chdir(tmp_path)  # no .env from the checkout; default output lands here
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WERKPLEK_TIMEZONE", "Europe/Brussels")
    return url


def _stored(url: str) -> Catalogue:
    async def load() -> Catalogue:
        database = Database(url)
        try:
            return await SqlCatalogueRepository(database).load()
        finally:
            await database.dispose()

    return run_blocking(load())


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def test_a_bad_workbook_lists_every_problem_and_stores_nothing(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheets = demo_sheets()
    sheets["Artikelen"][2][5] = "geen-guid"  # Groep-id of the second item
    sheets["Aanbod"][1][2] = "onbekend"  # Beleid of the first offer
    path = _write(tmp_path / "fout.xlsx", workbook(sheets))

    code = main(["catalog", "import", path])

    assert code == 1
    err = capsys.readouterr().err
    assert "Er is niets opgeslagen. Fouten in het werkboek: 2." in err
    assert "- blad Artikelen, rij 3, kolom Groep-id: „geen-guid” is geen geldige id" in err
    assert "- blad Aanbod, rij 2, kolom Beleid: Het beleid „onbekend” staat niet" in err
    assert _stored(database_url) == Catalogue()


def test_a_good_workbook_replaces_the_catalogue(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "catalogus.xlsx", write_catalogue(demo_catalogue()))

    assert main(["catalog", "import", path, "--dry-run"]) == 0
    assert "Er is niets opgeslagen (--dry-run)" in capsys.readouterr().out
    assert _stored(database_url) == Catalogue()

    assert main(["catalog", "import", path]) == 0

    out = capsys.readouterr().out
    assert out.startswith("Catalogus opgeslagen (artikelen: 6, vragen: 2, entiteiten: 5,")
    assert _stored(database_url) == demo_catalogue()


def test_export_gives_back_what_was_imported(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalog", "import", _write(tmp_path / "in.xlsx", write_catalogue(
        demo_catalogue()))]) == 0  # fmt: skip
    out = tmp_path / "uit" / "catalogus.xlsx"

    assert main(["catalogus", "export", str(out)]) == 0

    assert read_catalogue(out.read_bytes()) == demo_catalogue()
    assert str(out) in capsys.readouterr().out


def test_an_unreadable_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "import", str(tmp_path / "nergens.xlsx")]) == 2
    assert "nergens.xlsx kan niet gelezen worden" in capsys.readouterr().err


def test_a_fifo_or_an_oversized_file_is_refused_unread(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "catalogus.xlsx"
    os.mkfifo(fifo)  # opening it for reading would wait forever for a writer
    assert main(["catalog", "import", str(fifo)]) == 2
    assert "catalogus.xlsx" in capsys.readouterr().err
    huge = tmp_path / "groot.xlsx"
    with huge.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: no disk used, 64 MiB to a reader
    assert main(["catalog", "import", str(huge)]) == 2
    assert "20 MB" in capsys.readouterr().err
    assert _stored(database_url) == Catalogue()


def test_the_licence_report_of_one_entity(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def seed() -> None:
        database = Database(database_url)
        try:
            await SqlCatalogueRepository(database).replace(demo_catalogue())
            requests = SqlLicenceRequestRepository(database)
            for number, entity in enumerate(("ADV", "DFB")):
                new = NewLicenceRequest(
                    tenant_id="tenant",
                    requester_id=f"user-{number}",
                    requester_name=f"Persoon {number}",
                    entity=entity,
                    item_key="powerbi-pro",
                    justification="Voor de maandrapportering van het team.",
                    stages=(),
                )
                now = datetime(2026, 3, 2 + number, 9, 0, tzinfo=UTC)
                await requests.add(new, now, AuditEntry(now, new.requester_id, "licence.submit",
                                                        Outcome.OK))  # fmt: skip
        finally:
            await database.dispose()

    run_blocking(seed())

    code = main(["report", "licences", "--from", "2026-03-01", "--to", "2026-03-31",
                 "--entity", "adv"])  # fmt: skip

    assert code == 0
    path = tmp_path / "licenties-2026-03-01-2026-03-31-ADV.xlsx"
    assert f"{path.name} (aanvragen: 1, beslissingen: 0)" in capsys.readouterr().out
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert book.sheetnames == ["Aanvragen", "Beslissingen", "Doorlooptijden", "Licenties"]
    rows = list(book["Aanvragen"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[2], row[3]) for row in rows] == [("Persoon 0", "ADV", "Power BI Pro")]
    notes = {row[8] for row in book["Licenties"].iter_rows(min_row=2, values_only=True)}
    assert "Niet opgehaald: Microsoft Graph is niet ingesteld." in notes


def test_the_report_refuses_an_unknown_entity_or_a_backwards_period(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "licences", "--from", "2026-03-01", "--to", "2026-03-31",
                 "--entity", "XYZ"]) == 2  # fmt: skip
    assert "De entiteit XYZ staat niet in de catalogus." in capsys.readouterr().err
    assert main(["report", "licences", "--from", "2026-03-31", "--to", "2026-03-01"]) == 2
    assert "ligt voor de begindatum" in capsys.readouterr().err
