"""PostIntake on in-memory ports: what it asks the directory (and how rarely), and that a refused
or repeated upload stores nothing. The HTTP edge, the real store and the real directory client
are in tests/integration/post."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.documents.pdf import NotPdf, PdfCheck
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import Unavailable
from bot.domain.post.items import (
    Destination,
    DestinationKind,
    DocumentType,
    ExternalIdTaken,
    IntakeMetadata,
    PostState,
    Sender,
)
from bot.domain.post.routing import (
    ADDRESSEE_INACTIVE_REASON,
    RULE_PERSON_INACTIVE_REASON,
    Delegation,
    RoutingRule,
)
from bot.services.post.intake import PostIntake
from bot.services.post.routing import DIRECTORY_UNAVAILABLE
from tests.integration.post.files import png, tiny_pdf
from tests.unit.licences.fakes import (
    JEF,
    LOTTE,
    NORA,
    MemoryCatalogueRepository,
    demo_catalogue,
)
from tests.unit.post.fakes import (
    BRUSSELS,
    FRIDAY,
    MAILROOM_CHANNEL,
    MemoryDocuments,
    PostWorld,
    make_world,
)
from tests.unit.post.fakes import metadata as item_metadata

TENANT = "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
MB = 1024 * 1024


class CountingDirectory:
    """The world's directory, counting searches; `failures` searches fail first."""

    def __init__(self, inner: Any, failures: int = 0) -> None:
        self.inner = inner
        self.searches: list[str] = []
        self.failures = failures

    async def find_users(self, query: str, limit: int = 10) -> list[DirectoryUser]:
        self.searches.append(query)
        await asyncio.sleep(0)  # a real look-up yields: concurrent callers overlap
        if self.failures:
            self.failures -= 1
            raise Unavailable()
        found: list[DirectoryUser] = await self.inner.find_users(query, limit)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def metadata(**changes: Any) -> IntakeMetadata:
    """A personal letter to Lotte."""
    letter = {
        "sender": Sender("Karel Claes", ""),
        "subject": "Uitnodiging",
        "document_type": DocumentType.LETTER,
    }
    return item_metadata(**{**letter, **changes})


def intake_for(world: PostWorld, directory: CountingDirectory) -> tuple[PostIntake, Any]:
    documents = MemoryDocuments()

    async def members(group_id: str) -> list[str]:
        return world.group_members.get(group_id, [])

    intake = PostIntake(
        flow=world.flow,
        documents=documents,
        check=PdfCheck(MB),
        directory=directory,
        catalogue=MemoryCatalogueRepository(demo_catalogue()),
        rules=world.rules,
        delegations=world.delegations,
        group_members=members,
        timezone=BRUSSELS,
    )
    return intake, documents


@pytest.fixture
def world() -> PostWorld:
    world = make_world()
    world.rules.rules = []  # no rule: the envelope decides
    return world


async def test_an_envelope_naming_a_person_reaches_them(world: PostWorld) -> None:
    directory = CountingDirectory(world.directory)
    intake, documents = intake_for(world, directory)

    item, created = await intake.receive(TENANT, metadata(entity=""), tiny_pdf(), "scanner")

    assert created and item.state is PostState.ROUTED
    assert item.destination.kind is DestinationKind.PERSON and item.destination.target == LOTTE
    assert item.metadata.entity == "ADV"  # from Lotte's groups, the scanner sent none
    assert len(documents.files) == 1
    assert [m.recipient_id for m in world.items.messages] == [LOTTE]


async def test_the_same_names_are_looked_up_once_also_when_items_arrive_together(
    world: PostWorld,
) -> None:
    directory = CountingDirectory(world.directory)
    intake, _ = intake_for(world, directory)

    await intake.receive(TENANT, metadata(external_id="a"), tiny_pdf(), "scanner")
    first = list(directory.searches)
    await asyncio.gather(
        *(
            intake.receive(TENANT, metadata(external_id=f"b{n}"), tiny_pdf(), "scanner")
            for n in range(5)
        )
    )

    assert first and directory.searches == first


