"""The knowledge base's workbook in chat (dialogs/servicedesk/admin.py), as the licence
catalogue's: `kennisbank` gives the counts per category and a signed download link; a workbook
sent in the chat goes, by its sheets, to this importer or the catalogue's, and is stored whole or
refused with every problem; anyone but an admin is refused, and everything is audited."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from bot.domain.platform.audit import Outcome
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.articles import Category, KnowledgeBase
from bot.excel.workbook_kind import WorkbookKind
from bot.http.exports import ARTICLES
from bot.http.link_pages import LinkTopic
from bot.services.licences.catalogue_import import IMPORT as CATALOGUE_IMPORT
from bot.services.servicedesk.articles_import import IMPORT
from cards.servicedesk.admin import ARTICLES_COMMAND
from devtools.demo_articles import demo_knowledge
from dialogs.platform.workbooks import INBOX_ACTION
from dialogs.servicedesk.admin import ARTICLES_EXPORT, ARTICLES_WORKBOOK
from tests.support.reading import as_read
from tests.unit.licence_admin.world import link_params, links, open_url
from tests.unit.licences.fakes import demo_catalogue
from tests.unit.servicedesk.world import (
    ADMIN,
    ADMIN_ID,
    AGENT,
    ENTITY_ADMIN,
    STAFF,
    KnowledgeWorld,
    edit_cells,
)
from tests.unit.test_dispatcher import card_text


@pytest.fixture
def world() -> KnowledgeWorld:
    return KnowledgeWorld()


def now(world: KnowledgeWorld) -> int:
    return int(world.clock.now().timestamp())


def edited() -> KnowledgeBase:
    current = demo_knowledge()
    first = replace(current.articles[0], title_nl="MFA registreren (nieuw)")
    return KnowledgeBase((first, *current.articles[1:]))


def test_the_dialog_names_the_kinds_the_export_and_the_sniff_serve() -> None:
    assert ARTICLES_EXPORT == ARTICLES == LinkTopic.ARTICLES.value
    assert (WorkbookKind.ARTICLES.value, "articles") == (ARTICLES_WORKBOOK, ARTICLES_COMMAND)


# --- the knowledge base -------------------------------------------------------------------------
async def test_an_admin_gets_the_counts_per_category_and_a_signed_download_link(
    world: KnowledgeWorld,
) -> None:
    turn = await world.say("kennisbank", ADMIN_ID, ADMIN)
    (card,) = turn.cards
    assert card["body"][0]["style"] == "heading"
    text = card_text(card)
    assert "Kennisbank van de servicedesk" in text
    assert "Nu staan er 30 artikels in, per categorie" in text
    counts = Counter(article.category for article in demo_knowledge().articles)
    assert card["body"][2]["facts"] == [
        {"title": "Toegang en aanmelden", "value": str(counts[Category.ACCESS])},
        {"title": "Licenties", "value": str(counts[Category.LICENCES])},
        {"title": "Power BI en Power Platform", "value": str(counts[Category.POWER_PLATFORM])},
        {"title": "Post", "value": str(counts[Category.POST])},
        {"title": "Andere", "value": str(counts[Category.OTHER])},
    ]
    assert "stuur het aangepaste Excel-bestand in deze chat" in text
    assert "10 minuten" in text
    params = link_params(open_url(card), now(world))
    assert params["path"] == "/api/exports/articles"
    assert params["by"] == ADMIN_ID and params["lang"] == "nl"
    assert params["expires_in"] == str(10 * 60)
    assert world.actions("command.articles") == [("ok", ADMIN_ID, {})]


async def test_the_card_speaks_english_to_english_clients(world: KnowledgeWorld) -> None:
    turn = await world.say("knowledge base", ADMIN_ID, ADMIN, locale="en")
    text = card_text(turn.cards[0])
    assert "It now holds 30 articles, by category" in text
    assert "send the edited workbook in this chat" in text
    assert link_params(open_url(turn.cards[0]), now(world))["lang"] == "en"


async def test_an_empty_knowledge_base_counts_one_form_right() -> None:
    world = KnowledgeWorld(KnowledgeBase(demo_knowledge().articles[:1]))
    turn = await world.say("artikels", ADMIN_ID, ADMIN)
    assert "Nu staat er 1 artikel in" in card_text(turn.cards[0])


@pytest.mark.parametrize(
    "text",
    ["kennisbank", "artikels", "mag ik de kennisbank downloaden", "articles", "knowledge base"],
)
async def test_admins_reach_it_in_their_words(world: KnowledgeWorld, text: str) -> None:
    turn = await world.say(text, ADMIN_ID, ADMIN)
    assert open_url(turn.cards[0]).startswith("https://werkplek.example/api/exports/articles?")


@pytest.mark.parametrize("roles", [STAFF, ENTITY_ADMIN, AGENT])
async def test_others_are_refused_the_knowledge_base_and_audited(
    world: KnowledgeWorld, roles: frozenset[Role]
) -> None:
    turn = await world.say("kennisbank", "someone-1", roles)
    assert "Daarvoor heb je geen rechten" in card_text(turn.cards[0])
    assert not links(turn.cards[0])
    assert world.actions("command.articles") == [("denied", "someone-1", {"needed_role": "admin"})]


# --- importing a workbook -----------------------------------------------------------------------
async def test_a_good_workbook_replaces_the_knowledge_base(world: KnowledgeWorld) -> None:
    wanted = edited()
    data = world.workbooks.write(wanted)
    turn = await world.send([("kennisbank 2026.xlsx", data)], ADMIN_ID, ADMIN)
    (card,) = turn.cards
    assert "Kennisbank bijgewerkt" in card_text(card)
    assert "Vanaf nu zoek ik antwoorden in 30 artikels" in card_text(card)
    assert card["actions"][0]["data"] == {"command": "articles"}  # the fresh workbook, one click
    assert world.store.knowledge == wanted
    assert world.actions(IMPORT) == [("ok", ADMIN_ID, {"articles": "30"})]
    assert world.licence_admin.actions(CATALOGUE_IMPORT) == []  # not the catalogue's


async def test_the_catalogue_sent_in_the_same_chat_goes_to_the_catalogue(
    world: KnowledgeWorld,
) -> None:
    """ "Artikelen" is the catalogue's sheet, "Artikels" the knowledge base's: each workbook
    goes to its own importer."""
    current = demo_catalogue()
    catalogue = replace(current, items=(replace(current.items[0], name_nl="Pro (nieuw)"),))
    catalogue = replace(catalogue, items=(*catalogue.items, *current.items[1:]))
    turn = await world.send(
        [("catalogus.xlsx", world.licence_admin.workbooks.write(catalogue))], ADMIN_ID, ADMIN
    )
    assert "Catalogus bijgewerkt" in card_text(turn.cards[0])
    assert world.licence_admin.licences.catalogue.catalogue == catalogue
    assert world.store.knowledge == demo_knowledge()
    assert world.actions(IMPORT) == []

    articles = await world.send([("kb.xlsx", world.workbooks.write(edited()))], ADMIN_ID, ADMIN)
    assert "Kennisbank bijgewerkt" in card_text(articles.cards[0])
    assert [o for o, _, _ in world.licence_admin.actions(CATALOGUE_IMPORT)] == ["ok"]


async def test_a_bad_workbook_lists_every_problem_and_stores_nothing(world: KnowledgeWorld) -> None:
    good = world.workbooks.write(edited())
    bad = edit_cells(
        good, {"B2": "onbekend", "A3": "Geen Sleutel", "G4": None, "I5": "x | ftp://y"}
    )
    _, problems = world.workbooks.read(bad)
    assert len(problems) == 4
    turn = await world.send([("kennisbank.xlsx", bad)], ADMIN_ID, ADMIN)
    text = as_read("\n".join(card_text(card) for card in turn.cards))
    assert "Kennisbank niet bijgewerkt" in text
    assert "het Excel-bestand bevat 4 fouten" in text
    for problem in problems:
        assert world.workbooks.describe(problem, turn.t) in text
    assert "blad Artikels, rij 2, kolom Categorie" in text
    assert world.store.knowledge == demo_knowledge()
    assert world.actions(IMPORT) == [
        ("rejected", ADMIN_ID, {"problems": "4", "size": str(len(bad))})
    ]
    assert turn.cards[-1]["actions"][0]["data"] == {"command": "articles"}


async def test_one_problem_is_counted_in_its_own_form(world: KnowledgeWorld) -> None:
    bad = edit_cells(world.workbooks.write(edited()), {"G4": None})
    turn = await world.send([("kennisbank.xlsx", bad)], ADMIN_ID, ADMIN, locale="en")
    text = card_text(turn.cards[0])
    assert "the workbook has 1 mistake. It is listed below" in text
    assert "sheet Articles, row 4, column Answer (nl)" in text


async def test_many_problems_continue_on_further_cards(world: KnowledgeWorld) -> None:
    many = KnowledgeBase(
        tuple(
            replace(demo_knowledge().articles[0], key=f"Artikel {n}", owner="x" * 300)
            for n in range(300)
        )
    )
    bad = world.workbooks.write(many)
    _, problems = world.workbooks.read(bad)
    assert len(problems) >= 600
    turn = await world.send([("kennisbank.xlsx", bad)], ADMIN_ID, ADMIN)
    assert len(turn.cards) > 1
    text = as_read("\n".join(card_text(card) for card in turn.cards))
    assert all(world.workbooks.describe(p, turn.t) in text for p in problems)
    assert "Vervolg van de fouten (2/" in text
    assert "actions" not in turn.cards[0] and turn.cards[-1]["actions"]
    assert world.store.knowledge == demo_knowledge()


async def test_a_file_that_is_no_workbook_is_a_problem_not_a_crash(world: KnowledgeWorld) -> None:
    turn = await world.send([("kennisbank.xlsx", b"this is no zip file")], ADMIN_ID, ADMIN)
    # Of no kind the sniff can tell, with two importers to choose from: the inbox explains.
    shown = card_text(turn.cards[0])
    assert "Welk bestand is dit?" in shown
    assert "typ **kennisbank**" in shown and "typ **catalogus**" in shown
    assert world.actions(INBOX_ACTION) == [("rejected", ADMIN_ID, {"reason": "unknown_workbook"})]


async def test_the_importer_checks_the_role_itself(world: KnowledgeWorld) -> None:
    turn = world.turn("someone-1", ENTITY_ADMIN)
    await world.dialog.import_workbook(turn, world.workbooks.write(edited()))
    assert "Alleen de beheerders van Werkplek kunnen de kennisbank" in card_text(turn.cards[0])
    assert world.actions(IMPORT) == [("denied", "someone-1", {"needed_role": "admin"})]
    assert world.store.knowledge == demo_knowledge()


async def test_a_workbook_from_someone_who_may_import_nothing_is_not_fetched(
    world: KnowledgeWorld,
) -> None:
    turn = await world.send([("kb.xlsx", world.workbooks.write(edited()))], "someone-1", AGENT)
    assert "Ik kan dit bestand niet verwerken" in card_text(turn.cards[0])
    assert world.downloads.fetched == []
    assert world.actions(INBOX_ACTION) == [("denied", "someone-1", {"reason": "no_importer"})]
    assert world.store.knowledge == demo_knowledge()


async def test_an_admin_is_told_which_workbooks_the_chat_takes(world: KnowledgeWorld) -> None:
    turn = await world.send([("scan.pdf", b"%PDF")], ADMIN_ID, ADMIN)
    shown = card_text(turn.cards[0])
    assert "Stuur één Excel-bestand" in shown
    assert "de kennisbank van de servicedesk (blad Artikels)" in shown
    assert "de licentiecatalogus (blad Artikelen)" in shown
    assert world.downloads.fetched == [] and world.actions(IMPORT) == []
    assert [o for o, _, _ in world.actions(INBOX_ACTION)] == [Outcome.REJECTED.value]
