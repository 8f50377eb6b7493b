"""The licence catalogue as an Excel workbook: what admins download, edit and upload again.

Sheets (Dutch names; the English ones are accepted on upload): Artikelen/Items, Vragen/Questions,
Entiteiten/Entities, Beleid/Policies, Aanbod/Offers, and Toelichting (explains every column; it
is never read). Lists inside a cell are separated by ";" or ",".

`read_catalogue` checks every cell of every row and reports all problems at once, each with its
sheet, row and column, so an admin fixes a workbook in one go; it returns a catalogue only when
there is nothing to report (the store then replaces the whole catalogue: all or nothing).
Problems name sheets and columns by key ("items", "group_id"); `describe_problem` turns them
into the names the admin sees in the workbook.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC
from enum import StrEnum
from typing import TypeVar

from openpyxl import Workbook

from bot.domain.catalogue import (
    ALL_ENTITIES,
    DEFAULT_DECISION_DAYS,
    DEFAULT_MIN_JUSTIFICATION,
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
from bot.domain.errors import DomainError
from bot.excel.workbook import (
    CellValue,
    Column,
    Field,
    ReadSheet,
    UnreadableWorkbook,
    add_sheet,
    add_text_sheet,
    find_sheet,
    header_name,
    new_workbook,
    open_workbook,
    read_sheet,
    workbook_bytes,
)
from bot.i18n import Translator

E = TypeVar("E", bound=StrEnum)
RowT = TypeVar("RowT")

# More stage columns than this are not looked for ("Fase 3 goedkeurder" is reported, not read).
_STAGE_COLUMNS_READ = 9
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_LIST_SEPARATOR = re.compile(r"[;,\n]")
_YES = frozenset({"ja", "j", "yes", "y", "waar", "true", "1", "x"})
_NO = frozenset({"nee", "n", "no", "onwaar", "false", "0"})
_LIST_JOIN = "; "


class CatalogueImportError(DomainError):
    """The workbook cannot become the catalogue; `problems` lists every bad cell."""

    message_key = "catalogue.import.invalid"

    def __init__(self, problems: list[CatalogueProblem]) -> None:
        super().__init__(count=len(problems))
        self.problems = problems


# --- the workbook's layout: one table drives the writer, the reader and the explanation ---------
@dataclass(frozen=True, slots=True)
class _Col:
    key: str
    nl: str  # the header the export writes
    en: str  # the English header an upload may use instead
    width: float
    help: str  # Dutch, for the Toelichting sheet
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    numeric: bool = False

    @property
    def field(self) -> Field:
        return Field(self.key, (self.nl, self.en, self.key, *self.aliases))


@dataclass(frozen=True, slots=True)
class _Sheet:
    key: str
    nl: str
    en: str
    help: str
    columns: tuple[_Col, ...]
    required: bool = True

    def column(self, key: str) -> _Col | None:
        return next((c for c in self.columns if c.key == key), None)


_KINDS = tuple(kind.value for kind in ItemKind)
_FULFILMENTS = tuple(f.value for f in Fulfilment)
_APPROVERS = tuple(a.value for a in ApproverKind)
_ROLES = tuple(r.value for r in WorkspaceRole)

ITEMS = _Sheet(
    "items",
    "Artikelen",
    "Items",
    "Wat medewerkers kunnen aanvragen: een licentie of een rol in een Power BI-werkruimte.",
    (
        _Col(
            "key",
            "Sleutel",
            "Key",
            22,
            "Vaste, unieke code, bv. powerbi-pro. Niet wijzigen zodra er aanvragen voor zijn.",
            required=True,
        ),
        _Col(
            "kind",
            "Soort",
            "Kind",
            16,
            "licence (licentie) of workspace_role (werkruimterol).",
            required=True,
            choices=_KINDS,
        ),
        _Col(
            "name_nl",
            "Naam (nl)",
            "Name (nl)",
            30,
            "Naam zoals medewerkers ze zien.",
            required=True,
        ),
        _Col("name_en", "Naam (en)", "Name (en)", 30, "Engelse naam (leeg: de Nederlandse)."),
        _Col(
            "fulfilment",
            "Toekenning",
            "Fulfilment",
            14,
            "group: de persoon wordt lid van de "
            "groep; direct: de licentie wordt rechtstreeks toegewezen.",
            required=True,
            choices=_FULFILMENTS,
        ),
        _Col(
            "group_id",
            "Groep-id",
            "Group id",
            38,
            "Object-id (GUID) van de Entra-groep. Verplicht bij toekenning group.",
        ),
        _Col(
            "sku_id",
            "SKU-id",
            "SKU id",
            38,
            "skuId (GUID) van het abonnement waarvan de "
            "licentie een plaats gebruikt. Verplicht bij toekenning direct.",
        ),
        _Col(
            "workspace",
            "Werkruimte",
            "Workspace",
            24,
            "Naam van de Power BI-werkruimte. Verplicht bij een werkruimterol.",
        ),
        _Col(
            "workspace_role",
            "Werkruimterol",
            "Workspace role",
            15,
            "Viewer, Contributor of Member. Verplicht bij een werkruimterol.",
            choices=_ROLES,
        ),
        _Col(
            "description_nl",
            "Omschrijving (nl)",
            "Description (nl)",
            40,
            "Korte uitleg: wat kan je ermee?",
        ),
        _Col("description_en", "Omschrijving (en)", "Description (en)", 40, "Engelse uitleg."),
        _Col(
            "synonyms",
            "Synoniemen",
            "Synonyms",
            36,
            "Woorden die medewerkers gebruiken, gescheiden door ; (bv. power bi; dashboard).",
        ),
        _Col(
            "min_justification",
            "Min. motivering (tekens)",
            "Min justification",
            14,
            f"Minimale lengte van de motivering (leeg: {DEFAULT_MIN_JUSTIFICATION}).",
            aliases=("minimum justification",),
            numeric=True,
        ),
    ),
)
QUESTIONS = _Sheet(
    "questions",
    "Vragen",
    "Questions",
    "Extra vragen op het aanvraagformulier, per artikel, in deze volgorde.",
    (
        _Col(
            "item",
            "Artikel",
            "Item",
            22,
            "Sleutel van het artikel (blad Artikelen).",
            required=True,
            aliases=("item key",),
        ),
        _Col(
            "key",
            "Sleutel",
            "Key",
            18,
            "Unieke code van de vraag binnen het artikel.",
            required=True,
        ),
        _Col(
            "label_nl",
            "Vraag (nl)",
            "Label (nl)",
            45,
            "De vraag zoals medewerkers ze zien.",
            required=True,
            aliases=("question nl",),
        ),
        _Col(
            "label_en", "Vraag (en)", "Label (en)", 45, "Engelse vraag.", aliases=("question en",)
        ),
        _Col(
            "required", "Verplicht", "Required", 11, "ja of nee (leeg: nee).", choices=("ja", "nee")
        ),
    ),
    required=False,
)
ENTITIES = _Sheet(
    "entities",
    "Entiteiten",
    "Entities",
    "De entiteiten (departementen, agentschappen). Een medewerker hoort bij de entiteit van "
    "zijn personeelsgroep.",
    (
        _Col("code", "Code", "Code", 10, "Korte, unieke code, bv. ADV.", required=True),
        _Col("name_nl", "Naam (nl)", "Name (nl)", 40, "Naam van de entiteit.", required=True),
        _Col("name_en", "Naam (en)", "Name (en)", 40, "Engelse naam."),
        _Col(
            "staff_group_id",
            "Personeelsgroep-id",
            "Staff group id",
            38,
            "Object-id (GUID) van de groep met alle medewerkers van de entiteit.",
            required=True,
        ),
        _Col(
            "admin_group_id",
            "ICT-beheerdersgroep-id",
            "Admin group id",
            38,
            "Object-id "
            "(GUID) van de groep met de ICT-beheerders van de entiteit (goedkeurders bij "
            "entity_admin).",
            aliases=("beheerdersgroep id",),
        ),
    ),
)


def _stage_columns(number: int) -> tuple[_Col, _Col]:
    return (
        _Col(
            f"stage{number}_approver",
            f"Fase {number} goedkeurder",
            f"Stage {number} approver",
            18,
            f"Wie fase {number} beslist: manager (leidinggevende), entity_admin "
            "(ICT-beheerders van de entiteit) of named (de personen hiernaast). Leeg: geen "
            f"fase {number}.",
            choices=_APPROVERS,
        ),
        _Col(
            f"stage{number}_people",
            f"Fase {number} personen",
            f"Stage {number} people",
            38,
            "Object-ids (GUID) van de beslissers, gescheiden door ; (alleen bij named).",
        ),
    )


POLICIES = _Sheet(
    "policies",
    "Beleid",
    "Policies",
    f"Hoe een aanvraag wordt goedgekeurd: 0, 1 of {MAX_STAGES} fasen.",
    (
        _Col("key", "Sleutel", "Key", 20, "Unieke code, bv. manager-then-ict.", required=True),
        *_stage_columns(1),
        *_stage_columns(2),
        _Col(
            "decision_days",
            "Beslistermijn (dagen)",
            "Decision days",
            14,
            f"Dagen per fase voor de aanvraag vervalt (leeg: {DEFAULT_DECISION_DAYS}).",
            aliases=("beslistermijn",),
            numeric=True,
        ),
        _Col(
            "fallback",
            "Vangnet (personen)",
            "Fallback people",
            38,
            "Object-ids (GUID) van "
            "wie beslist als een fase niemand heeft (leeg: de ICT-beheerders van de "
            "entiteit).",
            aliases=("vangnet", "fallback"),
        ),
    ),
)
OFFERS = _Sheet(
    "offers",
    "Aanbod",
    "Offers",
    "Welk artikel welke entiteit mag aanvragen, met welk beleid. Het aanbod van een entiteit "
    "gaat voor het aanbod aan iedereen (*).",
    (
        _Col("item", "Artikel", "Item", 22, "Sleutel van het artikel.", required=True),
        _Col(
            "entity",
            "Entiteit",
            "Entity",
            12,
            "Code van de entiteit, of * voor iedereen.",
            required=True,
        ),
        _Col("policy", "Beleid", "Policy", 20, "Sleutel van het beleid.", required=True),
        _Col(
            "max_days",
            "Max. duur (dagen)",
            "Max days",
            14,
            "Langste duur die gevraagd mag worden (leeg: onbeperkt).",
            aliases=("maximum days",),
            numeric=True,
        ),
    ),
)
SHEETS = (ITEMS, QUESTIONS, ENTITIES, POLICIES, OFFERS)
README = ("Toelichting", "Read me")
_SHEET_BY_KEY = {sheet.key: sheet for sheet in SHEETS}
_WORKBOOK = "workbook"

# Dutch and English words accepted for enum values (compared folded); the value itself always is.
_KIND_WORDS = {
    ItemKind.LICENCE: ("licentie", "license"),
    ItemKind.WORKSPACE_ROLE: ("werkruimterol", "werkruimte rol", "workspace role"),
}
_FULFILMENT_WORDS = {Fulfilment.GROUP: ("groep",), Fulfilment.DIRECT: ("rechtstreeks",)}
_APPROVER_WORDS = {
    ApproverKind.MANAGER: ("leidinggevende",),
    ApproverKind.ENTITY_ADMIN: ("ict", "ict beheerder", "ict beheerders", "entity admin"),
    ApproverKind.NAMED: ("personen", "benoemd"),
}
_ROLE_WORDS = {
    WorkspaceRole.VIEWER: ("lezer",),
    WorkspaceRole.CONTRIBUTOR: ("bijdrager",),
    WorkspaceRole.MEMBER: ("lid",),
}


# --- writing -------------------------------------------------------------------------------------
def write_catalogue(catalogue: Catalogue) -> bytes:
    """The catalogue as an .xlsx workbook that read_catalogue reads back to an equal catalogue."""
    workbook = new_workbook()
    _write(workbook, ITEMS, catalogue.items, _item_cells)
    questions = [(item.key, q) for item in catalogue.items for q in item.questions]
    _write(workbook, QUESTIONS, questions, _question_cells)
    _write(workbook, ENTITIES, catalogue.entities, _entity_cells)
    stages = max([MAX_STAGES, *(len(p.stages) for p in catalogue.policies)])
    policies = POLICIES
    if stages > MAX_STAGES:  # not importable, but an export never hides what is stored
        extra = [c for n in range(MAX_STAGES + 1, stages + 1) for c in _stage_columns(n)]
        at = 1 + 2 * MAX_STAGES
        policies = _Sheet(
            POLICIES.key,
            POLICIES.nl,
            POLICIES.en,
            POLICIES.help,
            (*POLICIES.columns[:at], *extra, *POLICIES.columns[at:]),
        )
    _write(workbook, policies, catalogue.policies, _policy_cells)
    _write(workbook, OFFERS, catalogue.offers, _offer_cells)
    add_text_sheet(
        workbook,
        README[0],
        ("Blad", "Kolom", "Verplicht", "Uitleg"),
        _readme_lines(),
        widths=(14, 26, 11, 90),
    )
    workbook.move_sheet(README[0], offset=-len(workbook.sheetnames) + 1)
    workbook.active = 0
    return workbook_bytes(workbook)


def _write(
    workbook: Workbook,
    sheet: _Sheet,
    rows: Iterable[RowT],
    cells: Callable[[RowT], dict[str, CellValue]],
) -> None:
    columns = [
        Column[dict[str, CellValue]](
            c.nl,
            _getter(c.key),
            width=c.width,
            number_format="0" if c.numeric else "" if c.choices else "@",
            choices=c.choices,
        )
        for c in sheet.columns
    ]
    add_sheet(workbook, sheet.nl, columns, [cells(row) for row in rows], timezone=UTC)


def _getter(key: str) -> Callable[[dict[str, CellValue]], CellValue]:
    return lambda row: row.get(key)


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
        "synonyms": _LIST_JOIN.join(item.synonyms),
        "min_justification": item.min_justification,
    }


def _question_cells(pair: tuple[str, Question]) -> dict[str, CellValue]:
    item_key, question = pair
    return {
        "item": item_key,
        "key": question.key,
        "label_nl": question.label_nl,
        "label_en": question.label_en,
        "required": "ja" if question.required else "nee",
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
        "fallback": _LIST_JOIN.join(policy.fallback),
    }
    for number, stage in enumerate(policy.stages, start=1):
        cells[f"stage{number}_approver"] = stage.approver.value
        cells[f"stage{number}_people"] = _LIST_JOIN.join(stage.named)
    return cells


def _offer_cells(offer: Offer) -> dict[str, CellValue]:
    return {
        "item": offer.item_key,
        "entity": offer.entity,
        "policy": offer.policy_key,
        "max_days": offer.max_days,
    }


def _readme_lines() -> list[tuple[str, str, str, str]]:
    lines = [
        (
            "",
            "",
            "",
            "Dit werkboek is de catalogus van Werkplek: wat medewerkers kunnen "
            "aanvragen, wie goedkeurt en hoe het wordt toegekend.",
        ),
        (
            "",
            "",
            "",
            "Pas de bladen aan en laad het bestand op (werkplek catalog import, of in "
            "de chat als beheerder). Elke rij wordt gecontroleerd; bij één fout wordt niets "
            "overgenomen en krijg je alle fouten met blad, rij en kolom.",
        ),
        (
            "",
            "",
            "",
            "Lijsten in één cel scheid je met ; of ,. Kolomnamen mogen ook in het "
            "Engels; dit blad wordt niet ingelezen.",
        ),
    ]
    for sheet in SHEETS:
        lines.append((sheet.nl, "", "", sheet.help))
        for column in sheet.columns:
            lines.append((sheet.nl, column.nl, "ja" if column.required else "", column.help))
    return lines


# --- reading -------------------------------------------------------------------------------------
def read_catalogue(data: bytes) -> Catalogue:
    """The catalogue in the workbook. Raises CatalogueImportError listing every problem."""
    try:
        workbook = open_workbook(data)
    except UnreadableWorkbook:
        raise CatalogueImportError(
            [CatalogueProblem(_WORKBOOK, None, "", "catalogue.problem.not_a_workbook")]
        ) from None
    try:
        reader = _Reader()
        sheets: dict[str, ReadSheet | None] = {}
        for sheet in SHEETS:
            sheets[sheet.key] = reader.sheet(workbook, sheet)
    finally:
        workbook.close()
    entities = reader.entities(sheets["entities"])
    policies = reader.policies(sheets["policies"])
    items = reader.items(sheets["items"], sheets["questions"])
    offers = reader.offers(sheets["offers"], items, entities, policies)
    catalogue = Catalogue(
        items=tuple(items.values()),
        entities=tuple(entities.values()),
        policies=tuple(policies.values()),
        offers=tuple(offers),
    )
    reader.add_whole_catalogue_problems(catalogue)
    if reader.problems:
        raise CatalogueImportError(reader.problems)
    return catalogue


class _Reader:
    """Reads the sheets row by row, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[CatalogueProblem] = []

    def report(self, sheet: str, row: int | None, column: str, key: str, value: object) -> None:
        self.problems.append(
            CatalogueProblem(sheet, row, column, f"catalogue.problem.{key}", _shown(value))
        )

    def sheet(self, workbook: Workbook, layout: _Sheet) -> ReadSheet | None:
        found = find_sheet(workbook, (layout.nl, layout.en, layout.key))
        if found is None:
            if layout.required:
                self.report(layout.key, None, "", "missing_sheet", layout.nl)
            return None
        fields = [c.field for c in layout.columns]
        if layout is POLICIES:
            for number in range(MAX_STAGES + 1, _STAGE_COLUMNS_READ + 1):
                fields += [c.field for c in _stage_columns(number)]
        read = read_sheet(found, fields)
        for column in layout.columns:
            if column.required and not read.has(column.key):
                self.report(layout.key, 1, column.key, "missing_column", column.nl)
        return read

    # --- sheets --------------------------------------------------------------------------------
    def entities(self, sheet: ReadSheet | None) -> dict[str, Entity]:
        found: dict[str, Entity] = {}
        for number, values in _rows(sheet):
            cells = _Cells(self, "entities", number, values)
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
            cells = _Cells(self, "policies", number, values)
            key = cells.key("key")
            stages: list[Stage] = []
            gap_at = 0
            for stage_number in range(1, _STAGE_COLUMNS_READ + 1):
                approver_column = f"stage{stage_number}_approver"
                people_column = f"stage{stage_number}_people"
                approver = cells.enum(approver_column, ApproverKind, _APPROVER_WORDS, "approver")
                people = cells.guids(people_column)
                if cells.blank(approver_column):
                    if people:
                        self.report("policies", number, approver_column, "required", "")
                    gap_at = gap_at or stage_number
                    continue
                if stage_number > MAX_STAGES:
                    self.report(
                        "policies",
                        number,
                        approver_column,
                        "too_many_stages",
                        cells.raw(approver_column),
                    )
                    continue
                if gap_at:
                    self.report("policies", number, approver_column, "stage_gap", stage_number)
                if approver is None:
                    continue  # reported by enum()
                if approver is ApproverKind.NAMED and not people and cells.blank(people_column):
                    self.report("policies", number, people_column, "named_without_people", "")
                if approver is not ApproverKind.NAMED and people:
                    self.report(
                        "policies",
                        number,
                        people_column,
                        "people_not_named",
                        cells.raw(people_column),
                    )
                stages.append(Stage(approver, people if approver is ApproverKind.NAMED else ()))
            policy = ApprovalPolicy(
                key=key,
                stages=tuple(stages),
                decision_days=cells.number("decision_days", DEFAULT_DECISION_DAYS, 1),
                fallback=cells.guids("fallback"),
            )
            if key:
                cells.unique(found, key, "key", policy)
        return found

    def items(
        self, sheet: ReadSheet | None, question_sheet: ReadSheet | None
    ) -> dict[str, CatalogueItem]:
        found: dict[str, CatalogueItem] = {}
        for number, values in _rows(sheet):
            cells = _Cells(self, "items", number, values)
            key = cells.key("key")
            kind = cells.enum("kind", ItemKind, _KIND_WORDS, "kind", required=True)
            fulfilment = cells.enum(
                "fulfilment", Fulfilment, _FULFILMENT_WORDS, "fulfilment", required=True
            )
            group_id = cells.guid("group_id")
            sku_id = cells.guid("sku_id")
            workspace = cells.text("workspace")
            role = cells.enum("workspace_role", WorkspaceRole, _ROLE_WORDS, "workspace_role")
            if fulfilment is Fulfilment.GROUP and cells.blank("group_id"):
                self.report("items", number, "group_id", "group_required", "")
            if fulfilment is Fulfilment.DIRECT and cells.blank("sku_id"):
                self.report("items", number, "sku_id", "sku_required", "")
            if kind is ItemKind.WORKSPACE_ROLE:
                for column in ("workspace", "workspace_role"):
                    if cells.blank(column):
                        self.report("items", number, column, "workspace_required", "")
            item = CatalogueItem(
                key=key,
                kind=kind or ItemKind.LICENCE,
                name_nl=cells.text("name_nl", required=True),
                name_en=cells.text("name_en"),
                fulfilment=fulfilment or Fulfilment.GROUP,
                group_id=group_id,
                sku_id=sku_id,
                workspace=workspace,
                workspace_role=role,
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
            cells = _Cells(self, "questions", number, values)
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
            key: _replace_questions(item, tuple(questions.get(key, {}).values()))
            for key, item in items.items()
        }

    def offers(
        self,
        sheet: ReadSheet | None,
        items: dict[str, CatalogueItem],
        entities: dict[str, Entity],
        policies: dict[str, ApprovalPolicy],
    ) -> list[Offer]:
        found: dict[str, Offer] = {}
        for number, values in _rows(sheet):
            cells = _Cells(self, "offers", number, values)
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

    def add_whole_catalogue_problems(self, catalogue: Catalogue) -> None:
        """The domain's own checks, for anything the rows above did not already report."""
        seen = {(p.sheet, p.message_key, p.value.casefold()) for p in self.problems}
        for problem in catalogue.problems():
            if (problem.sheet, problem.message_key, problem.value.casefold()) not in seen:
                self.problems.append(problem)


