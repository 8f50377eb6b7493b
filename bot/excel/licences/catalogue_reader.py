"""Reads the catalogue sheets row by row, collecting every problem instead of stopping at the first.

The catalogue's row parser for the import pipeline (bot/excel/importing.py). Each cell is read
as what its column must hold (a code, a GUID, a whole number, one of a few words); a wrong cell
adds a CatalogueProblem with its sheet, row and column and the row goes on. References between
sheets (an offer's item, policy and entity; a question's item) are resolved case-insensitively
to the key as spelled on its own sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from enum import StrEnum
from typing import TypeVar

from bot.domain.licences.catalogue import (
    ALL_ENTITIES,
    DEFAULT_DECISION_DAYS,
    DEFAULT_MIN_JUSTIFICATION,
    MAX_KEY,
    MAX_STAGES,
    ApprovalPolicy,
    ApproverKind,
    Catalogue,
    CatalogueItem,
    CatalogueProblem,
    Entity,
    Fulfilment,
    ItemKind,
    Offer,
    Question,
    Stage,
    WorkspaceRole,
)
from bot.excel.cells import CODE, GUID, RowCells, excerpt, shown, split_list
from bot.excel.importing import Problems, Sheets
from bot.excel.licences.catalogue_layout import (
    APPROVER_WORDS,
    FULFILMENT_WORDS,
    KIND_WORDS,
    NO,
    ROLE_WORDS,
    STAGE_COLUMNS_READ,
    YES,
)
from bot.excel.workbook import CellValue, ReadSheet, header_name

E = TypeVar("E", bound=StrEnum)
V = TypeVar("V")

_WHOLE_NUMBER = re.compile(r"\s*-?\d+\s*")
_YES = frozenset({YES, "j", "yes", "y", "waar", "true", "1", "x"})
_NO = frozenset({NO, "n", "no", "onwaar", "false", "0"})


def read_catalogue_rows(sheets: Sheets, problems: Problems[CatalogueProblem]) -> Catalogue:
    """The catalogue the sheets describe (meaningful only when no problems were found)."""
    return CatalogueRows(problems).catalogue(sheets)


class CatalogueRows:
    """One workbook's catalogue, sheet by sheet; problems go to the import's list."""

    def __init__(self, problems: Problems[CatalogueProblem]) -> None:
        self.problems = problems

    def report(self, sheet: str, row: int | None, column: str, key: str, value: object) -> None:
        self.problems.report(sheet, row, column, key, value)

    def catalogue(self, sheets: Sheets) -> Catalogue:
        """The catalogue the sheets describe (meaningful only when no problems were found)."""
        entities = self.entities(sheets.get("entities"))
        policies = self.policies(sheets.get("policies"))
        items = self.items(sheets.get("items"), sheets.get("questions"))
        offers = self.offers(sheets.get("offers"), items, entities, policies)
        catalogue = Catalogue(
            items=tuple(items.values()),
            entities=tuple(entities.values()),
            policies=tuple(policies.values()),
            offers=tuple(offers),
        )
        self._add_whole_catalogue_problems(catalogue)
        return catalogue

    # --- sheets --------------------------------------------------------------------------------
    def entities(self, sheet: ReadSheet | None) -> dict[str, Entity]:
        found: dict[str, Entity] = {}
        for number, values in _rows(sheet):
            cells = Cells(self.problems, "entities", number, values)
            code = cells.key("code")
            entity = Entity(
                code=code,
                name_nl=cells.text("name_nl", required=True),
                name_en=cells.text("name_en"),
                staff_group_id=cells.guid("staff_group_id", required=True),
                admin_group_id=cells.guid("admin_group_id"),
            )
            if code:
                cells.unique(found, code, "code", entity)
        return found

    def policies(self, sheet: ReadSheet | None) -> dict[str, ApprovalPolicy]:
        found: dict[str, ApprovalPolicy] = {}
        for number, values in _rows(sheet):
            cells = Cells(self.problems, "policies", number, values)
            key = cells.key("key")
            policy = ApprovalPolicy(
                key=key,
                stages=self._stages(cells, number),
                decision_days=cells.number("decision_days", DEFAULT_DECISION_DAYS, 1),
                fallback=cells.guids("fallback"),
            )
            if key:
                cells.unique(found, key, "key", policy)
        return found

    def _stages(self, cells: Cells, number: int) -> tuple[Stage, ...]:
        stages: list[Stage] = []
        first_blank = 0
        for stage in range(1, STAGE_COLUMNS_READ + 1):
            approver_column, people_column = f"stage{stage}_approver", f"stage{stage}_people"
            approver = cells.enum(approver_column, ApproverKind, APPROVER_WORDS, "approver")
            people = cells.guids(people_column)
            if cells.blank(approver_column):
                if not cells.blank(people_column):
                    self.report("policies", number, approver_column, "required", "")
                first_blank = first_blank or stage
                continue
            if stage > MAX_STAGES:
                raw = cells.raw(approver_column)
                self.report("policies", number, approver_column, "too_many_stages", raw)
                continue
            if first_blank:
                self.report("policies", number, approver_column, "stage_gap", stage)
            if approver is None:
                continue  # an unknown word, reported by enum()
            if approver is ApproverKind.NAMED and cells.blank(people_column):
                self.report("policies", number, people_column, "named_without_people", "")
            elif approver is not ApproverKind.NAMED and not cells.blank(people_column):
                raw = cells.raw(people_column)
                self.report("policies", number, people_column, "people_not_named", raw)
            stages.append(Stage(approver, people if approver is ApproverKind.NAMED else ()))
        return tuple(stages)

    def items(
        self, sheet: ReadSheet | None, question_sheet: ReadSheet | None
    ) -> dict[str, CatalogueItem]:
        found: dict[str, CatalogueItem] = {}
        for number, values in _rows(sheet):
            cells = Cells(self.problems, "items", number, values)
            key = cells.key("key")
            kind = cells.enum("kind", ItemKind, KIND_WORDS, "kind", required=True)
            fulfilment = cells.enum(
                "fulfilment", Fulfilment, FULFILMENT_WORDS, "fulfilment", required=True
            )
            if fulfilment is Fulfilment.GROUP and cells.blank("group_id"):
                self.report("items", number, "group_id", "group_required", "")
            if fulfilment is Fulfilment.DIRECT and cells.blank("sku_id"):
                self.report("items", number, "sku_id", "sku_required", "")
            if kind is ItemKind.WORKSPACE_ROLE:
                if fulfilment is Fulfilment.DIRECT:  # a workspace role is held by a group
                    self.report("items", number, "fulfilment", "role_needs_group", "direct")
                for column in ("workspace", "workspace_role"):
                    if cells.blank(column):
                        self.report("items", number, column, "workspace_required", "")
            item = CatalogueItem(
                key=key,
                kind=kind or ItemKind.LICENCE,
                name_nl=cells.text("name_nl", required=True),
                name_en=cells.text("name_en"),
                fulfilment=fulfilment or Fulfilment.GROUP,
                group_id=cells.guid("group_id"),
                sku_id=cells.guid("sku_id"),
                workspace=cells.text("workspace"),
                workspace_role=cells.enum("workspace_role", WorkspaceRole, ROLE_WORDS, "role"),
                description_nl=cells.text("description_nl"),
                description_en=cells.text("description_en"),
                synonyms=cells.words("synonyms"),
                min_justification=cells.number("min_justification", DEFAULT_MIN_JUSTIFICATION, 0),
            )
            if key:
                cells.unique(found, key, "key", item)
        return self._with_questions(found, question_sheet)

    def _with_questions(
        self, items: dict[str, CatalogueItem], sheet: ReadSheet | None
    ) -> dict[str, CatalogueItem]:
        questions: dict[str, dict[str, Question]] = {}
        for number, values in _rows(sheet):
            cells = Cells(self.problems, "questions", number, values)
            item_key = cells.reference("item", items, "unknown_item")
            key = cells.key("key")
            question = Question(
                key=key,
                label_nl=cells.text("label_nl", required=True),
                label_en=cells.text("label_en"),
                required=cells.flag("required"),
            )
            if item_key and key:
                cells.unique(questions.setdefault(item_key, {}), key, "key", question)
        return {
            key: replace(item, questions=tuple(questions.get(key, {}).values()))
            for key, item in items.items()
        }

    def offers(
        self,
        sheet: ReadSheet | None,
        items: Mapping[str, CatalogueItem],
        entities: Mapping[str, Entity],
        policies: Mapping[str, ApprovalPolicy],
    ) -> list[Offer]:
        found: dict[str, Offer] = {}
        for number, values in _rows(sheet):
            cells = Cells(self.problems, "offers", number, values)
            item_key = cells.reference("item", items, "unknown_item")
            entity = cells.text("entity", required=True)
            if entity and entity != ALL_ENTITIES:
                entity = cells.reference("entity", entities, "unknown_entity")
            policy_key = cells.reference("policy", policies, "unknown_policy")
            max_days = cells.optional_number("max_days", 1)
            if item_key and entity and policy_key:
                offer = Offer(item_key, entity, policy_key, max_days)
                cells.unique(found, f"{item_key} {entity}", "entity", offer)
        return list(found.values())

    def _add_whole_catalogue_problems(self, catalogue: Catalogue) -> None:
        """The domain's own checks, for anything the rows did not already report."""
        seen = {(p.sheet, p.message_key, p.value.casefold()) for p in self.problems}
        for found in catalogue.problems():
            problem = replace(found, value=excerpt(found.value))  # quoted as the rows quote
            if (problem.sheet, problem.message_key, problem.value.casefold()) not in seen:
                self.problems.add(problem)


