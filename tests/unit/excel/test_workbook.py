"""The shared workbook helpers: formatted sheets out, headers understood in."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.domain.licences.requests import RequestState
from bot.excel.workbook import (
    Column,
    Field,
    add_sheet,
    find_sheet,
    header_name,
    new_workbook,
    open_workbook,
    read_sheet,
    workbook_bytes,
)
from bot.i18n import LOCALES, catalog_messages
from tests.unit.excel.builders import workbook


@dataclass
class Row:
    name: str
    at: datetime
    day: date
    count: int


def test_a_sheet_is_written_with_header_style_filter_freeze_widths_and_dates() -> None:
    book = new_workbook()
    rows = [
        Row("Één", datetime(2026, 7, 1, 12, 30, tzinfo=UTC), date(2026, 7, 2), 3),
        Row("=1+1", datetime(2026, 1, 1, 12, 0, tzinfo=UTC), date(2026, 1, 1), 4),
    ]
    columns: list[Column[Row]] = [
        Column("Naam", lambda r: r.name, 20),
        Column("Tijdstip", lambda r: r.at, 18),
        Column("Dag", lambda r: r.day, 12),
        Column("Aantal", lambda r: r.count, 9, "0"),
    ]
    add_sheet(book, "Een heel lange bladnaam die Excel niet aanvaardt", columns, rows,
              timezone=ZoneInfo("Europe/Brussels"))  # fmt: skip

    sheet = load_workbook(io.BytesIO(workbook_bytes(book))).worksheets[0]

    assert sheet.title == "Een heel lange bladnaam die Exc"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D3"
    assert [sheet.column_dimensions[c].width for c in "ABCD"] == [20, 18, 12, 9]
    assert sheet["A1"].font.bold
    assert sheet["B2"].value == datetime(2026, 7, 1, 14, 30), "summer time: UTC+2"
    assert sheet["B3"].value == datetime(2026, 1, 1, 13, 0), "winter time: UTC+1"
    assert sheet["B2"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet["C2"].value == datetime(2026, 7, 2) and sheet["C2"].number_format == "dd/mm/yyyy"
    assert sheet["A3"].value == "=1+1" and sheet["A3"].data_type == "s", "text, not a formula"
    assert sheet["D2"].number_format == "0"


def test_headers_match_without_case_accents_or_punctuation() -> None:
    assert header_name("Naam (NL)") == header_name("naam nl") == "naam nl"
    assert header_name(" Financiën–Begroting ") == "financien begroting"
    assert header_name(None) == ""


def test_a_sheet_is_read_by_any_of_its_names_with_row_numbers() -> None:
    data = workbook(
        {
            "Uitleg": [["niets"]],
            "ARTIKELEN": [
                ["Sleutel", "Extra", "NAAM (nl)", "Naam (nl)"],
                ["a", "x", "Eerste", "genegeerd"],
                [None, "alleen extra", None, None],
                ["b", None, None, None],
            ],
        }
    )
    book = open_workbook(data)
    sheet = find_sheet(book, ("Artikelen", "Items"))
    assert sheet is not None

    read = read_sheet(sheet, [Field("key", ("Sleutel", "Key")), Field("name", ("Naam (nl)",))])

    assert read.title == "ARTIKELEN"
    assert read.has("key") and read.has("name")
    assert list(read.rows()) == [
        (2, {"key": "a", "name": "Eerste"}),
        (4, {"key": "b", "name": None}),
    ]
    assert find_sheet(book, ("Beleid",)) is None


def test_every_request_state_has_a_report_name() -> None:
    for locale in LOCALES:
        messages = catalog_messages(locale)
        for state in RequestState:
            assert f"report.licences.state.{state.value}" in messages
