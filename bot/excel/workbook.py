"""Shared workbook habits: every export looks the same, every import reads headers the same way.

Writing: a sheet is declared as typed columns (header, width, number format, how to get the value
from a row). The header row is bold on a fill, frozen, and carries an autofilter over the data;
dates and datetimes are real Excel dates, shown in the configured time zone (Excel has no time
zones, so aware datetimes become naive local ones). Text that starts with "=" stays text: free
text from users (a justification, a comment) must never turn into a formula.

Reading: a sheet is found by any of its names, and its columns by any of their header names,
compared without case, accents or punctuation ("Naam (nl)" == "naam NL"), so an admin may use
the Dutch or the English headers. Rows come back with their Excel row number, for error reports.
A workbook is inspected before openpyxl opens it, and only the columns an import knows are read,
row by row up to a cap, with its text counted (bot/excel/package.py: what a file may cost).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any, Generic, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.platform.text import fold
from bot.excel.package import (
    EXCEL_ROWS,
    MAX_CELL_CHARACTERS,
    MAX_HEADER_COLUMNS,
    MAX_ROWS,
    MAX_TEXT_CHARACTERS,
    UnreadableWorkbook,
    WorkbookRefused,
    inspect_package,
)
from bot.i18n import Translator

CellValue = str | int | float | bool | date | datetime | None
RowT = TypeVar("RowT")

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
HOURS_FORMAT = "0.0"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill(fill_type="solid", start_color="1F4E78", end_color="1F4E78")
# Excel refuses sheet titles longer than this.
MAX_TITLE = 31
# Dropdown lists cover this many data rows (admins add rows below the exported ones).
VALIDATION_ROWS = 1000

_NOT_A_WORD = re.compile(r"[^a-z0-9*]+")


@dataclass(frozen=True, slots=True)
class Column(Generic[RowT]):
    """One column of an exported sheet."""

    header: str
    value: Callable[[RowT], CellValue]
    width: float = 15
    number_format: str = ""  # "": by value (dates and datetimes get DATE_FORMAT/DATETIME_FORMAT)
    choices: tuple[str, ...] = ()  # a dropdown of allowed values (import sheets)
    wrap: bool = False


def new_workbook() -> Workbook:
    """An empty workbook (openpyxl starts with one blank sheet; exports add their own)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    for sheet in workbook.worksheets:  # Excel groups every selected tab: select only the active
        sheet.sheet_view.tabSelected = sheet is workbook.active
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def excel_datetime(value: datetime, timezone: tzinfo) -> datetime:
    """The wall-clock time in `timezone`, naive (what Excel stores); naive input is taken as is."""
    if value.tzinfo is None:
        return value
    return value.astimezone(timezone).replace(tzinfo=None)


def add_sheet(
    workbook: Workbook,
    title: str,
    columns: Sequence[Column[RowT]],
    rows: Iterable[RowT],
    *,
    timezone: tzinfo,
) -> Worksheet:
    """A formatted sheet: bold filled header, frozen header row, autofilter, widths, real dates."""
    sheet = workbook.create_sheet(title[:MAX_TITLE])
    sheet.append([column.header for column in columns])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, column in enumerate(columns, start=1):
            _write_cell(sheet, count + 1, index, column, column.value(row), timezone)
    last = get_column_letter(max(1, len(columns)))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        if column.choices:
            _add_dropdown(sheet, index, column.choices)
    return sheet


def add_text_sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[str],
    lines: Iterable[Sequence[str]],
    *,
    widths: Sequence[float],
) -> Worksheet:
    """A sheet of plain text (an explanation), with the same header style as the data sheets."""
    columns: list[Column[Sequence[str]]] = [
        Column(text, _nth(index), width=width, wrap=True)
        for index, (text, width) in enumerate(zip(header, widths, strict=True))
    ]
    return add_sheet(workbook, title, columns, lines, timezone=UTC)  # no datetimes in text


def _nth(index: int) -> Callable[[Sequence[str]], CellValue]:
    return lambda line: line[index] if index < len(line) else ""


def _write_cell(
    sheet: Worksheet, row: int, col: int, column: Column[Any], value: CellValue, timezone: tzinfo
) -> None:
    number_format = column.number_format
    if isinstance(value, datetime):
        value = excel_datetime(value, timezone)
        number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, date):
        value = datetime.combine(value, time())  # openpyxl writes a date as a datetime anyway
        number_format = number_format or DATE_FORMAT
    elif isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # user text, never a formula
    if number_format:
        cell.number_format = number_format
    if column.wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _add_dropdown(sheet: Worksheet, col: int, choices: Sequence[str]) -> None:
    letter = get_column_letter(col)
    validation = DataValidation(
        type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True
    )
    validation.showErrorMessage = False  # the import reports bad values with their row
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{VALIDATION_ROWS + 1}")


# --- reading -------------------------------------------------------------------------------------
def header_name(text: object) -> str:
    """A header as compared: folded, punctuation as single spaces ("Naam (NL)" -> "naam nl")."""
    return _NOT_A_WORD.sub(" ", fold(str(text))).strip() if text is not None else ""


@dataclass(frozen=True, slots=True)
class Field:
    """A column an import understands, by any of its header names (Dutch first)."""

    key: str
    names: tuple[str, ...]

    @property
    def folded(self) -> frozenset[str]:
        return frozenset(header_name(name) for name in self.names)


