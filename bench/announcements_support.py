"""What the announcement benches share: the production AnnouncementSender built as
bot/composition/announcements.py builds it, an announcement submitted with its recipient
snapshot, the conditions the sending runs until, and what is read afterwards (the connector
emulator's request log per dedupe key, database rows, this process's RSS).

The sender gets the real repository, conversation references, cards and people; the parts a
round of an uploaded-list audience never asks (the entity catalogue, and the directory unless
the audience is resolved through Graph) are stand-ins that fail loudly if asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import psutil
import sqlalchemy as sa

from bench.outbox_support import CONCURRENCY, TENANT, Condition, outbox_settled, run_sender
from bot.domain.announcements.announcements import (
    FINISHED,
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
from bot.domain.platform.delivery import sustainable_rate
from bot.domain.platform.outbox import OutboxStatus
from bot.ports.announcements import AudienceDirectory, AudienceMember, BatchOperations
from bot.ports.platform import RateBudget
from bot.services.announcements.parts import AnnouncementRules, outbox_window
from bot.services.announcements.people import AnnouncementPeople
from bot.services.announcements.sending import AnnouncementSender
from bot.services.platform.clock import SystemClock
from bot.services.platform.rate import InMemoryRateBudget
from bot.store import Database, SqlConversationRefRepository, SqlOutboxRepository, SqlRateBudget
from bot.store.announcements.announcements import SqlAnnouncementRepository
from bot.store.announcements.tables import announcement_recipients
from bot.store.platform.tables import outbox
from bot.store.platform.users import SqlUserRepository
from dialogs.announcements.notices import AnnouncementNoticeCards

ZONE = ZoneInfo("Europe/Brussels")
# The production defaults (bot/settings/announcements.py).
RULES = AnnouncementRules()
# The author follows the sending on a status card in their own chat.
AUTHOR_PREFIX = "author"
_RSS_SAMPLE_SECONDS = 0.2
_CONTENT = Content(
    title="Vanaf maandag is MFA verplicht",
    summary="Vanaf **maandag** meld je je aan met een tweede factor. Installeer vandaag nog de "
    "Microsoft Authenticator-app en volg de stappen op het intranet.",
    link_title="Lees de stappen",
    link_url="https://intranet.example.org/mfa",
)


class _NotAsked:
    """The directory and the entity catalogue of an audience that is already resolved: a round
    never asks them, and says so loudly if it does."""

    def group_members(self, group_id: str) -> Any:
        raise AssertionError("the bench audience is resolved: no directory is asked")

    async def count_members(self, group_id: str) -> int:
        raise AssertionError("not asked")

    async def find_person(self, address: str) -> AudienceMember | None:
        raise AssertionError("not asked")

    async def install_app(self, user_id: str, teams_app_id: str) -> bool:
        raise AssertionError("not asked")

    async def catalogue(self) -> Catalogue:
        raise AssertionError("not asked")

    async def entity_of(self, user_id: str) -> None:
        raise AssertionError("not asked")

    async def member_of(self, user_id: str) -> list[Any]:
        raise AssertionError("not asked")


def announcement_sender(
    database: Database,
    *,
    on_enqueued: Any,
    directory: AudienceDirectory | None = None,
    rules: AnnouncementRules = RULES,
    rate_per_second: float = 50.0,
    batches: BatchOperations | None = None,
) -> AnnouncementSender:
    """The sender as bot/composition/announcements.py builds it (on_enqueued: the outbox
    sender's wake, as platform.wake_outbox is in the app; its window as the app sizes it for
    the tenant's rate)."""
    rules = replace(rules, window=outbox_window(rules.window, rate_per_second))
    clock = SystemClock()
    not_asked = _NotAsked()
    # A sending round asks people only for the author's language (from the users table).
    people = AnnouncementPeople(
        users=SqlUserRepository(database),
        entities=not_asked,  # type: ignore[arg-type]
        directory=not_asked,  # type: ignore[arg-type]
        role_groups={},
        default_locale="nl",
    )
    return AnnouncementSender(
        repository=SqlAnnouncementRepository(database, clock=clock, reference_zone=ZONE),
        directory=directory or not_asked,
        refs=SqlConversationRefRepository(database),
        people=people,
        cards=AnnouncementNoticeCards(ZONE, "nl"),
        entities=not_asked,
        rules=rules,
        clock=clock,
        outbox=SqlOutboxRepository(database),
        batches=batches,
        on_enqueued=on_enqueued,
    )


async def submitted_announcement(
    database: Database,
    author: str,
    audience: Audience,
    recipients: Sequence[str] = (),
    delivery: DeliveryMode = DeliveryMode.AUTOMATIC,
) -> int:
    """An announcement submitted by `author` (no approval needed), SENDING now; with an
    uploaded list, the people are stored in its snapshot first (add_recipients, then
    mark_resolved, as the list upload does), so the sender starts queueing at once."""
    repository = SqlAnnouncementRepository(database, reference_zone=ZONE)
    now = datetime.now(UTC)
    draft = await repository.add(
        NewAnnouncement(
            tenant_id=TENANT,
            author_id=author,
            author_name="Bench Communicatie",
            author_entity="DOMG",
            dutch=_CONTENT,
            created_at=now,
            audience=audience,
            delivery=delivery,
        )
    )
    if recipients:
        await repository.add_recipients(draft.id, [NewRecipient(p, "DOMG") for p in recipients])
        await repository.mark_resolved(draft.id)
    submitted = step(draft, Step.SUBMIT, datetime.now(UTC))
    if not await repository.save(submitted, draft.version):
        raise RuntimeError("the bench announcement could not be submitted")
    assert submitted.state is AnnouncementState.SENDING
    return draft.id


def list_audience(count: int) -> Audience:
    return Audience(AudienceKind.LIST, list_name="bench.xlsx", list_size=count)


def announcement_done(database: Database, announcement_id: int) -> Condition:
    """True once the announcement is finished (SENT) and the outbox settled (its last status
    card delivered too). The announcement's own row is read first: one row by key, cheap
    enough to ask ten times a second without weighing on the CPU figure."""
    repository = SqlAnnouncementRepository(database, reference_zone=ZONE)
    settled = outbox_settled(database)

    async def done() -> bool:
        announcement = await repository.get(announcement_id)
        if announcement is None or announcement.state not in FINISHED:
            return False
        return await settled()

    return done


async def database_rows(database: Database) -> dict[str, int]:
    """Rows in the recipient snapshot and in the outbox (messages and status cards)."""
    async with database.connect() as connection:
        recipients = await connection.scalar(
            sa.select(sa.func.count()).select_from(announcement_recipients)
        )
        messages = await connection.scalar(sa.select(sa.func.count()).select_from(outbox))
    return {"recipients": int(recipients or 0), "outbox": int(messages or 0)}


async def outcome(database: Database, announcement_id: int) -> dict[str, Any]:
    """The announcement's state and figures as the store reads them after the run."""
    repository = SqlAnnouncementRepository(database, reference_zone=ZONE)
    announcement = await repository.get(announcement_id)
    figures = await repository.figures(announcement_id)
    counts = await SqlOutboxRepository(database).counts()
    return {
        "state": announcement.state.value if announcement else "missing",
        "figures": {
            "audience": figures.audience,
            "sent": figures.sent,
            "throttled_sent": figures.throttled_sent,
            "failed": figures.failed,
            "blocked": figures.blocked,
            "not_found": figures.not_found,
            "not_reached": figures.not_reached,
        },
        "figures_add_up": figures.adds_up,
        "reached": figures.reached,
        "outbox_statuses": {status.value: counts[status] for status in OutboxStatus},
        "rows": await database_rows(database),
    }


def deliveries(
    requests: Sequence[dict[str, Any]], announcement_id: int, people: Sequence[str]
) -> dict[str, Any]:
    """What the emulator accepted, from its request log (no activity bodies: small enough for
    tens of thousands): each recipient's message by its dedupe key (lost: never accepted;
    duplicated: accepted more than once), every accepted request for the rate (the status
    cards count against the tenant's limit too), and the 429s."""
    accepted = [r for r in requests if 200 <= r["status"] < 300 and r["path"].startswith("/v3/")]
    sends = Counter(r["dedupe_key"] for r in accepted if r["method"] == "POST" and r["dedupe_key"])
    keys = [recipient_dedupe_key(announcement_id, person) for person in people]
    # The span of the recipients' messages (the last status card follows a round later and
    # says nothing about the pace); every request accepted within it counts.
    wanted = set(keys)
    times = [r["at"] for r in accepted if r["dedupe_key"] in wanted]
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    within = sum(1 for r in accepted if times and times[0] <= r["at"] <= times[-1])
    return {
        "accepted_requests": len(accepted),
        "status_card_requests": sum(1 for r in accepted if ":status:" in r["dedupe_key"]),
        "sustained_per_second": (within - 1) / span if span > 0 else 0.0,
        "lost": sum(1 for key in keys if sends[key] == 0),
        "duplicated": sum(times - 1 for times in sends.values() if times > 1),
        "throttled_429": sum(1 for r in requests if r["status"] == 429),
        "peak_accepted_in_one_second": _peak_per_second([r["at"] for r in accepted]),
        # Accepted requests in each whole second from the first: where the pace dipped.
        "accepted_each_second": _per_second([r["at"] for r in accepted]),
    }


def _per_second(times: Sequence[float]) -> list[int]:
    if not times:
        return []
    counts = [0] * (int(times[-1] - times[0]) + 1)
    for at in times:
        counts[int(at - times[0])] += 1
    return counts


def _peak_per_second(times: Sequence[float]) -> int:
    """The most accepted requests in any sliding one-second window (as Teams counts)."""
    peak, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        peak = max(peak, last - first + 1)
    return peak


@dataclass
class RssSampler:
    """This process's resident set, sampled while a block runs: before, and the peak."""

    before: int = 0
    peak: int = 0
    _samples: list[int] = field(default_factory=list)

    @contextlib.asynccontextmanager
    async def sampling(self) -> AsyncIterator[RssSampler]:
        process = psutil.Process()
        self.before = self.peak = process.memory_info().rss
        stop = asyncio.Event()

        async def sample() -> None:
            while not stop.is_set():
                self.peak = max(self.peak, process.memory_info().rss)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), _RSS_SAMPLE_SECONDS)

        task = asyncio.create_task(sample())
        try:
            yield self
        finally:
            stop.set()
            await task
            self.peak = max(self.peak, process.memory_info().rss)


