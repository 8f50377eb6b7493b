"""What the outbox benches share: the connector emulator (as its own process), a fresh store,
seeding people and messages, and draining the outbox with the production sender."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
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
from bot.services.platform.outbox import OutboxSender
from bot.services.platform.outbox_notifier import OutboxNotifier
from bot.store import Database, SqlConversationRefRepository, SqlOutboxRepository
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


async def seed(database: Database, control: ConnectorControl, count: int) -> list[str]:
    """People who installed the app (stored reference, conversation known to Teams), and one
    queued message for each."""
    refs = SqlConversationRefRepository(database)
    people = [f"person-{index:05d}" for index in range(count)]
    conversations = [f"a:1bench{index:05d}" for index in range(count)]
    await control.add_conversations(dict(zip(people, conversations, strict=True)), TENANT)
    for start in range(0, count, 100):
        chunk = zip(people[start : start + 100], conversations[start : start + 100], strict=True)
        await asyncio.gather(
            *(
                refs.save(ConversationRef(p, TENANT, control.service_url, c, BOT_ID))
                for p, c in chunk
            )
        )
    notifier = OutboxNotifier(SqlOutboxRepository(database), SystemClock())
    activity = {"type": "message", "text": "Nieuwe aankondiging", "summary": "Aankondiging"}
    queued = [NewOutboxMessage(TENANT, f"bench:{p}", activity, recipient_id=p) for p in people]
    await notifier.enqueue_many(queued)
    return [message.dedupe_key for message in queued]


async def drain(
    database: Database,
    service_url: str,
    budget: RateBudget,
    limit: float,
    concurrency: int,
    lease_seconds: float = LEASE_SECONDS,
) -> tuple[float, float]:
    """Run a sender until every message has a final status; (wall seconds, CPU seconds)."""
    repo = SqlOutboxRepository(database)
    clock = SystemClock()
    delivery = ConnectorDelivery(
        conversations=SqlConversationRefRepository(database),
        bot_app_id=BOT_ID,
        default_service_url=service_url,
        # The connector emulator stands in for the Teams service: its host and port only.
        connector_hosts=ConnectorHosts([urlsplit(service_url).netloc]),
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
    )
    stop = asyncio.Event()
    started, cpu_started = time.perf_counter(), time.process_time()
    task = asyncio.create_task(sender.run(stop))
    try:
        while True:
            counts = await repo.counts()
            if all(counts[s] == 0 for s in OutboxStatus if s not in FINAL_STATUSES):
                break
            if task.done():
                task.result()  # surfaces the sender's crash
            await asyncio.sleep(_POLL_SECONDS)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        stop.set()
        await task
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
