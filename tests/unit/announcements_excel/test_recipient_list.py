"""An uploaded list of people (bot/excel/announcements/recipient_list.py): addresses come back in
order, each once, from a workbook or a CSV file, with or without a header; every row that is not
an address or repeats one is a problem with its row number, said in Dutch and English."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from bot.domain.announcements.recipient_lists import ListProblem, ListProblemKind
from bot.excel.announcements.recipient_list import describe_list_problem, read_recipient_list
from bot.i18n import LOCALES, Translator

NL = Translator("nl")
EN = Translator("en")


def _xlsx(*rows: tuple[object, ...], title: str = "Blad1") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _said(data: bytes, filename: str, t: Translator = NL) -> list[str]:
    return [describe_list_problem(p, t) for p in read_recipient_list(data, filename).problems]


def test_a_workbook_with_a_header_gives_its_addresses_in_order() -> None:
    data = _xlsx(
        ("Naam", "E-mailadres", "Dienst"),
        ("Jan", "jan.peeters@vlaanderen.be", "AWV"),
        ("An", "an.desmet@vlaanderen.be", "DOMG"),
        (None, None, None),  # an empty row is no one
        ("Piet", " piet@mow.vlaanderen.be ", None),
    )

    result = read_recipient_list(data, "lijst.xlsx")

    assert result.addresses == (
        "jan.peeters@vlaanderen.be",
        "an.desmet@vlaanderen.be",
        "piet@mow.vlaanderen.be",
    )
    assert result.rows == (2, 3, 5)
    assert result.problems == ()
    assert (result.accepted, result.rejected, result.refused) == (3, 0, False)


@pytest.mark.parametrize("header", ["e-mail", "Email", "UPN", "Mail", "Adres", "E-mail address"])
def test_a_header_is_recognised_in_dutch_or_english(header: str) -> None:
    data = _xlsx(("Voornaam", header), ("Jan", "jan@vlaanderen.be"))

    result = read_recipient_list(data, "lijst.xlsx")

    assert (result.addresses, result.rows, result.problems) == (("jan@vlaanderen.be",), (2,), ())


def test_a_workbook_without_a_header_reads_the_first_column_from_row_one() -> None:
    data = _xlsx(("jan@vlaanderen.be", "Jan"), ("an@vlaanderen.be", "An"))

    result = read_recipient_list(data, "lijst.xlsx")

    assert result.addresses == ("jan@vlaanderen.be", "an@vlaanderen.be")
    assert result.rows == (1, 2)


def test_an_unknown_title_row_is_skipped_not_reported() -> None:
    data = _xlsx(("Deelnemers opleiding",), ("jan@vlaanderen.be",))

    result = read_recipient_list(data, "lijst.xlsx")

    assert (result.addresses, result.rows, result.problems) == (("jan@vlaanderen.be",), (2,), ())


def test_a_csv_with_semicolons_and_a_byte_order_mark() -> None:
    text = "Naam;E-mail\r\nJosé Müller;jose@vlaanderen.be\r\nAn;an@vlaanderen.be\r\n"
    data = b"\xef\xbb\xbf" + text.encode()

    result = read_recipient_list(data, "Lijst.CSV")

    assert result.addresses == ("jose@vlaanderen.be", "an@vlaanderen.be")
    assert result.rows == (2, 3)
    assert result.problems == ()


def test_a_csv_without_header_with_commas() -> None:
    data = b"jan@vlaanderen.be,Jan\nan@vlaanderen.be,An\n\npiet@vlaanderen.be\n"

    result = read_recipient_list(data, "lijst.csv")

    assert result.addresses == ("jan@vlaanderen.be", "an@vlaanderen.be", "piet@vlaanderen.be")
    assert result.rows == (1, 2, 4)


def test_a_csv_saved_by_excel_in_windows_1252_is_read() -> None:
    data = "Naam;Mail\nJosé;jose@vlaanderen.be\n".encode("cp1252")

    assert read_recipient_list(data, "lijst.csv").addresses == ("jose@vlaanderen.be",)


def test_a_csv_in_utf16_as_excel_saves_unicode_text() -> None:
    data = "E-mail\tNaam\njan@vlaanderen.be\tJan\n".encode("utf-16")

    assert read_recipient_list(data, "lijst.txt").addresses == ("jan@vlaanderen.be",)


def test_bad_rows_are_reported_with_their_row_numbers() -> None:
    data = _xlsx(
        ("E-mail",),
        ("jan@vlaanderen.be",),
        ("jan",),
        ("an@vlaanderen",),
        ("piet @vlaanderen.be",),
        (12345,),
        ("an@vlaanderen.be",),
    )

    result = read_recipient_list(data, "lijst.xlsx")

    assert result.addresses == ("jan@vlaanderen.be", "an@vlaanderen.be")
    assert result.rows == (2, 7)
    assert [(p.row, p.kind, p.value) for p in result.problems] == [
        (3, ListProblemKind.NOT_AN_ADDRESS, "jan"),
        (4, ListProblemKind.NOT_AN_ADDRESS, "an@vlaanderen"),
        (5, ListProblemKind.NOT_AN_ADDRESS, "piet @vlaanderen.be"),
        (6, ListProblemKind.NOT_AN_ADDRESS, "12345"),
    ]
    assert (result.accepted, result.rejected, result.refused) == (2, 4, False)
    assert describe_list_problem(result.problems[0], NL) == "rij 3: 'jan' is geen e-mailadres."
    assert describe_list_problem(result.problems[0], EN) == (
        "row 3: 'jan' is not an e-mail address."
    )


def test_a_duplicate_is_reported_with_the_row_it_is_already_on() -> None:
    data = b"E-mail\njan@vlaanderen.be\nan@vlaanderen.be\nJAN@Vlaanderen.be\n"

    result = read_recipient_list(data, "lijst.csv")

    assert result.addresses == ("jan@vlaanderen.be", "an@vlaanderen.be")
    assert result.problems == (
        ListProblem(4, ListProblemKind.DUPLICATE, "JAN@Vlaanderen.be", first_row=2),
    )
    assert _said(data, "lijst.csv") == ["rij 4: JAN@Vlaanderen.be staat al op rij 2."]
    assert _said(data, "lijst.csv", EN) == ["row 4: JAN@Vlaanderen.be is already on row 2."]


def test_a_long_cell_is_quoted_shortened() -> None:
    data = _xlsx(("E-mail",), ("x" * 5000,))

    [problem, _] = read_recipient_list(data, "lijst.xlsx").problems

    assert problem.kind is ListProblemKind.NOT_AN_ADDRESS
    assert len(problem.value) <= 120


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"%PDF-1.7 not a list", "lijst.pdf"),
        (b"not a zip at all", "lijst.xlsx"),
        (b"PK\x03\x04 broken zip", "lijst.xlsx"),
        (b"jan@vlaanderen.be\x00\x01\x02", "lijst.csv"),  # binary under a .csv name
        (b"\xd0\xcf\x11\xe0 old binary .xls", "lijst.xls"),
    ],
)
def test_a_file_that_is_no_workbook_nor_csv_is_one_problem(data: bytes, filename: str) -> None:
    result = read_recipient_list(data, filename)

    assert result.addresses == ()
    assert [(p.row, p.kind) for p in result.problems] == [(None, ListProblemKind.NOT_A_LIST)]
    assert result.refused


def test_a_workbook_under_a_csv_name_is_read_as_a_workbook() -> None:
    data = _xlsx(("jan@vlaanderen.be",))

    assert read_recipient_list(data, "lijst.csv").addresses == ("jan@vlaanderen.be",)


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "lijst.csv"),
        (b"\n\n;;\n", "lijst.csv"),
        (_xlsx(("E-mail",)), "lijst.xlsx"),
        (_xlsx(), "lijst.xlsx"),
    ],
)
def test_a_file_without_addresses_says_so(data: bytes, filename: str) -> None:
    result = read_recipient_list(data, filename)

    assert [(p.row, p.kind) for p in result.problems] == [(None, ListProblemKind.NO_ADDRESSES)]
    assert result.refused


def test_rows_that_are_all_wrong_are_reported_and_the_list_is_empty() -> None:
    result = read_recipient_list(b"jan@vlaanderen\npiet\n", "lijst.csv")

    assert [(p.row, p.kind) for p in result.problems] == [
        (1, ListProblemKind.NOT_AN_ADDRESS),
        (2, ListProblemKind.NOT_AN_ADDRESS),
        (None, ListProblemKind.NO_ADDRESSES),
    ]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", list(ListProblemKind))
def test_every_problem_is_said_in_words(kind: ListProblemKind, locale: str) -> None:
    problem = ListProblem(7, kind, "jan", first_row=3)

    text = describe_list_problem(problem, Translator(locale))

    assert text and "{" not in text and f".{kind.value}" not in text, text
    assert "announcements." not in text and "workbook." not in text
