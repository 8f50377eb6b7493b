"""The sender against the real stores (SQLite and PostgreSQL): an announcement to 2,000 people
goes through rounds while the outbox's verdicts are simulated on the real outbox (claimed and
finished, some throttled first); everyone is queued exactly once, the window holds, the figures
add up and the announcement ends SENT. Two senders (two replicas, each with its own connection
pool) running rounds at once never queue a person twice."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from bot.domain.announcements.announcements import (
    Announcement,
    AnnouncementState,
    NewAnnouncement,
    Step,
    step,
)
from bot.domain.announcements.audiences import Audience, AudienceKind
from bot.domain.announcements.content import Content
from bot.domain.announcements.recipients import NewRecipient, Progress
from bot.domain.licences.catalogue import Catalogue
from bot.domain.platform.outbox import OutboxStatus
from bot.ports.announcements import AudienceMember, MessagesFor
from bot.ports.platform import FinalVerdict
from bot.services.announcements.parts import AnnouncementRules
from bot.services.announcements.sending import AnnouncementSender
from bot.store import Database, SqlAuditLog, SqlConversationRefRepository, SqlOutboxRepository
from bot.store.announcements.announcements import SqlAnnouncementRepository
from tests.support.clock import FakeClock
from tests.unit.announcements.fakes import FakeAudienceDirectory, FakeCards, FakePeople

PEOPLE = 2000
WINDOW = 300
LEASE = 60.0
AUTHOR = "comms-1"


class NoEntities:
    async def catalogue(self) -> Catalogue:
        return Catalogue()


class StoredCards(FakeCards):
    """The fake cards, with a status card the outbox can store (JSON: figures as numbers)."""

    def status(self, announcement: Announcement, progress: Progress, locale: str) -> dict[str, Any]:
        card = super().status(announcement, progress, locale)
        return {**card, "figures": asdict(progress.figures)}


class Recording:
    """The real repository, noting every recipient it hands to the sender's messages."""

    def __init__(self, store: SqlAnnouncementRepository, taken: list[str]) -> None:
        self._store = store
        self._taken = taken

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def queue_next(
        self, announcement_id: int, limit: int, messages: MessagesFor, now: Any
    ) -> int:
        def recorded(a: Announcement, batch: Sequence[NewRecipient]) -> Any:
            self._taken.extend(recipient.user_id for recipient in batch)
            return messages(a, batch)

        return await self._store.queue_next(announcement_id, limit, recorded, now)


def directory() -> FakeAudienceDirectory:
    graph = FakeAudienceDirectory(page_size=999)
    graph.add_group("g-all", *(AudienceMember(f"user-{n:05d}") for n in range(PEOPLE)))
    return graph


def sender_on(
    database: Database, clock: FakeClock, taken: list[str], graph: FakeAudienceDirectory
) -> AnnouncementSender:
    return AnnouncementSender(
        repository=Recording(SqlAnnouncementRepository(database), taken),
        directory=graph,
        refs=SqlConversationRefRepository(database),
        people=FakePeople(),
        cards=StoredCards(),
        entities=NoEntities(),
        rules=AnnouncementRules(window=WINDOW, status_seconds=5.0),
        clock=clock,
        outbox=SqlOutboxRepository(database),
    )


async def sending(store: SqlAnnouncementRepository, clock: FakeClock) -> Announcement:
    draft = await store.add(
        NewAnnouncement(
            tenant_id="t1",
            author_id=AUTHOR,
            author_name="Comms",
            author_entity="DOMG",
            dutch=Content(title="Vanaf maandag is MFA verplicht"),
            audience=Audience(AudienceKind.GROUPS, groups=("g-all",)),
            created_at=clock.now(),
        )
    )
    moved = step(draft, Step.SUBMIT, clock.now())
    assert await store.save(moved, draft.version)
    return moved


async def verdicts(outbox: SqlOutboxRepository, clock: FakeClock, round_number: int) -> None:
    """What the outbox sender would decide on everything due: most are sent, every 50th person
    blocked, every 70th gone, and in odd rounds every 7th is throttled once (back to pending)."""
    now = clock.now()
    claimed = await outbox.claim(10_000, now, LEASE)
    final: list[FinalVerdict] = []
    for message in claimed:
        number = (
            int(message.recipient_id.rsplit("-", 1)[1]) if "user-" in message.recipient_id else 1
        )
        if message.attempts == 1 and round_number % 2 and number % 7 == 0:
            await outbox.retry_later(message.id, now, "429")
        elif number % 50 == 0 and message.recipient_id.startswith("user-"):
            final.append(FinalVerdict(message.id, OutboxStatus.UNREACHABLE, "403"))
        elif number % 70 == 0 and message.recipient_id.startswith("user-"):
            final.append(FinalVerdict(message.id, OutboxStatus.GONE, "404"))
        else:
            final.append(FinalVerdict(message.id, OutboxStatus.SENT, activity_id=str(message.id)))
    await outbox.finish_many(final, now)


