"""One import pipeline for every kind of workbook: open it bounded, find its sheets, read their
headers, then the rows, with a problem for every bad cell, and one result.

A kind (the licence catalogue, the routing rules of incoming post) plugs in its layout (which
sheets, which columns) and its row parser (what each cell must hold); the pipeline does the rest
the same way for all of them:

- The bytes are inspected before openpyxl opens them (bot/excel/package.py); a file that is no
  workbook is the kind's one `not_a_workbook` problem, a file past a limit is one problem with
  the limit's `workbook.refused.*` text. Nothing past the limit is read.
- A sheet is found by any of its names; a required sheet that is missing, and every required
  column missing from a sheet, is a problem. Only the columns the layout knows are read, with
  one budget of text for the whole workbook.
- The row parser reports a problem per bad cell and goes on, so an admin fixes a workbook in one
  go; the result counts only when nothing was reported.

`describe_problem` places a problem where the admin finds it: "blad Regels, rij 7, kolom
Bestemming: ...".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from openpyxl import Workbook

from bot.excel.cells import excerpt
from bot.excel.layout import Col, SheetLayout, column_title
from bot.excel.package import UnreadableWorkbook, WorkbookRefused
from bot.excel.workbook import (
    ReadSheet,
    TextBudget,
    find_sheet,
    open_workbook,
    read_sheet,
    where_in_workbook,
)
from bot.i18n import Translator

WORKBOOK = "workbook"  # the sheet of a problem with the file as a whole

# A layout key -> the sheet as read, None when the workbook lacks it.
Sheets = Mapping[str, ReadSheet | None]


class Problem(Protocol):
    """Where a workbook cannot be used and why (bot.domain's CatalogueProblem, RuleProblem)."""

    @property
    def sheet(self) -> str: ...
    @property
    def row(self) -> int | None: ...
    @property
    def column(self) -> str: ...
    @property
    def message_key(self) -> str: ...
    @property
    def value(self) -> str: ...


P = TypeVar("P", bound=Problem)
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Problems(Generic[P]):
    """The problems of one import, in the order found."""

    def __init__(self, make: Callable[[str, int | None, str, str, str], P], messages: str) -> None:
        self._make = make
        self._messages = messages  # the kind's message ids: messages + key
        self.found: list[P] = []

    def report(
        self, sheet: str, row: int | None, column: str, key: str, value: object = ""
    ) -> None:
        """A problem of this kind's `key`, quoting the cell as every problem does."""
        self.found.append(self._make(sheet, row, column, self._messages + key, excerpt(value)))

    def add(self, problem: P) -> None:
        """A problem found elsewhere (the domain's own checks), as it is."""
        self.found.append(problem)

    def __iter__(self) -> Iterator[P]:
        return iter(self.found)


@dataclass(frozen=True, slots=True)
class ImportKind(Generic[T_co, P]):
    """What one kind of workbook plugs into the pipeline."""

    sheets: tuple[SheetLayout, ...]  # read in this order
    problem: Callable[[str, int | None, str, str, str], P]  # its problem type
    messages: str  # the prefix of its problem message ids ("post.rules.problem.")
    rows: Callable[[Sheets, Problems[P]], T_co]  # its row parser


def import_workbook(data: bytes, kind: ImportKind[T, P]) -> tuple[T | None, tuple[P, ...]]:
    """The kind's result, or None with every problem found (never both)."""
    problems = Problems(kind.problem, kind.messages)
    budget = TextBudget()  # one for the whole workbook: its sheets may share strings
    try:
        workbook = open_workbook(data)
        try:
            sheets = {
                layout.key: _sheet(workbook, layout, problems, budget) for layout in kind.sheets
            }
        finally:
            workbook.close()
    except UnreadableWorkbook:
        return None, (kind.problem(WORKBOOK, None, "", kind.messages + "not_a_workbook", ""),)
    except WorkbookRefused as refused:  # one problem: nothing past the limit was read
        where = (refused.sheet or WORKBOOK, refused.row, refused.column)
        return None, (kind.problem(*where, refused.message_key, refused.value),)
    result = kind.rows(sheets, problems)
    if problems.found:
        return None, tuple(problems.found)
    return result, ()


def _sheet(
    workbook: Workbook, layout: SheetLayout, problems: Problems[P], budget: TextBudget
) -> ReadSheet | None:
    """The sheet with its headers understood, or None (a problem when it is required)."""
    found = find_sheet(workbook, layout.names)
    if found is None:
        if layout.required:
            problems.report(layout.key, None, "", "missing_sheet", layout.nl)
        return None
    try:
        read = read_sheet(found, layout.fields, budget)
    except WorkbookRefused as refused:
        raise refused.on_sheet(layout.key) from None
    for column in layout.columns:
        if column.required and not read.has(column.key):
            problems.report(layout.key, 1, column.key, "missing_column", column.nl)
    return read


# --- in words ------------------------------------------------------------------------------------
ColumnFinder = Callable[[SheetLayout, str], Col | None]


def layout_column(layout: SheetLayout, key: str) -> Col | None:
    """A column the layout writes or reads."""
    return next((c for c in (*layout.columns, *layout.also_read) if c.key == key), None)


def describe_problem(
    problem: Problem,
    t: Translator,
    sheets: Sequence[SheetLayout],
    find_column: ColumnFinder = layout_column,
) -> str:
    """ "blad Regels, rij 7, kolom Bestemming: ..." in the translator's language: sheets and
    columns named as the workbook shows them (their keys when unknown)."""
    message = t(problem.message_key, value=problem.value)
    if problem.sheet == WORKBOOK:
        return message
    layout = next((layout for layout in sheets if layout.key == problem.sheet), None)
    column = ""
    if problem.column:
        found = find_column(layout, problem.column) if layout is not None else None
        column = column_title(found, t.locale) if found is not None else problem.column
    return where_in_workbook(
        t,
        message,
        sheet=layout.title(t.locale) if layout is not None else problem.sheet,
        column=column,
        row=problem.row,
    )
