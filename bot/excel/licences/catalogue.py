"""The licence catalogue as an Excel workbook: what admins download, edit and upload again.

Sheets (Dutch names; the English ones are accepted on upload): Artikelen/Items, Vragen/Questions,
Entiteiten/Entities, Beleid/Policies, Aanbod/Offers, and Toelichting, which explains every
column and is never read. Lists inside a cell are separated by ";" or ",". The layout itself is
in catalogue_layout.py, the row checks in catalogue_reader.py.

`read_catalogue` checks every cell of every row and reports all problems at once, each with its
sheet, row and column, so an admin fixes a workbook in one go; it returns a catalogue only when
there is nothing to report (the store then replaces the whole catalogue: all or nothing). It is
the import pipeline of bot/excel/importing.py with the catalogue's layout and row parser, so a
file past the limits of bot/excel/package.py is one problem, found before the rows are checked.
Problems name sheets and columns by key ("items", "group_id"); `describe_problem` turns them into
the names the admin sees in the workbook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from openpyxl import Workbook

from bot.domain.licences.catalogue import (
    MAX_STAGES,
    ApprovalPolicy,
    Catalogue,
    CatalogueItem,
    CatalogueProblem,
    Entity,
    Offer,
    Question,
)
from bot.domain.platform.errors import DomainError
from bot.excel.importing import ImportKind, import_workbook
from bot.excel.importing import describe_problem as describe_in_workbook
from bot.excel.layout import SheetLayout, write_layout_sheet
from bot.excel.licences.catalogue_layout import (
    ENTITIES,
    ITEMS,
    LIST_JOIN,
    NO,
    OFFERS,
    QUESTIONS,
    README,
    SHEETS,
    YES,
    catalogue_column,
    policies_with_stages,
    readme_lines,
)
from bot.excel.licences.catalogue_reader import read_catalogue_rows
from bot.excel.workbook import CellValue, add_text_sheet, new_workbook, workbook_bytes
from bot.i18n import Translator

__all__ = [
    "CatalogueImportError",
    "catalogue_counts",
    "describe_problem",
    "read_catalogue",
    "write_catalogue",
]

# The catalogue's part of the import pipeline.
CATALOGUE = ImportKind(SHEETS, CatalogueProblem, "catalogue.problem.", read_catalogue_rows)

RowT = TypeVar("RowT")


class CatalogueImportError(DomainError):
    """The workbook cannot become the catalogue; `problems` lists every bad cell."""

    message_key = "catalogue.import.invalid"

    def __init__(self, problems: list[CatalogueProblem]) -> None:
        super().__init__(count=len(problems))
        self.problems = problems


def write_catalogue(catalogue: Catalogue) -> bytes:
    """The catalogue as an .xlsx workbook that read_catalogue reads back to an equal catalogue."""
    workbook = new_workbook()
    add_text_sheet(
        workbook,
        README[0],
        ("Blad", "Kolom", "Verplicht", "Uitleg"),
        readme_lines(),
        widths=(14, 26, 11, 100),
    )
    _write(workbook, ITEMS, catalogue.items, _item_cells)
    questions = [(item.key, q) for item in catalogue.items for q in item.questions]
    _write(workbook, QUESTIONS, questions, _question_cells)
    _write(workbook, ENTITIES, catalogue.entities, _entity_cells)
    stages = max([MAX_STAGES, *(len(p.stages) for p in catalogue.policies)])
    _write(workbook, policies_with_stages(stages), catalogue.policies, _policy_cells)
    _write(workbook, OFFERS, catalogue.offers, _offer_cells)
    workbook.active = 1  # open on the items; the explanation is one tab to the left
    return workbook_bytes(workbook)


def read_catalogue(data: bytes) -> Catalogue:
    """The catalogue in the workbook. Raises CatalogueImportError listing every problem."""
    catalogue, problems = import_workbook(data, CATALOGUE)
    if catalogue is None:
        raise CatalogueImportError(list(problems))
    return catalogue


def describe_problem(problem: CatalogueProblem, t: Translator) -> str:
    """ "blad Artikelen, rij 4, kolom Groep-id: ..." in the translator's language."""
    return describe_in_workbook(problem, t, SHEETS, catalogue_column)


def catalogue_counts(catalogue: Catalogue) -> dict[str, int]:
    """What a catalogue holds, as the parameters of the "catalogue.counts" message."""
    return {
        "items": len(catalogue.items),
        "questions": sum(len(item.questions) for item in catalogue.items),
        "entities": len(catalogue.entities),
        "policies": len(catalogue.policies),
        "offers": len(catalogue.offers),
    }


# --- writing -------------------------------------------------------------------------------------
def _write(
    workbook: Workbook,
    layout: SheetLayout,
    rows: Iterable[RowT],
    cells: Callable[[RowT], dict[str, CellValue]],
) -> None:
    write_layout_sheet(workbook, layout, [cells(row) for row in rows])


def _item_cells(item: CatalogueItem) -> dict[str, CellValue]:
    return {
        "key": item.key,
        "kind": item.kind.value,
        "name_nl": item.name_nl,
        "name_en": item.name_en,
        "fulfilment": item.fulfilment.value,
        "group_id": item.group_id,
        "sku_id": item.sku_id,
        "workspace": item.workspace,
        "workspace_role": item.workspace_role.value if item.workspace_role else "",
        "description_nl": item.description_nl,
        "description_en": item.description_en,
        "synonyms": LIST_JOIN.join(item.synonyms),
        "min_justification": item.min_justification,
    }


def _question_cells(pair: tuple[str, Question]) -> dict[str, CellValue]:
    item_key, question = pair
    return {
        "item": item_key,
        "key": question.key,
        "label_nl": question.label_nl,
        "label_en": question.label_en,
        "required": YES if question.required else NO,
    }


def _entity_cells(entity: Entity) -> dict[str, CellValue]:
    return {
        "code": entity.code,
        "name_nl": entity.name_nl,
        "name_en": entity.name_en,
        "staff_group_id": entity.staff_group_id,
        "admin_group_id": entity.admin_group_id,
    }


def _policy_cells(policy: ApprovalPolicy) -> dict[str, CellValue]:
    cells: dict[str, CellValue] = {
        "key": policy.key,
        "decision_days": policy.decision_days,
        "fallback": LIST_JOIN.join(policy.fallback),
    }
    for number, stage in enumerate(policy.stages, start=1):
        cells[f"stage{number}_approver"] = stage.approver.value
        cells[f"stage{number}_people"] = LIST_JOIN.join(stage.named)
    return cells


def _offer_cells(offer: Offer) -> dict[str, CellValue]:
    return {
        "item": offer.item_key,
        "entity": offer.entity,
        "policy": offer.policy_key,
        "max_days": offer.max_days,
    }
