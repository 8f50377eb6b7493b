"""An uploaded list of people (the LIST audience), as read from the file: the addresses in
order and every reason a row or the file could not be used.

Reading the file is bot/excel/announcements/recipient_list.py; checking that each address is a
real, enabled person the author may reach is the service's work with the directory. This is
what the two share.

Decisions (and why):
- A row with a problem does not refuse the list: the author sees every problem at once and
  decides (fix the file, or send to the people that were understood).
- A problem with the file as a whole (not a list, too big, built to cost too much, nothing on
  it) has no row (or the row where a limit was met) and the list then holds no addresses: a
  list cut off at a limit would send to part of the people without anyone noticing.
- `value` quotes what the row held (shortened) or, for a limit, the limit; `first_row` is the
  row where a duplicate address was first seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ListProblemKind(StrEnum):
    """Why a row or a file cannot be used."""

    # A row.
    NOT_AN_ADDRESS = "not_an_address"  # value: the cell
    DUPLICATE = "duplicate"  # value: the address; first_row: where it was first
    # The file as a whole.
    NOT_A_LIST = "not_a_list"  # neither an .xlsx workbook nor a CSV file
    FILE_TOO_LARGE = "file_too_large"  # value: the limit in MB
    TOO_MANY_ROWS = "too_many_rows"  # value: the limit (MAX_LIST); row: the first row past it
    NO_ADDRESSES = "no_addresses"
    # A workbook refused for how it is built before its rows are read (the limits every
    # workbook import has: bot/excel/package.py); value: the limit.
    TOO_LARGE = "too_large"
    COMPRESSED = "compressed"
    TOO_MANY_PARTS = "too_many_parts"
    NOT_EXCEL = "not_excel"
    ENTITIES = "entities"
    TOO_MANY_SHEETS = "too_many_sheets"
    CELL_TOO_LONG = "cell_too_long"
    TOO_MUCH_TEXT = "too_much_text"


# The kinds that concern the file, not one row: a list with one of these is not used at all.
FILE_PROBLEMS = frozenset(ListProblemKind) - {
    ListProblemKind.NOT_AN_ADDRESS,
    ListProblemKind.DUPLICATE,
}


@dataclass(frozen=True, slots=True)
class ListProblem:
    row: int | None  # the row as a spreadsheet numbers it (1: the first line), None: the file
    kind: ListProblemKind
    value: str = ""
    first_row: int | None = None


@dataclass(frozen=True, slots=True)
class RecipientListResult:
    """The addresses in the order of the file, each once (compared without case), with the row
    each came from, and every problem found."""

    addresses: tuple[str, ...] = ()
    rows: tuple[int, ...] = ()
    problems: tuple[ListProblem, ...] = ()

    @property
    def refused(self) -> bool:
        """The file could not be used at all (its one problem says why)."""
        return any(problem.kind in FILE_PROBLEMS for problem in self.problems)

    @property
    def row_problems(self) -> tuple[ListProblem, ...]:
        return tuple(p for p in self.problems if p.kind not in FILE_PROBLEMS)

    @property
    def accepted(self) -> int:
        """People understood (each once)."""
        return len(self.addresses)

    @property
    def rejected(self) -> int:
        """Rows not taken: not an address, or an address already on the list."""
        return len(self.row_problems)
