"""A list of people sent in the chat for a draft whose audience is a list: read with the real
reader (bot/excel), each row checked, the people kept, every refused row told; any other file,
or a file from someone without such a draft, goes on to the next handler."""

from __future__ import annotations

from bot.domain.announcements.audiences import Audience, AudienceKind
from bot.ports.announcements import AudienceMember
from bot.services.platform.workbooks import WorkbookFiles
from bot.turn import IncomingFile
from devtools.card_inspection import card_text
from dialogs.announcements.lists import AnnouncementListDialog
from tests.support.chat import FakeTurn
from tests.unit.announcements.authoring_support import BERT, World, entities, form
from tests.unit.announcements.fakes import FakeFileDownloads

URL = "https://contoso.sharepoint.com/leiding.csv"
CSV = b"e-mail\nu-domg-1@vlaanderen.be\nnobody@vlaanderen.be\njan\n"


def _dialog(world: World, files: dict[str, bytes]) -> AnnouncementListDialog:
    from bot.composition.announcements import describe_list_problem, read_list

    downloads = FakeFileDownloads(files)
    return AnnouncementListDialog(
        world.authoring(),
        world.lists(),
        WorkbookFiles(downloads, lambda data: "", 1_000_000),
        read_list,
        describe_list_problem,
    )


def _turn(*files: IncomingFile, who=BERT) -> FakeTurn:  # type: ignore[no-untyped-def]
    return FakeTurn(user_id=who.user_id, tenant_id=who.tenant_id, roles=who.roles, files=files)


async def _people(world: World) -> None:
    world.directory.add_person(AudienceMember("u-domg-1", "u-domg-1@vlaanderen.be", "", True))
    world.people.entities["u-domg-1"] = "DOMG"


async def test_a_list_for_a_waiting_draft_is_kept_and_its_bad_rows_told() -> None:
    world = World()
    await _people(world)
    draft = await world.draft(BERT, form(Audience(AudienceKind.LIST)))
    passed_on: list[str] = []

    async def otherwise(turn: object, text: str) -> None:
        passed_on.append(text)

    turn = _turn(IncomingFile("leiding.csv", URL, "csv"))
    await _dialog(world, {URL: CSV}).receiving(otherwise)(turn, "")
    shown = card_text(turn.cards[0])
    assert "1 persoon staat nu op de lijst" in shown
    assert "niemand gevonden met het adres nobody" in shown
    assert "'jan' is geen e-mailadres" in shown
    assert not passed_on
    stored = await world.repository.get(draft.id)
    assert stored is not None and stored.audience is not None
    assert (stored.audience.kind, stored.audience.list_size) == (AudienceKind.LIST, 1)


async def test_without_a_draft_waiting_for_a_list_the_file_goes_on() -> None:
    world = World()
    await world.draft(BERT, form(entities("DOMG")))
    passed_on: list[str] = []

    async def otherwise(turn: object, text: str) -> None:
        passed_on.append(text)

    turn = _turn(IncomingFile("regels.xlsx", URL, "xlsx"))
    await _dialog(world, {URL: CSV}).receiving(otherwise)(turn, "hier")
    assert passed_on == ["hier"] and not turn.cards


async def test_two_files_for_a_waiting_draft_are_asked_again_as_one() -> None:
    world = World()
    await world.draft(BERT, form(Audience(AudienceKind.LIST)))
    turn = _turn(IncomingFile("a.csv", URL, "csv"), IncomingFile("b.csv", URL, "csv"))
    await _dialog(world, {URL: CSV}).receiving(None)(turn, "")
    assert "Stuur één lijst" in card_text(turn.cards[0])
