"""Hostile workbooks, built in the test (devtools/hostile_workbooks.py), are refused by both
importers with one problem that says why, never with MemoryError or minutes of work: the ones
whose cost is in the package before openpyxl parses it (the inspection refuses them on its own),
the ones whose cost is in the rows while reading only the known columns up to a cap."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from openpyxl import load_workbook

from bot.excel import package
from bot.excel.licences.catalogue import (
    CatalogueImportError,
    describe_problem,
    read_catalogue,
    write_catalogue,
)
from bot.excel.package import (
    MAX_CELL_CHARACTERS,
    MAX_FILE_BYTES,
    MAX_HEADER_COLUMNS,
    MAX_PARTS,
    MAX_ROWS,
    MAX_SHEETS,
    PROLOG_BYTES,
    WorkbookRefused,
    inspect_package,
    sheet_titles,
)
from bot.excel.post.rules import RulesImportError, read_rules, write_rules
from bot.excel.post.rules import describe_problem as describe_rule_problem
from bot.excel.workbook import Field, TextBudget, open_workbook, read_sheet
from bot.excel.workbook_kind import WorkbookKind, workbook_kind
from bot.i18n import Translator
from devtools import hostile_workbooks as hostile
from devtools.demo_catalogue import demo_catalogue

# Attacks whose cost is in the package itself: refused by the inspection, before openpyxl.
PACKAGE_ATTACKS: dict[str, tuple[Callable[[], bytes], str]] = {
    "zip bomb part": (lambda: hostile.padded_part(2), "workbook.refused.compressed"),
    "part too large": (lambda: hostile.padded_part(13), "workbook.refused.too_large"),
    "style bomb": (lambda: hostile.style_bomb(60_000), "workbook.refused.compressed"),
    "shared strings bomb": (
        lambda: hostile.shared_string_bomb(20_000_000, 10),
        "workbook.refused.too_large",
    ),
    "entities": (hostile.entity_expansion, "workbook.refused.entities"),
    "many sheets": (
        lambda: hostile.many_sheets(MAX_SHEETS + 1),
        "workbook.refused.too_many_sheets",
    ),
    "many parts": (lambda: hostile.many_members(MAX_PARTS), "workbook.refused.too_many_parts"),
    "foreign part": (hostile.foreign_member, "workbook.refused.not_excel"),
    "path out of the package": (
        lambda: hostile.foreign_member("xl/../../etc/cron.d/x"),
        "workbook.refused.not_excel",
    ),
    "file too large": (lambda: b"PK" + bytes(MAX_FILE_BYTES), "workbook.refused.file_too_large"),
}
# Attacks whose cost is in the rows: the package is fine, reading stops at the limit.
# name: (workbook for a sheet title, refusal, its row in the catalogue's, in the rules' sheet)
ROW_ATTACKS: dict[str, tuple[Callable[[str], bytes], str, int, int]] = {
    "too many rows": (
        lambda title: hostile.many_rows(MAX_ROWS + 1, title),
        "workbook.refused.too_many_rows",
        MAX_ROWS + 2,
        MAX_ROWS + 2,
    ),
    "data in the last row": (
        lambda title: hostile.row_far_below(1_048_576, title),
        "workbook.refused.too_many_rows",
        1_048_576,
        1_048_576,
    ),
    "cell longer than Excel allows": (
        lambda title: hostile.shared_string_bomb(MAX_CELL_CHARACTERS + 1, 5, title),
        "workbook.refused.cell_too_long",
        2,
        2,
    ),
    "one string in every cell": (
        lambda title: hostile.shared_string_bomb(30_000, 5 * 120, title),
        "workbook.refused.too_much_text",
        # 16 million characters in 30,000-character cells: the 534th cell, 5 or 4 to a row
        108,
        135,
    ),
}


@pytest.mark.parametrize("name", sorted(PACKAGE_ATTACKS))
def test_a_costly_package_is_refused_before_openpyxl_opens_it(name: str) -> None:
    build, key = PACKAGE_ATTACKS[name]
    data = build()

    with pytest.raises(WorkbookRefused) as inspected:
        inspect_package(data)
    with pytest.raises(CatalogueImportError) as catalogue:
        read_catalogue(data)
    with pytest.raises(RulesImportError) as rules:
        read_rules(data)

    assert inspected.value.message_key == key
    assert [p.message_key for p in catalogue.value.problems] == [key]
    assert [p.message_key for p in rules.value.problems] == [key]


@pytest.mark.parametrize("name", sorted(ROW_ATTACKS))
def test_costly_rows_are_refused_where_they_are_with_one_problem(name: str) -> None:
    build, key, item_row, rule_row = ROW_ATTACKS[name]
    inspect_package(build("Artikelen"))  # nothing wrong with the package as such

    with pytest.raises(CatalogueImportError) as catalogue:
        read_catalogue(build("Artikelen"))
    with pytest.raises(RulesImportError) as rules:
        read_rules(build("Regels"))

    [item_problem] = catalogue.value.problems
    [rule_problem] = rules.value.problems
    assert (item_problem.sheet, item_problem.row, item_problem.message_key) == (
        "items",
        item_row,
        key,
    )
    assert (rule_problem.sheet, rule_problem.row, rule_problem.message_key) == (
        "rules",
        rule_row,
        key,
    )


def test_a_refusal_is_explained_in_the_readers_language_where_it_is() -> None:
    with pytest.raises(CatalogueImportError) as catalogue:
        read_catalogue(hostile.many_rows(MAX_ROWS + 1))
    with pytest.raises(RulesImportError) as rules:
        read_rules(hostile.shared_string_bomb(MAX_CELL_CHARACTERS + 1, 5, "Regels"))
    [rows] = catalogue.value.problems
    [cell] = rules.value.problems

    assert describe_problem(rows, Translator("nl")) == (
        "blad Artikelen: Dit blad heeft te veel rijen onder de kopregel: het maximum is "
        f"{MAX_ROWS}. Verwijder de rijen die er niet bij horen, ook ver onderaan het blad."
    )
    assert describe_problem(rows, Translator("en")).startswith(
        f"sheet Items: This sheet has too many rows below the header: the maximum is {MAX_ROWS}."
    )
    assert describe_rule_problem(cell, Translator("nl")) == (
        "blad Regels, rij 2, kolom Volgorde: Deze cel bevat meer tekens dan Excel in één cel "
        f"toelaat (het maximum is {MAX_CELL_CHARACTERS})."
    )


def test_a_cell_in_the_last_column_is_not_read_nor_is_the_width_between() -> None:
    """68 KiB of one cell in column XFD per row once cost gigabytes: every row became 16,384
    values. Only the columns up to the rightmost known one are read now."""
    workbook = open_workbook(hostile.far_column(20_000))
    try:
        read = read_sheet(workbook["Artikelen"], [hostile_field("key", "Sleutel")])
    finally:
        workbook.close()

    assert read.columns == {"key": 0}
    assert {len(values) for values in read._rows} == {1}, "rows kept one column wide"
    assert list(read.rows()) == []  # the far cells are outside what is read: all rows blank


def test_a_stated_dimension_of_the_whole_grid_is_not_believed() -> None:
    workbook = open_workbook(hostile.stated_dimension())
    try:
        read = read_sheet(workbook["Artikelen"], [hostile_field("key", "Sleutel")])
    finally:
        workbook.close()

    assert list(read.rows()) == [(2, {"key": "K1"})]


def test_headers_are_looked_for_in_the_first_hundred_columns_only() -> None:
    headers = ["x"] * MAX_HEADER_COLUMNS + ["Code"]
    sheet = hostile.sheet([hostile.text_row(1, headers)])
    workbook = open_workbook(hostile.package({"Artikelen": sheet}))
    try:
        read = read_sheet(workbook["Artikelen"], [hostile_field("key", "Sleutel")])
    finally:
        workbook.close()

    assert read.columns == {}


def test_blank_rows_below_the_cap_are_no_reason_to_refuse() -> None:
    """A formatted but empty row far down (Excel writes those) is not data."""
    rows = [
        hostile.header(hostile.RULES_HEADERS),
        hostile.text_row(2, ("1", "R-1", "triage", "")),
        f'<row r="{MAX_ROWS + 500}"><c r="A{MAX_ROWS + 500}" s="0"/></row>',
    ]

    [rule] = read_rules(hostile.package({"Regels": hostile.sheet(rows)}))

    assert rule.id == "R-1"


def test_one_text_budget_is_shared_by_the_sheets_of_a_workbook() -> None:
    budget = TextBudget(14)  # "Code" and "123456" twice is 20
    rows = [hostile.header(("Code",)), hostile.text_row(2, ("123456",))]
    workbook = open_workbook(hostile.package({"A": hostile.sheet(rows), "B": hostile.sheet(rows)}))
    try:
        read_sheet(workbook["A"], [hostile_field("key", "Code")], budget)
        with pytest.raises(WorkbookRefused) as refused:
            read_sheet(workbook["B"], [hostile_field("key", "Code")], budget)
    finally:
        workbook.close()

    assert (refused.value.message_key, refused.value.row) == ("workbook.refused.too_much_text", 2)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"not a zip at all", id="not a zip"),
        pytest.param(hostile.many_sheets(3), id="sheets sharing one part"),
        pytest.param(hostile.zipped({"[Content_Types].xml": "<Types/>"}), id="no workbook part"),
    ],
)
def test_a_file_that_is_no_workbook_is_said_to_be_no_workbook(data: bytes) -> None:
    with pytest.raises(CatalogueImportError) as catalogue:
        read_catalogue(data)
    with pytest.raises(RulesImportError) as rules:
        read_rules(data)

    assert [p.message_key for p in catalogue.value.problems] == ["catalogue.problem.not_a_workbook"]
    assert [p.message_key for p in rules.value.problems] == ["post.rules.problem.not_a_workbook"]


def test_a_long_prolog_is_refused_not_searched() -> None:
    padded = "<!--" + "x" * PROLOG_BYTES + "-->"
    data = hostile.package(
        {"Artikelen": hostile.sheet([hostile.header()])},
        extra={"docProps/custom.xml": padded + "<Properties/>"},
    )

    with pytest.raises(WorkbookRefused) as refused:
        inspect_package(data)

    assert refused.value.message_key == "workbook.refused.not_excel"


def test_two_parts_of_one_name_are_no_workbook() -> None:
    buffer = io.BytesIO()
    with pytest.warns(UserWarning), zipfile.ZipFile(buffer, "a") as archive:
        with zipfile.ZipFile(io.BytesIO(hostile.stated_dimension())) as source:
            for member in source.infolist():
                archive.writestr(member, source.read(member))
        archive.writestr("xl/workbook.xml", "<workbook/>")

    with pytest.raises(package.UnreadableWorkbook):
        inspect_package(buffer.getvalue())


def test_the_kind_of_a_refused_workbook_is_still_known_so_its_importer_explains() -> None:
    data = hostile.padded_part(13, "Regels")

    assert workbook_kind(data) is WorkbookKind.POST_RULES
    assert workbook_kind(hostile.entity_expansion()) is WorkbookKind.CATALOGUE, (
        "the entities are in the shared strings, not in the parts that name the sheets"
    )
    assert workbook_kind(hostile.many_sheets(MAX_SHEETS + 1)) is WorkbookKind.UNKNOWN


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(write_catalogue(demo_catalogue()), id="catalogue export"),
        pytest.param(write_rules([]), id="rules export"),
    ],
)
def test_the_sheets_are_found_as_openpyxl_finds_them(data: bytes) -> None:
    """The inspection counts the sheets openpyxl will open: the same titles, in order."""
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        expected = tuple(workbook.sheetnames)
    finally:
        workbook.close()

    assert sheet_titles(data) == expected
    assert inspect_package(data).sheet_titles == expected


def hostile_field(key: str, name: str) -> Field:
    return Field(key, (name,))
