"""Sheets written row by row in openpyxl's write-only mode, formatted as every export is.

An announcement's report has a row per recipient, and "everyone" is tens of thousands of people:
the workbook habits of bot/excel/workbook.py build every cell as an object before saving, which
costs hundreds of MB for such a sheet. A write-only workbook sends each row to a temporary file
as it is appended, so memory does not grow with the rows. It looks the same as `add_sheet`'s:
bold header on a fill, frozen header row, autofilter, widths, real Excel datetimes in the zone,
user text never a formula.

Decisions (and why):
- Write-only sheets write their view and column widths before the first row, so those are set
  first; the autofilter is written after the rows, so it is set once they are counted.
- A plain value goes to openpyxl as it is; only a cell with a format or a style becomes a cell
  object, so a row costs what its values cost.
- (This could move next to `add_sheet` in bot/excel/workbook.py once another export needs it.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, tzinfo
from typing import Any, TypeVar

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.excel.workbook import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    HEADER_FILL,
    HEADER_FONT,
    MAX_TITLE,
    CellValue,
    Column,
    excel_datetime,
)

RowT = TypeVar("RowT")

_HEADER_ALIGNMENT = Alignment(vertical="center")
_WRAPPED = Alignment(wrap_text=True, vertical="top")


def new_streamed_workbook() -> Workbook:
    """An empty write-only workbook: sheets are added in order and saved once."""
    return Workbook(write_only=True)


def add_streamed_sheet(
    workbook: Workbook,
    title: str,
    columns: Sequence[Column[RowT]],
    rows: Iterable[RowT],
    *,
    timezone: tzinfo,
    selected: bool = False,
) -> int:
    """Append a formatted sheet of `rows`, consumed once; the number of rows written.
    `selected`: the tab Excel opens on (exactly one sheet should be)."""
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title[:MAX_TITLE])
    sheet.sheet_view.tabSelected = selected
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.append([_header(sheet, column.header) for column in columns])
    count = 0
    for row in rows:
        count += 1
        sheet.append([_cell(sheet, column, column.value(row), timezone) for column in columns])
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(1, len(columns)))}{count + 1}"
    return count


def _header(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = _HEADER_ALIGNMENT
    return cell


def _cell(sheet: WriteOnlyWorksheet, column: Column[Any], value: CellValue, zone: tzinfo) -> Any:
    """The value as openpyxl appends it: itself, or a cell when it needs a format or a style."""
    number_format = column.number_format
    if isinstance(value, datetime):
        value = excel_datetime(value, zone)
        number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, date):
        value = datetime.combine(value, time())
        number_format = number_format or DATE_FORMAT
    elif isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    formula_like = isinstance(value, str) and value.startswith("=")
    if value is None or not (number_format or column.wrap or formula_like):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if formula_like:
        cell.data_type = "s"  # user text, never a formula
    if number_format:
        cell.number_format = number_format
    if column.wrap:
        cell.alignment = _WRAPPED
    return cell