def _replace_questions(item: CatalogueItem, questions: tuple[Question, ...]) -> CatalogueItem:
    return replace(item, questions=questions)


def _rows(sheet: ReadSheet | None) -> Iterable[tuple[int, dict[str, CellValue]]]:
    return sheet.rows() if sheet is not None else ()


class _Cells:
    """One row's values, read as what each column must hold; problems go to the reader."""

    def __init__(self, reader: _Reader, sheet: str, row: int, values: dict[str, CellValue]) -> None:
        self._reader = reader
        self._sheet = sheet
        self._row = row
        self._values = values

    def _report(self, column: str, key: str, value: object = "") -> None:
        self._reader.report(self._sheet, self._row, column, key, value)

    def raw(self, column: str) -> CellValue:
        return self._values.get(column)

    def blank(self, column: str) -> bool:
        return not _shown(self._values.get(column))

    def text(self, column: str, *, required: bool = False) -> str:
        text = _shown(self._values.get(column))
        # A column missing from the sheet is reported once (missing_column), not on every row.
        if required and not text and column in self._values:
            self._report(column, "required")
        return text

    def key(self, column: str) -> str:
        """A required code: letters, digits, "-", "_" and "." (no spaces)."""
        text = self.text(column, required=True)
        if text and not _KEY.match(text):
            self._report(column, "bad_key", text)
        return text

    def guid(self, column: str, *, required: bool = False) -> str:
        text = self.text(column, required=required).casefold()
        if text and not _GUID.match(text):
            self._report(column, "bad_id", self._values.get(column))
        return text

    def guids(self, column: str) -> tuple[str, ...]:
        found: list[str] = []
        for part in _split(self._values.get(column)):
            if _GUID.match(part.casefold()):
                found.append(part.casefold())
            else:
                self._report(column, "bad_id", part)
        return tuple(found)

    def words(self, column: str) -> tuple[str, ...]:
        return tuple(_split(self._values.get(column)))

    def flag(self, column: str) -> bool:
        value = self._values.get(column)
        if isinstance(value, bool):
            return value
        text = header_name(_shown(value))
        if text in _YES:
            return True
        if text and text not in _NO:
            self._report(column, "bad_flag", value)
        return False

    def number(self, column: str, default: int, minimum: int) -> int:
        """A whole number >= minimum; blank (or wrong, which is reported) gives the default."""
        found = self.optional_number(column, minimum)
        return default if found is None else found

    def optional_number(self, column: str, minimum: int) -> int | None:
        """A whole number >= minimum, or None when blank (or wrong, which is reported)."""
        value = self._values.get(column)
        if self.blank(column):
            return None
        number: int | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            number = int(value)
        if number is None or number < minimum:
            self._report(column, "bad_number" if minimum == 0 else "bad_days", value)
            return None
        return number

    def enum(
        self,
        column: str,
        kind: type[E],
        words: dict[E, tuple[str, ...]],
        name: str,
        *,
        required: bool = False,
    ) -> E | None:
        text = self.text(column, required=required)
        if not text:
            return None
        wanted = header_name(text)
        for member in kind:
            names = {member.value, *words.get(member, ())}
            if wanted in {header_name(name) for name in names}:
                return member
        self._report(column, f"unknown_{name}", text)
        return None

    def reference(self, column: str, known: Mapping[str, object], problem: str) -> str:
        """The key of a row on another sheet, spelled as there (case is forgiven)."""
        text = self.text(column, required=True)
        if not text:
            return ""
        if text in known:
            return text
        match = next((key for key in known if key.casefold() == text.casefold()), None)
        if match is None:
            self._report(column, problem, text)
            return ""
        return match

    def unique(self, found: dict[str, RowT], key: str, column: str, value: RowT) -> None:
        """Keep the first row with this key; report the later ones (case is ignored)."""
        if any(existing.casefold() == key.casefold() for existing in found):
            self._report(column, "duplicate", key)
            return
        found[key] = value


