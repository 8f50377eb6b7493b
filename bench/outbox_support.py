"""What the outbox benches share: the connector emulator (as its own process), a fresh store,
seeding people (their chats and references) and messages, and running the production sender
until the outbox is drained or until a condition holds (bench/announcements.py: the
announcement sender tops the outbox up in windows, so an empty outbox is not the end)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bench.common import REPO_ROOT, child_env, stop_process
from bot.domain.platform.connector_hosts import ConnectorHosts
from bot.domain.platform.conversations import ConversationRef
from bot.domain.platform.outbox import FINAL_STATUSES, NewOutboxMessage, OutboxStatus
from bot.ports.platform import RateBudget
from bot.services.platform.clock import SystemClock
from bot.services.platform.outbox import OutboxSender, ResultCallback
from bot.services.platform.outbox_notifier import OutboxNotifier
from bot.store import Database, SqlConversationRefRepository, SqlOutboxRepository
from bot.store.platform.tables import conversation_refs
from bot.store.provisioning import create_database, drop_database
from bot.teams.delivery import ConnectorDelivery
from devtools.connector_emulator import DEDUPE_KEY_FIELD, ConnectorEmulator
from devtools.replicas import ConnectorControl

TENANT = "bench-tenant"
BOT_ID = "28:werkplek-bench"
# The production defaults (bot/settings/connector.py).
CONCURRENCY = 64
LEASE_SECONDS = 60.0
MAX_ATTEMPTS = 8
_POLL_SECONDS = 0.1
# References stored per INSERT while seeding.
_SEED_CHUNK = 1000

# A background loop run next to the sender (`run(stop)`), and a condition it runs until.
Loop = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
Condition = Callable[[], Coroutine[Any, Any, bool]]


async def seed_people(
    database: Database, control: ConnectorControl, count: int, *, prefix: str = "person"
) -> list[str]:
    """People who installed the app: their 1:1 chat known to Teams (the emulator) and its
    reference stored, as the bot stores it when someone first writes. Their user ids."""
    people = [f"{prefix}-{index:05d}" for index in range(count)]
    conversations = [f"a:1bench{prefix}{index:05d}" for index in range(count)]
    await control.add_conversations(dict(zip(people, conversations, strict=True)), TENANT)
    await save_references(
        database,
        [
            ConversationRef(person, TENANT, control.service_url, conversation, BOT_ID)
            for person, conversation in zip(people, conversations, strict=True)
        ],
    )
    return people


async def save_references(database: Database, refs: Sequence[ConversationRef]) -> None:
    """Store conversation references a thousand per statement: the set-up of tens of thousands
    of people, not a figure (SqlConversationRefRepository.save stores one per transaction)."""
    now = datetime.now(UTC)
    rows = [
        {
            "tenant_id": ref.tenant_id,
            "user_id": ref.user_id,
            "service_url": ref.service_url,
            "conversation_id": ref.conversation_id,
            "bot_id": ref.bot_id,
            "channel_id": ref.channel_id,
            "locale": ref.locale,
            "updated_at": now,
        }
        for ref in refs
    ]
    for start in range(0, len(rows), _SEED_CHUNK):
        async with database.transaction() as connection:
            await connection.execute(conversation_refs.insert(), rows[start : start + _SEED_CHUNK])


async def queue_messages(database: Database, people: Sequence[str]) -> list[str]:
    """One queued message for each person (as a notice would be); their dedupe keys."""
    notifier = OutboxNotifier(SqlOutboxRepository(database), SystemClock())
    activity = {"type": "message", "text": "Nieuwe aankondiging", "summary": "Aankondiging"}
    queued = [NewOutboxMessage(TENANT, f"bench:{p}", activity, recipient_id=p) for p in people]
    await notifier.enqueue_many(queued)
    return [message.dedupe_key for message in queued]


async def seed(database: Database, control: ConnectorControl, count: int) -> list[str]:
    """People who installed the app (stored reference, conversation known to Teams), and one
    queued message for each."""
    return await queue_messages(database, await seed_people(database, control, count))


def outbox_settled(database: Database) -> Condition:
    """True once every outbox message has a final status (what a plain drain waits for)."""
    repo = SqlOutboxRepository(database)

    async def settled() -> bool:
        counts = await repo.counts()
        return all(counts[s] == 0 for s in OutboxStatus if s not in FINAL_STATUSES)

    return settled


async def drain(
    database: Database,
    service_url: str,
    budget: RateBudget,
    limit: float,
    concurrency: int,
    lease_seconds: float = LEASE_SECONDS,
) -> tuple[float, float]:
    """Run a sender until every message has a final status; (wall seconds, CPU seconds)."""
    return await run_sender(database, service_url, budget, limit, concurrency, lease_seconds)


async def run_sender(
    database: Database,
    service_url: str,
    budget: RateBudget,
    limit: float,
    concurrency: int,
    lease_seconds: float = LEASE_SECONDS,
    *,
    until: Condition | None = None,
    alongside: Callable[[OutboxSender], Sequence[Loop]] = lambda _sender: (),
    on_result: ResultCallback | None = None,
) -> tuple[float, float]:
    """Run the production sender (and the loops `alongside` builds for it: an announcement
    sender woken through `sender.wake`) until `until()` holds, by default until the outbox is
    settled; (wall seconds, CPU seconds of this process). `until` is asked every 0.1 s: a
    producer that tops the outbox up in windows leaves it empty now and then."""
    repo = SqlOutboxRepository(database)
    clock = SystemClock()
    delivery = ConnectorDelivery(
        conversations=SqlConversationRefRepository(database),
        bot_app_id=BOT_ID,
        default_service_url=service_url,
        # The connector emulator stands in for the Teams service: its host and port only.
        connector_hosts=ConnectorHosts([urlsplit(service_url).netloc]),
        find_message=repo.by_dedupe_key,  # as in app.py: what an edit (a status card) needs
        clock=clock,
    )
    sender = OutboxSender(
        repo,
        budget,
        delivery,
        clock,
        rate_per_second=limit,
        tenant_limit=int(limit),
        concurrency=concurrency,
        lease_seconds=lease_seconds,
        max_attempts=MAX_ATTEMPTS,
        on_result=on_result,
    )
    done = until or outbox_settled(database)
    stop = asyncio.Event()
    started, cpu_started = time.perf_counter(), time.process_time()
    tasks = [asyncio.create_task(loop(stop)) for loop in (sender.run, *alongside(sender))]
    try:
        while not await done():
            for task in tasks:
                if task.done():
                    task.result()  # surfaces a loop's crash
                    raise RuntimeError("a sending loop stopped before it was done")
            await asyncio.sleep(_POLL_SECONDS)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await delivery.close()
    return elapsed, cpu


def accepted_per_key(activities: list[dict[str, Any]]) -> Counter[str]:
    """How often the emulator accepted each outbox dedupe key."""
    return Counter(
        str(a["activity"].get("channelData", {}).get(DEDUPE_KEY_FIELD, "")) for a in activities
    )


@contextlib.asynccontextmanager
async def connector_emulator(limit: float, in_process: bool) -> AsyncIterator[ConnectorControl]:
    async with aiohttp.ClientSession() as session:
        if in_process:
            emulator = ConnectorEmulator(tenant_rate_per_second=limit)
            try:
                yield ConnectorControl(await emulator.start(), session)
            finally:
                await emulator.stop()
            return
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "devtools.connector_emulator", "--port", "0", "--rate", str(limit)),
            cwd=REPO_ROOT,
            env=child_env({}),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert process.stdout is not None
            line = await asyncio.wait_for(process.stdout.readline(), 30)
            if not line:
                raise RuntimeError("the connector emulator did not start")
            yield ConnectorControl(line.decode().strip(), session)
        finally:
            await stop_process(process)


@contextlib.asynccontextmanager
async def fresh_database(postgres_url: str | None) -> AsyncIterator[str]:
    if postgres_url is None:
        with tempfile.TemporaryDirectory(prefix="bench-outbox-") as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'outbox.db'}"
        return
    name = f"werkplek_bench_{uuid.uuid4().hex[:12]}"
    url = await create_database(postgres_url, name)
    try:
        yield url
    finally:
        await drop_database(postgres_url, name)
