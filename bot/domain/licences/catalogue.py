"""The licence catalogue: what staff may request, who approves it, and how it is granted.

Admins maintain it as an Excel workbook (bot/excel/licences/catalogue.py); the demo seeds it.
Everything here is pure: the catalogue is one immutable value, validated as a whole before it
replaces the stored one, so a half-valid workbook never reaches the database.

- An *item* is something requestable: a licence (Power BI Pro, PPU, Power Automate premium,
  Power Apps per user) or a Power BI workspace role. It is granted by adding the person to an
  Entra group (group-based licensing, or the group that holds the workspace role) or by a
  direct licence assignment.
- An *entity* is an organisation of the administration (department, agency). People belong to
  the entity whose staff group they are in; its ICT admins are the members of its admin group.
- A *policy* lists 0, 1 or 2 approval stages.
- An *offer* makes an item visible to one entity (or to every entity, "*") with a policy and a
  maximum duration. An entity's own offer overrides the "*" one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.licences.described import best_described
from bot.domain.platform.text import folded_words

ALL_ENTITIES = "*"
MAX_STAGES = 2
DEFAULT_DECISION_DAYS = 14
DEFAULT_MIN_JUSTIFICATION = 20
MAX_KEY = 128  # item keys, entity codes, policy keys
MAX_ID = 64  # Entra object ids and SKU ids (GUIDs are 36)


class ItemKind(StrEnum):
    LICENCE = "licence"
    WORKSPACE_ROLE = "workspace_role"


class Fulfilment(StrEnum):
    GROUP = "group"  # add the person to group_id (group-based licensing, workspace role group)
    DIRECT = "direct"  # assignLicense with sku_id


class ApproverKind(StrEnum):
    MANAGER = "manager"  # the requester's manager in Entra ID
    ENTITY_ADMIN = "entity_admin"  # the ICT admins of the requester's entity
    NAMED = "named"  # the people listed on the stage


class WorkspaceRole(StrEnum):
    VIEWER = "Viewer"
    CONTRIBUTOR = "Contributor"
    MEMBER = "Member"


@dataclass(frozen=True, slots=True)
class Question:
    """An item-specific question on the request form ("Welke werkruimte?")."""

    key: str
    label_nl: str
    label_en: str
    required: bool = False

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" and self.label_en else self.label_nl


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    key: str  # stable id, e.g. "powerbi-pro"
    kind: ItemKind
    name_nl: str
    name_en: str
    fulfilment: Fulfilment
    group_id: str = ""  # Fulfilment.GROUP: the group to add the person to
    sku_id: str = ""  # the subscription whose seats the item consumes (licences)
    workspace: str = ""  # WORKSPACE_ROLE: the Power BI workspace's name
    workspace_role: WorkspaceRole | None = None
    description_nl: str = ""
    description_en: str = ""
    synonyms: tuple[str, ...] = ()  # Dutch and English words people use for it
    questions: tuple[Question, ...] = ()
    min_justification: int = DEFAULT_MIN_JUSTIFICATION

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_nl

    def description(self, locale: str) -> str:
        return (
            self.description_en if locale == "en" and self.description_en else self.description_nl
        )

    @property
    def uses_seats(self) -> bool:
        return bool(self.sku_id)


@dataclass(frozen=True, slots=True)
class Entity:
    code: str  # e.g. "ADV"
    name_nl: str
    name_en: str
    staff_group_id: str  # membership makes a person part of the entity
    admin_group_id: str = ""  # the entity's ICT admins (approvers, seat orders, usage location)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_nl


@dataclass(frozen=True, slots=True)
class Stage:
    approver: ApproverKind
    named: tuple[str, ...] = ()  # Entra object ids, for ApproverKind.NAMED


@dataclass(frozen=True, slots=True)
class ApprovalPolicy:
    key: str
    stages: tuple[Stage, ...] = ()
    decision_days: int = DEFAULT_DECISION_DAYS
    # Who decides when a stage has nobody left (no manager, the requester is the only approver).
    # Empty: the entity's ICT admins.
    fallback: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Offer:
    item_key: str
    entity: str  # an entity code, or ALL_ENTITIES
    policy_key: str
    max_days: int | None = None  # longest access that may be asked for; None: unlimited


@dataclass(frozen=True, slots=True)
class CatalogueProblem:
    """One reason a catalogue cannot be used: where (sheet, row, column) and a message id."""

    sheet: str
    row: int | None
    column: str
    message_key: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class Catalogue:
    items: tuple[CatalogueItem, ...] = ()
    entities: tuple[Entity, ...] = ()
    policies: tuple[ApprovalPolicy, ...] = ()
    offers: tuple[Offer, ...] = ()
    _items: dict[str, CatalogueItem] = field(init=False, repr=False, compare=False)
    _policies: dict[str, ApprovalPolicy] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_items", {item.key: item for item in self.items})
        object.__setattr__(self, "_policies", {policy.key: policy for policy in self.policies})

    def item(self, key: str) -> CatalogueItem | None:
        return self._items.get(key)

    def policy(self, key: str) -> ApprovalPolicy | None:
        return self._policies.get(key)

    def entity(self, code: str) -> Entity | None:
        return next((e for e in self.entities if e.code == code), None)

    def entity_of(self, group_ids: Iterable[str]) -> Entity | None:
        """The entity whose staff group the person is in (the first, in catalogue order)."""
        held = {group_id.casefold() for group_id in group_ids}
        return next((e for e in self.entities if e.staff_group_id.casefold() in held), None)

    def offer_for(self, item_key: str, entity_code: str) -> Offer | None:
        """The entity's own offer of the item, else the offer to every entity, else None."""
        general = None
        for offer in self.offers:
            if offer.item_key != item_key:
                continue
            if offer.entity == entity_code:
                return offer
            if offer.entity == ALL_ENTITIES:
                general = offer
        return general

    def visible_items(self, entity_code: str) -> list[CatalogueItem]:
        return [item for item in self.items if self.offer_for(item.key, entity_code)]

    def match(
        self, text: str, entity_code: str, forms: Callable[[str], Iterable[str]] | None = None
    ) -> list[CatalogueItem]:
        """Items the text names, best first: "ik heb Power BI nodig" -> Power BI Pro.

        An item is named when all words of its name, of one synonym or of a part of its name no
        other item's name holds ("premium per gebruiker") occur in the text; the longest such
        phrase wins, so "power bi premium" beats "power bi", but not over another item named
        that the shorter one only says where it is (_Named.rank). A word of a phrase also occurs as
        the first part of a compound ("budget" in "budgetrapporten"). Where only a product's
        family is named, or nothing, the descriptions choose (bot/domain/licences/described.py).
        forms: a word's other forms (its lemmas: "apps" -> "app"), which count as the word, on
        both sides; the caller's, so the domain needs no language tools.
        """
        read = forms or _itself
        words = {form for word in folded_words(text) for form in (word, *read(word))}
        visible = self.visible_items(entity_code)
        scored: list[_Named] = []
        for position, item in enumerate(visible):
            names = (
                item.name_nl,
                item.name_en,
                item.key.replace("-", " "),
                *_own_name_parts(item, visible),
            )
            by_name = max((_phrase_score(phrase, words, read) for phrase in names), default=0)
            synonym = max(
                ((_phrase_score(s, words, read), s) for s in item.synonyms), default=(0, "")
            )
            if by_name or synonym[0]:
                said = frozenset(folded_words(synonym[1])) if synonym[0] > by_name else frozenset()
                need = bool(said) and _in_description(said, item, read)
                score = max(by_name, synonym[0])
                scored.append(_Named(item, position, score, by_name > 0, said, need))
        if not scored:
            return [found] if (found := best_described(visible, words, read)) else []
        ranked = sorted(scored, key=lambda named: named.rank(scored))
        better = _better_described(ranked[0], visible, words, read)
        rest = [named.item for named in ranked if better is None or named.item.key != better.key]
        return [better, *rest] if better else rest

    def problems(self) -> list[CatalogueProblem]:
        """Everything that makes the catalogue unusable as a whole (rows are checked on read)."""
        found: list[CatalogueProblem] = []
        keys = [item.key for item in self.items]
        for key in sorted({k for k in keys if keys.count(k) > 1}):
            found.append(CatalogueProblem("items", None, "key", "catalogue.problem.duplicate", key))
        codes = [entity.code for entity in self.entities]
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            found.append(
                CatalogueProblem("entities", None, "code", "catalogue.problem.duplicate", code)
            )
        policy_keys = [policy.key for policy in self.policies]
        for key in sorted({k for k in policy_keys if policy_keys.count(k) > 1}):
            found.append(
                CatalogueProblem("policies", None, "key", "catalogue.problem.duplicate", key)
            )
        found += _too_long(self)
        for policy in self.policies:
            if len(policy.stages) > MAX_STAGES:
                found.append(
                    CatalogueProblem(
                        "policies", None, "stages", "catalogue.problem.too_many_stages", policy.key
                    )
                )
        for offer in self.offers:
            if offer.item_key not in self._items:
                found.append(
                    CatalogueProblem(
                        "offers", None, "item", "catalogue.problem.unknown_item", offer.item_key
                    )
                )
            if offer.policy_key not in self._policies:
                found.append(
                    CatalogueProblem(
                        "offers",
                        None,
                        "policy",
                        "catalogue.problem.unknown_policy",
                        offer.policy_key,
                    )
                )
            if offer.entity != ALL_ENTITIES and offer.entity not in codes:
                found.append(
                    CatalogueProblem(
                        "offers", None, "entity", "catalogue.problem.unknown_entity", offer.entity
                    )
                )
        return found


