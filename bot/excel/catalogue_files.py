"""The catalogue workbook as the chat dialog uses it (dialogs may not import openpyxl's home).

A refused workbook is a normal outcome of an import, not an error: `read` returns the catalogue
or the problems, so the dialog can list them all and audit the rejection itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.catalogue import Catalogue, CatalogueProblem
from bot.excel.catalogue import (
    CatalogueImportError,
    describe_problem,
    read_catalogue,
    write_catalogue,
)
from bot.i18n import Translator


class ExcelCatalogueWorkbooks:
    def read(self, data: bytes) -> tuple[Catalogue | None, Sequence[CatalogueProblem]]:
        try:
            return read_catalogue(data), ()
        except CatalogueImportError as error:
            return None, tuple(error.problems)

    def describe(self, problem: CatalogueProblem, t: Translator) -> str:
        return describe_problem(problem, t)

    def write(self, catalogue: Catalogue) -> bytes:
        return write_catalogue(catalogue)