async def test_a_failed_look_up_sends_the_item_to_triage_and_is_not_remembered(
    world: PostWorld,
) -> None:
    directory = CountingDirectory(world.directory, failures=1)
    intake, _ = intake_for(world, directory)

    failed, _ = await intake.receive(TENANT, metadata(external_id="a"), tiny_pdf(), "scanner")
    routed, _ = await intake.receive(TENANT, metadata(external_id="b"), tiny_pdf(), "scanner")

    assert failed.state is PostState.TRIAGE
    assert failed.triage_reason == DIRECTORY_UNAVAILABLE
    assert routed.state is PostState.ROUTED


async def test_a_refused_file_stores_nothing(world: PostWorld) -> None:
    intake, documents = intake_for(world, CountingDirectory(world.directory))

    with pytest.raises(NotPdf):
        await intake.receive(TENANT, metadata(), png(), "scanner")

    assert documents.files == {} and world.items.rows == {} and world.items.audit == []


async def test_a_repeated_external_id_keeps_one_item_and_one_scan(world: PostWorld) -> None:
    intake, documents = intake_for(world, CountingDirectory(world.directory))

    first, created = await intake.receive(TENANT, metadata(), tiny_pdf(), "scanner")
    again, again_created = await intake.receive(TENANT, metadata(), tiny_pdf(), "scanner")

    assert created and not again_created
    assert again == first
    assert first.metadata.scanner == "scanner"
    assert len(documents.files) == 1
    assert [e.action for e in world.items.audit] == ["post.intake", "post.route"]


# --- the same external id with something else ------------------------------------------------


@pytest.mark.parametrize(
    ("pdf", "changes", "differences"),
    [
        pytest.param(tiny_pdf(2), {}, ("file",), id="another-file"),
        pytest.param(tiny_pdf(), {"subject": "iets anders"}, ("$.subject",), id="subject"),
        pytest.param(
            tiny_pdf(3),
            {"addressee": "Jef Peeters", "pages": 7},
            ("file", "$.addressee", "$.pages"),
            id="file-and-fields",
        ),
    ],
)
async def test_the_same_external_id_with_another_upload_is_refused_and_the_stored_one_kept(
    world: PostWorld, pdf: bytes, changes: dict[str, Any], differences: tuple[str, ...]
) -> None:
    intake, documents = intake_for(world, CountingDirectory(world.directory))
    first, _ = await intake.receive(TENANT, metadata(), tiny_pdf(), "scanner")

    with pytest.raises(ExternalIdTaken) as refused:
        await intake.receive(TENANT, metadata(**changes), pdf, "scanner")

    assert refused.value.differences == differences
    assert refused.value.stored == first
    assert refused.value.params == {"external_id": "scan-0001", "reference": first.reference}
    assert list(world.items.rows.values()) == [first]
    assert len(documents.files) == 1  # the refused scan was not kept
    assert [e.action for e in world.items.audit] == ["post.intake", "post.route"]


async def test_what_the_intake_filled_in_is_no_difference(world: PostWorld) -> None:
    # The scanner sent no entity and no page count: the intake took Lotte's entity and the
    # PDF's pages. The same upload again is a repeat, not another item.
    intake, _ = intake_for(world, CountingDirectory(world.directory))
    sent = metadata(entity="", pages=0)
    first, _ = await intake.receive(TENANT, sent, tiny_pdf(2), "scanner")

    again, created = await intake.receive(TENANT, sent, tiny_pdf(2), "scanner")

    assert first.metadata.entity == "ADV" and first.metadata.pages == 2
    assert not created and again == first


async def test_two_scanners_may_number_their_scans_alike(world: PostWorld) -> None:
    intake, documents = intake_for(world, CountingDirectory(world.directory))

    first, first_created = await intake.receive(TENANT, metadata(), tiny_pdf(), "scanner")
    other, other_created = await intake.receive(TENANT, metadata(), tiny_pdf(2), "import")

    assert first_created and other_created
    assert first.id != other.id
    assert (first.metadata.scanner, other.metadata.scanner) == ("scanner", "import")
    assert len(documents.files) == 2


# --- post for someone who left -----------------------------------------------------------------


def leave(world: PostWorld, user_id: str) -> None:
    world.directory.users[user_id] = replace(world.directory.users[user_id], account_enabled=False)


