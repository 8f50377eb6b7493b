"""One chat, two kinds of workbook: the inbox hands each file to the importer its sheets ask for."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from bot.composition.chat import build_dialogs
from bot.domain.access.rules import AccessPolicy
from bot.domain.platform.errors import Unavailable
from bot.excel.workbook_kind import WorkbookKind
from bot.services.access.status import AccessStatus
from bot.services.licences.catalogue_import import IMPORT
from bot.services.platform.audit import Auditor
from dialogs import command_specs
from dialogs.licences.admin import CATALOGUE_WORKBOOK
from dialogs.platform.workbooks import WorkbookInbox
from dialogs.post.rules import RULES_WORKBOOK
from tests.support.clock import FakeClock
from tests.unit.access.fakes import MemoryAccessDirectory
from tests.unit.announcements.dialog_support import announcement_dialogs
from tests.unit.fakes import MemoryAuditLog, MemoryDirectory
from tests.unit.licences.fakes import demo_catalogue, make_flow
from tests.unit.post.fakes import MAILROOM_CLERK, THOMAS
from tests.unit.post_rules_admin.test_workbook_kind import rename_sheets
from tests.unit.post_rules_admin.world import (
    ADMIN,
    ENTITY_ADMIN,
    MAILROOM,
    MAX_BYTES,
    RulesWorld,
    current_rules,
    tax_rule,
)
from tests.unit.servicedesk.fakes import ticket_world
from tests.unit.servicedesk.report_world import ReportWorld
from tests.unit.servicedesk.world import KnowledgeWorld
from tests.unit.test_dispatcher import card_text

ADMIN_ID = "admin-1"


@pytest.fixture
def world() -> RulesWorld:
    return RulesWorld()


def test_the_dialogs_name_the_kinds_the_sniff_tells() -> None:
    assert (
        WorkbookKind.POST_RULES.value,
        WorkbookKind.CATALOGUE.value,
    ) == (RULES_WORKBOOK, CATALOGUE_WORKBOOK)


async def test_an_admin_sends_either_workbook_and_each_goes_to_its_importer(
    world: RulesWorld,
) -> None:
    current = demo_catalogue()
    renamed = replace(current.items[0], name_nl="Power BI Pro (nieuw)")
    edited = replace(current, items=(renamed, *current.items[1:]))
    data = world.licence_admin.workbooks.write(edited)
    turn = await world.send([("catalogus.xlsx", data)], ADMIN_ID, ADMIN)
    assert "Catalogus bijgewerkt" in card_text(turn.cards[0])
    assert world.licence_admin.licences.catalogue.catalogue == edited
    assert world.licence_admin.actions(IMPORT)[0][0] == "ok"  # its own audit log

    rules = await world.upload([*current_rules(), tax_rule()], ADMIN_ID, ADMIN)
    assert "Regels gecontroleerd" in card_text(rules.cards[0])


async def test_an_entity_admin_sending_the_catalogue_is_refused_by_its_importer(
    world: RulesWorld,
) -> None:
    data = world.licence_admin.workbooks.write(demo_catalogue())
    turn = await world.send([("catalogus.xlsx", data)], THOMAS, ENTITY_ADMIN)
    assert "Ik kan dit bestand niet verwerken" in card_text(turn.cards[0])
    assert world.licence_admin.actions(IMPORT) == [("denied", THOMAS, {"needed_role": "admin"})]


async def test_a_workbook_of_no_known_kind_is_explained_to_an_admin(world: RulesWorld) -> None:
    odd = rename_sheets(world.workbooks.write(current_rules()), {"Regels": "Blad1"})
    turn = await world.send([("iets.xlsx", odd)], ADMIN_ID, ADMIN)
    shown = card_text(turn.cards[0])
    assert "Welk bestand is dit?" in shown
    assert "typ **regels**" in shown and "typ **catalogus**" in shown
    assert world.actions("workbook.import") == [
        ("rejected", ADMIN_ID, {"reason": "unknown_workbook"})
    ]


async def test_someone_with_one_importer_hears_from_its_reader(world: RulesWorld) -> None:
    turn = await world.send([("iets.xlsx", b"no workbook at all")], MAILROOM_CLERK, MAILROOM)
    assert "geen Excel-werkboek" in card_text(turn.cards[0])


@pytest.mark.parametrize(
    "files",
    [
        [("scan.pdf", b"%PDF")],
        [("a.xlsx", b"a"), ("b.xlsx", b"b")],
    ],
)
async def test_one_workbook_at_a_time(world: RulesWorld, files: list[tuple[str, bytes]]) -> None:
    turn = await world.send(files, MAILROOM_CLERK, MAILROOM)
    shown = card_text(turn.cards[0])
    assert "Stuur één Excel-bestand" in shown
    assert "typ **regels**" in shown
    assert "catalogus" not in shown  # the mailroom cannot send the catalogue
    assert world.downloads.fetched == []
    assert world.actions("workbook.import")[0][2]["reason"] == "not_one_workbook"


async def test_a_file_too_large_or_unreachable_is_explained(world: RulesWorld) -> None:
    turn = await world.send([("groot.xlsx", b"x" * (MAX_BYTES + 1))], MAILROOM_CLERK, MAILROOM)
    assert "Het bestand is te groot" in card_text(turn.cards[0])
    world.downloads.failure = Unavailable("download.error.failed")
    turn = await world.send([("regels.xlsx", b"x")], MAILROOM_CLERK, MAILROOM)
    assert "Het ophalen van het bestand is mislukt" in card_text(turn.cards[0])
    assert [d["reason"] for _, _, d in world.actions("workbook.import")] == [
        "download.error.too_large",
        "download.error.failed",
    ]


async def test_the_inbox_of_the_rules_alone_takes_rules(world: RulesWorld) -> None:
    inbox = WorkbookInbox([world.dialog], world.files, Auditor(world.audit, world.clock))
    world.dispatcher.receive_files(inbox.receive_files)
    turn = await world.upload([*current_rules(), tax_rule()], MAILROOM_CLERK, MAILROOM)
    assert "Regels gecontroleerd" in card_text(turn.cards[0])
    catalogue = world.licence_admin.workbooks.write(demo_catalogue())
    other = await world.send([("catalogus.xlsx", catalogue)], ADMIN_ID, ADMIN)
    assert "Het blad „Regels” ontbreekt" in card_text(other.cards[0])


async def test_the_app_wires_one_inbox_for_every_importer(world: RulesWorld) -> None:
    directory = MemoryDirectory()
    knowledge = KnowledgeWorld()
    built = build_dialogs(
        directory=directory,
        auditor=Auditor(MemoryAuditLog(), FakeClock()),
        servicedesk_url="https://desk.example",
        zone=ZoneInfo("Europe/Brussels"),
        access=AccessStatus(directory, MemoryAccessDirectory(), FakeClock(), AccessPolicy()),
        licences=make_flow().desk,
        licence_admin=world.licence_admin.dialog,
        post=world.post.desk,
        post_rules_admin=world.dialog,
        knowledge_admin=knowledge.dialog,
        tickets=ticket_world().desk,
        ticket_reports=ReportWorld().dialog,
        workbook_files=world.files,
        announcements=announcement_dialogs(),
    )
    assert [c.spec.name for c in built.registry.commands] == [s.name for s in command_specs()]
    assert {"post_rules", "post_rules_apply"} <= {s.name for s in command_specs()}
    world.dispatcher = built.dispatcher
    rules = await world.upload([*current_rules(), tax_rule()], MAILROOM_CLERK, MAILROOM)
    assert "Regels gecontroleerd" in card_text(rules.cards[0])
    catalogue = await world.send(
        [("catalogus.xlsx", world.licence_admin.workbooks.write(demo_catalogue()))],
        ADMIN_ID,
        ADMIN,
    )
    assert "Catalogus bijgewerkt" in card_text(catalogue.cards[0])
    articles = await world.send(
        [("kennisbank.xlsx", knowledge.workbooks.write(knowledge.store.knowledge))],
        ADMIN_ID,
        ADMIN,
    )
    assert "Kennisbank bijgewerkt" in card_text(articles.cards[0])
