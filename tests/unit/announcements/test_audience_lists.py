"""An uploaded list of people: every row checked (unknown, disabled, outside the author's scope),
the people that may be reached kept as the draft's recipients, and nothing kept otherwise."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.announcements.announcements import AnnouncementState
from bot.domain.announcements.audiences import MAX_LIST, Audience, AudienceKind
from bot.domain.announcements.recipient_lists import (
    ListProblem,
    ListProblemKind,
    RecipientListResult,
)
from bot.domain.platform.errors import DomainError, NotFound, Unavailable
from bot.ports.announcements import AudienceMember
from bot.services.announcements.audience_lists import LOOKUPS_AT_ONCE, PersonProblem
from bot.services.announcements.checks import AnnouncementProblems
from bot.services.announcements.parts import RecipientListReader
from tests.unit.announcements.authoring_support import ANN, BERT, CARL, EVA, World, entities, form

DATA = b"the file's bytes"


def reader(*addresses: str, problems: tuple[ListProblem, ...] = ()) -> RecipientListReader:
    """A reader that found these addresses on rows 2, 3, ... and these problems."""
    result = RecipientListResult(
        addresses=addresses,
        rows=tuple(range(2, 2 + len(addresses))),
        problems=problems,
    )
    read: list[tuple[bytes, str]] = []

    def read_list(data: bytes, filename: str) -> RecipientListResult:
        read.append((data, filename))
        return result

    return read_list


def people(world: World) -> None:
    """Bert's entity is DOMG; his scope reaches DOMG people only (and lists)."""
    for user, entity, enabled in [
        ("u-domg-1", "DOMG", True),
        ("u-domg-2", "DOMG", True),
        ("u-off", "DOMG", False),
        ("u-awv", "AWV", True),
        ("u-none", "", True),
    ]:
        world.directory.add_person(
            AudienceMember(user, f"{user}@vlaanderen.be", f"{user}.mail@vlaanderen.be", enabled)
        )
        world.people.entities[user] = entity


async def test_the_people_that_may_be_reached_are_kept_and_every_problem_said() -> None:
    world = World()
    people(world)
    draft = await world.draft(BERT, form(entities("DOMG")))
    bad_row = ListProblem(5, ListProblemKind.NOT_AN_ADDRESS, "geen adres")
    outcome = await world.lists().upload(
        BERT,
        draft.id,
        DATA,
        "C:\\Users\\bert\\leiding.xlsx",
        reader(
            "u-domg-1@vlaanderen.be",
            "nobody@vlaanderen.be",
            "u-off@vlaanderen.be",
            "u-awv@vlaanderen.be",
            "u-none@vlaanderen.be",
            "u-domg-2.mail@vlaanderen.be",
            problems=(bad_row,),
        ),
    )
    assert outcome.stored and outcome.accepted == 2
    assert outcome.list_problems == (bad_row,)
    assert [(p.row, p.address, p.problem) for p in outcome.person_problems] == [
        (3, "nobody@vlaanderen.be", PersonProblem.UNKNOWN),
        (4, "u-off@vlaanderen.be", PersonProblem.DISABLED),
        (5, "u-awv@vlaanderen.be", PersonProblem.OUTSIDE_SCOPE),
        (6, "u-none@vlaanderen.be", PersonProblem.OUTSIDE_SCOPE),
    ]
    assert PersonProblem.OUTSIDE_SCOPE.message_key == "announcements.error.list_outside_scope"
    snapshot = world.repository.snapshot_of(draft.id)
    assert [(p.user_id, p.entity) for p in snapshot] == [("u-domg-1", "DOMG"), ("u-domg-2", "DOMG")]
    saved = world.repository.rows[draft.id]
    assert outcome.announcement == saved
    assert saved.audience == Audience(AudienceKind.LIST, list_name="leiding.xlsx", list_size=2)
    assert saved.version == 2
    line = world.repository.audit[-1]
    assert (line.action, line.detail) == ("announcements.list", {"accepted": "2", "refused": "4"})
    assert "vlaanderen.be" not in str(line)


async def test_a_list_is_what_is_submitted() -> None:
    world = World()
    people(world)
    draft = await world.draft(BERT, form(entities("DOMG")))
    await world.lists().upload(BERT, draft.id, DATA, "a.csv", reader("u-domg-1@vlaanderen.be"))
    sent = await world.authoring().submit(BERT, draft.id, 2)
    assert sent.state is AnnouncementState.SENDING
    assert [p.user_id for p in world.repository.snapshot_of(draft.id)] == ["u-domg-1"]


async def test_a_new_list_replaces_the_old_one() -> None:
    world = World()
    people(world)
    draft = await world.draft(BERT, form(entities("DOMG")))
    await world.lists().upload(BERT, draft.id, DATA, "a.csv", reader("u-domg-1@vlaanderen.be"))
    await world.lists().upload(BERT, draft.id, DATA, "b.csv", reader("u-domg-2@vlaanderen.be"))
    assert [p.user_id for p in world.repository.snapshot_of(draft.id)] == ["u-domg-2"]
    assert world.repository.rows[draft.id].audience.list_name == "b.csv"  # type: ignore[union-attr]


