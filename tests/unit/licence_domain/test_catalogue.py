"""The catalogue: offers per entity, free-text matching, whole-catalogue problems, seats, grants."""

from __future__ import annotations

from dataclasses import replace

from bot.commands.lemmas import forms_near
from bot.domain.access.facts import Sku
from bot.domain.licences.catalogue import (
    ALL_ENTITIES,
    ApprovalPolicy,
    ApproverKind,
    Catalogue,
    CatalogueItem,
    Entity,
    Fulfilment,
    ItemKind,
    Offer,
    Stage,
)
from bot.domain.licences.grants import LicenceState, grant_verified, licence_granted
from bot.domain.licences.seats import free_seats

PRO = CatalogueItem(
    key="powerbi-pro",
    kind=ItemKind.LICENCE,
    name_nl="Power BI Pro",
    name_en="Power BI Pro",
    fulfilment=Fulfilment.GROUP,
    group_id="g-pro",
    sku_id="sku-pro",
    synonyms=("power bi", "rapporten delen"),
)
PPU = CatalogueItem(
    key="powerbi-ppu",
    kind=ItemKind.LICENCE,
    name_nl="Power BI Premium per gebruiker",
    name_en="Power BI Premium per user",
    fulfilment=Fulfilment.GROUP,
    group_id="g-ppu",
    sku_id="sku-ppu",
    synonyms=("power bi premium", "ppu"),
)
APPS = CatalogueItem(
    key="powerapps",
    kind=ItemKind.LICENCE,
    name_nl="Power Apps per gebruiker",
    name_en="Power Apps per user",
    fulfilment=Fulfilment.DIRECT,
    sku_id="sku-apps",
    synonyms=("app bouwen",),
)
VIEWER = CatalogueItem(
    key="ws-viewer",
    kind=ItemKind.WORKSPACE_ROLE,
    name_nl="Werkruimte lezer",
    name_en="Workspace viewer",
    fulfilment=Fulfilment.GROUP,
    group_id="g-ws",
)
CATALOGUE = Catalogue(
    items=(PRO, PPU, APPS, VIEWER),
    entities=(Entity("ADV", "Digitaal Vlaanderen", "DV", "staff-adv", "admins-adv"),),
    policies=(ApprovalPolicy("manager", (Stage(ApproverKind.MANAGER),)), ApprovalPolicy("none")),
    offers=(
        Offer("powerbi-pro", ALL_ENTITIES, "manager"),
        Offer("powerbi-ppu", "ADV", "manager", max_days=90),
        Offer("powerapps", ALL_ENTITIES, "manager"),
        Offer("powerapps", "ADV", "none"),
        Offer("ws-viewer", ALL_ENTITIES, "none"),
    ),
)


def test_an_entity_sees_general_offers_and_its_own() -> None:
    assert [i.key for i in CATALOGUE.visible_items("ADV")] == [
        "powerbi-pro",
        "powerbi-ppu",
        "powerapps",
        "ws-viewer",
    ]
    assert "powerbi-ppu" not in [i.key for i in CATALOGUE.visible_items("AWV")]


def test_an_entitys_own_offer_overrides_the_general_one() -> None:
    assert CATALOGUE.offer_for("powerapps", "ADV") == Offer("powerapps", "ADV", "none")
    assert CATALOGUE.offer_for("powerapps", "AWV") == Offer("powerapps", ALL_ENTITIES, "manager")


def test_people_belong_to_the_entity_of_their_staff_group() -> None:
    entity = CATALOGUE.entity_of(["x", "STAFF-ADV"])
    assert entity is not None and entity.code == "ADV"
    assert CATALOGUE.entity_of(["x"]) is None


def test_free_text_names_the_item() -> None:
    assert CATALOGUE.match("ik heb Power BI nodig om rapporten te delen", "ADV")[0] is PRO
    assert CATALOGUE.match("Ik wil graag Power BI Premium", "ADV")[0] is PPU
    assert CATALOGUE.match("ik wil een app bouwen", "AWV")[0] is APPS
    assert CATALOGUE.match("mijn printer doet het niet", "ADV") == []


def _plural(word: str) -> tuple[str, ...]:
    return {"apps": ("app",), "dashboards": ("dashboard",)}.get(word, ())


