"""The admin side of licences in chat: catalogue link, imports from a file (through the chat's
workbook inbox, with the catalogue as the one workbook it takes), the report link."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.domain.licences.catalogue import Catalogue
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import Unavailable
from bot.domain.platform.roles import Role
from bot.http.exports import CATALOGUE, LICENCE_REPORT
from bot.services.licences.catalogue_import import IMPORT
from dialogs.licences.admin import (
    CATALOGUE_EXPORT,
    REPORT,
    REPORT_EXPORT,
    ReportAsk,
    parse_report_ask,
)
from dialogs.platform.workbooks import INBOX_ACTION
from tests.support.reading import as_read
from tests.unit.licence_admin.world import (
    ADMIN,
    ENTITY_ADMIN,
    MAX_BYTES,
    AdminWorld,
    edit_workbook,
    link_params,
    links,
    open_url,
)
from tests.unit.licences.fakes import LOTTE, MARLEEN, THOMAS, demo_catalogue
from tests.unit.test_dispatcher import card_text

ADMIN_ID = MARLEEN  # a DFB person who is also a Werkplek admin here


@pytest.fixture
def world() -> AdminWorld:
    return AdminWorld()


def now(world: AdminWorld) -> int:
    return int(world.clock.now().timestamp())


def test_the_dialog_asks_for_the_kinds_the_export_endpoint_serves() -> None:
    assert (CATALOGUE_EXPORT, REPORT_EXPORT) == (CATALOGUE, LICENCE_REPORT)


# --- the catalogue ------------------------------------------------------------------------------
async def test_an_admin_gets_the_counts_and_a_signed_download_link(world: AdminWorld) -> None:
    turn = await world.say("toon de catalogus", ADMIN_ID, ADMIN)
    (card,) = turn.cards
    text = card_text(card)
    catalogue = demo_catalogue()
    assert "Licentiecatalogus" in text
    for label, count in (
        ("Artikelen", len(catalogue.items)),
        ("Entiteiten", len(catalogue.entities)),
        ("Beleidsregels", len(catalogue.policies)),
        ("Aanbiedingen", len(catalogue.offers)),
    ):
        assert {"title": label, "value": str(count)} in card["body"][2]["facts"]
    assert "stuur het aangepaste Excel-bestand in deze chat" in text
    assert "10 minuten" in text
    params = link_params(open_url(card), now(world))
    assert params["path"] == "/api/exports/catalogue"
    assert params["by"] == ADMIN_ID and params["lang"] == "nl"
    assert params["expires_in"] == str(10 * 60)


async def test_the_catalogue_card_speaks_english_to_english_clients(world: AdminWorld) -> None:
    turn = await world.say("catalogue", ADMIN_ID, ADMIN, locale="en")
    assert "send the edited workbook in this chat" in card_text(turn.cards[0])
    assert link_params(open_url(turn.cards[0]), now(world))["lang"] == "en"


@pytest.mark.parametrize("roles", [frozenset({Role.STAFF}), ENTITY_ADMIN])
async def test_others_are_refused_the_catalogue_and_audited(
    world: AdminWorld, roles: frozenset[Role]
) -> None:
    turn = await world.say("catalogus", LOTTE, roles)
    assert "Daarvoor heb je geen rechten" in card_text(turn.cards[0])
    assert not links(turn.cards[0])
    assert world.actions("command.catalogue") == [("denied", LOTTE, {"needed_role": "admin"})]


# --- importing a workbook -----------------------------------------------------------------------
async def test_a_file_from_someone_else_is_refused_politely_and_audited(world: AdminWorld) -> None:
    good = world.workbooks.write(demo_catalogue())
    turn = await world.send([("catalogus.xlsx", good)], LOTTE, ENTITY_ADMIN)
    assert "Ik kan dit bestand niet verwerken" in card_text(turn.cards[0])
    assert world.downloads.fetched == []  # the inbox knew no importer would take it
    assert world.actions(INBOX_ACTION) == [("denied", LOTTE, {"reason": "no_importer"})]


async def test_the_importer_checks_the_role_itself(world: AdminWorld) -> None:
    turn = world.turn(LOTTE, ENTITY_ADMIN)
    await world.dialog.import_workbook(turn, world.workbooks.write(demo_catalogue()))
    assert "Ik kan dit bestand niet verwerken" in card_text(turn.cards[0])
    (entry,) = [e for e in world.audit.entries if e.action == IMPORT]
    assert (entry.outcome, entry.actor_id, entry.detail) == (
        Outcome.DENIED,
        LOTTE,
        {"needed_role": "admin"},
    )
    assert world.licences.catalogue.catalogue == demo_catalogue()


async def test_a_bad_workbook_lists_every_problem_and_stores_nothing(world: AdminWorld) -> None:
    before = world.licences.catalogue.catalogue
    good = world.workbooks.write(demo_catalogue())
    bad = edit_workbook(
        good,
        {
            ("Artikelen", "F2"): "geen-guid",
            ("Artikelen", "B3"): "abonnement",
            ("Entiteiten", "D3"): None,
            ("Aanbod", "B2"): "XYZ",
        },
    )
    _, problems = world.workbooks.read(bad)
    assert len(problems) >= 4
    turn = await world.send([("catalogus.xlsx", bad)], ADMIN_ID, ADMIN, text="catalogus")
    # The lines quote the workbook's cells: escaped on the card, read as written.
    text = as_read("\n".join(card_text(card) for card in turn.cards))
    assert "Catalogus niet bijgewerkt" in text
    assert f"{len(problems)} fout{'en' if len(problems) != 1 else ''}" in text
    for problem in problems:
        assert world.workbooks.describe(problem, turn.t) in text
    assert "rij 2" in text and "Artikelen" in text and "Groep-id" in text
    assert world.licences.catalogue.catalogue is before
    assert world.actions(IMPORT) == [
        ("rejected", ADMIN_ID, {"problems": str(len(problems)), "size": str(len(bad))})
    ]
    assert all(e.outcome is not Outcome.FAILED for e in world.audit.entries)


async def test_many_problems_continue_on_further_cards(world: AdminWorld) -> None:
    catalogue = demo_catalogue()
    many = Catalogue(
        items=tuple(
            replace(catalogue.items[0], key=f"item-{n}", group_id="geen-guid") for n in range(400)
        ),
        entities=catalogue.entities,
        policies=catalogue.policies,
        offers=catalogue.offers,
    )
    bad = world.workbooks.write(many)
    _, problems = world.workbooks.read(bad)
    assert len(problems) >= 400
    turn = await world.send([("catalogus.xlsx", bad)], ADMIN_ID, ADMIN)
    assert len(turn.cards) > 1
    text = as_read("\n".join(card_text(card) for card in turn.cards))
    assert sum(text.count(world.workbooks.describe(p, turn.t)) >= 1 for p in problems) == len(
        problems
    )
    assert "Vervolg van de fouten (2/" in text


async def test_a_good_workbook_replaces_the_catalogue(world: AdminWorld) -> None:
    current = demo_catalogue()
    renamed = replace(current.items[0], name_nl="Power BI Pro (nieuw)")
    edited = replace(current, items=(renamed, *current.items[1:]))
    data = world.workbooks.write(edited)
    turn = await world.send([("Catalogus 2026.xlsx", data)], ADMIN_ID, ADMIN, text="")
    assert "Catalogus bijgewerkt" in card_text(turn.cards[0])
    stored = world.licences.catalogue.catalogue
    assert stored.items[0].name_nl == "Power BI Pro (nieuw)"
    assert stored == edited
    assert (await world.licences.desk.catalogue()) == edited  # the desk's cache follows
    [(outcome, actor, detail)] = world.actions(IMPORT)
    assert (outcome, actor, detail["problems"], detail["items"]) == (
        "ok",
        ADMIN_ID,
        "0",
        str(len(edited.items)),
    )


async def test_a_file_too_large_or_unreachable_is_explained_and_audited(
    world: AdminWorld,
) -> None:
    turn = await world.send([("groot.xlsx", b"x" * (MAX_BYTES + 1))], ADMIN_ID, ADMIN)
    assert "Het bestand is te groot" in card_text(turn.cards[0])
    world.downloads.failure = Unavailable("download.error.failed")
    turn = await world.send([("catalogus.xlsx", b"x")], ADMIN_ID, ADMIN)
    assert "Het ophalen van het bestand is mislukt" in card_text(turn.cards[0])
    assert [(o, d["reason"]) for o, _, d in world.actions(INBOX_ACTION)] == [
        ("rejected", "download.error.too_large"),
        ("rejected", "download.error.failed"),
    ]


@pytest.mark.parametrize(
    "files",
    [
        [("scan.pdf", b"%PDF")],
        [("a.xlsx", b"a"), ("b.xlsx", b"b")],
        [("a.xlsx", b"a"), ("notes.docx", b"d")],
    ],
)
async def test_an_admin_sends_exactly_one_workbook(
    world: AdminWorld, files: list[tuple[str, bytes]]
) -> None:
    turn = await world.send(files, ADMIN_ID, ADMIN)
    assert "Stuur één Excel-bestand" in card_text(turn.cards[0])
    assert world.downloads.fetched == []
    assert world.actions(INBOX_ACTION)[0][0] == "rejected"


async def test_a_workbook_that_is_no_workbook_is_a_problem_not_a_crash(world: AdminWorld) -> None:
    turn = await world.send([("catalogus.xlsx", b"this is no zip file")], ADMIN_ID, ADMIN)
    assert "Catalogus niet bijgewerkt" in card_text(turn.cards[0])
    assert world.actions(IMPORT)[0][0] == "rejected"


async def test_files_without_a_handler_fall_back_to_the_text(world: AdminWorld) -> None:
    world.dispatcher._file_handler = None
    turn = await world.send([], ADMIN_ID, ADMIN, text="catalogus")
    assert "Licentiecatalogus" in card_text(turn.cards[0])
    silent = await world.send([], ADMIN_ID, ADMIN)
    assert silent.texts == ["Ik kan enkel tekst lezen. Typ **hulp** om te zien wat ik kan."]


# --- the report ---------------------------------------------------------------------------------
async def test_an_admin_gets_a_report_link_for_any_entity_and_period(world: AdminWorld) -> None:
    turn = await world.say("rapport licenties 1/10/2026 31/10/2026 domg", ADMIN_ID, ADMIN)
    (card,) = turn.cards
    params = link_params(open_url(card), now(world))
    assert params["path"] == "/api/exports/licence-report"
    assert (params["from"], params["to"], params["entity"], params["by"]) == (
        "2026-10-01",
        "2026-10-31",
        "DOMG",
        ADMIN_ID,
    )
    text = card_text(card)
    assert "01/10/2026 – 31/10/2026" in text and "DOMG" in text


async def test_the_default_report_covers_the_last_30_days_of_every_entity(
    world: AdminWorld,
) -> None:
    turn = await world.say("licentierapport", ADMIN_ID, ADMIN)
    params = link_params(open_url(turn.cards[0]), now(world))
    assert (params["from"], params["to"]) == ("2026-10-30", "2026-11-28")
    assert "entity" not in params
    assert "alle entiteiten" in card_text(turn.cards[0])


async def test_an_entity_admin_gets_their_own_entity_only(world: AdminWorld) -> None:
    turn = await world.say("rapport licenties 2026-10-01", THOMAS, ENTITY_ADMIN)
    params = link_params(open_url(turn.cards[0]), now(world))
    assert (params["from"], params["to"], params["entity"]) == ("2026-10-01", "2026-11-28", "ADV")
    refused = await world.say("rapport licenties 2026-10-01 2026-10-31 DOMG", THOMAS, ENTITY_ADMIN)
    assert not links(refused.cards[0])
    assert "alleen het rapport van je eigen entiteit (ADV)" in card_text(refused.cards[0])
    denied = [e for e in world.audit.entries if e.action == REPORT]
    assert [(e.outcome, e.actor_id, e.detail) for e in denied] == [
        (Outcome.DENIED, THOMAS, {"asked_entity": "DOMG"})
    ]
    own = await world.say("licence report adv", THOMAS, ENTITY_ADMIN, locale="en")
    assert link_params(open_url(own.cards[0]), now(world))["entity"] == "ADV"


async def test_staff_may_not_ask_for_the_report(world: AdminWorld) -> None:
    turn = await world.say("rapport licenties", LOTTE, frozenset({Role.STAFF}))
    assert "Daarvoor heb je geen rechten" in card_text(turn.cards[0])
    assert world.actions("command.licence_report")[0][0] == "denied"


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("rapport licenties 31/10/2026 1/10/2026", "De einddatum ligt voor de begindatum"),
        ("rapport licenties 31/02/2026", 'De datum "31/02/2026" begrijp ik niet'),
        ("rapport licenties XYZ", "De entiteit XYZ staat niet in de catalogus"),
        ("rapport licenties ADV DOMG", "Dat rapport begrijp ik niet"),
    ],
)
async def test_a_report_that_cannot_be_made_is_explained(
    world: AdminWorld, text: str, answer: str
) -> None:
    turn = await world.say(text, ADMIN_ID, ADMIN)
    assert answer in card_text(turn.cards[0])
    assert not links(turn.cards[0])


async def test_an_entity_admin_without_an_entity_gets_no_report(world: AdminWorld) -> None:
    turn = await world.say("rapport licenties", "no-entity-person", ENTITY_ADMIN)
    assert "Ik kan niet bepalen bij welke entiteit je hoort" in card_text(turn.cards[0])
    assert not links(turn.cards[0])


@pytest.mark.parametrize(
    ("args", "start", "end", "entity"),
    [
        ("", date(2026, 10, 30), date(2026, 11, 28), ""),
        ("van 1/10/2026 tot 31/10/2026", date(2026, 10, 1), date(2026, 10, 31), ""),
        ("from 2026-10-01 to 2026-10-31 for ADV", date(2026, 10, 1), date(2026, 10, 31), "ADV"),
        ("1.9.2026, DFB", date(2026, 9, 1), date(2026, 11, 28), "DFB"),
        ("01-11-2026 t/m 15-11-2026", date(2026, 11, 1), date(2026, 11, 15), ""),
    ],
)
def test_report_arguments_are_read_as_people_type_them(
    args: str, start: date, end: date, entity: str
) -> None:
    assert parse_report_ask(args, date(2026, 11, 28)) == ReportAsk(start, end, entity)
