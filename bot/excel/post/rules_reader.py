"""Reads the routing rules sheet row by row, collecting every problem instead of stopping.

The rules' row parser for the import pipeline (bot/excel/importing.py). Each cell is read as
what its column must hold (a whole number, a code, GUIDs, one of a few words); a wrong cell adds
a RuleProblem with its row and column and the row goes on, so an admin fixes the whole workbook
in one go. Free text that conditions match on (addressee, sender, keywords) is kept as written,
spaces tidied: the routing compares it folded (case and accents ignored), so "Financiën" and
"financien" are the same keyword and only the first is kept.

A person may be given by object id or by e-mail address / UPN, a channel by
"<group id>|<channel id>" or by "Team / Kanaal", either one also as the export writes it,
"Naam <id>" (bot/domain/post/rule_names.py). Reading asks nobody: a name stays in the rule (its
key) and its cell is listed in `names`, for the step that looks names up before the rules are
checked (bot/services/post/rules_names.py).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import TypeVar

from bot.domain.platform.text import fold
from bot.domain.post.items import Destination, DestinationKind, DocumentType
from bot.domain.post.routing import (
    ADDRESSEE_RULE,
    ANY_ENTITY,
    RoutingRule,
    RuleConditions,
    RuleProblem,
)
from bot.domain.post.rule_names import (
    MAX_ADDRESS,
    MAX_CHANNEL_NAME,
    MAX_TEAM_NAME,
    NamedCell,
    NameKind,
    RulesRead,
    channel_name,
    is_address,
    person_key,
    reference,
)
from bot.excel.cells import CODE, GUID, RowCells, shown, split_list
from bot.excel.importing import ImportKind, Problems, Sheets, import_workbook
from bot.excel.post.rules_layout import (
    DESTINATION_WORDS,
    DOCUMENT_TYPE_WORDS,
    NO,
    RULES,
    TEAM_SEPARATOR,
    YES,
)
from bot.excel.workbook import CellValue, ReadSheet, header_name

E = TypeVar("E", bound=StrEnum)

# The store's column sizes (bot/store/tables.py post_rules).
MAX_RULE_ID = 64
MAX_ENTITY = 128
MAX_TARGET = 512
_WHOLE_NUMBER = re.compile(r"\s*\d+\s*")
_CHANNEL = re.compile(r"^\S+$")
_YES = frozenset({YES, "j", "yes", "y", "waar", "true", "1", "x", "actief", "active"})
_NO = frozenset({NO, "n", "no", "onwaar", "false", "0", "inactief", "inactive"})


def rules_kind(
    known_entities: Collection[str] | None = None,
) -> ImportKind[list[RoutingRule], RuleProblem]:
    """The rules' part of the import pipeline. With `known_entities` (the catalogue's entity
    codes), an entity code must be one of them; without (or empty), any well-formed code is."""

    def rows(sheets: Sheets, problems: Problems[RuleProblem]) -> list[RoutingRule]:
        return RuleRows(problems, known_entities).rules(sheets.get(RULES.key))

    return ImportKind((RULES,), RuleProblem, "post.rules.problem.", rows)


def read_rules_named(data: bytes, known_entities: Collection[str] | None = None) -> RulesRead:
    """The rules' import with the cells that name people or channels instead of giving ids
    (listed also when other cells have problems, so every name is checked in one round)."""
    readers: list[RuleRows] = []

    def rows(sheets: Sheets, problems: Problems[RuleProblem]) -> list[RoutingRule]:
        reader = RuleRows(problems, known_entities)
        readers.append(reader)
        return reader.rules(sheets.get(RULES.key))

    kind = ImportKind((RULES,), RuleProblem, "post.rules.problem.", rows)
    rules, problems = import_workbook(data, kind)
    names = tuple(readers[0].names) if readers else ()
    return RulesRead(None if rules is None else tuple(rules), problems, names)


class RuleRows:
    """One workbook's rules; problems go to the import's list."""

    def __init__(
        self, problems: Problems[RuleProblem], known_entities: Collection[str] | None = None
    ) -> None:
        self.problems = problems
        # None or empty: any well-formed code is accepted (no catalogue to check against).
        self._entities = {code.casefold(): code for code in known_entities or ()}
        self.names: list[NamedCell] = []  # cells naming a person or channel, in row order

    def report(self, row: int | None, column: str, key: str, value: object = "") -> None:
        self.problems.report(RULES.key, row, column, key, value)

    def rules(self, sheet: ReadSheet | None) -> list[RoutingRule]:
        """The rules in evaluation order (meaningful only when no problems were found)."""
        found: list[RoutingRule] = []
        ids: dict[str, str] = {}
        positions: set[int] = set()
        for number, values in sheet.rows() if sheet is not None else ():
            cells = _Cells(self, number, values)
            position = cells.position()
            rule_id = cells.rule_id()
            if rule_id and rule_id.casefold() in ids:
                self.report(number, "id", "duplicate_id", rule_id)
            elif rule_id:
                ids[rule_id.casefold()] = rule_id
            if position is not None and position in positions:
                self.report(number, "position", "duplicate_position", position)
            elif position is not None:
                positions.add(position)
            rule = RoutingRule(
                id=rule_id,
                position=position or 0,
                destination=cells.destination(),
                conditions=RuleConditions(
                    addressee_ids=cells.people("addressee_ids"),
                    addressee_text=cells.words("addressee_text"),
                    sender_contains=cells.words("sender"),
                    document_types=cells.document_types(),
                    keywords=cells.keywords(),
                ),
                entity=cells.scope(),
                description=cells.text("description"),
                active=cells.flag("active", default=True),
            )
            found.append(rule)
        return sorted(found, key=lambda rule: rule.position)

    def entity_code(self, text: str) -> str | None:
        """The code as the catalogue spells it; None when a catalogue is known and lacks it."""
        if not self._entities:
            return text
        return self._entities.get(text.casefold())


class _Cells(RowCells[RuleProblem]):
    """One row's values, read as what each column must hold."""

    def __init__(self, reader: RuleRows, row: int, values: Mapping[str, CellValue]) -> None:
        super().__init__(reader.problems, RULES.key, row, values)
        self._reader = reader

    def position(self) -> int | None:
        value = self.values.get("position")
        text = self.text("position", required=True)
        if not text:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif (isinstance(value, float) and value.is_integer()) or (
            isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value)
        ):
            number = int(value)
        else:
            number = 0
        if number < 1:
            self.report("position", "bad_position", value)
            return None
        return number

    def rule_id(self) -> str:
        text = self.text("id", required=True)
        if not text:
            return ""
        if not CODE.match(text):
            self.report("id", "bad_id", text)
        elif len(text) > MAX_RULE_ID:
            self.report("id", "too_long", text)
        elif text.casefold() == ADDRESSEE_RULE:
            self.report("id", "reserved_id", text)
        return text

    def scope(self) -> str:
        """An entity code, or "*" (also for a blank cell): the rule holds for every entity."""
        text = self.text("entity")
        if not text or text == ANY_ENTITY:
            return ANY_ENTITY
        return self._entity("entity", text)

    def _entity(self, column: str, text: str) -> str:
        if not CODE.match(text) or len(text) > MAX_ENTITY:
            self.report(column, "bad_entity", text)
            return text
        code = self._reader.entity_code(text)
        if code is None:
            self.report(column, "unknown_entity", text)
            return text
        return code

    def people(self, column: str) -> tuple[str, ...]:
        """Object ids, and the keys of the people named by address (each once)."""
        found = (self._person(column, part) for part in split_list(self.values.get(column)))
        return tuple(dict.fromkeys(person for person in found if person))

    def _person(self, column: str, text: str) -> str:
        """An object id (casefolded) or a named person's key; "" (reported) for neither."""
        wanted = reference(text)
        if GUID.match(wanted.casefold()):
            return wanted.casefold()
        if is_address(wanted):
            return self._named(column, NameKind.PERSON, person_key(wanted), wanted)
        self.report(column, "too_long" if len(wanted) > MAX_ADDRESS else "bad_person", text)
        return ""

    def _named(self, column: str, kind: NameKind, key: str, text: str) -> str:
        self._reader.names.append(NamedCell(self.row, column, kind, key, text))
        return key

    def words(self, column: str) -> str:
        """Text as written, with single spaces."""
        return " ".join(self.text(column).split())

    def keywords(self) -> tuple[str, ...]:
        """Each keyword once (compared folded), spelled as first written."""
        found: dict[str, str] = {}
        for part in split_list(self.values.get("keywords")):
            keyword = " ".join(part.split())
            found.setdefault(fold(keyword), keyword)
        return tuple(found.values())

    def document_types(self) -> frozenset[DocumentType]:
        found: set[DocumentType] = set()
        for part in split_list(self.values.get("document_types")):
            kind = _word(part, DocumentType, DOCUMENT_TYPE_WORDS)
            if kind is None:
                self.report("document_types", "unknown_document_type", part)
            else:
                found.add(kind)
        return frozenset(found)

    def flag(self, column: str, *, default: bool) -> bool:
        value = self.values.get(column)
        if isinstance(value, bool):
            return value
        text = header_name(shown(value))
        if not text:
            return default
        if text in _YES:
            return True
        if text in _NO:
            return False
        self.report(column, "bad_flag", value)
        return default

    def destination(self) -> Destination:
        """The kind and its target, checked together (a person needs a GUID, and so on)."""
        text = self.text("destination", required=True)
        target = self.text("target")
        if not text:
            return Destination(DestinationKind.TRIAGE, target)
        kind = _word(text, DestinationKind, DESTINATION_WORDS)
        if kind is None:
            self.report("destination", "unknown_destination", text)
            return Destination(DestinationKind.TRIAGE, target)
        if kind is DestinationKind.TRIAGE:
            if target:
                self.report("target", "target_not_used", target)
            return Destination(kind)
        if not target:
            if "target" in self.values:
                self.report("target", f"target_required_{kind.value}")
            return Destination(kind)
        if len(target) > MAX_TARGET:
            self.report("target", "too_long", target)
            return Destination(kind, target)
        if kind is DestinationKind.PERSON:
            return Destination(kind, self._person("target", target) or target)
        if kind is DestinationKind.TEAM:
            return Destination(kind, self._team(target))
        return Destination(kind, self._entity("target", target))

    def _team(self, target: str) -> str:
        """ "<group id>|<channel id>", or the key of a channel named "Team / Kanaal"."""
        wanted = reference(target)
        if TEAM_SEPARATOR not in wanted:
            named = channel_name(wanted)
            if named is None:
                self.report("target", "bad_team", target)
                return target
            if len(named.team) > MAX_TEAM_NAME or len(named.channel) > MAX_CHANNEL_NAME:
                self.report("target", "too_long", target)
                return target
            return self._named("target", NameKind.CHANNEL, named.key, str(named))
        group, _, channel = (part.strip() for part in wanted.partition(TEAM_SEPARATOR))
        if (
            not GUID.match(group.casefold())
            or not _CHANNEL.match(channel)
            or TEAM_SEPARATOR in channel
        ):
            self.report("target", "bad_team", target)
            return target
        return f"{group.casefold()}{TEAM_SEPARATOR}{channel}"


def _word(text: str, kind: type[E], words: Mapping[E, tuple[str, ...]]) -> E | None:
    """The enum member whose value, or one of whose words, the text is. Case, accents,
    punctuation and spaces are ignored: "Parcel notice", "parcel_notice" and "PAKJES-BERICHT"
    all match."""
    wanted = header_name(text)
    squeezed = wanted.replace(" ", "")
    for member in kind:
        for word in (member.value, *words.get(member, ())):
            name = header_name(word)
            if wanted == name or squeezed == name.replace(" ", ""):
                return member
    return None
