"""The BATCH mode on real parts: the SQL store (SQLite and PostgreSQL), TeamsBatchOperations
and ConnectorDelivery against the connector emulator over HTTP, the outbox sender and the
announcement sender's rounds. Teams fans the batches out; failed entries come back through the
outbox; the figures add up and nobody gets the message twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from bot.domain.announcements.announcements import (
    Announcement,
    AnnouncementState,
    NewAnnouncement,
    Step,
    step,
)
from bot.domain.announcements.audiences import Audience, AudienceKind
from bot.domain.announcements.batches import DeliveryMode
from bot.domain.announcements.content import Content
from bot.domain.announcements.recipients import NewRecipient, recipient_dedupe_key
from bot.domain.licences.catalogue import Catalogue
from bot.domain.platform.connector_hosts import ConnectorHosts
from bot.services.announcements.parts import AnnouncementRules
from bot.services.announcements.sending import AnnouncementSender
from bot.store import Database
from bot.store.announcements.announcements import SqlAnnouncementRepository
from bot.teams.batches import TeamsBatchOperations
from devtools.connector_emulator import ConnectorEmulator
from dialogs.announcements.notices import AnnouncementNoticeCards
from tests.integration.outbox.stack import TENANT, Stack
from tests.support.connector import EmulatorFactory
from tests.unit.announcements.fakes import FakeAudienceDirectory, FakePeople

PEOPLE = 260
AUTHOR = "comms-1"


class NoEntities:
    async def catalogue(self) -> Catalogue:
        return Catalogue()


@pytest.fixture
async def emulator(connector_emulator_factory: EmulatorFactory) -> ConnectorEmulator:
    emulator = await connector_emulator_factory(tenant_rate_per_second=50)
    emulator.failed_entries_page = 2  # several pages for a batch's failures
    return emulator


@pytest.fixture
async def stack(database: Database, emulator: ConnectorEmulator) -> AsyncIterator[Stack]:
    stack = Stack(database, emulator)
    yield stack
    await stack.close()


@pytest.fixture
async def operations(emulator: ConnectorEmulator) -> AsyncIterator[TeamsBatchOperations]:
    operations = TeamsBatchOperations(
        service_url=emulator.service_url,
        connector_hosts=ConnectorHosts([urlsplit(emulator.service_url).netloc]),
        token_provider=None,
        request_timeout_seconds=10.0,
        max_connections_per_service=4,
    )
    yield operations
    await operations.close()


def sender_of(stack: Stack, operations: TeamsBatchOperations, **rules: Any) -> AnnouncementSender:
    return AnnouncementSender(
        repository=SqlAnnouncementRepository(stack.database),
        directory=FakeAudienceDirectory(),
        refs=stack.refs,
        people=FakePeople(),
        cards=AnnouncementNoticeCards(ZoneInfo("Europe/Brussels"), "nl"),
        entities=NoEntities(),
        rules=AnnouncementRules(batch_poll_seconds=0.2, **rules),
        clock=stack.clock,
        outbox=stack.repo,
        batches=operations,
        poll_seconds=0.1,
    )


async def sending(stack: Stack, people: list[str], delivery: DeliveryMode) -> Announcement:
    """An announcement to an uploaded list of these people, SENDING, its snapshot complete."""
    repository = SqlAnnouncementRepository(stack.database)
    draft = await repository.add(
        NewAnnouncement(
            tenant_id=TENANT,
            author_id=AUTHOR,
            author_name="Lotte",
            author_entity="ADV",
            dutch=Content("Vanaf maandag is MFA verplicht"),
            created_at=datetime.now(UTC),
            audience=Audience(AudienceKind.LIST, list_name="mfa.xlsx", list_size=len(people)),
            delivery=delivery,
        )
    )
    await repository.add_recipients(draft.id, [NewRecipient(p, "ADV") for p in people])
    await repository.mark_resolved(draft.id)
    submitted = step(draft, Step.SUBMIT, datetime.now(UTC))
    assert await repository.save(submitted, draft.version)
    return submitted


async def run_until_finished(
    stack: Stack, sender: AnnouncementSender, announcement_id: int, patience: float = 60.0
) -> Announcement:
    repository = SqlAnnouncementRepository(stack.database)
    stop = asyncio.Event()
    outbox = stack.sender(rate=50.0)
    tasks = [asyncio.create_task(sender.run(stop)), asyncio.create_task(outbox.run(stop))]
    try:
        async with asyncio.timeout(patience):
            while True:
                stored = await repository.get(announcement_id)
                assert stored is not None
                if stored.state is not AnnouncementState.SENDING and await stack.all_final():
                    return stored
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*tasks)


def deliveries(emulator: ConnectorEmulator, announcement_id: int) -> Counter[str]:
    """Every copy of the announcement Teams delivered, by the recipient's own key (a batch's
    copy and a single send of one person carry the same key)."""
    prefix = f"ann:{announcement_id}:"
    copies = [*emulator.batch_sends(), *emulator.sends()]
    return Counter(
        a.dedupe_key
        for a in copies
        if a.dedupe_key.startswith(prefix) and ":status:" not in a.dedupe_key
    )


async def test_batches_reach_everyone_once_and_failed_entries_go_through_the_outbox(
    stack: Stack, emulator: ConnectorEmulator, operations: TeamsBatchOperations
) -> None:
    people = await stack.known_people(PEOPLE)
    blocked, hiccup = people[:3], people[10:15]
    for person in blocked:
        emulator.block_user(person)
    for person in hiccup:
        emulator.fail_in_batch(person, status=500, code="ServiceError")
    announcement = await sending(stack, people, DeliveryMode.BATCH)

    finished = await run_until_finished(stack, sender_of(stack, operations), announcement.id)

    assert finished.state is AnnouncementState.SENT
    figures = await SqlAnnouncementRepository(stack.database).figures(announcement.id)
    assert figures.adds_up and figures.audience == PEOPLE
    assert (figures.blocked, figures.reached) == (3, PEOPLE - 3)
    copies = deliveries(emulator, announcement.id)
    reached = {recipient_dedupe_key(announcement.id, p) for p in people[3:]}
    assert set(copies) == reached
    assert max(copies.values()) == 1 and emulator.duplicates == 0
    # Teams sent nearly all of them; the outbox only those whose batch entry failed.
    single = [a for a in emulator.sends() if a.dedupe_key in reached]
    assert sorted(a.dedupe_key for a in single) == sorted(
        recipient_dedupe_key(announcement.id, p) for p in hiccup
    )
    assert len(emulator.batch_operations()) == 3  # 260 people: 100 + 100 + 60


async def test_automatic_stays_one_by_one_below_the_configured_size(
    stack: Stack, emulator: ConnectorEmulator, operations: TeamsBatchOperations
) -> None:
    people = await stack.known_people(30)
    announcement = await sending(stack, people, DeliveryMode.AUTOMATIC)

    finished = await run_until_finished(
        stack, sender_of(stack, operations, batch_from=31), announcement.id
    )

    assert finished.state is AnnouncementState.SENT
    assert emulator.batch_operations() == []
    assert len(deliveries(emulator, announcement.id)) == 30


async def test_cancelled_while_teams_sends_stops_the_operations_and_counts_the_rest(
    stack: Stack, emulator: ConnectorEmulator, operations: TeamsBatchOperations
) -> None:
    from bot.domain.announcements.recipients import Outcome

    emulator.batch_entries_per_second = 40.0  # slow enough to cancel halfway
    emulator.failed_entries_page = 25  # the unsent ones of each operation in a few pages
    people = await stack.known_people(200)
    announcement = await sending(stack, people, DeliveryMode.BATCH)
    sender = sender_of(stack, operations, batches_at_once=2)
    await sender.round()  # two operations of a hundred started
    await asyncio.sleep(0.5)
    repository = SqlAnnouncementRepository(stack.database)
    stored = await repository.get(announcement.id)
    assert stored is not None
    cancelled = step(stored, Step.CANCEL, datetime.now(UTC))
    assert await repository.save(cancelled, stored.version)

    stopped = await sender.stop_batches(cancelled)
    for _ in range(50):  # what Teams throttled (the failed entries' pages) the rounds finish
        if await repository.open_batches(announcement.id) == 0:
            break
        stopped += await sender.round()
        await asyncio.sleep(0.2)
    assert stopped == 2
    assert await repository.open_batches(announcement.id) == 0

    figures = await repository.figures(announcement.id)
    copies = deliveries(emulator, announcement.id)
    assert figures.adds_up and figures.audience == 200
    assert 0 < figures.reached == len(copies) < 200
    assert figures.not_reached == 200 - len(copies)
    recipients = await repository.recipients(announcement.id, "", 1000)
    reached = {r.user_id for r in recipients if r.outcome is Outcome.SENT}
    assert {recipient_dedupe_key(announcement.id, p) for p in reached} == set(copies)
    await asyncio.sleep(0.3)
    assert deliveries(emulator, announcement.id) == copies  # nothing more after the cancel
