"""The catalogue workbook: export and import round-trip; an import reports every bad cell."""

from __future__ import annotations

import pytest

from bot.domain.licences.catalogue import (
    ALL_ENTITIES,
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
from bot.excel.licences.catalogue import (
    CatalogueImportError,
    describe_problem,
    read_catalogue,
    write_catalogue,
)
from bot.i18n import Translator
from devtools.demo_catalogue import demo_catalogue
from tests.unit.excel.builders import column, demo_sheets, workbook

GROUP = "45051185-e7a1-43b1-a23e-15b0763768d2"
SKU = "f8a1db68-be16-40ed-86d5-cb42ce701560"
STAFF = "c6f62345-9962-4982-a38e-417299f70562"
ADMINS = "a4b9ba24-f076-44df-99b4-1c511b008d71"
JEF = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"
AN = "08c483c0-e05f-4da4-9567-595928862476"

ITEM_HEADER = [
    "Sleutel", "Soort", "Naam (nl)", "Naam (en)", "Toekenning", "Groep-id", "SKU-id",
    "Werkruimte", "Werkruimterol", "Omschrijving (nl)", "Omschrijving (en)", "Synoniemen",
    "Min. motivering (tekens)",
]  # fmt: skip
QUESTION_HEADER = ["Artikel", "Sleutel", "Vraag (nl)", "Vraag (en)", "Verplicht"]
ENTITY_HEADER = ["Code", "Naam (nl)", "Naam (en)", "Personeelsgroep-id", "ICT-beheerdersgroep-id"]
POLICY_HEADER = [
    "Sleutel", "Fase 1 goedkeurder", "Fase 1 personen", "Fase 2 goedkeurder", "Fase 2 personen",
    "Beslistermijn (dagen)", "Vangnet (personen)",
]  # fmt: skip
OFFER_HEADER = ["Artikel", "Entiteit", "Beleid", "Max. duur (dagen)"]


def _valid_sheets() -> dict[str, list[list[object]]]:
    return {
        "Artikelen": [
            ITEM_HEADER,
            ["pro", "licence", "Power BI Pro", "", "group", GROUP, SKU, "", "", "", "", "", None],
        ],
        "Vragen": [QUESTION_HEADER],
        "Entiteiten": [ENTITY_HEADER, ["ADV", "Digitaal Vlaanderen", "", STAFF, ADMINS]],
        "Beleid": [POLICY_HEADER, ["manager", "manager", "", "", "", None, ""]],
        "Aanbod": [OFFER_HEADER, ["pro", "*", "manager", None]],
    }


def _problems(sheets: dict[str, list[list[object]]]) -> list[CatalogueProblem]:
    with pytest.raises(CatalogueImportError) as raised:
        read_catalogue(workbook(sheets))
    return raised.value.problems


def _places(problems: list[CatalogueProblem]) -> set[tuple[str, int | None, str, str]]:
    return {(p.sheet, p.row, p.column, p.message_key.rsplit(".", 1)[1]) for p in problems}


# --- round trip ----------------------------------------------------------------------------------
def test_the_demo_catalogue_survives_export_and_import() -> None:
    catalogue = demo_catalogue()

    assert read_catalogue(write_catalogue(catalogue)) == catalogue


def test_every_field_survives_export_and_import() -> None:
    catalogue = Catalogue(
        items=(
            CatalogueItem(
                key="ws-x",
                kind=ItemKind.WORKSPACE_ROLE,
                name_nl="Werkruimte X",
                name_en="",
                fulfilment=Fulfilment.GROUP,
                group_id=GROUP,
                workspace="X; Y",  # a separator in plain text stays text
                workspace_role=WorkspaceRole.CONTRIBUTOR,
                description_nl="=1+1 is geen formule",
                synonyms=("één", "twee woorden"),
                questions=(
                    Question("a", "Vraag A?", "Question A?", required=True),
                    Question("b", "Vraag B?", ""),
                ),
                min_justification=0,
            ),
            CatalogueItem(
                key="apps",
                kind=ItemKind.LICENCE,
                name_nl="Power Apps",
                name_en="Power Apps",
                fulfilment=Fulfilment.DIRECT,
                sku_id=SKU,
            ),
        ),
        entities=(
            Entity("ADV", "Digitaal Vlaanderen", "Digital Flanders", STAFF, ADMINS),
            Entity("AFB", "Facilitair Bedrijf", "", GROUP),
        ),
        policies=(
            ApprovalPolicy(
                "named-then-ict",
                (Stage(ApproverKind.NAMED, (JEF, AN)), Stage(ApproverKind.ENTITY_ADMIN)),
                decision_days=5,
                fallback=(AN,),
            ),
            ApprovalPolicy("none"),
        ),
        offers=(
            Offer("ws-x", ALL_ENTITIES, "none"),
            Offer("ws-x", "AFB", "named-then-ict", max_days=30),
            Offer("apps", "ADV", "none", max_days=365),
        ),
    )

    assert read_catalogue(write_catalogue(catalogue)) == catalogue


def test_an_empty_catalogue_exports_as_a_template_that_imports_empty() -> None:
    assert read_catalogue(write_catalogue(Catalogue())) == Catalogue()


def test_the_export_explains_itself_in_dutch() -> None:
    sheets = demo_sheets()

    assert list(sheets) == ["Toelichting", "Artikelen", "Vragen", "Entiteiten", "Beleid", "Aanbod"]
    explained = {(row[0], row[1]) for row in sheets["Toelichting"][1:]}
    for title in ("Artikelen", "Vragen", "Entiteiten", "Beleid", "Aanbod"):
        for header in sheets[title][0]:
            assert (title, header) in explained


# --- what an admin may type --------------------------------------------------------------------
def test_english_sheet_names_and_headers_are_read() -> None:
    data = workbook(
        {
            "Items": [
                [
                    "Key",
                    "Kind",
                    "Name NL",
                    "Name EN",
                    "Fulfilment",
                    "Group ID",
                    "SKU ID",
                    "Synonyms",
                ],
                [
                    "pro",
                    "License",
                    "Power BI Pro",
                    "Power BI Pro",
                    "Group",
                    GROUP,
                    SKU,
                    "bi, dashboard; rapport",
                ],
            ],
            "Questions": [
                ["Item key", "Key", "Label NL", "Label EN", "Required"],
                ["PRO", "why", "Waarom?", "Why?", "yes"],
            ],
            "Entities": [
                ["code", "name (nl)", "staff group id", "admin group id"],
                ["ADV", "Digitaal Vlaanderen", STAFF.upper(), ""],
            ],
            "Policies": [
                ["Key", "Stage 1 approver", "Stage 1 people", "Decision days", "Fallback people"],
                ["named", "Named", f"{JEF}, {AN}", 3, ""],
            ],
            "Offers": [["Item", "Entity", "Policy", "Max days"], ["Pro", "adv", "NAMED", "90"]],
        }
    )

    catalogue = read_catalogue(data)

    item = catalogue.item("pro")
    assert item is not None
    assert item.kind is ItemKind.LICENCE
    assert item.synonyms == ("bi", "dashboard", "rapport")
    assert item.questions == (Question("why", "Waarom?", "Why?", required=True),)
    assert catalogue.entities == (Entity("ADV", "Digitaal Vlaanderen", "", STAFF, ""),)
    assert catalogue.policies == (
        ApprovalPolicy("named", (Stage(ApproverKind.NAMED, (JEF, AN)),), decision_days=3),
    )
    assert catalogue.offers == (Offer("pro", "ADV", "named", max_days=90),)


def test_dutch_words_for_values_are_understood() -> None:
    sheets = _valid_sheets()
    sheets["Artikelen"][1][1:5] = ["Licentie", "Power BI Pro", "", "groep"]
    sheets["Beleid"][1] = ["twee", "Leidinggevende", "", "ICT-beheerders", "", "7", ""]
    sheets["Aanbod"][1][2] = "twee"

    catalogue = read_catalogue(workbook(sheets))

    assert catalogue.policies[0].stages == (
        Stage(ApproverKind.MANAGER),
        Stage(ApproverKind.ENTITY_ADMIN),
    )
    assert catalogue.policies[0].decision_days == 7


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers() -> None:
    sheets = _valid_sheets()
    sheets["Aanbod"] += [[None, None, None, None], ["", " ", None, None], ["pro", "XYZ", "manager"]]

    problems = _problems(sheets)

    assert _places(problems) == {("offers", 5, "entity", "unknown_entity")}


# --- every error, with its place ----------------------------------------------------------------
def test_every_bad_cell_is_reported_not_only_the_first() -> None:
    sheets = {
        "Artikelen": [
            ITEM_HEADER,
            ["pro", "licence", "Pro", "", "group", GROUP, SKU, "", "", "", "", "", 20],
            ["pro", "licence", "Pro again", "", "group", GROUP, "", "", "", "", "", "", None],
            ["bad key", "gadget", "", "", "post", "not-a-guid", "", "", "", "", "", "", -1],
            ["grp", "licence", "No group", "", "group", "", "", "", "", "", "", "", 2.5],
            ["dir", "licence", "No sku", "", "direct", "", "", "", "", "", "", "", "x"],
            ["ws", "workspace_role", "WS", "", "direct", "", SKU, "", "Owner", "", "", "", None],
            ["k" * 129, "licence", "Lang", "", "group", GROUP, "", "", "", "", "", "", None],
        ],
        "Vragen": [
            QUESTION_HEADER,
            ["nope", "q", "Vraag?", "", "ja"],
            ["pro", "q", "", "", "misschien"],
        ],
        "Entiteiten": [
            ENTITY_HEADER,
            ["ADV", "Digitaal Vlaanderen", "", STAFF, ""],
            ["adv", "Dubbel", "", STAFF, "123"],
            ["*", "Iedereen", "", "", ""],
        ],
        "Beleid": [
            [*POLICY_HEADER, "Fase 3 goedkeurder"],
            ["manager", "manager", "", "", "", 0, ""],
            ["named", "named", "", "", "", "veertien", "x"],
            ["gap", "", "", "manager", "", None, ""],
            ["people", "manager", JEF, "boss", "", None, ""],
            ["three", "manager", "", "entity_admin", "", None, "", "manager"],
        ],
        "Aanbod": [
            OFFER_HEADER,
            ["pro", "*", "manager", None],
            ["pro", "*", "manager", None],
            ["ghost", "XYZ", "nobody", -3],
        ],
    }

    problems = _problems(sheets)

    assert _places(problems) == {
        ("items", 3, "key", "duplicate"),
        ("items", 4, "key", "bad_key"),
        ("items", 4, "kind", "unknown_kind"),
        ("items", 4, "name_nl", "required"),
        ("items", 4, "fulfilment", "unknown_fulfilment"),
        ("items", 4, "group_id", "bad_id"),
        ("items", 4, "min_justification", "bad_number"),
        ("items", 5, "group_id", "group_required"),
        ("items", 5, "min_justification", "bad_number"),
        ("items", 6, "sku_id", "sku_required"),
        ("items", 6, "min_justification", "bad_number"),
        ("items", 7, "fulfilment", "role_needs_group"),
        ("items", 7, "workspace", "workspace_required"),
        ("items", 7, "workspace_role", "unknown_role"),
        ("items", 8, "key", "too_long"),
        ("questions", 2, "item", "unknown_item"),
        ("questions", 3, "label_nl", "required"),
        ("questions", 3, "required", "bad_flag"),
        ("entities", 3, "code", "duplicate"),
        ("entities", 3, "admin_group_id", "bad_id"),
        ("entities", 4, "code", "bad_key"),
        ("entities", 4, "staff_group_id", "required"),
        ("policies", 2, "decision_days", "bad_days"),
        ("policies", 3, "stage1_people", "named_without_people"),
        ("policies", 3, "decision_days", "bad_days"),
        ("policies", 3, "fallback", "bad_id"),
        ("policies", 4, "stage2_approver", "stage_gap"),
        ("policies", 5, "stage1_people", "people_not_named"),
        ("policies", 5, "stage2_approver", "unknown_approver"),
        ("policies", 6, "stage3_approver", "too_many_stages"),
        ("offers", 3, "entity", "duplicate"),
        ("offers", 4, "item", "unknown_item"),
        ("offers", 4, "entity", "unknown_entity"),
        ("offers", 4, "policy", "unknown_policy"),
        ("offers", 4, "max_days", "bad_days"),
    }
    assert len(problems) == len(_places(problems)), "each problem is reported once"
    bad_id = next(p for p in problems if p.sheet == "items" and p.column == "group_id")
    assert bad_id.value == "not-a-guid"


def test_missing_sheets_and_columns_are_reported_once() -> None:
    sheets = _valid_sheets()
    del sheets["Beleid"]
    del sheets["Vragen"]  # optional
    sheets["Artikelen"] = [
        [h for h in ITEM_HEADER if h != "Soort"],
        ["pro", "Power BI Pro", "", "group", GROUP, SKU, "", "", "", "", "", None],
        ["apps", "Power Apps", "", "direct", "", SKU, "", "", "", "", "", None],
    ]

    problems = _problems(sheets)

    assert _places(problems) == {
        ("policies", None, "", "missing_sheet"),
        ("items", 1, "kind", "missing_column"),
        ("offers", 2, "policy", "unknown_policy"),
    }


def test_a_file_that_is_not_a_workbook_is_one_problem() -> None:
    with pytest.raises(CatalogueImportError) as raised:
        read_catalogue(b"PK\x03\x04 not really a zip")

    assert [p.message_key for p in raised.value.problems] == ["catalogue.problem.not_a_workbook"]


def test_problems_read_as_places_in_the_workbook() -> None:
    sheets = _valid_sheets()
    sheets["Artikelen"][1][5] = "nope"
    problem = _problems(sheets)[0]

    assert describe_problem(problem, Translator("nl")) == (
        "blad Artikelen, rij 2, kolom Groep-id: „nope” is geen geldige id: verwacht wordt een "
        "GUID zoals 45051185-e7a1-43b1-a23e-15b0763768d2."
    )
    assert describe_problem(problem, Translator("en")).startswith(
        "sheet Items, row 2, column Group id: “nope” is not a valid id"
    )
    missing = CatalogueProblem("policies", None, "", "catalogue.problem.missing_sheet", "Beleid")
    assert (
        describe_problem(missing, Translator("nl")) == "blad Beleid: Het blad „Beleid” ontbreekt."
    )
    whole = CatalogueProblem("offers", None, "item", "catalogue.problem.unknown_item", "x")
    assert describe_problem(whole, Translator("nl")).startswith("blad Aanbod, kolom Artikel: ")


def test_the_demo_workbook_with_one_wrong_cell_names_that_cell() -> None:
    sheets = demo_sheets()
    offers = sheets["Aanbod"]
    offers[3][column(offers, "Beleid")] = "manager-then-it"

    problems = _problems(sheets)

    assert _places(problems) == {("offers", 4, "policy", "unknown_policy")}
    assert problems[0].value == "manager-then-it"
