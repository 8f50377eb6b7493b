"""`werkplek report announcement ID` on a real SQLite store: the workbook of one announcement
(by number or reference), its figures adding up, and an unknown one refused."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.domain.announcements.announcements import NewAnnouncement
from bot.domain.announcements.audiences import Audience, AudienceKind
from bot.domain.announcements.content import Content
from bot.domain.announcements.recipients import NewRecipient
from bot.store import Database
from bot.store.announcements.announcements import SqlAnnouncementRepository
from tests.support.clock import FakeClock
from tests.support.db import MakeDatabaseUrl, run_blocking

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def reference(
    make_database_url: MakeDatabaseUrl, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> str:
    url = make_database_url("sqlite")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)

    async def seed() -> str:
        database = Database(url)
        try:
            repository = SqlAnnouncementRepository(database, clock=FakeClock(AT))
            made = await repository.add(
                NewAnnouncement(
                    tenant_id="tenant-1",
                    author_id="ann",
                    author_name="Ann Peeters",
                    author_entity="AWV",
                    dutch=Content(title="De postkamer is dicht op 24/12"),
                    created_at=AT,
                    audience=Audience(AudienceKind.ENTITIES, entities=("AWV",)),
                )
            )
            await repository.add_recipients(
                made.id,
                [NewRecipient(f"person-{n}", entity="AWV" if n < 3 else "DOMG") for n in range(5)],
            )
            await repository.mark_resolved(made.id)
            return made.reference
        finally:
            await database.dispose()

    return run_blocking(seed())


def test_the_report_of_an_announcement_by_its_reference(
    reference: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "announcement", reference.lower()]) == 0
    path = tmp_path / f"aankondiging-{reference}.xlsx"
    assert f"Rapport geschreven naar {path.name} (5 ontvangers)." in capsys.readouterr().out
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert len(book.worksheets) == 3
    people = [row for row in book.worksheets[2].iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(people) == 5


def test_the_report_by_number_in_english_to_a_chosen_file(
    reference: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.xlsx"
    assert main(["report", "announcement", "1", "--out", str(out), "--lang", "en"]) == 0
    assert "Rapport geschreven naar" in capsys.readouterr().out  # the command line speaks nl
    book = load_workbook(io.BytesIO(out.read_bytes()))
    assert [sheet.title for sheet in book.worksheets] == ["Summary", "Per entity", "Recipients"]


def test_an_unknown_announcement_is_refused(
    reference: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "announcement", "ANN-2026-999999"]) == 2
    assert "Geen aankondiging gevonden" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.xlsx"))
