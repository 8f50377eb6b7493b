"""An announcement's report as a workbook (bot/excel/announcements/report.py): it reads back with
a formatted summary whose outcomes add up to the audience, the figures per entity with their
shares, one row per recipient with real datetimes in the zone, in Dutch and English; and a report
of 60,000 recipients is written from an iterable without keeping the rows."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.announcements.audiences import Audience, AudienceKind
from bot.domain.announcements.content import Content, Importance
from bot.domain.announcements.recipients import (
    EntityFigures,
    Figures,
    Outcome,
    Recipient,
    tally,
)
from bot.excel.announcements.report import write_announcement_report
from bot.i18n import LOCALES, Translator

BRUSSELS = ZoneInfo("Europe/Brussels")
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Brussels (winter time)
_RAW_KEY = re.compile(r"^[a-z_]+\.[a-z_.]+$")  # a message id instead of its text


def _announcement(**changes: object) -> Announcement:
    values: dict[str, object] = {
        "id": 42,
        "reference": "ANN-2026-000042",
        "tenant_id": "tenant",
        "author_id": "author-oid",
        "author_name": "An Peeters",
        "author_entity": "AWV",
        "state": AnnouncementState.SENT,
        "version": 5,
        "dutch": Content("Vanaf maandag is MFA verplicht"),
        "english": Content("MFA is required from Monday"),
        "importance": Importance.URGENT,
        "audience": Audience(AudienceKind.ENTITIES, entities=("AWV", "DOMG")),
        "created_at": START - timedelta(days=1),
        "updated_at": START + timedelta(hours=1),
        "started_at": START,
        "finished_at": START + timedelta(minutes=40),
        "audience_size": 5,
        "resolved": True,
    }
    values.update(changes)
    return Announcement(**values)  # type: ignore[arg-type]


def _recipients() -> list[Recipient]:
    sent = START + timedelta(minutes=1)
    return [
        Recipient(42, "u-1", "AWV", Outcome.SENT, sent, sent + timedelta(minutes=5), sent),
        Recipient(42, "u-2", "AWV", Outcome.THROTTLED_SENT, sent, sent + timedelta(hours=2)),
        Recipient(42, "u-3", "AWV", Outcome.BLOCKED),
        Recipient(42, "u-4", "DOMG", Outcome.SENT, sent),
        Recipient(42, "u-5", "", Outcome.NOT_REACHED),
    ]


def _figures(recipients: list[Recipient]) -> Figures:
    return tally(
        (r.outcome, r.read_at is not None, r.acknowledged_at is not None) for r in recipients
    )


def _by_entity(recipients: list[Recipient]) -> list[EntityFigures]:
    entities = sorted({r.entity for r in recipients})
    return [
        EntityFigures(code, _figures([r for r in recipients if r.entity == code]))
        for code in entities
    ]


def _sheets(locale: str = "nl") -> dict[str, Worksheet]:
    recipients = _recipients()
    data = write_announcement_report(
        _announcement(),
        _figures(recipients),
        _by_entity(recipients),
        iter(recipients),  # read once, as the store hands them out
        Translator(locale),
        BRUSSELS,
    )
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: sheet for sheet in book.worksheets}


def _rows(sheet: Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _by_header(sheet: Worksheet) -> list[dict[str, object]]:
    header, *rows = _rows(sheet)
    return [dict(zip(header, row, strict=True)) for row in rows]  # type: ignore[arg-type]


def test_three_sheets_in_dutch_and_english() -> None:
    assert list(_sheets("nl")) == ["Samenvatting", "Per entiteit", "Ontvangers"]
    assert list(_sheets("en")) == ["Summary", "Per entity", "Recipients"]
    assert _rows(_sheets("en")["Recipients"])[0] == [
        "User id",
        "Entity",
        "Outcome",
        "Sent at",
        "Read at",
        "Acknowledged at",
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_sheet_is_formatted_for_filtering_and_fully_translated(locale: str) -> None:
    for sheet in _sheets(locale).values():
        header = sheet[1]
        assert all(cell.font.bold for cell in header), sheet.title
        assert header[0].fill.fill_type == "solid"
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{header[-1].column_letter}{sheet.max_row}"
        for cell in header:
            assert sheet.column_dimensions[cell.column_letter].width > 5
        texts = [v for row in _rows(sheet) for v in row if isinstance(v, str)]
        assert not [text for text in texts if _RAW_KEY.match(text)], sheet.title


def test_excel_opens_on_the_summary_alone() -> None:
    sheets = list(_sheets().values())
    assert [sheet.sheet_view.tabSelected for sheet in sheets] == [True, False, False]


def test_the_summary_names_the_announcement_and_its_outcomes_add_up() -> None:
    sheet = _sheets()["Samenvatting"]
    lines = {row[0]: (row[1], row[2]) for row in _rows(sheet)[1:]}
    assert lines["Referentie"][0] == "ANN-2026-000042"
    assert lines["Titel"][0] == "Vanaf maandag is MFA verplicht"
    assert lines["Auteur"][0] == "An Peeters"
    assert lines["Status"][0] == "Verstuurd"
    assert lines["Versturen begonnen op"][0] == datetime(2026, 3, 2, 9, 0)  # Brussels
    assert lines["Versturen beëindigd op"][0] == datetime(2026, 3, 2, 9, 40)
    assert lines["Ontvangers"][0] == 5
    outcomes = {
        "Verstuurd": 2,
        "Verstuurd na nieuwe poging": 1,
        "Mislukt": 0,
        "Geblokkeerd of app verwijderd": 1,
        "Niet gevonden": 0,
        "Nog niet bereikt": 1,
    }
    assert {label: lines[label][0] for label in outcomes} == outcomes
    assert sum(outcomes.values()) == lines["Samen (gelijk aan het aantal ontvangers)"][0] == 5
    assert lines["Samen (gelijk aan het aantal ontvangers)"][1] == 1.0
    assert lines["Bereikt"] == (3, 0.6)
    assert lines["Gelezen (aandeel van bereikt)"] == (2, pytest.approx(2 / 3))
    assert lines["Bevestigd (aandeel van bereikt)"] == (1, pytest.approx(1 / 3))
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert cells["Versturen begonnen op"][1].is_date
    assert cells["Bereikt"][2].number_format == "0.0%"


def test_the_english_summary_uses_the_english_title() -> None:
    lines = {row[0]: row[1] for row in _rows(_sheets("en")["Summary"])[1:]}
    assert lines["Title"] == "MFA is required from Monday"
    assert lines["State"] == "Sent"


def test_a_summary_of_an_announcement_not_yet_sent_leaves_its_times_empty() -> None:
    data = write_announcement_report(
        _announcement(state=AnnouncementState.SCHEDULED, started_at=None, finished_at=None),
        Figures(audience=0),
        [],
        [],
        Translator("nl"),
        BRUSSELS,
    )
    sheets = load_workbook(io.BytesIO(data)).worksheets
    lines = {row[0]: (row[1], row[2]) for row in _rows(sheets[0])[1:]}
    assert lines["Versturen begonnen op"] == (None, None)
    assert lines["Status"][0] == "Gepland"
    assert lines["Bereikt"] == (0, None)  # a share of nothing is empty, not 0%
    assert [len(_rows(sheet)) for sheet in sheets[1:]] == [1, 1]  # headers only


def test_the_figures_per_entity_with_their_shares() -> None:
    sheet = _sheets()["Per entiteit"]
    unknown, awv, domg = _by_header(sheet)
    assert (unknown["Entiteit"], awv["Entiteit"], domg["Entiteit"]) == ("(onbekend)", "AWV", "DOMG")
    assert (awv["Ontvangers"], awv["Bereikt"], awv["Gelezen"], awv["Bevestigd"]) == (3, 2, 2, 1)
    assert awv["Bereikt (%)"] == pytest.approx(2 / 3)
    assert awv["Gelezen (% van bereikt)"] == 1.0
    assert awv["Bevestigd (% van bereikt)"] == 0.5
    assert (unknown["Bereikt"], unknown["Bereikt (%)"], unknown["Gelezen (% van bereikt)"]) == (
        0,
        0.0,
        None,
    )
    assert sheet["D2"].number_format == "0.0%"


def test_one_row_per_recipient_with_real_datetimes_in_the_zone() -> None:
    sheet = _sheets()["Ontvangers"]
    rows = _by_header(sheet)
    assert [row["Gebruiker-id"] for row in rows] == ["u-1", "u-2", "u-3", "u-4", "u-5"]
    one, two, three, _, five = rows
    assert one["Resultaat"] == "Verstuurd"
    assert one["Verstuurd op"] == datetime(2026, 3, 2, 9, 1)  # naive Brussels time
    assert one["Gelezen op"] == datetime(2026, 3, 2, 9, 6)
    assert one["Bevestigd op"] == datetime(2026, 3, 2, 9, 1)
    assert isinstance(two["Gelezen op"], datetime)
    assert sheet["D2"].is_date and sheet["D2"].number_format == "dd/mm/yyyy hh:mm"
    assert (two["Resultaat"], three["Resultaat"]) == (
        "Verstuurd na nieuwe poging",
        "Geblokkeerd of app verwijderd",
    )
    assert (three["Verstuurd op"], three["Gelezen op"]) == (None, None)
    assert (five["Entiteit"], five["Resultaat"]) == ("(onbekend)", "Nog niet bereikt")


def test_text_that_looks_like_a_formula_stays_text() -> None:
    data = write_announcement_report(
        _announcement(author_name='=HYPERLINK("x")', dutch=Content("=1+1")),
        Figures(audience=0),
        [],
        [],
        Translator("nl"),
        BRUSSELS,
    )
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert (cells["Titel"].value, cells["Titel"].data_type) == ("=1+1", "s")
    assert cells["Auteur"].data_type == "s"


def _many(count: int) -> Iterator[Recipient]:
    """Recipients one at a time, as a store cursor hands them out."""
    sent = START + timedelta(minutes=2)
    outcomes = list(Outcome)
    for n in range(count):
        outcome = outcomes[n % len(outcomes)]
        reached = outcome in (Outcome.SENT, Outcome.THROTTLED_SENT)
        yield Recipient(
            42,
            f"00000000-0000-0000-0000-{n:012d}",
            f"E{n % 40}",
            outcome,
            sent if reached else None,
            sent + timedelta(hours=1) if reached and n % 3 == 0 else None,
        )


def _write_many(count: int) -> bytes:
    figures = tally((r.outcome, r.read_at is not None, False) for r in _many(count))
    return write_announcement_report(
        _announcement(audience_size=count),
        figures,
        [EntityFigures(f"E{n}", figures) for n in range(40)],
        _many(count),
        Translator("nl"),
        BRUSSELS,
    )


def test_sixty_thousand_recipients_make_a_report() -> None:
    count = 60_000

    data = _write_many(count)

    sheet = load_workbook(io.BytesIO(data), read_only=True)["Ontvangers"]
    first = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    assert first[:3] == ("00000000-0000-0000-0000-000000000000", "E0", "Verstuurd")
    assert first[3] == datetime(2026, 3, 2, 9, 2)
    with zipfile.ZipFile(io.BytesIO(data)) as package:  # counted without parsing every row
        assert package.read("xl/worksheets/sheet3.xml").count(b"<row ") == count + 1


def test_the_recipients_are_streamed_not_kept() -> None:
    tracemalloc.start()
    try:
        _write_many(10_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A sheet of 10,000 recipients built in memory (bot/excel/workbook.py's add_sheet) peaks
    # at about 23 MB; streamed, the peak is the zipped bytes and a few rows (under 1 MB).
    assert peak < 8 * 1024 * 1024, peak
