"""The routing-rules workbook: export and import round-trip; an import reports every bad cell,
with its sheet, row and column, and gives no rules at all while one is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.post.items import TRIAGE, Destination, DestinationKind, DocumentType
from bot.domain.post.routing import ANY_ENTITY, RoutingRule, RuleConditions
from bot.domain.post.rule_names import RulesRead
from bot.excel.post.rules import (
    RuleProblem,
    RulesImportError,
    describe_problem,
    read_rules,
    write_rules,
)
from bot.excel.post.rules_files import ExcelRuleWorkbooks
from bot.i18n import Translator
from tests.unit.excel.builders import sheets_of, workbook

JEF = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"
AN = "08c483c0-e05f-4da4-9567-595928862476"
GROUP = "45051185-e7a1-43b1-a23e-15b0763768d2"
CHANNEL = "19:8a1f0c@thread.tacv2"

HEADER = [
    "Volgorde", "Id", "Entiteit", "Geadresseerden", "Geadresseerde bevat", "Afzender bevat",
    "Documentsoorten", "Trefwoorden", "Bestemming", "Doel", "Actief", "Omschrijving",
]  # fmt: skip


def _row(**cells: Any) -> list[Any]:
    """A valid rule row (to the person Jef), with some cells changed by header key."""
    values = {
        "Volgorde": 1, "Id": "R-001", "Entiteit": "*", "Geadresseerden": "",
        "Geadresseerde bevat": "", "Afzender bevat": "", "Documentsoorten": "", "Trefwoorden": "",
        "Bestemming": "persoon", "Doel": JEF, "Actief": "ja", "Omschrijving": "",
    }  # fmt: skip
    values.update({key.replace("_", " "): value for key, value in cells.items()})
    return [values[header] for header in HEADER]


def _problems(rows: list[list[Any]], **kwargs: Any) -> list[RuleProblem]:
    with pytest.raises(RulesImportError) as raised:
        read_rules(workbook({"Regels": [HEADER, *rows]}), **kwargs)
    return raised.value.problems


def _places(problems: list[RuleProblem]) -> list[tuple[str, int | None, str, str]]:
    return [(p.sheet, p.row, p.column, p.message_key.rsplit(".", 1)[1]) for p in problems]


RULES = [
    RoutingRule(
        id="R-001",
        position=1,
        destination=Destination(DestinationKind.PERSON, JEF),
        conditions=RuleConditions(
            addressee_ids=(JEF, AN),
            addressee_text="Dienst Personeel",
            sender_contains="FOD Financiën",
            document_types=frozenset({DocumentType.INVOICE, DocumentType.LEGAL}),
            keywords=("aanslag", "btw-nummer"),
        ),
        entity="ADV",
        description="=1+1 is geen formule; wel tekst",
    ),
    RoutingRule(
        id="R-002",
        position=5,
        destination=Destination(DestinationKind.TEAM, f"{GROUP}|{CHANNEL}"),
        conditions=RuleConditions(document_types=frozenset({DocumentType.PARCEL_NOTICE})),
    ),
    RoutingRule("R-003", 7, Destination(DestinationKind.ENTITY, "DFB"), active=False),
    RoutingRule("R-004", 9, TRIAGE, RuleConditions(keywords=("dagvaarding",))),
]


# --- round trip ----------------------------------------------------------------------------------
def test_every_field_survives_export_and_import() -> None:
    assert read_rules(write_rules(RULES)) == RULES


def test_the_export_is_in_evaluation_order_whatever_order_it_was_given() -> None:
    assert read_rules(write_rules(list(reversed(RULES)))) == RULES


def test_no_rules_export_as_a_template_that_imports_empty() -> None:
    assert read_rules(write_rules([])) == []


def test_the_export_has_the_rules_sheet_and_explains_every_column_in_dutch() -> None:
    sheets = sheets_of(write_rules(RULES))

    assert list(sheets) == ["Toelichting", "Regels"]
    assert sheets["Regels"][0] == HEADER
    explained = {(row[0], row[1]) for row in sheets["Toelichting"][1:]}
    assert {("Regels", header) for header in HEADER} <= explained
    first = dict(zip(HEADER, sheets["Regels"][1], strict=True))
    assert first["Documentsoorten"] == "factuur; juridisch"  # Dutch words, enum order
    assert first["Bestemming"] == "persoon"
    assert first["Actief"] == "ja"


def test_the_export_opens_on_the_rules_with_dropdowns_and_text_cells() -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(write_rules(RULES)))
    sheet = book.active
    assert sheet is not None and sheet.title == "Regels"
    assert sheet.freeze_panes == "A2"
    assert sheet["B2"].number_format == "@"  # an id stays text
    assert sheet["A2"].number_format == "0"
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert '"persoon,team,entiteit,triage"' in lists
    assert '"ja,nee"' in lists


# --- what an admin may type ----------------------------------------------------------------------
def test_english_sheet_names_headers_and_words_are_read() -> None:
    data = workbook(
        {
            "Rules": [
                ["Order", "Rule id", "Entity", "Addressee ids", "Addressee", "Sender",
                 "Document types", "Keywords", "Destination", "Target", "Active", "Description"],
                [2, "R-1", "", f"{JEF.upper()}, {AN}", "Personnel  Dept", "Tax Office",
                 "Invoice; parcel notice, Registered", "VAT, Tax; vat", "Person", JEF.upper(),
                 "yes", "english"],
                [1.0, "R-2", "adv", "", "", "", "", "", "Entity", "ADV", False, ""],
            ],
        }
    )  # fmt: skip

    rules = read_rules(data)

    assert [rule.id for rule in rules] == ["R-2", "R-1"]
    english = rules[1]
    assert english.entity == ANY_ENTITY
    assert english.conditions == RuleConditions(
        addressee_ids=(JEF, AN),
        addressee_text="Personnel Dept",
        sender_contains="Tax Office",
        document_types=frozenset(
            {DocumentType.INVOICE, DocumentType.PARCEL_NOTICE, DocumentType.REGISTERED}
        ),
        keywords=("VAT", "Tax"),
    )
    assert english.destination == Destination(DestinationKind.PERSON, JEF)
    assert rules[0].active is False
    assert rules[0].entity == "adv"


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("brief", DocumentType.LETTER),
        ("Factuur", DocumentType.INVOICE),
        ("aangetekend", DocumentType.REGISTERED),
        ("JURIDISCH", DocumentType.LEGAL),
        ("kennisgeving", DocumentType.NOTICE),
        ("pakjesbericht", DocumentType.PARCEL_NOTICE),
        ("Pakjes-bericht", DocumentType.PARCEL_NOTICE),
        ("parcel_notice", DocumentType.PARCEL_NOTICE),
        ("ander", DocumentType.OTHER),
    ],
)
def test_dutch_document_types_are_understood(word: str, kind: DocumentType) -> None:
    (rule,) = read_rules(workbook({"Regels": [HEADER, _row(Documentsoorten=word)]}))

    assert rule.conditions.document_types == frozenset({kind})


@pytest.mark.parametrize(
    ("word", "target", "expected"),
    [
        ("Persoon", JEF.upper(), Destination(DestinationKind.PERSON, JEF)),
        ("team", f"{GROUP.upper()} | {CHANNEL}", Destination(DestinationKind.TEAM,
                                                             f"{GROUP}|{CHANNEL}")),
        ("entiteit", "DFB", Destination(DestinationKind.ENTITY, "DFB")),
        ("Triage", "", TRIAGE),
    ],
)  # fmt: skip
def test_every_destination_kind(word: str, target: str, expected: Destination) -> None:
    (rule,) = read_rules(workbook({"Regels": [HEADER, _row(Bestemming=word, Doel=target)]}))

    assert rule.destination == expected


def test_blank_active_means_active_and_blank_entity_means_every_entity() -> None:
    (rule,) = read_rules(workbook({"Regels": [HEADER, _row(Actief=None, Entiteit=None)]}))

    assert rule.active is True
    assert rule.entity == ANY_ENTITY


def test_known_entities_fix_the_spelling_of_codes() -> None:
    row = _row(Entiteit="adv", Bestemming="entiteit", Doel="dfb")

    (rule,) = read_rules(workbook({"Regels": [HEADER, row]}), known_entities=["ADV", "DFB"])

    assert (rule.entity, rule.destination.target) == ("ADV", "DFB")


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers() -> None:
    problems = _problems([_row(), [None] * 12, ["", " "] + [None] * 10, _row(Id="R-2", Volgorde=0)])

    assert _places(problems) == [("rules", 5, "position", "bad_position")]


# --- every error, with its place -----------------------------------------------------------------
def test_every_kind_of_bad_cell_is_reported_with_its_row_and_column() -> None:
    rows = [
        _row(),  # row 2: fine
        _row(Volgorde="eerste", Id="R 2"),  # row 3
        _row(Volgorde=1, Id="r-001"),  # row 4: both taken by row 2
        _row(Volgorde=4, Id="addressee", Entiteit="A D V"),  # row 5
        _row(Volgorde=5, Id="R-5", Geadresseerden=f"{JEF}; jef.peeters"),  # row 6
        _row(Volgorde=6, Id="R-6", Documentsoorten="brief; postkaart"),  # row 7
        _row(Volgorde=7, Id="R-7", Bestemming="kantoor"),  # row 8
        _row(Volgorde=8, Id="R-8", Doel="jef@example"),  # row 9: no domain
        _row(Volgorde=9, Id="R-9", Bestemming="team", Doel=GROUP),  # row 10: no channel
        _row(Volgorde=10, Id="R-10", Bestemming="entiteit", Doel="XYZ"),  # row 11
        _row(Volgorde=11, Id="R-11", Bestemming="triage", Doel=JEF),  # row 12
        _row(Volgorde=12, Id="R-12", Doel=""),  # row 13
        _row(Volgorde=13, Id="R-13", Actief="misschien"),  # row 14
        _row(Volgorde=None, Id=None, Bestemming=None, Doel=""),  # row 15
        _row(Volgorde=15, Id="R-" + "x" * 70),  # row 16
    ]

    problems = _problems(rows, known_entities=["ADV", "DFB"])

    assert _places(problems) == [
        ("rules", 3, "position", "bad_position"),
        ("rules", 3, "id", "bad_id"),
        ("rules", 4, "id", "duplicate_id"),
        ("rules", 4, "position", "duplicate_position"),
        ("rules", 5, "id", "reserved_id"),
        ("rules", 5, "entity", "bad_entity"),
        ("rules", 6, "addressee_ids", "bad_person"),
        ("rules", 7, "document_types", "unknown_document_type"),
        ("rules", 8, "destination", "unknown_destination"),
        ("rules", 9, "target", "bad_person"),
        ("rules", 10, "target", "bad_team"),
        ("rules", 11, "target", "unknown_entity"),
        ("rules", 12, "target", "target_not_used"),
        ("rules", 13, "target", "target_required_person"),
        ("rules", 14, "active", "bad_flag"),
        ("rules", 15, "position", "required"),
        ("rules", 15, "id", "required"),
        ("rules", 15, "destination", "required"),
        ("rules", 16, "id", "too_long"),
    ]
    values = {(p.row, p.column): p.value for p in problems}
    assert values[(6, "addressee_ids")] == "jef.peeters"
    assert values[(7, "document_types")] == "postkaart"
    assert values[(11, "target")] == "XYZ"


@pytest.mark.parametrize(
    "target",
    [GROUP, f"{GROUP}|", f"geen-guid|{CHANNEL}", f"{GROUP}|19:a b", f"{GROUP}|{CHANNEL}|x"],
)
def test_a_team_is_a_group_id_a_bar_and_a_channel_id(target: str) -> None:
    problems = _problems([_row(Bestemming="team", Doel=target)])

    assert _places(problems) == [("rules", 2, "target", "bad_team")]


def test_an_unknown_entity_scope_is_reported_against_the_catalogue() -> None:
    problems = _problems([_row(Entiteit="XYZ")], known_entities=["ADV"])

    assert _places(problems) == [("rules", 2, "entity", "unknown_entity")]


def test_a_missing_sheet_or_column_is_reported_once() -> None:
    with pytest.raises(RulesImportError) as raised:
        read_rules(workbook({"Blad1": [["iets"]]}))
    assert _places(raised.value.problems) == [("rules", None, "", "missing_sheet")]

    header = [h for h in HEADER if h != "Bestemming"]
    row = [v for h, v in zip(HEADER, _row(), strict=True) if h != "Bestemming"]
    with pytest.raises(RulesImportError) as raised:
        read_rules(workbook({"Regels": [header, row, row]}))
    assert _places(raised.value.problems) == [
        ("rules", 1, "destination", "missing_column"),
        ("rules", 3, "id", "duplicate_id"),
        ("rules", 3, "position", "duplicate_position"),
    ]


def test_a_file_that_is_not_a_workbook() -> None:
    with pytest.raises(RulesImportError) as raised:
        read_rules(b"%PDF-1.7 not a workbook")

    assert _places(raised.value.problems) == [("workbook", None, "", "not_a_workbook")]


# --- how problems read ---------------------------------------------------------------------------
def test_problems_read_with_sheet_row_and_column_in_dutch_and_english() -> None:
    (problem,) = _problems([_row(Bestemming="kantoor")])

    assert describe_problem(problem, Translator("nl")) == (
        "blad Regels, rij 2, kolom Bestemming: Onbekende bestemming „kantoor”: gebruik persoon, "
        "team, entiteit of triage."
    )
    assert describe_problem(problem, Translator("en")) == (
        "sheet Rules, row 2, column Destination: Unknown destination “kantoor”: use person, team, "
        "entity or triage."
    )


def test_every_problem_has_a_text_in_both_languages() -> None:
    rows = [
        _row(Volgorde="x", Id="R 1", Entiteit="?", Documentsoorten="x", Actief="x",
             Geadresseerden="x"),
        _row(Volgorde=2, Id="R-2", Bestemming="x"),
        _row(Volgorde=3, Id="R-3", Bestemming="team", Doel=""),
        _row(Volgorde=4, Id="R-4", Bestemming="entiteit", Doel=""),
        _row(Volgorde=5, Id="R-5", Bestemming="team", Doel="x"),
    ]  # fmt: skip
    for locale in ("nl", "en"):
        t = Translator(locale)
        for problem in _problems(rows):
            text = describe_problem(problem, t)
            assert "post.rules" not in text and "{" not in text, text


def test_the_dialog_side_gets_rules_or_problems_without_an_exception() -> None:
    files = ExcelRuleWorkbooks()

    assert files.read(files.write(RULES)) == RulesRead(tuple(RULES), (), ())
    refused = files.read(b"nope")
    assert refused.rules is None
    assert files.describe(refused.problems[0], Translator("nl")).startswith("Dit bestand is geen")
