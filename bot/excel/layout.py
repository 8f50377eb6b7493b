"""What an importable workbook's sheets look like: their names, their columns, and how one is
written.

One table per kind (bot/excel/licences/catalogue_layout.py, bot/excel/post/rules_layout.py)
drives the writer, the reader, the Toelichting sheet and the problem texts, so a column renamed
there is renamed everywhere. The Dutch names are written; the English ones (and the keys) are
accepted on upload.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC

from openpyxl import Workbook

from bot.excel.workbook import CellValue, Column, Field, add_sheet


@dataclass(frozen=True, slots=True)
class Col:
    key: str  # a problem's column
    nl: str  # the header the export writes
    en: str  # the English header an upload may use instead
    width: float
    required: bool = False
    choices: tuple[str, ...] = ()  # a dropdown in the export
    numeric: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def field(self) -> Field:
        return Field(self.key, (self.nl, self.en, self.key, *self.aliases))


@dataclass(frozen=True, slots=True)
class SheetLayout:
    key: str  # a problem's sheet
    nl: str
    en: str
    columns: tuple[Col, ...]
    required: bool = True
    # Columns read on upload beyond the written ones, so a cell there is reported, not ignored.
    also_read: tuple[Col, ...] = ()

    def column(self, key: str) -> Col | None:
        return next((c for c in self.columns if c.key == key), None)

    @property
    def names(self) -> tuple[str, str, str]:
        """Every name the sheet is found by."""
        return (self.nl, self.en, self.key)

    @property
    def fields(self) -> list[Field]:
        """What an upload of this sheet reads."""
        return [column.field for column in (*self.columns, *self.also_read)]

    def title(self, locale: str) -> str:
        return self.en if locale == "en" else self.nl


def column_title(column: Col, locale: str) -> str:
    return column.en if locale == "en" else column.nl


def write_layout_sheet(
    workbook: Workbook, layout: SheetLayout, rows: Iterable[dict[str, CellValue]]
) -> None:
    """A formatted sheet of `rows` (column key -> value), with the layout's Dutch headers."""
    columns: list[Column[dict[str, CellValue]]] = [
        Column(
            c.nl,
            _getter(c.key),
            width=c.width,
            # Text columns stay text when edited (Excel would turn a GUID-like "1e5..." into a
            # number); dropdown columns keep the general format.
            number_format="0" if c.numeric else "" if c.choices else "@",
            choices=c.choices,
        )
        for c in layout.columns
    ]
    add_sheet(workbook, layout.nl, columns, rows, timezone=UTC)


def _getter(key: str) -> Callable[[dict[str, CellValue]], CellValue]:
    return lambda row: row.get(key)
