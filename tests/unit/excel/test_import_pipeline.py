"""The one import pipeline (bot/excel/importing.py), with a kind of its own: what every kind gets
from it without writing it again (sheets and columns found by any name, missing ones reported,
a problem per bad cell in the kind's words, nothing returned with a problem)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.excel.cells import RowCells
from bot.excel.importing import WORKBOOK, ImportKind, Problems, Sheets, import_workbook
from bot.excel.importing import describe_problem as describe
from bot.excel.layout import Col, SheetLayout
from bot.i18n import Translator
from tests.unit.excel.builders import workbook

PEOPLE = SheetLayout(
    "people",
    "Personen",
    "People",
    (Col("name", "Naam", "Name", 20, required=True), Col("age", "Leeftijd", "Age", 8)),
)
NOTES = SheetLayout("notes", "Notities", "Notes", (Col("text", "Tekst", "Text", 40),), False)


@dataclass(frozen=True, slots=True)
class Problem:
    sheet: str
    row: int | None
    column: str
    message_key: str
    value: str = ""


def rows(sheets: Sheets, problems: Problems[Problem]) -> list[tuple[str, int]]:
    found = []
    people = sheets["people"]
    for number, values in people.rows() if people is not None else ():
        cells = RowCells(problems, "people", number, values)
        age = cells.raw("age")
        if not isinstance(age, int):
            cells.report("age", "bad_age", age)
        found.append((cells.text("name", required=True), age if isinstance(age, int) else 0))
    return found


KIND = ImportKind((PEOPLE, NOTES), Problem, "people.problem.", rows)


def test_a_good_workbook_is_the_kinds_result_in_either_language() -> None:
    dutch = workbook({"Personen": [["Naam", "Leeftijd"], ["An", 41], [None, None], ["Jef", 7]]})
    assert import_workbook(dutch, KIND) == ([("An", 41), ("Jef", 7)], ())
    english = workbook({"people": [["AGE", "name "], [3, "Mia"]]})
    assert import_workbook(english, KIND) == ([("Mia", 3)], ())


def test_every_problem_in_the_kinds_words_and_no_result() -> None:
    data = workbook({"Personen": [["Naam", "Leeftijd"], ["An", "veertig"], [None, 5]]})
    assert import_workbook(data, KIND) == (
        None,
        (
            Problem("people", 2, "age", "people.problem.bad_age", "veertig"),
            Problem("people", 3, "name", "people.problem.required"),
        ),
    )


def test_missing_sheets_and_columns_are_reported_once() -> None:
    _, problems = import_workbook(workbook({"Blad1": [["x"]]}), KIND)
    assert problems == (Problem("people", None, "", "people.problem.missing_sheet", "Personen"),)
    _, problems = import_workbook(workbook({"Personen": [["Leeftijd"], [3], [4]]}), KIND)
    assert problems == (Problem("people", 1, "name", "people.problem.missing_column", "Naam"),)


def test_a_file_that_is_no_workbook_is_the_kinds_one_problem() -> None:
    assert import_workbook(b"no zip at all", KIND) == (
        None,
        (Problem(WORKBOOK, None, "", "people.problem.not_a_workbook"),),
    )


def test_a_problem_is_placed_as_the_workbook_names_it() -> None:
    t = Translator("en")
    problem = Problem("people", 7, "age", "workbook.refused.too_many_rows", "5000")
    assert describe(problem, t, (PEOPLE, NOTES)).startswith("sheet People, row 7, column Age: ")
    unknown = Problem("elsewhere", None, "", "workbook.refused.too_many_rows", "5000")
    assert describe(unknown, t, (PEOPLE,)).startswith("sheet elsewhere: ")
