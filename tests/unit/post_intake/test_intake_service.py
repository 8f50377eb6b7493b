"""PostIntake on in-memory ports: what it asks the directory (and how rarely), and that a refused
or repeated upload stores nothing. The HTTP edge, the real store and the real directory client
are in tests/integration/post."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from bot.documents.pdf import NotPdf, PdfCheck
from bot.domain.directory import DirectoryUser
from bot.domain.errors import Unavailable
from bot.domain.post_items import (
    DestinationKind,
    DocumentType,
    IntakeMetadata,
    PostState,
    Sender,
)
from bot.services.post_intake import DIRECTORY_UNAVAILABLE, PostIntake
from tests.integration.post.files import png, tiny_pdf
from tests.unit.licences.fakes import LOTTE, MemoryCatalogueRepository, demo_catalogue
from tests.unit.post.fakes import BRUSSELS, MemoryDocuments, PostWorld, make_world
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
    again, again_created = await intake.receive(
        TENANT, replace(metadata(), subject="iets anders"), tiny_pdf(2), "scanner"
    )

    assert created and not again_created
    assert again == first
    assert len(documents.files) == 1
    assert [e.action for e in world.items.audit] == ["post.intake", "post.route"]