def test_free_text_names_the_item_in_other_forms_and_by_its_own_name_parts() -> None:
    # The caller's forms: "apps bouwen" is "app bouwen"; without them it is not.
    assert CATALOGUE.match("ik wil apps bouwen", "AWV", _plural)[0] is APPS
    assert CATALOGUE.match("ik wil apps bouwen", "AWV") == []
    # A part of a name no other item's name holds names it; a shared part does not.
    assert CATALOGUE.match("kan ik premium per gebruiker krijgen?", "ADV")[0] is PPU
    assert CATALOGUE.match("iets per gebruiker", "ADV") == []
    # A synonym as the first part of a compound.
    budget = replace(VIEWER, synonyms=("budget",))
    other = replace(CATALOGUE, items=(PRO, budget))
    assert other.match("ik wil de budgetrapporten bekijken", "ADV")[0] is budget
    assert other.match("ik wil het budget", "ADV")[0] is budget
    assert other.match("mijn budgetje", "ADV") == []


def test_an_edition_said_alone_names_its_item_but_not_another_makers_product() -> None:
    # "Pro" is Power BI Pro's own word after the family it shares with Premium per user.
    assert CATALOGUE.match("ik wil graag een pro, mijn proefversie is vervallen", "ADV")[0] is PRO
    assert CATALOGUE.match("give me a Pro license", "ADV")[0] is PRO
    assert CATALOGUE.match("Adobe Acrobat Pro licentie aanvragen", "ADV") == []
    assert CATALOGUE.match("I need ArcGIS Pro", "ADV") == []
    # Any item named otherwise comes first; a word shared by two names is no edition.
    assert CATALOGUE.match("ik wil PPU, pro volstaat niet", "ADV")[0] is PPU
    assert CATALOGUE.match("PPU aub, mijn dataset is te groot voor pro", "ADV")[0] is PPU
    assert CATALOGUE.match("iets per gebruiker", "ADV") == []
    # Alone in the catalogue, Pro has no family to share: its last word alone is nothing.
    assert replace(CATALOGUE, items=(PRO,)).match("een pro aub", "ADV") == []


def test_a_workspace_comes_before_a_product_named_only_to_say_where_it_is() -> None:
    # "power bi" is the longer phrase, but it only says where the budget's workspace is.
    budget = replace(VIEWER, synonyms=("budget",))
    other = replace(CATALOGUE, items=(PRO, PPU, budget))
    assert other.match("toegang tot het budget in power bi", "ADV")[:2] == [budget, PRO]
    # The product's own name asks for the product itself.
    assert other.match("power bi pro voor het budget", "ADV")[0] is PRO
    # "power bi" is in Premium per user's name too: beside "ppu" it says which family.
    assert CATALOGUE.match("power bi ppu licence for me please", "ADV")[:2] == [PPU, PRO]
    assert other.match("ik heb power bi nodig", "ADV")[0] is PRO
    # A word of the product's own is no place: "ppu" beside the budget asks for the product.
    ppu = replace(PPU, synonyms=("ppu",))
    own = replace(CATALOGUE, items=(PRO, ppu, budget))
    assert own.match("ik heb PPU nodig voor de rapporten van het budget", "ADV")[0] is ppu
    assert own.match("toegang tot het budget in power bi", "ADV")[0] is budget


def test_a_synonym_that_names_the_item_beats_one_that_only_repeats_what_another_is_for() -> None:
    # "dashboards" is what Pro's description says it is for; "ppu" names Premium per user.
    pro = replace(PRO, synonyms=("dashboards",), description_nl="Rapporten en dashboards delen.")
    ppu = replace(PPU, synonyms=("ppu",))
    other = replace(CATALOGUE, items=(pro, ppu))
    assert other.match("ppu licentie nodig voor mijn dashboards", "ADV")[0] is ppu
    # Alone, the need still names the item that is for it.
    assert other.match("iets voor mijn dashboards", "ADV")[0] is pro


def test_a_description_names_the_item_only_when_nothing_else_does_and_only_one_fits() -> None:
    apps = replace(APPS, synonyms=(), description_en="Build and use apps with connectors.")
    pro = replace(PRO, description_en="Create and share reports and dashboards.")
    other = replace(CATALOGUE, items=(pro, apps))
    assert other.match("I want to build an app for our inventory", "ADV", _plural)[0] is apps
    # One word in common is not enough; "with" is a small word.
    assert other.match("an app with a view", "ADV", _plural) == []
    # A name still beats a description.
    assert other.match("rapporten delen en apps build", "ADV", _plural)[0] is pro


