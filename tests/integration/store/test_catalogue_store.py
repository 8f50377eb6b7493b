"""The licence catalogue store on both dialects: exact round trips, all-or-nothing replaces."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

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
from bot.store import Database, SqlCatalogueRepository

PRO = CatalogueItem(
    key="powerbi-pro",
    kind=ItemKind.LICENCE,
    name_nl="Power BI Pro",
    name_en="Power BI Pro",
    fulfilment=Fulfilment.GROUP,
    group_id="g-pbi-pro",
    sku_id="sku-pro",
    description_nl="Rapporten delen en samenwerken.",
    description_en="Share reports and collaborate.",
    synonyms=("power bi", "pbi", "rapporten"),
    min_justification=30,
)
WORKSPACE = CatalogueItem(
    key="ws-financien-viewer",
    kind=ItemKind.WORKSPACE_ROLE,
    name_nl="Werkruimte Financiën (lezer)",
    name_en="",
    fulfilment=Fulfilment.GROUP,
    group_id="g-ws-fin",
    workspace="Financiën",
    workspace_role=WorkspaceRole.VIEWER,
    questions=(
        Question("rapport", "Welk rapport?", "Which report?", required=True),
        Question("team", "Voor welk team?", ""),
    ),
)
AUTOMATE = CatalogueItem(
    key="automate-premium",
    kind=ItemKind.LICENCE,
    name_nl="Power Automate premium",
    name_en="Power Automate premium",
    fulfilment=Fulfilment.DIRECT,
    sku_id="sku-automate",
)
FULL = Catalogue(
    items=(WORKSPACE, PRO, AUTOMATE),  # not in key order: the order is kept
    entities=(
        Entity(
            "ADV", "Agentschap Digitaal Vlaanderen", "Digital Flanders Agency", "g-adv", "g-adv-ict"
        ),
        Entity("DFB", "Departement Financiën", "", "g-dfb"),
    ),
    policies=(
        ApprovalPolicy(
            "two-stage",
            stages=(Stage(ApproverKind.MANAGER), Stage(ApproverKind.NAMED, ("n-1", "n-2"))),
            decision_days=10,
            fallback=("f-1",),
        ),
        ApprovalPolicy("none"),
        ApprovalPolicy("admins", stages=(Stage(ApproverKind.ENTITY_ADMIN),)),
    ),
    offers=(
        Offer("powerbi-pro", ALL_ENTITIES, "two-stage", max_days=365),
        Offer("powerbi-pro", "ADV", "admins"),
        Offer("ws-financien-viewer", "DFB", "none", max_days=90),
        Offer("automate-premium", ALL_ENTITIES, "admins"),
    ),
)


@pytest.fixture
def store(database: Database) -> SqlCatalogueRepository:
    return SqlCatalogueRepository(database)


async def test_an_empty_store_has_an_empty_catalogue(store: SqlCatalogueRepository) -> None:
    assert await store.load() == Catalogue()


async def test_every_field_comes_back_in_order(store: SqlCatalogueRepository) -> None:
    await store.replace(FULL)
    loaded = await store.load()
    assert loaded == FULL
    # Equality of the parts, spelled out: a failure then names the part that differs.
    assert loaded.items == FULL.items
    assert loaded.entities == FULL.entities
    assert loaded.policies == FULL.policies
    assert loaded.offers == FULL.offers
    assert loaded.offer_for("powerbi-pro", "ADV") == Offer("powerbi-pro", "ADV", "admins")
    assert isinstance(loaded.items[0].questions, tuple)
    assert loaded.policies[0].stages[1].named == ("n-1", "n-2")


async def test_a_replace_removes_what_the_new_catalogue_lacks(
    store: SqlCatalogueRepository,
) -> None:
    await store.replace(FULL)
    smaller = Catalogue(
        items=(AUTOMATE,),
        policies=(ApprovalPolicy("none"),),
        offers=(Offer("automate-premium", ALL_ENTITIES, "none"),),
    )
    await store.replace(smaller)
    assert await store.load() == smaller
    await store.replace(Catalogue())
    assert await store.load() == Catalogue()


async def test_a_failing_replace_leaves_the_old_catalogue_whole(
    store: SqlCatalogueRepository,
) -> None:
    await store.replace(FULL)
    # The items go in after the old rows are deleted; the duplicate key fails the insert.
    broken = Catalogue(items=(AUTOMATE, AUTOMATE), offers=(Offer("x", "*", "y"),))
    with pytest.raises(sa.exc.IntegrityError):
        await store.replace(broken)
    assert await store.load() == FULL


async def test_a_load_never_mixes_two_catalogues(database: Database) -> None:
    """A replica loading while another replaces sees the old or the new catalogue, whole."""
    other = Catalogue(
        items=(PRO,),
        entities=(Entity("ADV", "ADV", "", "g-adv"),),
        policies=(ApprovalPolicy("none"),),
        offers=(Offer("powerbi-pro", ALL_ENTITIES, "none"),),
    )
    writer, reader = Database(database.url), Database(database.url)
    try:
        await SqlCatalogueRepository(writer).replace(FULL)

        async def replace_often() -> None:
            for turn in range(20):
                await SqlCatalogueRepository(writer).replace(other if turn % 2 == 0 else FULL)

        async def load_often() -> list[Catalogue]:
            return [await SqlCatalogueRepository(reader).load() for _ in range(40)]

        _, seen = await asyncio.gather(replace_often(), load_often())
    finally:
        await writer.dispose()
        await reader.dispose()
    assert all(catalogue in (FULL, other) for catalogue in seen)