async def test_a_person_on_two_rows_is_kept_once() -> None:
    world = World()
    people(world)
    draft = await world.draft(BERT, form(entities("DOMG")))
    outcome = await world.lists().upload(
        BERT,
        draft.id,
        DATA,
        "a.csv",
        reader("u-domg-1@vlaanderen.be", "u-domg-1.mail@vlaanderen.be"),
    )
    assert outcome.accepted == 1 and outcome.person_problems == ()
    assert len(world.repository.snapshot_of(draft.id)) == 1


async def test_nothing_is_kept_when_nobody_may_be_reached() -> None:
    world = World()
    people(world)
    draft = await world.draft(BERT, form(entities("DOMG")))
    outcome = await world.lists().upload(
        BERT, draft.id, DATA, "a.csv", reader("u-awv@vlaanderen.be", "x@vlaanderen.be")
    )
    assert not outcome.stored and outcome.accepted == 0 and len(outcome.person_problems) == 2
    assert world.repository.rows[draft.id] == draft
    assert world.repository.snapshot_of(draft.id) == []
    assert world.repository.actions() == ["announcements.create"]


async def test_a_refused_file_is_not_looked_up() -> None:
    world = World()
    draft = await world.draft(BERT, form(entities("DOMG")))
    problem = ListProblem(None, ListProblemKind.NOT_A_LIST)
    outcome = await world.lists().upload(BERT, draft.id, DATA, "x.pdf", reader(problems=(problem,)))
    assert not outcome.stored and outcome.list_problems == (problem,)
    assert world.directory.lookups == []


async def test_a_list_longer_than_the_limit_is_refused_before_any_lookup() -> None:
    world = World()
    draft = await world.draft(BERT, form(entities("DOMG")))
    many = tuple(f"p{n}@vlaanderen.be" for n in range(MAX_LIST + 1))
    with pytest.raises(DomainError) as refused:
        await world.lists().upload(BERT, draft.id, DATA, "big.csv", reader(*many))
    assert refused.value.message_key == "announcements.error.list_too_long"
    assert world.directory.lookups == []


async def test_lookups_run_a_bounded_number_at_a_time() -> None:
    world = World()
    addresses = [f"p{n}@vlaanderen.be" for n in range(100)]
    for n, address in enumerate(addresses):
        world.directory.add_person(AudienceMember(f"p{n}", address))
        world.people.entities[f"p{n}"] = "DOMG"
    draft = await world.draft(BERT, form(entities("DOMG")))
    outcome = await world.lists().upload(BERT, draft.id, DATA, "a.csv", reader(*addresses))
    assert outcome.accepted == 100
    assert 1 < world.directory.most_at_once <= LOOKUPS_AT_ONCE


async def test_only_people_allowed_lists_may_upload_one() -> None:
    world = World()
    people(world)
    draft = await world.draft(ANN)
    with pytest.raises(AnnouncementProblems) as refused:
        await world.lists().upload(ANN, draft.id, DATA, "a.csv", reader("u-awv@vlaanderen.be"))
    assert refused.value.message_keys == ("announcements.audience.lists_not_allowed",)
    assert world.directory.lookups == []


async def test_an_admin_reaches_anyone_on_a_list() -> None:
    world = World()
    people(world)
    draft = await world.draft(EVA, form(entities("ADV")))
    outcome = await world.lists().upload(
        EVA, draft.id, DATA, "a.csv", reader("u-awv@vlaanderen.be", "u-none@vlaanderen.be")
    )
    assert outcome.accepted == 2 and outcome.person_problems == ()


async def test_someone_elses_draft_or_a_submitted_one_takes_no_list() -> None:
    world = World()
    people(world)
    draft = await world.draft(BERT, form(entities("DOMG")))
    with pytest.raises(NotFound):
        await world.lists().upload(CARL, draft.id, DATA, "a.csv", reader("u-domg-1@vlaanderen.be"))
    world.repository.put(replace(draft, state=AnnouncementState.SENDING))
    with pytest.raises(DomainError) as refused:
        await world.lists().upload(BERT, draft.id, DATA, "a.csv", reader("u-domg-1@vlaanderen.be"))
    assert refused.value.message_key == "announcements.error.not_editable"


async def test_a_save_in_between_is_read_again() -> None:
    world = World()
    people(world)
    draft = await world.draft(BERT, form(entities("DOMG")))
    world.repository.races.add(draft.id)
    outcome = await world.lists().upload(
        BERT, draft.id, DATA, "a.csv", reader("u-domg-1@vlaanderen.be")
    )
    assert outcome.stored and world.repository.rows[draft.id].version == 3


async def test_a_directory_failure_keeps_nothing() -> None:
    world = World()
    people(world)
    draft = await world.draft(BERT, form(entities("DOMG")))
    world.directory.failure = Unavailable()
    with pytest.raises(Unavailable):
        await world.lists().upload(BERT, draft.id, DATA, "a.csv", reader("u-domg-1@vlaanderen.be"))
    assert world.repository.rows[draft.id] == draft
    assert world.repository.snapshot_of(draft.id) == []
