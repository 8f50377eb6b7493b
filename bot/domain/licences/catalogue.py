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

from bot.domain.licences.item_kinds import ItemKind as ItemKind  # also imported from here
from bot.domain.licences.named_items import named_items
from bot.domain.platform.text import folded_words

ALL_ENTITIES = "*"
MAX_STAGES = 2
DEFAULT_DECISION_DAYS = 14
DEFAULT_MIN_JUSTIFICATION = 20
MAX_KEY = 128  # item keys, entity codes, policy keys
MAX_ID = 64  # Entra object ids and SKU ids (GUIDs are 36)


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

    def words(self, entity_code: str) -> frozenset[str]:
        """The words the entity's items are named by (names, synonyms), folded."""
        items = self.visible_items(entity_code)
        names = (name for i in items for name in (i.name_nl, i.name_en, *i.synonyms))
        return frozenset(word for name in names for word in folded_words(name))

    def visible_items(self, entity_code: str) -> list[CatalogueItem]:
        return [item for item in self.items if self.offer_for(item.key, entity_code)]

    def match(
        self, text: str, entity_code: str, forms: Callable[[str], Iterable[str]] | None = None
    ) -> list[CatalogueItem]:
        """Items the text names, best first: "ik heb Power BI nodig" -> Power BI Pro.

        An item is named when all words of its name, of one synonym or of a part of its name no
        other item's name holds ("premium per gebruiker") occur in the text; the longest such
        phrase wins, so "power bi premium" beats "power bi", but not over another item named
        that the shorter one only says where it is (_Named.rank). Its edition alone names it too,
        after any item named otherwise ("een pro": Power BI Pro). A word of a phrase also occurs as
        the first part of a compound ("budget" in "budgetrapporten"). Where only a product's
        family is named, or nothing, the descriptions choose (bot/domain/licences/described.py).
        forms: a word's other forms (its lemmas: "apps" -> "app"), which count as the word, on
        both sides; the caller's, so the domain needs no language tools.
        """
        return named_items(text, self.visible_items(entity_code), forms)

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