def _too_long(catalogue: Catalogue) -> list[CatalogueProblem]:
    """Keys and ids longer than the store keeps (keys 128 characters, Entra ids 64)."""
    checks: list[tuple[str, str, str, int]] = []
    for item in catalogue.items:
        checks += [
            ("items", "key", item.key, MAX_KEY),
            ("items", "group_id", item.group_id, MAX_ID),
        ]
        checks.append(("items", "sku_id", item.sku_id, MAX_ID))
    for entity in catalogue.entities:
        checks += [("entities", "code", entity.code, MAX_KEY)]
        checks += [("entities", "staff_group_id", entity.staff_group_id, MAX_ID)]
        checks += [("entities", "admin_group_id", entity.admin_group_id, MAX_ID)]
    for policy in catalogue.policies:
        checks.append(("policies", "key", policy.key, MAX_KEY))
    return [
        CatalogueProblem(sheet, None, column, "catalogue.problem.too_long", value)
        for sheet, column, value, limit in checks
        if len(value) > limit
    ]


def _itself(word: str) -> tuple[str, ...]:
    return ()


# Compound parts at least this long; what a part leaves over at least this long.
_PART = 5
_SHORT = 4


@dataclass(frozen=True, slots=True)
class _Named:
    """An item a text names: how (by its own name or by a synonym, whose words are `said`)."""

    item: CatalogueItem
    position: int
    score: int
    by_name: bool
    said: frozenset[str]
    # The synonym only repeats what the item's description says it is for ("dashboard"): of
    # two items named alike, the one named by a word of its own wins ("PPU licentie voor mijn
    # dashboards" is Premium per user, though dashboards are what Pro's description names).
    need: bool = False

    def rank(self, others: Iterable[_Named]) -> tuple[bool, bool, int, int]:
        """Longest phrase first, but an item named only by a word that says where another one
        lives comes after it: "de begrotingsopvolging in power bi" asks for the workspace,
        "power bi ppu" for Premium per user (whose name holds "power bi"), not for Pro."""
        workspace = ItemKind.WORKSPACE_ROLE
        where = not self.by_name and any(
            (other.item.kind is workspace and self.item.kind is not workspace)
            or self.said <= {*folded_words(other.item.name_nl), *folded_words(other.item.name_en)}
            for other in others
            if other.item.key != self.item.key
        )
        return where, self.need, -self.score, self.position


