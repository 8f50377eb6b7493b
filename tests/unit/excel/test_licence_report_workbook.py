"""The licence report workbook: a formatted sheet per topic, real dates, the report's rows."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.access.facts import Sku
from bot.domain.licences.report import SEATS_NOT_CONFIGURED, SeatReading, licence_report
from bot.domain.licences.requests import RequestState
from bot.excel.licences.report import write_licence_report
from bot.i18n import Translator
from devtools.demo_catalogue import POWER_BI_PRO_SKU, demo_catalogue
from tests.unit.excel.requests import ICT, MANAGER, decided, request

HOUR = timedelta(hours=1)
BRUSSELS = ZoneInfo("Europe/Brussels")
START, END = datetime(2026, 3, 1, tzinfo=BRUSSELS), datetime(2026, 4, 1, tzinfo=BRUSSELS)


def _workbook(locale: str = "nl") -> dict[str, Worksheet]:
    granted = decided(request(1, state=RequestState.FULFILLED, fulfilled_after=26 * HOUR), 2 * HOUR)
    rejected = decided(
        decided(request(2, item="powerbi-ppu", entity="DFB", stages=(MANAGER, ICT),
                        state=RequestState.REJECTED), HOUR),
        3 * HOUR, approved=False, stage=2, comment="=HYPERLINK(\"http://x\")",
    )  # fmt: skip
    seats = [SeatReading(POWER_BI_PRO_SKU, Sku(POWER_BI_PRO_SKU, "POWER_BI_PRO", 25, 20))]
    seats += [
        SeatReading(item.sku_id, problem=SEATS_NOT_CONFIGURED)
        for item in demo_catalogue().items
        if item.sku_id and item.sku_id != POWER_BI_PRO_SKU
    ]
    report = licence_report([granted, rejected], demo_catalogue(), seats, START, END)
    data = write_licence_report(report, Translator(locale), BRUSSELS)
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: sheet for sheet in book.worksheets}


def _rows(sheet: Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_one_sheet_per_topic_with_dutch_headers() -> None:
    sheets = _workbook()

    assert list(sheets) == ["Aanvragen", "Beslissingen", "Doorlooptijden", "Licenties"]
    assert _rows(sheets["Aanvragen"])[0][:6] == [
        "Referentie", "Aanvrager", "Entiteit", "Artikel", "Status", "Ingediend",
    ]  # fmt: skip


def test_every_sheet_is_formatted_for_filtering() -> None:
    for sheet in _workbook().values():
        header = sheet[1]
        assert all(cell.font.bold for cell in header), sheet.title
        assert header[0].fill.fill_type == "solid"
        assert sheet.freeze_panes == "A2"
        last_column = header[-1].column_letter
        assert sheet.auto_filter.ref == f"A1:{last_column}{sheet.max_row}"
        for cell in header:
            assert sheet.column_dimensions[cell.column_letter].width > 5


def test_dates_are_real_dates_in_brussels_time() -> None:
    sheet = _workbook()["Aanvragen"]
    created = sheet["F2"]
    decided_cell = sheet["G2"]

    assert isinstance(created.value, datetime)
    assert created.is_date and "yy" in created.number_format
    assert created.value == datetime(2026, 3, 2, 9, 0), "08:00 UTC is 09:00 in Brussels (CET)"
    assert decided_cell.value == datetime(2026, 3, 2, 11, 0)


def test_the_rows_of_the_report() -> None:
    sheets = _workbook()

    requests = _rows(sheets["Aanvragen"])
    assert requests[1][:5] == [
        "LIC-2026-000001", "Persoon 1", "ADV", "Power BI Pro", "Toegekend",
    ]  # fmt: skip
    assert requests[1][9:] == [2.0, 26.0]
    assert requests[2][3:5] == ["Power BI Premium per gebruiker", "Afgewezen"]
    assert sheets["Aanvragen"]["J2"].number_format == "0.0"

    decisions = _rows(sheets["Beslissingen"])
    assert [row[3:6] for row in decisions[1:]] == [
        [1, "Beslisser 1", "Goedgekeurd"],
        [1, "Beslisser 1", "Goedgekeurd"],
        [2, "Beslisser 2", "Afgewezen"],
    ]
    comment = sheets["Beslissingen"]["G4"]
    assert comment.value == '=HYPERLINK("http://x")' and comment.data_type == "s"

    lead_times = _rows(sheets["Doorlooptijden"])
    assert [row[:3] for row in lead_times[1:]] == [
        ["Power BI Pro", "Alle entiteiten", 1],
        ["Power BI Pro", "ADV", 1],
        ["Power BI Premium per gebruiker", "Alle entiteiten", 1],
        ["Power BI Premium per gebruiker", "DFB", 1],
    ]

    seats = _rows(sheets["Licenties"])
    header = seats[0]
    pro = dict(zip(header, seats[1], strict=True))
    assert pro["Licentie"] == "Power BI Pro"
    assert (pro["Entiteit"], pro["Gekocht"], pro["In gebruik"], pro["Vrij"]) == (
        "Hele organisatie", 25, 20, 5,
    )  # fmt: skip
    assert pro["Toegekend via Werkplek"] == 1
    unread = [dict(zip(header, row, strict=True)) for row in seats[1:]]
    notes = {row["Opmerking"] for row in unread if row["Entiteit"] == "Hele organisatie"}
    assert "Niet opgehaald: Microsoft Graph is niet ingesteld." in notes


def test_english_headers_for_an_english_admin() -> None:
    sheets = _workbook("en")

    assert list(sheets) == ["Requests", "Decisions", "Lead times", "Licences"]
    assert _rows(sheets["Requests"])[1][4] == "Granted"


def test_an_empty_report_still_has_its_sheets() -> None:
    report = licence_report([], demo_catalogue(), [], START, END)
    book = load_workbook(io.BytesIO(write_licence_report(report, Translator("nl"), BRUSSELS)))

    assert book.sheetnames == ["Aanvragen", "Beslissingen", "Doorlooptijden", "Licenties"]
    assert book["Aanvragen"].auto_filter.ref == "A1:K1"
    assert book.properties.title == "Licentieaanvragen van 2026-03-01 tot en met 2026-03-31"
