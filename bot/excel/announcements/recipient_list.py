"""An uploaded list of people for an announcement (the LIST audience): an .xlsx workbook or a
CSV file with a column of e-mail addresses or UPNs.

`read_recipient_list` reads the addresses in order, each once (compared without case), and
reports every row it cannot take with its row number ("rij 7: 'jan' is geen e-mailadres", "rij
9: jan@vlaanderen.be staat al op rij 3"), so the author fixes the file in one go. Whether an
address is a real, enabled person the author may reach is the service's check, with the
directory. `describe_list_problem` says a problem in the reader's language.

Decisions (and why):
- Bounded like every import: a workbook is inspected before openpyxl opens it
  (bot/excel/package.py), only the address column is read, its text counted (TextBudget); a file
  is at most MAX_FILE_BYTES; a row with data past MAX_LIST rows refuses the file the moment it
  is met (rows past the limit are refused, not dropped, and nothing further is read).
- The address column is the first one whose header names it ("E-mail", "e-mailadres", "UPN",
  "Mail", "Adres", in Dutch or English, or any header with "mail" in it); without one, the first
  column. A first row without any "@" is a title row and is skipped: a list that starts with a
  heading nobody recognises is far more common than one whose first person was mistyped.
- The first sheet of a workbook is read: a list has one.
- A CSV is UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), or Windows-1252
  (Excel's plain "CSV" in Belgium) when it is not valid UTF-8; ";" "," or tab separated, as its
  first line shows. A NUL byte means it is no text file at all.
- An address has the shape x@y.z: the service's directory look-up decides the rest.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePath

from bot.domain.announcements.audiences import MAX_LIST
from bot.domain.announcements.recipient_lists import (
    ListProblem,
    ListProblemKind,
    RecipientListResult,
)
from bot.excel.cells import excerpt, shown
from bot.excel.package import (
    EXCEL_ROWS,
    MAX_FILE_BYTES,
    MAX_HEADER_COLUMNS,
    WorkbookRefused,
)
from bot.excel.workbook import TextBudget, header_name, open_workbook
from bot.i18n import Translator

__all__ = ["describe_list_problem", "read_recipient_list"]

Kind = ListProblemKind

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
# Header cells that name the address column (compared folded, as every import's headers are).
_HEADERS = frozenset(
    header_name(name)
    for name in (
        "e-mail",
        "email",
        "e-mailadres",
        "emailadres",
        "mailadres",
        "mail",
        "adres",
        "address",
        "e-mail address",
        "email address",
        "upn",
        "user principal name",
        "userprincipalname",
        "gebruikersnaam",
        "username",
    )
)
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_TEXT_SUFFIXES = (".csv", ".txt")
_ZIP = b"PK\x03\x04"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode text"
_SEPARATORS = ";,\t"
# Problems that are a workbook.refused.* text of the shared import limits.
_WORKBOOK_REFUSALS = frozenset(
    {
        Kind.TOO_LARGE,
        Kind.COMPRESSED,
        Kind.TOO_MANY_PARTS,
        Kind.NOT_EXCEL,
        Kind.ENTITIES,
        Kind.TOO_MANY_SHEETS,
        Kind.CELL_TOO_LONG,
        Kind.TOO_MUCH_TEXT,
    }
)
_ROW_KINDS = frozenset({Kind.NOT_AN_ADDRESS, Kind.DUPLICATE})


class _Refused(Exception):
    """The file cannot be used; its one problem says why."""

    def __init__(self, problem: ListProblem) -> None:
        super().__init__(problem.kind)
        self.problem = problem


def read_recipient_list(data: bytes, filename: str) -> RecipientListResult:
    """The list's addresses and problems; a file that cannot be used has one problem and no
    addresses. Never raises for what a file holds."""
    try:
        if len(data) > MAX_FILE_BYTES:
            raise _Refused(ListProblem(None, Kind.FILE_TOO_LARGE, str(MAX_FILE_BYTES >> 20)))
        suffix = PurePath(filename).suffix.lower()
        text_or_unnamed = suffix in ("", *_TEXT_SUFFIXES)
        if suffix in _WORKBOOK_SUFFIXES or (text_or_unnamed and data.startswith(_ZIP)):
            return _collect(_workbook_cells(data))  # a workbook saved under a .csv name too
        if text_or_unnamed:
            return _collect(_csv_cells(data))
        raise _Refused(ListProblem(None, Kind.NOT_A_LIST))
    except _Refused as refused:
        return RecipientListResult(problems=(refused.problem,))


def describe_list_problem(problem: ListProblem, t: Translator) -> str:
    """ "rij 7: 'jan' is geen e-mailadres" in the translator's language; a problem of the whole
    file is its sentence alone."""
    if problem.kind in _WORKBOOK_REFUSALS:
        message = t(f"workbook.refused.{problem.kind.value}", value=problem.value)
    else:
        message = t(
            f"announcements.workbook.problem.{problem.kind.value}",
            value=problem.value,
            first_row=problem.first_row or "",
        )
    if problem.row is None or problem.kind not in (*_ROW_KINDS, Kind.CELL_TOO_LONG):
        return message
    return t("announcements.workbook.problem.at_row", row=problem.row, message=message)


# --- the rows ------------------------------------------------------------------------------------
class _Found:
    """The addresses taken so far, and the rows refused."""

    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.rows: list[int] = []
        self.problems: list[ListProblem] = []
        self._seen: dict[str, int] = {}  # folded address -> its first row

    def take(self, row: int, value: object) -> None:
        text = shown(value)
        if not _ADDRESS.match(text):
            self.problems.append(ListProblem(row, Kind.NOT_AN_ADDRESS, excerpt(value)))
            return
        first = self._seen.setdefault(text.casefold(), row)
        if first != row:
            self.problems.append(ListProblem(row, Kind.DUPLICATE, text, first_row=first))
            return
        self.addresses.append(text)
        self.rows.append(row)


def _collect(cells: Iterable[tuple[int, object]]) -> RecipientListResult:
    found = _Found()
    for row, value in cells:
        found.take(row, value)
    problems = found.problems
    if not found.addresses:
        problems.append(ListProblem(None, Kind.NO_ADDRESSES))
    return RecipientListResult(tuple(found.addresses), tuple(found.rows), tuple(problems))


def _address_column(first_row: Sequence[object]) -> tuple[int, bool]:
    """Which column holds the addresses, and whether the first row is a header."""
    texts = [shown(value) for value in first_row]
    for index, text in enumerate(texts):
        name = header_name(text)
        if "@" not in text and (name in _HEADERS or "mail" in name.replace(" ", "")):
            return index, True
    return 0, bool(texts) and not any("@" in text for text in texts)


def _bounded(cells: Iterable[tuple[int, object]], first: int) -> Iterator[tuple[int, object]]:
    """The cells with something in them, refusing the file at the first one past MAX_LIST rows
    of data (before it is looked at: nothing further is read)."""
    for row, value in cells:
        if not shown(value):
            continue  # an empty row is no one
        if row - first >= MAX_LIST:
            raise _Refused(ListProblem(row, Kind.TOO_MANY_ROWS, str(MAX_LIST)))
        yield row, value


# --- a workbook ----------------------------------------------------------------------------------
def _workbook_cells(data: bytes) -> Iterator[tuple[int, object]]:
    """(Excel row, cell) of the address column of the first sheet."""
    budget = TextBudget()
    try:
        workbook = open_workbook(data)
        try:
            if not workbook.worksheets:
                return
            sheet = workbook.worksheets[0]
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # the file's stated size may be A1:XFD1048576
            header = sheet.iter_rows(max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True)
            first_row = next(header, ())
            for value in first_row:
                budget.spend(value, row=1, column="")
            column, has_header = _address_column(first_row)
            start = 2 if has_header else 1
            rows = sheet.iter_rows(
                min_row=start,
                max_row=EXCEL_ROWS,
                min_col=column + 1,
                max_col=column + 1,
                values_only=True,
            )
            yield from _bounded(_spent(rows, start, budget), start)
        finally:
            workbook.close()
    except WorkbookRefused as refused:
        raise _Refused(_refusal(refused)) from None
    except _Refused:
        raise
    except Exception:  # UnreadableWorkbook, or a part openpyxl cannot parse: no workbook
        raise _Refused(ListProblem(None, Kind.NOT_A_LIST)) from None


def _spent(
    rows: Iterable[tuple[object, ...]], start: int, budget: TextBudget
) -> Iterator[tuple[int, object]]:
    """(Excel row, cell), the cell's text counted before anything looks at it (blank too: a
    cell of 30,000 spaces costs as much to look at as one of 30,000 letters)."""
    for row, cells in enumerate(rows, start):
        value = cells[0] if cells else None
        budget.spend(value, row=row, column="")
        yield row, value


def _refusal(refused: WorkbookRefused) -> ListProblem:
    reason = refused.message_key.removeprefix("workbook.refused.")
    try:
        kind = Kind(reason)
    except ValueError:  # a limit added to the package later: still a refusal, said generally
        kind = Kind.NOT_EXCEL
    return ListProblem(refused.row, kind, refused.value)


# --- a CSV file ----------------------------------------------------------------------------------
def _csv_cells(data: bytes) -> Iterator[tuple[int, object]]:
    """(line, cell) of the address column; a line is a record (a quoted field may hold a
    line break, as Excel writes it)."""
    text = _decoded(data)
    first_line = next((line for line in io.StringIO(text) if line.strip()), "")
    separator = max(_SEPARATORS, key=first_line.count) if first_line else ","
    records = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        first_record = next(records, [])
        column, has_header = _address_column(first_record)
        start = 2 if has_header else 1
        numbered = _csv_column(records, column, first_record if not has_header else None)
        yield from _bounded(numbered, start)
    except csv.Error:  # a field longer than csv allows, a stray quote at the end
        raise _Refused(ListProblem(None, Kind.NOT_A_LIST)) from None


def _csv_column(
    records: Iterator[list[str]], column: int, first: list[str] | None
) -> Iterator[tuple[int, object]]:
    if first is not None:
        yield 1, first[column] if column < len(first) else ""
    for row, record in enumerate(records, start=2):
        yield row, record[column] if column < len(record) else ""


def _decoded(data: bytes) -> str:
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _Refused(ListProblem(None, Kind.NOT_A_LIST)) from None
    if b"\x00" in data:
        raise _Refused(ListProblem(None, Kind.NOT_A_LIST))
    try:
        return data.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
