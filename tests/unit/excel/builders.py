"""Workbooks built cell by cell, the way an admin would fill them in (tests only)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook, load_workbook

from bot.excel.licences.catalogue import write_catalogue
from devtools.demo_catalogue import demo_catalogue

Rows = Sequence[Sequence[Any]]


def workbook(sheets: dict[str, Rows]) -> bytes:
    """One sheet per entry, its first row the headers."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheets_of(data: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet's rows as values (what write_catalogue produced)."""
    book = load_workbook(io.BytesIO(data))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def demo_sheets() -> dict[str, list[list[Any]]]:
    """The demo catalogue's workbook as rows, to change a cell or two in."""
    return sheets_of(write_catalogue(demo_catalogue()))


def column(rows: Rows, header: str) -> int:
    return list(rows[0]).index(header)
