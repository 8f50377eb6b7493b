"""`werkplek post import|purge` and `werkplek report post` on a real SQLite store and a real
scans folder: a report per file, handled files moved, safe to run again; only old handled
scans purged, their metadata kept; the register as a formatted workbook."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.domain.post.items import TRIAGE, PostState
from bot.store.platform.tables import audit_log, outbox
from bot.store.post.tables import post_items
from tests.integration.post.files import png, tiny_pdf
from tests.integration.post_cli.conftest import DAY, JEF, NOW, Store, person

BRUSSELS = ZoneInfo("Europe/Brussels")


def _sidecar(external_id: str, **fields: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "externalId": external_id,
        "receivedAt": "2026-11-30T07:45:00+01:00",
        "scannedAt": "2026-11-30T08:10:00+01:00",
        "sender": {"name": "Karel Claes", "organisation": "FOD Financiën"},
        "addressee": "T.a.v. Dhr. J. Peeters",
        "subject": "Aanslagbiljet personenbelasting",
        "documentType": "letter",
    }
    document.update(fields)
    return document


def _drop(folder: Path, name: str, pdf: bytes, meta: dict[str, Any]) -> None:
    (folder / f"{name}.pdf").write_bytes(pdf)
    (folder / f"{name}.json").write_text(json.dumps(meta), encoding="utf-8")


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.exists() else []


# --- post import ---------------------------------------------------------------------------------
def test_a_folder_is_imported_with_a_line_per_file_and_again_safely(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _drop(inbox, "a-goed", tiny_pdf(), _sidecar("imp-1"))
    _drop(inbox, "b-nogmaals", tiny_pdf(), _sidecar("imp-1"))  # the same item again
    _drop(inbox, "c-foto", png(), _sidecar("imp-3"))
    _drop(inbox, "d-soort", tiny_pdf(), _sidecar("imp-4", documentType="postkaart"))

    code = main(["post", "import", str(inbox)])

    assert code == 1, "a refused file makes the run fail"
    out, err = capsys.readouterr()
    first = f"POST-{NOW.year}-000001"  # numbered in the year of the import
    assert f"a-goed: opgeslagen als {first}" in out
    assert "b-nogmaals: " in out and first in out.split("b-nogmaals: ")[1]
    assert "c-foto: " in err
    assert "d-soort: " in err and "$.documentType" in err
    assert "Opgeslagen: 1, al eerder ontvangen: 1, geweigerd: 2" in out
    assert _files(inbox) == []
    assert _files(inbox / "verwerkt") == ["a-goed.json", "a-goed.pdf", "b-nogmaals.json",
                                          "b-nogmaals.pdf"]  # fmt: skip
    assert "c-foto.reden.txt" in _files(inbox / "geweigerd")
    rows = store.rows(post_items)
    assert [(r["external_id"], r["state"]) for r in rows] == [("imp-1", "triage")], (
        "no Graph here: the directory cannot be asked, so the mailroom triages it"
    )
    assert len(store.scan_files()) == 1

    assert main(["post", "import", str(inbox)]) == 0, "running again is safe"

    assert "Geen bestanden gevonden" in capsys.readouterr().out
    assert len(store.rows(post_items)) == 1
    assert len(store.scan_files()) == 1


def test_import_refuses_a_missing_folder(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["post", "import", str(tmp_path / "nergens")]) == 2
    assert "nergens is geen map" in capsys.readouterr().err


# --- post purge ----------------------------------------------------------------------------------
def test_purge_deletes_only_old_handled_scans_and_keeps_their_metadata(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    old = store.add_item("old", received=NOW - 120 * DAY, to=person(JEF), handled=NOW - 100 * DAY)
    recent = store.add_item(
        "recent", received=NOW - 20 * DAY, to=person(JEF), handled=NOW - 10 * DAY
    )
    open_item = store.add_item("open", received=NOW - 200 * DAY, to=person(JEF))
    triage = store.add_item("triage", received=NOW - 200 * DAY, to=TRIAGE)
    assert len(store.scan_files()) == 4

    assert main(["post", "purge", "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert f"- {old.reference}" in out and recent.reference not in out
    assert "1 scan zou verwijderd worden" in out and "bewaartermijn 90 dagen" in out
    assert len(store.scan_files()) == 4, "a dry run deletes nothing"

    assert main(["post", "purge"]) == 0

    assert "1 scan verwijderd" in capsys.readouterr().out
    files = {str(p.relative_to(store.documents)) for p in store.scan_files()}
    assert files == {recent.document.key, open_item.document.key, triage.document.key}
    purged = store.item(old.reference)
    assert purged.scan_deleted_at is not None
    assert purged.state is PostState.HANDLED
    assert purged.metadata == old.metadata, "metadata is kept"
    assert store.item(recent.reference).scan_deleted_at is None
    lines = [r for r in store.rows(audit_log) if r["action"] == "post.scan.purge"]
    assert [(r["object_id"], r["actor_id"], r["detail"]) for r in lines] == [
        (old.reference, "cli", {"scan": "deleted"})
    ]

    assert main(["post", "purge"]) == 0, "running again finds nothing more"
    assert "0 scans verwijderd" in capsys.readouterr().out


def test_purge_marks_an_item_whose_scan_is_already_gone(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    old = store.add_item("old", received=NOW - 120 * DAY, to=person(JEF), handled=NOW - 95 * DAY)
    (store.documents / old.document.key).unlink()  # a crash after deleting, before marking

    assert main(["post", "purge"]) == 0

    assert "; 1 was al weg)" in capsys.readouterr().out
    assert store.item(old.reference).scan_deleted_at is not None


# --- report post ---------------------------------------------------------------------------------
def test_the_post_register_of_a_period_and_an_entity(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store.set_entities("ADV", "DFB")  # "adv" is spelled as the catalogue spells it
    march = datetime(2026, 3, 2, 9, 0, tzinfo=BRUSSELS)
    store.add_item("a", received=march, to=person(JEF), handled=march + DAY)
    store.add_item("b", received=march + DAY, to=TRIAGE, entity="DFB")
    store.add_item("c", received=datetime(2026, 4, 1, 9, 0, tzinfo=BRUSSELS), to=person(JEF))

    code = main(["report", "post", "--from", "2026-03-01", "--to", "2026-03-31",
                 "--entity", "adv"])  # fmt: skip

    assert code == 0
    path = tmp_path / "postregister-2026-03-01-2026-03-31-ADV.xlsx"
    assert f"{path.name} (1 stuk)." in capsys.readouterr().out
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert book.sheetnames == ["Postregister", "Samenvatting"]
    sheet = book["Postregister"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["POST-2026-000001"]
    assert rows[0][1] == datetime(2026, 3, 2, 9, 0), "received, in Brussels time, a real date"
    assert rows[0][6] == JEF, "no Graph here: the id stands in for the name"

    out = tmp_path / "alles.xlsx"
    assert main(["report", "post", "--from", "2026-03-01", "--to", "2026-03-31",
                 "--out", str(out)]) == 0  # fmt: skip
    rows = list(load_workbook(out)["Postregister"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["POST-2026-000001", "POST-2026-000002"]


def test_the_register_refuses_a_backwards_period(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "post", "--from", "2026-03-31", "--to", "2026-03-01"]) == 2
    assert "De einddatum (--to) ligt voor de begindatum (--from)." in capsys.readouterr().err


def test_nothing_is_sent_from_the_command_line(store: Store, tmp_path: Path) -> None:
    """Notices of an import wait in the outbox for the running bot."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _drop(inbox, "brief", tiny_pdf(), _sidecar("imp-9"))

    main(["post", "import", str(inbox)])

    assert all(row["status"] == "pending" for row in store.rows(outbox))