async def delegate(world: PostWorld, user_id: str, delegate_id: str) -> None:
    today = FRIDAY.astimezone(BRUSSELS).date()
    await world.delegations.add(
        Delegation(
            user_id,
            delegate_id,
            today - timedelta(days=30),
            today + timedelta(days=30),
            "x",
            FRIDAY,
        )
    )


async def test_post_for_someone_who_left_goes_to_their_delegate(world: PostWorld) -> None:
    leave(world, LOTTE)
    await delegate(world, LOTTE, JEF)
    intake, _ = intake_for(world, CountingDirectory(world.directory))

    item, _ = await intake.receive(TENANT, metadata(), tiny_pdf(), "scanner")

    assert item.state is PostState.ROUTED
    assert item.destination == Destination(DestinationKind.PERSON, JEF)
    assert item.delegated_from == LOTTE and item.addressee_id == LOTTE
    assert [m.recipient_id for m in world.items.messages] == [JEF]


async def test_post_for_someone_who_left_without_a_delegate_waits_in_triage(
    world: PostWorld,
) -> None:
    leave(world, LOTTE)
    intake, _ = intake_for(world, CountingDirectory(world.directory))

    item, _ = await intake.receive(TENANT, metadata(), tiny_pdf(), "scanner")

    assert item.state is PostState.TRIAGE
    assert item.triage_reason == ADDRESSEE_INACTIVE_REASON
    assert item.addressee_id == LOTTE  # the mailroom sees whom it was for
    assert [m.conversation_id for m in world.items.messages] == [MAILROOM_CHANNEL]
    assert not any(m.recipient_id == LOTTE for m in world.items.messages)


async def test_a_delegate_who_left_counts_as_no_delegate(world: PostWorld) -> None:
    leave(world, LOTTE)
    leave(world, JEF)
    await delegate(world, LOTTE, JEF)
    intake, _ = intake_for(world, CountingDirectory(world.directory))

    item, _ = await intake.receive(TENANT, metadata(), tiny_pdf(), "scanner")

    assert item.state is PostState.TRIAGE
    assert item.triage_reason == ADDRESSEE_INACTIVE_REASON


async def test_an_active_person_whose_delegate_left_keeps_their_post(world: PostWorld) -> None:
    leave(world, JEF)
    await delegate(world, LOTTE, JEF)
    intake, _ = intake_for(world, CountingDirectory(world.directory))

    item, _ = await intake.receive(TENANT, metadata(), tiny_pdf(), "scanner")

    assert item.destination == Destination(DestinationKind.PERSON, LOTTE)
    assert item.delegated_from == ""


@pytest.mark.parametrize("gone", ["disabled", "deleted"])
async def test_a_rule_sending_to_someone_who_left_sends_to_triage_instead(
    world: PostWorld, gone: str
) -> None:
    if gone == "disabled":
        leave(world, NORA)
    else:
        del world.directory.users[NORA]
    world.rules.rules = [RoutingRule("R-007", 1, Destination(DestinationKind.PERSON, NORA))]
    intake, _ = intake_for(world, CountingDirectory(world.directory))

    item, _ = await intake.receive(TENANT, metadata(), tiny_pdf(), "scanner")

    assert item.state is PostState.TRIAGE
    assert item.triage_reason == RULE_PERSON_INACTIVE_REASON
    assert item.rule_id == "R-007"


async def test_when_the_directory_cannot_say_a_rule_is_followed(world: PostWorld) -> None:
    world.rules.rules = [RoutingRule("R-007", 1, Destination(DestinationKind.PERSON, NORA))]
    directory = CountingDirectory(world.directory)
    intake, _ = intake_for(world, directory)
    world.directory.failure = Unavailable()  # get_user and member_of fail; the search works

    item, _ = await intake.receive(TENANT, metadata(), tiny_pdf(), "scanner")

    assert item.destination == Destination(DestinationKind.PERSON, NORA)


async def test_an_addressee_found_enabled_is_not_looked_up_again(world: PostWorld) -> None:
    world.directory.users[LOTTE] = replace(world.directory.users[LOTTE], account_enabled=True)
    intake, _ = intake_for(world, CountingDirectory(world.directory))

    item, _ = await intake.receive(TENANT, metadata(), tiny_pdf(), "scanner")

    assert item.destination == Destination(DestinationKind.PERSON, LOTTE)
    assert f"user:{LOTTE}" not in world.directory.calls
