"""The routing rules of incoming post as an Excel workbook: what the mailroom and entity admins
download, edit and upload again.

Sheets: Regels (English "Rules" accepted on upload), one rule per row, and Toelichting, which
explains every column and is never read. Lists inside a cell are separated by ";" or ",". The
layout is in rules_layout.py, the row checks in rules_reader.py.

`read_rules` checks every cell of every row and reports all problems at once, each with its
sheet, row and column; it returns rules only when there is nothing to report (the store then
replaces all rules: all or nothing). It is the import pipeline of bot/excel/importing.py with the
rules' layout and row parser, so a file past the limits of bot/excel/package.py is one problem,
found before the rows are checked. `describe_problem` turns a problem into the sentence the
admin reads: "blad Regels, rij 7, kolom Bestemming: ...".
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.domain.platform.errors import DomainError
from bot.domain.post.items import Destination, DestinationKind, DocumentType
from bot.domain.post.routing import RoutingRule, RuleProblem
from bot.domain.post.rule_names import RuleLabels, RulesRead
from bot.excel.importing import describe_problem as describe_in_workbook
from bot.excel.importing import import_workbook
from bot.excel.layout import write_layout_sheet
from bot.excel.post.rules_layout import (
    DESTINATION_WORDS,
    DOCUMENT_TYPE_WORDS,
    LIST_JOIN,
    NO,
    README,
    RULES,
    YES,
    readme_lines,
)
from bot.excel.post.rules_reader import read_rules_named, rules_kind
from bot.excel.workbook import CellValue, add_text_sheet, new_workbook, workbook_bytes
from bot.i18n import Translator

__all__ = [
    "RuleLabels",
    "RuleProblem",
    "RulesImportError",
    "RulesRead",
    "describe_problem",
    "read_rules",
    "read_rules_named",
    "write_rules",
]


class RulesImportError(DomainError):
    """The workbook cannot become the routing rules; `problems` lists every bad cell."""

    message_key = "post.rules.import.invalid"

    def __init__(self, problems: list[RuleProblem]) -> None:
        super().__init__(count=len(problems))
        self.problems = problems


def write_rules(rules: Sequence[RoutingRule], labels: RuleLabels | None = None) -> bytes:
    """The rules as an .xlsx workbook that read_rules reads back to equal rules (in order).
    With `labels`, people and channels are written "Naam <id>" (the name is not read back)."""
    labels = labels or RuleLabels()
    workbook = new_workbook()
    add_text_sheet(
        workbook,
        README[0],
        ("Blad", "Kolom", "Verplicht", "Uitleg"),
        readme_lines(),
        widths=(12, 22, 11, 100),
    )
    ordered = sorted(rules, key=lambda rule: rule.position)
    write_layout_sheet(workbook, RULES, [_cells(rule, labels) for rule in ordered])
    workbook.active = 1  # open on the rules; the explanation is one tab to the left
    return workbook_bytes(workbook)


def read_rules(data: bytes, known_entities: Collection[str] | None = None) -> list[RoutingRule]:
    """The rules in the workbook, in evaluation order. Raises RulesImportError listing every
    problem. With `known_entities` (the catalogue's entity codes), an entity code must be one of
    them; without (or empty), any well-formed code is accepted. A person or channel given by
    name stays a name here: `read_rules_named` lists them for resolving before storing."""
    rules, problems = import_workbook(data, rules_kind(known_entities))
    if rules is None:
        raise RulesImportError(list(problems))
    return rules


def describe_problem(problem: RuleProblem, t: Translator) -> str:
    """ "blad Regels, rij 7, kolom Bestemming: ..." in the translator's language."""
    return describe_in_workbook(problem, t, (RULES,))


# --- writing -------------------------------------------------------------------------------------
def _destination_word(kind: DestinationKind) -> str:
    return DESTINATION_WORDS[kind][0]


def _document_words(kinds: Collection[DocumentType]) -> str:
    return LIST_JOIN.join(DOCUMENT_TYPE_WORDS[kind][0] for kind in DocumentType if kind in kinds)


def _target(destination: Destination, labels: RuleLabels) -> str:
    if destination.kind is DestinationKind.PERSON and destination.target:
        return labels.person(destination.target)
    if destination.kind is DestinationKind.TEAM and destination.target:
        return labels.channel(destination.target)
    return destination.target


def _cells(rule: RoutingRule, labels: RuleLabels) -> dict[str, CellValue]:
    conditions = rule.conditions
    return {
        "position": rule.position,
        "id": rule.id,
        "entity": rule.entity,
        "addressee_ids": LIST_JOIN.join(labels.person(p) for p in conditions.addressee_ids),
        "addressee_text": conditions.addressee_text,
        "sender": conditions.sender_contains,
        "document_types": _document_words(conditions.document_types),
        "keywords": LIST_JOIN.join(conditions.keywords),
        "destination": _destination_word(rule.destination.kind),
        "target": _target(rule.destination, labels),
        "active": YES if rule.active else NO,
        "description": rule.description,
    }
