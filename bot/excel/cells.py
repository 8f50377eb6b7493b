"""A row of an uploaded sheet, cell by cell: what every importer reads the same way.

A kind's row parser (bot/excel/licences/catalogue_rows.py, bot/excel/post/rules_reader.py)
extends `RowCells` with what its columns must hold (a code, a GUID, one of a few words); a wrong
cell is reported to the import's problems with its sheet, row and column, and the row goes on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

from bot.excel.workbook import CellValue

if TYPE_CHECKING:
    from bot.excel.importing import Problem, Problems

P = TypeVar("P", bound="Problem")

# An Entra object id or SKU id, as Graph writes them (lower case).
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# A code people type: letters, digits, "-", "_" and "." (no spaces).
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_LIST_SEPARATOR = re.compile(r"[;,\n]")
# A problem quotes at most this much of a cell (a cell may hold 32,767 characters).
MAX_QUOTED = 120


class RowCells(Generic[P]):
    """One row's values (only the columns the sheet has); problems go to the import's list."""

    def __init__(
        self, problems: Problems[P], sheet: str, row: int, values: Mapping[str, CellValue]
    ) -> None:
        self.problems = problems
        self.sheet = sheet
        self.row = row
        self.values = values

    def report(self, column: str, key: str, value: object = "") -> None:
        self.problems.report(self.sheet, self.row, column, key, value)

    def raw(self, column: str) -> CellValue:
        return self.values.get(column)

    def blank(self, column: str) -> bool:
        return not shown(self.values.get(column))

    def text(self, column: str, *, required: bool = False) -> str:
        text = shown(self.values.get(column))
        # A column missing from the sheet is reported once (missing_column), not on every row.
        if required and not text and column in self.values:
            self.report(column, "required")
        return text


def shown(value: object) -> str:
    """A cell as text: whole numbers without ".0", whitespace trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def excerpt(value: object) -> str:
    """A cell as a problem quotes it: enough to find it, never a whole page of text."""
    text = shown(value)
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 1] + "…"


def split_list(value: object) -> list[str]:
    """The entries of a list cell ("a; b, c")."""
    return [part.strip() for part in _LIST_SEPARATOR.split(shown(value)) if part.strip()]