def _shown(value: object) -> str:
    """A cell as text: numbers without a trailing ".0", whitespace trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _split(value: object) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATOR.split(_shown(value)) if part.strip()]


# --- telling the admin ---------------------------------------------------------------------------
def sheet_title(sheet: str, locale: str = "nl") -> str:
    layout = _SHEET_BY_KEY.get(sheet)
    if layout is None:
        return sheet
    return layout.en if locale == "en" else layout.nl


def column_title(sheet: str, column: str, locale: str = "nl") -> str:
    layout = _SHEET_BY_KEY.get(sheet)
    found = layout.column(column) if layout else None
    if found is None and sheet == POLICIES.key:
        match = re.fullmatch(r"stage(\d+)_(approver|people)", column)
        if match:
            found = _stage_columns(int(match.group(1)))[0 if match.group(2) == "approver" else 1]
        elif column == "stages":
            found = _stage_columns(MAX_STAGES + 1)[0]
    if found is None:
        return column
    return found.en if locale == "en" else found.nl


def describe_problem(problem: CatalogueProblem, t: Translator) -> str:
    """ "blad Artikelen, rij 4, kolom Groep-id: ..." in the translator's language."""
    message = t(problem.message_key, value=problem.value)
    if problem.sheet == _WORKBOOK:
        return message
    sheet = sheet_title(problem.sheet, t.locale)
    if not problem.column:
        return t("catalogue.problem.at_sheet", sheet=sheet, message=message)
    column = column_title(problem.sheet, problem.column, t.locale)
    if problem.row is None:
        return t("catalogue.problem.at_column", sheet=sheet, column=column, message=message)
    return t("catalogue.problem.at", sheet=sheet, row=problem.row, column=column, message=message)


def catalogue_counts(catalogue: Catalogue) -> dict[str, int]:
    """What a catalogue holds, for "stored: 6 items, 3 questions, ..." messages."""
    return {
        "items": len(catalogue.items),
        "questions": sum(len(item.questions) for item in catalogue.items),
        "entities": len(catalogue.entities),
        "policies": len(catalogue.policies),
        "offers": len(catalogue.offers),
    }
