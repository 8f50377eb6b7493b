"""The catalogue workbook as the chat dialog uses it (dialogs may not import openpyxl's home).

A refused workbook is a normal outcome of an import, not an error: `read` returns the catalogue
or the problems, so the dialog can list them all and audit the rejection itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.licences.catalogue import Catalogue, CatalogueProblem
from bot.i18n import Translator

# openpyxl loads on the first workbook, not at start-up (a tenth of a second nobody waits for).


class ExcelCatalogueWorkbooks:
    def read(self, data: bytes) -> tuple[Catalogue | None, Sequence[CatalogueProblem]]:
        from bot.excel.importing import import_workbook
        from bot.excel.licences.catalogue import CATALOGUE

        return import_workbook(data, CATALOGUE)

    def describe(self, problem: CatalogueProblem, t: Translator) -> str:
        from bot.excel.licences.catalogue import describe_problem

        return describe_problem(problem, t)

    def write(self, catalogue: Catalogue) -> bytes:
        from bot.excel.licences.catalogue import write_catalogue

        return write_catalogue(catalogue)