__all__ = ["UnreadableWorkbook", "WorkbookRefused"]  # the import errors, from one place


def open_workbook(data: bytes) -> Workbook:
    """Read-only, values instead of formulas, once the package passed its inspection. Raises
    UnreadableWorkbook or WorkbookRefused."""
    inspect_package(data)
    try:
        # keep_links=False: a link to another workbook is one more part parsed for nothing.
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # zipfile, XML and openpyxl errors all mean the same to the admin
        raise UnreadableWorkbook(type(error).__name__) from error


def find_sheet(workbook: Workbook, names: Iterable[str]) -> Worksheet | None:
    wanted = {header_name(name) for name in names}
    return next((ws for ws in workbook.worksheets if header_name(ws.title) in wanted), None)


@dataclass(slots=True)
class ReadSheet:
    """A sheet with its header row understood: which column holds which field."""

    title: str
    columns: dict[str, int]  # field key -> 0-based column index
    headers: dict[str, int]  # every folded header text -> 0-based column index
    _rows: list[tuple[Any, ...]] = field(repr=False)

    def has(self, key: str) -> bool:
        return key in self.columns

    def rows(self) -> Iterator[tuple[int, dict[str, CellValue]]]:
        """(Excel row number, field key -> value) for every row with any value; blanks skipped."""
        for number, values in enumerate(self._rows, start=2):
            row = {
                key: values[index] if index < len(values) else None
                for key, index in self.columns.items()
            }
            if not all(_blank(value) for value in row.values()):
                yield number, row


class TextBudget:
    """The characters of cell text one import may still hand to its checks: a shared string is
    stored once but read for every cell that uses it."""

    def __init__(self, characters: int = MAX_TEXT_CHARACTERS) -> None:
        self.left = characters

    def spend(self, value: object, *, row: int, column: str) -> None:
        """Raises WorkbookRefused for a cell longer than Excel allows or text beyond the budget."""
        if not isinstance(value, str):
            return
        if len(value) > MAX_CELL_CHARACTERS:
            raise WorkbookRefused(
                "workbook.refused.cell_too_long", MAX_CELL_CHARACTERS, row=row, column=column
            )
        self.left -= len(value)
        if self.left < 0:
            raise WorkbookRefused("workbook.refused.too_much_text", MAX_TEXT_CHARACTERS, row=row)


def read_sheet(
    sheet: Worksheet, fields: Sequence[Field], budget: TextBudget | None = None
) -> ReadSheet:
    """Map the first row's headers to fields (the first column wins when a name repeats), then
    read the rows, only as wide as the rightmost known column. Raises WorkbookRefused (too many
    rows, too much text); `budget` is shared by the sheets of one workbook (default: this
    sheet's own). Never asks the sheet its size: a read-only sheet believes the file's
    <dimension>, which may say A1:XFD1048576."""
    budget = budget or TextBudget()
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # read-only sheets trust the file's stated size, often wrong
    first = sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True)
    headers: dict[str, int] = {}
    for index, text in enumerate(next(first, ())):
        budget.spend(text, row=1, column="")
        name = header_name(text)
        if name and name not in headers:
            headers[name] = index
    columns: dict[str, int] = {}
    for wanted in fields:
        found = [headers[name] for name in wanted.folded if name in headers]
        if found:
            columns[wanted.key] = min(found)
    rows = _data_rows(sheet, columns, budget) if columns else []
    return ReadSheet(sheet.title, columns, headers, rows)


def _data_rows(
    sheet: Worksheet, columns: dict[str, int], budget: TextBudget
) -> list[tuple[Any, ...]]:
    """Rows 2 to MAX_ROWS + 1 (blank ones too: a row's place is its number). Data further
    down refuses the sheet rather than being left out unseen."""
    width = max(columns.values()) + 1
    last = MAX_ROWS + 1
    rows: list[tuple[Any, ...]] = []
    blank: tuple[Any, ...] | None = None
    # max_row bounds the empty rows openpyxl fills in for a jump in row numbers.
    found = sheet.iter_rows(min_row=2, max_row=EXCEL_ROWS, max_col=width, values_only=True)
    for number, values in enumerate(found, start=2):
        if values is not blank:  # openpyxl hands out one tuple for every skipped row
            for key, index in columns.items():  # counted before anything looks at the text
                budget.spend(values[index], row=number, column=key)
            if all(_blank(values[index]) for index in columns.values()):
                blank = values
            elif number > last:
                raise WorkbookRefused("workbook.refused.too_many_rows", MAX_ROWS, row=number)
        if number <= last:
            rows.append(values)
    return rows


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def where_in_workbook(
    t: Translator, message: str, *, sheet: str, column: str, row: int | None
) -> str:
    """ "blad Artikelen, rij 4, kolom Groep-id: <message>": a problem placed where the admin
    finds it (sheet and column titles as the workbook shows them; "" when not known)."""
    if not sheet:
        return message
    if not column:
        return t("workbook.problem.at_sheet", sheet=sheet, message=message)
    if row is None:
        return t("workbook.problem.at_column", sheet=sheet, column=column, message=message)
    return t("workbook.problem.at", sheet=sheet, row=row, column=column, message=message)