async def run_until_sent(
    senders: Sequence[AnnouncementSender],
    store: SqlAnnouncementRepository,
    outbox: SqlOutboxRepository,
    clock: FakeClock,
    announcement_id: int,
) -> int:
    for number in range(1, 200):
        await asyncio.gather(*(sender.round() for sender in senders))
        assert await store.in_flight(announcement_id) <= WINDOW * len(senders)
        stored = await store.get(announcement_id)
        assert stored is not None
        if stored.state is AnnouncementState.SENT:
            return number
        await verdicts(outbox, clock, number)
        clock.advance(seconds=2)
    raise AssertionError("the announcement never finished")


def expected_fates() -> tuple[int, int, int]:
    """(blocked, gone, reached) as `verdicts` decides them (a throttled one is decided on its
    next attempt like any other)."""
    blocked = sum(1 for n in range(PEOPLE) if n % 50 == 0)
    gone = sum(1 for n in range(PEOPLE) if n % 50 != 0 and n % 70 == 0)
    return blocked, gone, PEOPLE - blocked - gone


async def test_an_announcement_to_2000_people_goes_out_once_each_and_ends_sent(
    database: Database,
) -> None:
    clock = FakeClock()
    taken: list[str] = []
    store = SqlAnnouncementRepository(database)
    outbox = SqlOutboxRepository(database)
    sender = sender_on(database, clock, taken, directory())
    announcement = await sending(store, clock)

    rounds = await run_until_sent([sender], store, outbox, clock, announcement.id)

    assert len(taken) == len(set(taken)) == PEOPLE  # everyone queued exactly once
    assert rounds > PEOPLE // WINDOW  # window by window
    figures = await store.figures(announcement.id)
    blocked, gone, reached = expected_fates()
    assert figures.audience == PEOPLE and figures.adds_up and figures.not_reached == 0
    assert (figures.blocked, figures.not_found, figures.reached) == (blocked, gone, reached)
    assert figures.throttled_sent > 0  # the ones sent after a 429
    finished = await store.get(announcement.id)
    assert finished is not None and finished.finished_at is not None
    last = await outbox.by_dedupe_key(f"ann:{announcement.id}:status:end")
    assert last is not None and last.recipient_id == AUTHOR
    assert last.replaces == f"ann:{announcement.id}:status:0"
    audit = await SqlAuditLog(database).recent(action="announcements.finish")
    assert [entry.object_id for entry in audit] == [announcement.reference]


async def test_two_senders_running_rounds_at_once_never_queue_a_person_twice(
    database: Database,
) -> None:
    clock = FakeClock()
    taken: list[str] = []
    replicas = [Database(database.url), Database(database.url)]
    try:
        graph = directory()
        senders = [sender_on(replica, clock, taken, graph) for replica in replicas]
        store = SqlAnnouncementRepository(replicas[0])
        outbox = SqlOutboxRepository(replicas[1])
        announcement = await sending(store, clock)

        await run_until_sent(senders, store, outbox, clock, announcement.id)

        assert len(taken) == len(set(taken)) == PEOPLE
        figures = await store.figures(announcement.id)
        assert figures.audience == PEOPLE and figures.adds_up and figures.not_reached == 0
        started = await SqlAuditLog(replicas[0]).recent(action="announcements.finish")
        assert len(started) == 1  # one of the two finished it, the other found it done
        # All that is left to send is the author's status card.
        left = await outbox.claim(10_000, clock.now(), LEASE)
        assert left and all(":status:" in message.dedupe_key for message in left)
    finally:
        for replica in replicas:
            await replica.dispose()


async def test_a_restarted_sender_goes_on_where_the_last_one_stopped(database: Database) -> None:
    clock = FakeClock()
    taken: list[str] = []
    store = SqlAnnouncementRepository(database)
    outbox = SqlOutboxRepository(database)
    announcement = await sending(store, clock)
    first = sender_on(database, clock, taken, directory())
    await first.round()  # resolved
    await first.round()  # the first window queued; then the process dies

    second = sender_on(database, clock, taken, directory())
    clock.advance(seconds=1)
    await run_until_sent([second], store, outbox, clock, announcement.id)

    assert len(taken) == len(set(taken)) == PEOPLE
    assert (await store.figures(announcement.id)).audience == PEOPLE
    assert await store.unqueued(announcement.id) == 0
