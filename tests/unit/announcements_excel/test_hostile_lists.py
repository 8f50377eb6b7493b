"""Hostile and oversized lists of people (devtools/hostile_workbooks.py, and CSV files past the
limits) are refused with one problem that says why, before the rows past a limit are read:
never an exception, never a partial list."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

import pytest

from bot.domain.announcements.audiences import MAX_LIST
from bot.domain.announcements.recipient_lists import ListProblemKind
from bot.excel.announcements.recipient_list import describe_list_problem, read_recipient_list
from bot.excel.package import MAX_CELL_CHARACTERS, MAX_FILE_BYTES, MAX_PARTS
from bot.i18n import Translator
from devtools import hostile_workbooks as hostile

Kind = ListProblemKind
TITLE = "Blad1"
# Past this, Python's csv reader refuses a field: a CSV that reached it was read too far.
_CSV_FIELD_LIMIT = 131_072
_TOO_LONG = "x" * (MAX_CELL_CHARACTERS + 1)


@cache
def _list_then(after: str) -> bytes:
    """A workbook list one person longer than allowed, then a cell no reader should reach."""

    def rows() -> Iterator[str]:
        yield hostile.text_row(1, ("E-mail",))
        for n in range(2, MAX_LIST + 3):
            yield hostile.text_row(n, (f"p{n}@vlaanderen.be",))
        yield hostile.text_row(MAX_LIST + 3, (after,))

    return hostile.package({TITLE: hostile.sheet(rows())})


# name: (the file, its name, the problem: row, kind)
REFUSED: dict[str, tuple[Callable[[], bytes], str, tuple[int | None, Kind]]] = {
    "workbook too large": (
        lambda: b"PK\x03\x04" + bytes(MAX_FILE_BYTES),
        "lijst.xlsx",
        (None, Kind.FILE_TOO_LARGE),
    ),
    "csv too large": (
        lambda: b"jan@vlaanderen.be\n" * (MAX_FILE_BYTES // 18 + 1),
        "lijst.csv",
        (None, Kind.FILE_TOO_LARGE),
    ),
    "zip bomb part": (lambda: hostile.padded_part(2, TITLE), "lijst.xlsx", (None, Kind.COMPRESSED)),
    "entities": (hostile.entity_expansion, "lijst.xlsx", (None, Kind.ENTITIES)),
    "too many parts": (
        lambda: hostile.many_members(MAX_PARTS + 1),
        "lijst.xlsx",
        (None, Kind.TOO_MANY_PARTS),
    ),
    "too many sheets": (
        lambda: hostile.many_sheets(51),
        "lijst.xlsx",
        (None, Kind.TOO_MANY_SHEETS),
    ),
    "a part no spreadsheet has": (hostile.foreign_member, "lijst.xlsx", (None, Kind.NOT_EXCEL)),
    "a cell longer than Excel allows": (
        lambda: hostile.shared_string_bomb(MAX_CELL_CHARACTERS + 1, 5, TITLE),
        "lijst.xlsx",
        (2, Kind.CELL_TOO_LONG),
    ),
    "one long string in every row": (
        # 16 million characters in 30,000-character cells of the column read: the 534th row
        lambda: hostile.shared_string_bomb(30_000, 5 * 600, TITLE),
        "lijst.xlsx",
        (535, Kind.TOO_MUCH_TEXT),
    ),
    "data in the last row": (
        lambda: hostile.row_far_below(1_048_576, TITLE),
        "lijst.xlsx",
        (1_048_576, Kind.TOO_MANY_ROWS),
    ),
    "one person too many, then a cell too long to read": (
        lambda: _list_then(_TOO_LONG),
        "lijst.xlsx",
        (MAX_LIST + 2, Kind.TOO_MANY_ROWS),
    ),
    "one person too many in a csv, then a field csv refuses": (
        lambda: (
            "E-mail\n"
            + "".join(f"p{n}@vlaanderen.be\n" for n in range(MAX_LIST + 1))
            + "x" * (_CSV_FIELD_LIMIT + 1)
        ).encode(),
        "lijst.csv",
        (MAX_LIST + 2, Kind.TOO_MANY_ROWS),
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_hostile_file_is_one_problem_and_no_list(name: str) -> None:
    build, filename, expected = REFUSED[name]

    result = read_recipient_list(build(), filename)

    assert result.addresses == () and result.rows == ()
    [problem] = result.problems
    assert (problem.row, problem.kind) == expected
    assert result.refused
    for locale in ("nl", "en"):
        text = describe_list_problem(problem, Translator(locale))
        assert text and "workbook." not in text and "announcements." not in text


def test_exactly_the_limit_is_read() -> None:
    text = "E-mail\n" + "".join(f"p{n}@vlaanderen.be\n" for n in range(MAX_LIST))

    result = read_recipient_list(text.encode(), "lijst.csv")

    assert (result.accepted, result.problems) == (MAX_LIST, ())
    assert result.rows[-1] == MAX_LIST + 1


def test_a_sheet_wide_to_its_last_column_reads_only_the_first() -> None:
    result = read_recipient_list(hostile.far_column(20_000, TITLE), "lijst.xlsx")

    assert [(p.row, p.kind) for p in result.problems] == [(None, Kind.NO_ADDRESSES)]


def test_a_sheet_that_states_it_fills_every_cell_is_read_as_it_is() -> None:
    result = read_recipient_list(hostile.stated_dimension(TITLE), "lijst.xlsx")

    assert [(p.row, p.kind) for p in result.problems] == [
        (2, Kind.NOT_AN_ADDRESS),
        (None, Kind.NO_ADDRESSES),
    ]


def test_refusals_are_explained() -> None:
    too_many = "".join(f"p{n}@vlaanderen.be\n" for n in range(MAX_LIST + 1)).encode()
    [rows] = read_recipient_list(too_many, "lijst.csv").problems
    [bomb] = read_recipient_list(hostile.padded_part(2, TITLE), "lijst.xlsx").problems
    [cell] = read_recipient_list(
        hostile.shared_string_bomb(MAX_CELL_CHARACTERS + 1, 5, TITLE), "lijst.xlsx"
    ).problems

    assert describe_list_problem(rows, Translator("nl")).startswith(
        f"Deze lijst heeft te veel rijen: het maximum is {MAX_LIST}."
    )
    assert describe_list_problem(bomb, Translator("en")).startswith(
        "Part of this workbook is compressed more than 100 times"
    )
    assert describe_list_problem(cell, Translator("nl")).startswith(
        "rij 2: Deze cel bevat meer tekens dan Excel"
    )
