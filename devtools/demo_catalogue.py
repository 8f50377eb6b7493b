"""The licence catalogue of the demo tenant: what the demo seeds and what admins see as an example.

`python -m devtools.demo_catalogue FILE` writes it as an .xlsx workbook (the format of
`werkplek catalog import`). Entities are read from demo_tenant.json each time, so the two never
drift apart; the group and SKU ids below are those of that file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

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
    Question,
    Stage,
    WorkspaceRole,
)

TENANT_FILE = Path(__file__).with_name("demo_tenant.json")

POWER_BI_PRO_SKU = "f8a1db68-be16-40ed-86d5-cb42ce701560"
POWER_BI_PPU_SKU = "c1d032e0-5619-4761-9b5c-75b6831e1711"
POWER_AUTOMATE_SKU = "4a51bf65-409c-4a91-b845-1121b571cc9d"
POWER_APPS_SKU = "b30411f5-fea1-4a59-9ad9-3db7c7ead579"

# The tenant file names entities in Dutch only.
_ENGLISH_NAMES = {
    "DOMG": "Department of Environment and Spatial Development",
    "AWV": "Agency for Roads and Traffic",
    "DFB": "Department of Finance and Budget",
    "ADV": "Digital Flanders Agency",
    "AFB": "Facility Management Agency",
}
# Digitaal Vlaanderen builds apps for the others: its staff get Power Apps with one approval.
OVERRIDE_ENTITY = "ADV"

_ITEMS = (
    CatalogueItem(
        key="powerbi-pro",
        kind=ItemKind.LICENCE,
        name_nl="Power BI Pro",
        name_en="Power BI Pro",
        fulfilment=Fulfilment.GROUP,
        group_id="45051185-e7a1-43b1-a23e-15b0763768d2",  # LIC-PowerBI-Pro
        sku_id=POWER_BI_PRO_SKU,
        description_nl="Rapporten en dashboards maken, publiceren en delen met collega's, "
        "samenwerken in werkruimten.",
        description_en="Create, publish and share reports and dashboards with colleagues, "
        "collaborate in workspaces.",
        synonyms=("power bi", "powerbi", "pbi", "rapporten delen", "dashboard", "rapport maken"),
    ),
    CatalogueItem(
        key="powerbi-ppu",
        kind=ItemKind.LICENCE,
        name_nl="Power BI Premium per gebruiker",
        name_en="Power BI Premium per user",
        fulfilment=Fulfilment.GROUP,
        group_id="b8c35992-de75-4bbb-b376-43f16c34d535",  # LIC-PowerBI-PPU
        sku_id=POWER_BI_PPU_SKU,
        description_nl="Alles van Pro, plus grote datasets (semantische modellen boven 1 GB), "
        "gepagineerde rapporten, tot 48 keer per dag vernieuwen, implementatiepijplijnen, "
        "AI-functies en premiumwerkruimten.",
        description_en="Everything in Pro, plus large datasets (semantic models over 1 GB), "
        "paginated reports, refresh up to 48 times a day, deployment pipelines, AI features "
        "and premium workspaces.",
        synonyms=("power bi premium", "ppu", "premium per user", "grote datasets"),
        min_justification=40,
    ),
    CatalogueItem(
        key="power-automate-premium",
        kind=ItemKind.LICENCE,
        name_nl="Power Automate premium",
        name_en="Power Automate premium",
        fulfilment=Fulfilment.GROUP,
        group_id="e64e4d78-6c6f-4db5-b37a-c49c02eae9ac",  # LIC-PowerAutomate-Premium
        sku_id=POWER_AUTOMATE_SKU,
        description_nl="Taken en processen automatiseren met flows, met premium connectoren "
        "naar databanken en externe diensten (HTTP, SQL), desktopflows (RPA) en de "
        "on-premises gateway.",
        description_en="Automate tasks and processes with flows, with premium connectors to "
        "databases and external services (HTTP, SQL), desktop flows (RPA) and the on-premises "
        "gateway.",
        synonyms=("power automate", "flow", "flows", "automatiseren", "automate", "workflow"),
        min_justification=40,
    ),
    CatalogueItem(
        key="power-apps-premium",
        kind=ItemKind.LICENCE,
        name_nl="Power Apps per gebruiker",
        name_en="Power Apps per user",
        fulfilment=Fulfilment.DIRECT,  # assigned to the person, not through a group
        sku_id=POWER_APPS_SKU,
        description_nl="Eigen apps bouwen en gebruiken (canvas-apps en modelgestuurde apps) "
        "met Dataverse en premiumconnectoren.",
        description_en="Build and use your own apps (canvas apps and model-driven apps) with "
        "Dataverse and premium connectors.",
        synonyms=("power apps", "powerapps", "app bouwen", "apps maken", "dataverse"),
        min_justification=40,
    ),
    CatalogueItem(
        key="ws-begrotingsopvolging-member",
        kind=ItemKind.WORKSPACE_ROLE,
        name_nl="Begrotingsopvolging (lid)",
        name_en="Budget monitoring (member)",
        fulfilment=Fulfilment.GROUP,
        group_id="d0b5fc86-ab35-487a-898c-88102e90a863",  # PBI-WS-Begrotingsopvolging-Leden
        workspace="Begrotingsopvolging",
        workspace_role=WorkspaceRole.MEMBER,
        description_nl="De rapporten over begroting en budget in de werkruimte "
        "Begrotingsopvolging bekijken, maken en delen.",
        description_en="View, create and share the budget reports in the Budget monitoring "
        "workspace.",
        synonyms=("begrotingsopvolging", "begroting", "budget", "werkruimte begroting"),
        questions=(
            Question(
                "reports",
                "Welke rapporten wil je gebruiken?",
                "Which reports do you want to use?",
                required=True,
            ),
        ),
    ),
    CatalogueItem(
        key="ws-ruimtelijke-data-viewer",
        kind=ItemKind.WORKSPACE_ROLE,
        name_nl="Ruimtelijke Data (lezer)",
        name_en="Spatial Data (viewer)",
        fulfilment=Fulfilment.GROUP,
        group_id="dcdd0d27-d599-450e-bf84-d58fd80b599f",  # PBI-WS-Ruimtelijke-Data-Lezers
        workspace="Ruimtelijke Data",
        workspace_role=WorkspaceRole.VIEWER,
        description_nl="Kaarten, GIS-lagen en ruimtelijke rapporten in de werkruimte "
        "Ruimtelijke Data bekijken.",
        description_en="View maps, GIS layers and spatial reports in the Spatial Data workspace.",
        synonyms=("ruimtelijke data", "ruimtelijke", "kaarten", "gis", "spatial data"),
        questions=(
            Question(
                "reports",
                "Welke rapporten wil je gebruiken?",
                "Which reports do you want to use?",
            ),
        ),
        min_justification=10,
    ),
)

_POLICIES = (
    ApprovalPolicy("manager", (Stage(ApproverKind.MANAGER),)),
    ApprovalPolicy(
        "manager-then-ict", (Stage(ApproverKind.MANAGER), Stage(ApproverKind.ENTITY_ADMIN))
    ),
    ApprovalPolicy("none", ()),
)

_OFFERS = (
    Offer("powerbi-pro", ALL_ENTITIES, "manager"),
    Offer("powerbi-ppu", ALL_ENTITIES, "manager-then-ict", max_days=365),
    Offer("power-automate-premium", ALL_ENTITIES, "manager-then-ict"),
    Offer("power-apps-premium", ALL_ENTITIES, "manager-then-ict"),
    Offer("power-apps-premium", OVERRIDE_ENTITY, "manager"),
    Offer("ws-begrotingsopvolging-member", ALL_ENTITIES, "manager"),
    Offer("ws-ruimtelijke-data-viewer", ALL_ENTITIES, "none"),
)


def demo_entities(tenant_file: Path = TENANT_FILE) -> tuple[Entity, ...]:
    """The entities of the demo tenant, as the tenant file describes them now."""
    tenant: dict[str, Any] = json.loads(tenant_file.read_text(encoding="utf-8"))
    return tuple(
        Entity(
            code=entry["code"],
            name_nl=entry["displayName"],
            name_en=_ENGLISH_NAMES.get(entry["code"], entry["displayName"]),
            staff_group_id=entry["staffGroupId"],
            admin_group_id=entry.get("adminGroupId", ""),
        )
        for entry in tenant["entities"]
    )


def demo_catalogue(tenant_file: Path = TENANT_FILE) -> Catalogue:
    return Catalogue(
        items=_ITEMS,
        entities=demo_entities(tenant_file),
        policies=_POLICIES,
        offers=_OFFERS,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.demo_catalogue",
        description="Write the demo tenant's licence catalogue as an Excel workbook.",
    )
    parser.add_argument("file", type=Path, help="the .xlsx file to write")
    args = parser.parse_args(argv)
    from bot.excel.licences.catalogue import write_catalogue

    catalogue = demo_catalogue()
    problems = catalogue.problems()
    if problems:
        print(f"the demo catalogue has problems: {problems}", file=sys.stderr)
        return 1
    args.file.parent.mkdir(parents=True, exist_ok=True)
    args.file.write_bytes(write_catalogue(catalogue))
    print(args.file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
