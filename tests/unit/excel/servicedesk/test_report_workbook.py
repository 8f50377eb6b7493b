"""The service desk's report as a workbook (bot/excel/servicedesk/report.py): it reads back with
a formatted sheet per topic, real dates, numbers of working hours, every text translated, and a
question that looks like a formula stays text."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.excel.servicedesk.report import write_ticket_report
from bot.i18n import LOCALES, Translator
from tests.unit.servicedesk.report_world import BRUSSELS, COMPLAINT, THANKS, sample_report

_RAW_KEY = re.compile(r"^[a-z_]+\.[a-z_.]+$")  # a message id instead of its text


def _sheets(locale: str = "nl", entity: str | None = None) -> dict[str, Worksheet]:
    data = write_ticket_report(sample_report(entity), Translator(locale), BRUSSELS)
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: sheet for sheet in book.worksheets}


def _rows(sheet: Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _by_header(sheet: Worksheet) -> list[dict[str, object]]:
    header, *rows = _rows(sheet)
    return [dict(zip(header, row, strict=True)) for row in rows]  # type: ignore[arg-type]


def test_a_sheet_per_topic_in_dutch_and_english() -> None:
    assert list(_sheets("nl")) == [
        "Samenvatting",
        "Per categorie",
        "Per entiteit",
        "Meldingen",
        "Vragen zonder antwoord",
    ]
    assert list(_sheets("en")) == [
        "Summary",
        "Per category",
        "Per entity",
        "Tickets",
        "Questions not answered",
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


def test_the_summary_holds_the_periods_figures() -> None:
    summary = {row[0]: row[1] for row in _rows(_sheets()["Samenvatting"])[1:]}
    assert summary["Periode"] == "02/11/2026 – 15/11/2026"
    assert summary["Entiteit"] == "alle entiteiten"
    assert summary["Gemaakt op"] == datetime(2026, 11, 11, 12, 0)
    assert (summary["Meldingen"], summary["Nog open"], summary["Opgelost"]) == (5, 2, 3)
    assert summary["Eerste antwoord, mediaan (werkuren)"] == 2.0
    assert summary["Oplossing, 90% binnen (werkuren)"] == 5.0
    assert (summary["Eerste antwoord te laat"], summary["Oplossing te laat"]) == (2, 2)
    assert (
        summary["Tevredenheid (gemiddelde score, 1 tot 5)"],
        summary["Beoordeelde meldingen"],
    ) == (
        3.5,
        2,
    )
    assert summary["Vragen aan de kennisbank"] == 20
    assert summary["Geholpen door de kennisbank"] == 0.4
    cells = {row[0].value: row[1] for row in _sheets()["Samenvatting"].iter_rows(min_row=2)}
    assert cells["Geholpen door de kennisbank"].number_format == "0.0%"
    assert cells["Gemaakt op"].is_date


def test_the_figures_per_category_and_per_entity() -> None:
    sheets = _sheets()
    categories = _by_header(sheets["Per categorie"])
    assert [(row["Categorie"], row["Meldingen"]) for row in categories] == [
        ("Toegang en aanmelden", 2),
        ("Licenties", 2),
        ("Power BI en Power Platform", 0),
        ("Post", 1),
        ("Andere", 0),
    ]
    # The entity of the people who asked: ADV's asked the central desk, one person's is unknown.
    unknown, adv, awv = _by_header(sheets["Per entiteit"])
    assert (unknown["Entiteit"], adv["Entiteit"], awv["Entiteit"]) == ("(onbekend)", "ADV", "AWV")
    assert (unknown["Meldingen"], adv["Meldingen"], awv["Meldingen"]) == (1, 2, 2)
    assert awv["Eerste antwoord, mediaan (werkuren)"] == 2.5
    assert (adv["Tevredenheid (1 tot 5)"], awv["Tevredenheid (1 tot 5)"]) == (5.0, 2.0)
    assert unknown["Oplossing te laat"] == 1
    assert sheets["Per entiteit"]["F2"].number_format == "0.0"


def test_one_row_per_ticket_with_real_dates_and_working_hours() -> None:
    sheet = _sheets()["Meldingen"]
    tickets = _by_header(sheet)
    assert [row["Referentie"] for row in tickets] == [
        "SD-2026-000001",
        "SD-2026-000003",
        "SD-2026-000004",
        "SD-2026-000002",
        "SD-2026-000005",
    ]
    one, three, four, two, _ = tickets
    assert one["Gemeld op"] == datetime(2026, 11, 2, 9, 0)  # Brussels time, as Excel shows it
    assert sheet["G2"].is_date
    assert (two["Werkuren tot eerste antwoord"], two["Werkuren tot oplossing"]) == (2.0, 5.0)
    assert (two["Entiteit"], two["Servicedesk"], two["Status"], two["Score"]) == (
        "AWV",
        "AWV",
        "Afgesloten",
        2,
    )
    assert (one["Entiteit"], one["Servicedesk"]) == ("ADV", "centrale servicedesk")
    assert (four["Entiteit"], four["Servicedesk"]) == ("(onbekend)", "centrale servicedesk")
    assert (three["Termijn eerste antwoord"], three["Termijn oplossing"]) == ("te laat", "te laat")
    assert (four["Eerste antwoord op"], four["Urgentie"], four["Status"]) == (
        None,
        "Kan wachten",
        "Nieuw",
    )
    assert "Vraag 1" not in [v for row in _rows(sheet) for v in row]  # no ticket's own words


def test_what_people_wrote_with_their_rating_has_a_column_of_its_own() -> None:
    for locale, header in (("nl", "Opmerking bij de score"), ("en", "Comment with the score")):
        sheet = _sheets(locale)["Meldingen" if locale == "nl" else "Tickets"]
        one, three, four, two, five = _by_header(sheet)
        comments = [row[header] for row in (one, two, three, four, five)]
        assert comments == [THANKS, COMPLAINT, None, None, None]  # 3, 4 and 5 are not rated
        column = next(cell for cell in sheet[1] if cell.value == header).column_letter
        assert sheet[f"{column}5"].data_type == "s"  # text that looks like a formula stays text
        assert sheet[f"{column}2"].alignment.wrap_text


def test_the_questions_the_knowledge_base_did_not_answer() -> None:
    sheet = _sheets()["Vragen zonder antwoord"]
    assert _rows(sheet)[1:] == [
        [1, "Hoe reset ik mijn wachtwoord?", "nl", 6],
        [2, "Waar vind ik mijn loonbrief?", "nl", 3],
        [3, "Where do I book a meeting room?", "en", 3],
        [4, "=SOM(A1:A9)", "nl", 1],
    ]
    assert sheet["B5"].data_type == "s"  # a question is never a formula


def test_one_entitys_report_says_which_and_its_title_the_period() -> None:
    data = write_ticket_report(sample_report("AWV"), Translator("en"), BRUSSELS)
    book = load_workbook(io.BytesIO(data))
    summary = {row[0]: row[1] for row in _rows(book["Summary"])[1:]}
    assert (summary["Entity"], summary["Tickets"]) == ("AWV", 2)
    assert book.properties.title == "Service desk report 2026-11-02 – 2026-11-15"