@dataclass
class Stopwatch:
    """Wall and CPU seconds of this process over a block."""

    wall: float = 0.0
    cpu: float = 0.0

    @contextlib.contextmanager
    def timing(self) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield self
        finally:
            self.wall, self.cpu = time.perf_counter() - wall, time.process_time() - cpu


async def send_announcement(
    database: Database,
    service_url: str,
    announcement_id: int,
    limit: float,
    *,
    on_postgres: bool,
    batches: BatchOperations | None = None,
) -> tuple[float, float, RssSampler]:
    """The production senders in this process until the announcement is done: (wall seconds,
    CPU seconds, the RSS sampled meanwhile). The rate budget as app.py keeps it: in memory for
    one process, in the database on PostgreSQL."""
    budget: RateBudget = (
        SqlRateBudget(database, sustainable_rate(limit))
        if on_postgres
        else InMemoryRateBudget(limit)
    )
    rss = RssSampler()
    async with rss.sampling():
        elapsed, cpu = await run_sender(
            database,
            service_url,
            budget,
            limit,
            CONCURRENCY,
            until=announcement_done(database, announcement_id),
            alongside=lambda sender: [
                announcement_sender(
                    database, on_enqueued=sender.wake, rate_per_second=limit, batches=batches
                ).run
            ],
        )
    return elapsed, cpu, rss