def _better_described(
    top: _Named,
    visible: Iterable[CatalogueItem],
    words: set[str],
    forms: Callable[[str], Iterable[str]],
) -> CatalogueItem | None:
    """Another item of the family only named ("power bi": Power BI Pro's synonym, words of
    "Power BI Premium per gebruiker" too) that the text describes better."""
    if top.by_name:
        return None
    family = [
        item
        for item in visible
        if item.key != top.item.key
        and top.said <= {*folded_words(item.name_nl), *folded_words(item.name_en)}
    ]
    best = best_described([top.item, *family], words, forms) if family else None
    return best if best is not None and best.key != top.item.key else None


def _phrase_score(phrase: str, words: set[str], forms: Callable[[str], Iterable[str]]) -> int:
    wanted = folded_words(phrase)
    if wanted and all(_occurs(word, words, forms) for word in wanted):
        return sum(len(word) for word in wanted)
    return 0


def _occurs(word: str, words: set[str], forms: Callable[[str], Iterable[str]]) -> bool:
    if word in words or any(form in words for form in forms(word)):
        return True
    return len(word) >= _PART and any(
        other.startswith(word) and len(other) >= len(word) + _SHORT for other in words
    )


def _in_description(
    said: frozenset[str], item: CatalogueItem, forms: Callable[[str], Iterable[str]]
) -> bool:
    """Whether the item's own descriptions hold all these words (in any of their forms)."""
    texts = (item.description_nl, item.description_en)
    theirs = {f for text in texts for w in folded_words(text) for f in (w, *forms(w))}
    return all({word, *forms(word)} & theirs for word in said)


def _own_name_parts(item: CatalogueItem, visible: Iterable[CatalogueItem]) -> list[str]:
    """Runs of two or more words of the item's names that no other item's name holds."""
    others = [
        " ".join(folded_words(name))
        for other in visible
        if other.key != item.key
        for name in (other.name_nl, other.name_en)
    ]
    parts = []
    for name in (item.name_nl, item.name_en):
        names = folded_words(name)
        for size in range(2, len(names)):
            for start in range(len(names) - size + 1):
                part = " ".join(names[start : start + size])
                if not any(f" {part} " in f" {other} " for other in others):
                    parts.append(part)
    return parts
