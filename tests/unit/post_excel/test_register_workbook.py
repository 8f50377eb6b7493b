"""The post register workbook: one formatted row per item, names instead of ids, real dates in
Brussels time, and a summary with counts and the median handling time in working days."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.post.items import (
    TRIAGE,
    Destination,
    DestinationKind,
    DocumentType,
    PostItem,
    PostState,
)
from bot.domain.post.routing import ADDRESSEE_RULE
from bot.excel.post.register import write_post_register
from bot.excel.post.register_summary import working_days
from bot.i18n import Translator, catalog_messages
from tests.unit.post_excel.samples import (
    AN,
    CHANNEL,
    GROUP,
    JEF,
    MONDAY,
    handled,
    item,
    routed,
    scan_gone,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
HOUR = timedelta(hours=1)
FRIDAY_16H = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # 16:00 in Brussels
NAMES = {JEF: "Jef Peeters", AN: "An Claes", GROUP: "Team Facturatie"}


def _items() -> list[PostItem]:
    letter = handled(routed(item(1)), 2 * HOUR)  # 2 working hours
    weekend = handled(routed(item(2, received=FRIDAY_16H, entity="DFB")), 66 * HOUR)  # Mon 10:00
    triage = routed(item(3, entity="", subject='=HYPERLINK("http://x")'), TRIAGE, rule_id="")
    legal = handled(
        routed(
            item(4, kind=DocumentType.LEGAL, registered=True),
            Destination(DestinationKind.TEAM, f"{GROUP}|{CHANNEL}"),
            rule_id="R-007",
        ),
        24 * HOUR,
        by=AN,
    )
    legal = scan_gone(legal, MONDAY + 100 * 24 * HOUR)
    queue = routed(
        item(5, entity=""), Destination(DestinationKind.ENTITY, "AFB"), rule_id=ADDRESSEE_RULE
    )
    return [letter, weekend, triage, legal, queue]


def _sheets(locale: str = "nl") -> dict[str, Worksheet]:
    data = write_post_register(_items(), NAMES, BRUSSELS, Translator(locale))
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: sheet for sheet in book.worksheets}


def _rows(sheet: Worksheet) -> list[dict[str, object]]:
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(map(str, rows[0]), row, strict=True)) for row in rows[1:]]


def test_two_sheets_in_dutch_and_in_english() -> None:
    assert list(_sheets()) == ["Postregister", "Samenvatting"]
    assert list(_sheets("en")) == ["Post register", "Summary"]


def test_every_sheet_is_formatted_for_filtering() -> None:
    for sheet in _sheets().values():
        header = sheet[1]
        assert all(cell.font.bold for cell in header), sheet.title
        assert header[0].fill.fill_type == "solid"
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{header[-1].column_letter}{sheet.max_row}"
        for cell in header:
            assert sheet.column_dimensions[cell.column_letter].width >= 10, cell.value


def test_one_row_per_item_with_names_and_words() -> None:
    rows = _rows(_sheets()["Postregister"])

    assert [row["Referentie"] for row in rows] == [f"POST-2026-00000{n}" for n in range(1, 6)]
    first = rows[0]
    assert first["Afzender"] == "Marie Claes"
    assert first["Organisatie"] == "FOD Financiën"
    assert first["Geadresseerde (omslag)"] == "Jef Peeters"
    assert first["Bezorgd bij"] == "Jef Peeters"
    assert first["Entiteit"] == "ADV"
    assert first["Soort"] == "Brief"
    assert first["Status"] == "Behandeld"
    assert first["Behandeld door"] == "Jef Peeters"
    assert first["Regel"] == "R-001"
    assert first["Scan"] == "Bewaard"
    assert first["Scan verwijderd op"] is None
    assert rows[2]["Bezorgd bij"] == "Triage postkamer"
    assert rows[2]["Status"] == "In triage"
    assert rows[2]["Onderwerp"] == '=HYPERLINK("http://x")'  # text, never a formula
    legal = rows[3]
    assert legal["Bezorgd bij"] == "Team Team Facturatie"
    assert (legal["Aangetekend"], legal["Zendingsnummer"]) == ("ja", "RR123456789BE")
    assert legal["Soort"] == "Juridisch"
    assert legal["Ontvangst bevestigd door"] == "An Claes"
    assert legal["Scan"] == "Verwijderd"
    assert isinstance(legal["Scan verwijderd op"], datetime)
    assert rows[4]["Bezorgd bij"] == "Postvak AFB"
    assert rows[4]["Entiteit"] == "AFB", "no entity from the scanner: the queue's entity"
    assert rows[4]["Regel"] == "Geadresseerde"


def test_an_id_nobody_could_name_stays_an_id() -> None:
    data = write_post_register(_items(), {}, BRUSSELS, Translator("nl"))
    rows = _rows(load_workbook(io.BytesIO(data))["Postregister"])

    assert rows[0]["Bezorgd bij"] == JEF


def test_dates_are_real_dates_in_brussels_time() -> None:
    sheet = _sheets()["Postregister"]
    received = sheet["B2"]

    assert isinstance(received.value, datetime)
    assert received.is_date and "yy" in received.number_format
    assert received.value == datetime(2026, 3, 2, 9, 0), "08:00 UTC is 09:00 in Brussels (CET)"
    assert sheet["C2"].value == datetime(2026, 3, 2, 9, 20)


def test_the_summary_counts_and_medians() -> None:
    rows = _rows(_sheets()["Samenvatting"])
    by = {(row["Indeling"], row["Waarde"]): row for row in rows}
    median = "Mediaan behandeltijd (werkdagen)"

    total = by[("Totaal", "Alle post")]
    assert (total["Aantal"], total["Behandeld"], total["Open"]) == (5, 3, 2)
    # 2 hours, 18 weekday hours (Fri 16:00 - Mon 10:00), 24 hours: median 0.75 working days
    assert total[median] == pytest.approx(0.75)
    assert (by[("Entiteit", "ADV")]["Aantal"], by[("Entiteit", "ADV")]["Behandeld"]) == (2, 2)
    assert by[("Entiteit", "ADV")][median] == pytest.approx((2 / 24 + 1) / 2, abs=0.01)
    assert by[("Entiteit", "DFB")][median] == pytest.approx(0.75)
    assert by[("Entiteit", "AFB")]["Aantal"] == 1
    assert by[("Entiteit", "(geen entiteit)")]["Aantal"] == 1
    assert by[("Entiteit", "(geen entiteit)")][median] is None
    assert by[("Soort", "Juridisch")]["Aantal"] == 1
    assert by[("Soort", "Factuur")]["Aantal"] == 0, "every type is listed, also with no post"
    assert by[("Status", "Behandeld")]["Aantal"] == 3
    assert by[("Status", "In triage")]["Aantal"] == 1
    assert by[("Status", "Bezorgd")]["Aantal"] == 1
    entities = [row["Waarde"] for row in rows if row["Indeling"] == "Entiteit"]
    assert entities == ["ADV", "AFB", "DFB", "(geen entiteit)"]


def test_an_empty_period_still_gives_both_sheets() -> None:
    data = write_post_register([], {}, BRUSSELS, Translator("nl"))
    book = load_workbook(io.BytesIO(data))

    assert book["Postregister"].max_row == 1
    total = _rows(book["Samenvatting"])[0]
    assert (total["Aantal"], total["Mediaan behandeltijd (werkdagen)"]) == (0, None)


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (_at(2, 9), _at(2, 15), 0.25),  # Monday, six hours
        (_at(6, 16), _at(9, 10), 0.75),  # Friday 16:00 to Monday 10:00: 8 + 10 hours
        (_at(7, 9), _at(8, 20), 0.0),  # within a weekend
        (_at(2, 0), _at(16, 0), 10.0),  # two whole weeks
        (_at(2, 9), _at(2, 8), 0.0),  # backwards
    ],
)
def test_working_days_leave_out_weekends(start: datetime, end: datetime, days: float) -> None:
    assert working_days(start, end, BRUSSELS) == pytest.approx(days)


def test_every_state_and_type_has_a_word_in_both_languages() -> None:
    for locale in ("nl", "en"):
        messages = catalog_messages(locale)
        for state in PostState:
            assert f"post_register.state.{state.value}" in messages
        for kind in DocumentType:
            assert f"post_register.type.{kind.value}" in messages