def test_where_only_the_family_is_named_the_description_chooses_its_member() -> None:
    pro = replace(PRO, description_en="Create and share reports and dashboards.")
    ppu = replace(
        PPU, description_en="Pro plus large datasets, paginated reports, deployment pipelines."
    )
    other = replace(CATALOGUE, items=(pro, ppu))
    # "power bi" is Pro's synonym and in Premium per user's name: the need tells them apart.
    text = "welke power bi heb ik nodig voor paginated reports en grote datasets"
    assert other.match(text, "ADV", _plural)[:2] == [ppu, pro]
    # A description shared alike, or one word more than nothing, leaves the synonym's item.
    assert other.match("power bi to share reports", "ADV", _plural)[0] is pro
    assert other.match("power bi met pipelines", "ADV", _plural)[0] is pro
    # An item named by its own name is never overruled by a description.
    assert other.match("power bi pro for paginated reports and datasets", "ADV", _plural)[0] is pro


def test_matching_only_offers_what_the_entity_may_request() -> None:
    assert CATALOGUE.match("power bi premium", "AWV")[0] is PRO


def test_a_catalogue_with_dangling_references_has_problems() -> None:
    broken = Catalogue(
        items=(PRO, PRO),
        policies=(ApprovalPolicy("three", (Stage(ApproverKind.MANAGER),) * 3),),
        offers=(Offer("nope", "XYZ", "missing"),),
    )
    keys = sorted(p.message_key for p in broken.problems())
    assert keys == [
        "catalogue.problem.duplicate",
        "catalogue.problem.too_many_stages",
        "catalogue.problem.unknown_entity",
        "catalogue.problem.unknown_item",
        "catalogue.problem.unknown_policy",
    ]
    assert CATALOGUE.problems() == []


def test_free_seats_are_bought_minus_used_and_never_negative() -> None:
    assert free_seats(Sku("s", "POWER_BI_PRO", enabled_units=25, consumed_units=24)) == 1
    assert free_seats(Sku("s", "POWER_BI_PRO", enabled_units=5, consumed_units=7)) == 0


def test_a_group_grant_needs_membership_and_the_groups_licence_without_error() -> None:
    ok = LicenceState("SKU-PRO", "G-PRO", "Active", "None")
    assert grant_verified(PRO, True, [ok])
    assert not grant_verified(PRO, False, [ok])
    broken = LicenceState("sku-pro", "g-pro", "Error", "CountViolation")
    assert not grant_verified(PRO, True, [broken])
    assert licence_granted(PRO, [broken]) == broken
    direct = LicenceState("sku-pro", None, "Active", "None")
    assert not grant_verified(PRO, True, [direct])  # not through the group we manage


def test_a_direct_grant_needs_a_direct_assignment() -> None:
    assert grant_verified(APPS, False, [LicenceState("sku-apps", None, "Active", "None")])
    assert not grant_verified(APPS, False, [LicenceState("sku-apps", "g", "Active", "None")])


def test_a_workspace_role_is_its_group() -> None:
    assert grant_verified(VIEWER, True, [])
    assert not grant_verified(VIEWER, False, [])


def test_a_typo_in_an_items_name_is_read_as_the_catalogues_word() -> None:
    """The caller's forms repair a word no dictionary holds towards the catalogue's own words
    (bot/commands/lemmas.py, forms_near), as the licence desk reads a request."""
    forms = forms_near(CATALOGUE.words("ADV"))
    assert CATALOGUE.match("power bi premuim per gebruiker aanvragen", "ADV", forms)[0] is PPU
    assert CATALOGUE.match("power bi premuim per gebruiker aanvragen", "ADV")[0] is not PPU
    assert "premium" in CATALOGUE.words("ADV")


def test_a_short_word_is_no_typo_of_the_catalogues() -> None:
    # "GB" is one letter from "bi": "1 GB en Pro" once named Power BI Pro before PPU.
    forms = forms_near(CATALOGUE.words("ADV"))
    assert "bi" not in forms("gb")
    text = "PPU aub, mijn dataset is groter dan 1 GB en Pro trekt da ni"
    assert CATALOGUE.match(text, "ADV", forms)[0] is PPU


def test_a_name_typed_without_its_last_letter_is_the_catalogues_word() -> None:
    """ "automat" is a word of its own, which the typo repair leaves alone; cut short from a
    catalogue word, it is that word."""
    forms = forms_near(frozenset({"power", "automate", "premium", "apps"}))
    assert "automate" in forms("automat")
    assert "apps" not in forms("app")  # too short to tell