def _rows(sheet: ReadSheet | None) -> Iterable[tuple[int, dict[str, CellValue]]]:
    return sheet.rows() if sheet is not None else ()


class Cells(RowCells[CatalogueProblem]):
    """One row's values, read as what each column must hold."""

    def key(self, column: str) -> str:
        """A required code: letters, digits, "-", "_" and "." (no spaces)."""
        text = self.text(column, required=True)
        if text and not CODE.match(text):
            self.report(column, "bad_key", text)
        elif len(text) > MAX_KEY:
            self.report(column, "too_long", text)
        return text

    def guid(self, column: str, *, required: bool = False) -> str:
        """An Entra object id or SKU id, lower-cased as Graph writes them."""
        text = self.text(column, required=required).casefold()
        if text and not GUID.match(text):
            self.report(column, "bad_id", self.values.get(column))
        return text

    def guids(self, column: str) -> tuple[str, ...]:
        found: list[str] = []
        for part in split_list(self.values.get(column)):
            if GUID.match(part.casefold()):
                found.append(part.casefold())
            else:
                self.report(column, "bad_id", part)
        return tuple(found)

    def words(self, column: str) -> tuple[str, ...]:
        return tuple(split_list(self.values.get(column)))

    def flag(self, column: str) -> bool:
        value = self.values.get(column)
        if isinstance(value, bool):
            return value
        text = header_name(shown(value))
        if text in _YES:
            return True
        if text and text not in _NO:
            self.report(column, "bad_flag", value)
        return False

    def number(self, column: str, default: int, minimum: int) -> int:
        """A whole number >= minimum; blank (or wrong, which is reported) gives the default."""
        found = self.optional_number(column, minimum)
        return default if found is None else found

    def optional_number(self, column: str, minimum: int) -> int | None:
        """A whole number >= minimum, or None when blank (or wrong, which is reported)."""
        value = self.values.get(column)
        if self.blank(column):
            return None
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif (isinstance(value, float) and value.is_integer()) or (
            isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value)
        ):
            number = int(value)
        if number is None or number < minimum:
            self.report(column, "bad_number" if minimum == 0 else "bad_days", value)
            return None
        return number

    def enum(
        self,
        column: str,
        kind: type[E],
        words: Mapping[E, tuple[str, ...]],
        name: str,
        *,
        required: bool = False,
    ) -> E | None:
        """One of the enum's values, or a word for it; `name` picks the problem message."""
        text = self.text(column, required=required)
        if not text:
            return None
        wanted = header_name(text)
        for member in kind:
            if wanted in {header_name(word) for word in (member.value, *words.get(member, ()))}:
                return member
        self.report(column, f"unknown_{name}", text)
        return None

    def reference(self, column: str, known: Mapping[str, object], problem: str) -> str:
        """The key of a row on another sheet, spelled as there (case is forgiven)."""
        text = self.text(column, required=True)
        if not text:
            return ""
        match = (
            text
            if text in known
            else next((key for key in known if key.casefold() == text.casefold()), None)
        )
        if match is None:
            self.report(column, problem, text)
            return ""
        return match

    def unique(self, found: dict[str, V], key: str, column: str, value: V) -> None:
        """Keep the first row with this key; report the later ones (case is ignored)."""
        if any(existing.casefold() == key.casefold() for existing in found):
            self.report(column, "duplicate", key)
            return
        found[key] = value
