"""Outbox fan-out: N proactive messages to N people through the real outbox stack.

The store (SQLite file by default, PostgreSQL with --postgres), OutboxSender, ConnectorDelivery
with the Agents SDK's connector client, and the connector emulator enforcing the Teams tenant
limit. The emulator runs as its own process by default (as Teams is not inside the bot), so at
1,000/s the bot's process is measured alone.

    python -m bench.outbox                      # 3,000 messages at 50/s (60 s) and at 1,000/s
    python -m bench.outbox --quick              # 300 at 50/s, 1,000 at 1,000/s
    python -m bench.outbox --limit 50 --messages 500 [--postgres URL] [--in-process-emulator]

Per scenario: sustained rate at the connector (accepted sends over the span between the first
and the last, emulator clock) against the limit, messages lost (enqueued, never accepted),
duplicated (accepted more than once), 429s, elapsed wall time and the bot process's CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import REPO_ROOT, child_env, markdown_table, stop_process, write_json
from bench.common import Row as TableRow
from bot.domain.conversations import ConversationRef
from bot.domain.delivery import sustainable_rate
from bot.domain.outbox import FINAL_STATUSES, NewOutboxMessage, OutboxStatus
from bot.ports import RateBudget
from bot.services.clock import SystemClock
from bot.services.outbox import OutboxNotifier, OutboxSender
from bot.services.rate import InMemoryRateBudget
from bot.store import (
    Database,
    SqlConversationRefRepository,
    SqlOutboxRepository,
    SqlRateBudget,
)
from bot.store.provisioning import create_database, drop_database
from bot.teams.delivery import ConnectorDelivery
from devtools.connector_emulator import ConnectorEmulator

logger = logging.getLogger(__name__)

TENANT = "bench-tenant"
BOT_ID = "28:werkplek-bench"
TARGET_SHARE_OF_LIMIT = 0.98
# The production defaults (bot/settings.py).
CONCURRENCY = 64
LEASE_SECONDS = 60.0
MAX_ATTEMPTS = 8
_POLL_SECONDS = 0.1


async def run_outbox_bench(
    *,
    quick: bool = False,
    messages: int | None = None,
    limits: tuple[float, ...] = (50.0, 1000.0),
    postgres_url: str | None = None,
    in_process_emulator: bool = False,
    concurrency: int = CONCURRENCY,
) -> dict[str, Any]:
    """Run one scenario per limit; returns {"rows": [...], "scenarios": [...], ...}."""
    scenarios = []
    for limit in limits:
        count = messages or _default_count(limit, quick)
        scenarios.append(
            await _scenario(limit, count, postgres_url, in_process_emulator, concurrency)
        )
    return {
        "rows": [row for scenario in scenarios for row in _rows(scenario)],
        "scenarios": scenarios,
        "database": "postgresql" if postgres_url else "sqlite",
        "emulator": "in-process" if in_process_emulator else "separate process",
    }


def _default_count(limit: float, quick: bool) -> int:
    if quick:
        return 300 if limit <= 100 else 1000
    return 3000


async def _scenario(
    limit: float, count: int, postgres_url: str | None, in_process: bool, concurrency: int
) -> dict[str, Any]:
    async with (
        _emulator(limit, in_process) as control,
        _fresh_database(postgres_url) as url,
    ):
        database = Database(url)
        try:
            await database.migrate()
            keys = await _seed(database, control, count)
            # One process here; replicas would share the SQL budget, paced under the limit.
            budget: RateBudget = (
                SqlRateBudget(database, sustainable_rate(limit))
                if postgres_url
                else InMemoryRateBudget(limit)
            )
            elapsed, cpu = await _drain(database, control.service_url, budget, limit, concurrency)
            counts = await SqlOutboxRepository(database).counts()
        finally:
            await database.dispose()
        stats = await control.stats()
        activities = await control.activities()
    return _summarise(limit, count, keys, elapsed, cpu, counts, stats, activities)


async def _seed(database: Database, control: EmulatorControl, count: int) -> list[str]:
    """People who installed the app (stored reference, conversation known to Teams), and one
    queued message for each."""
    refs = SqlConversationRefRepository(database)
    people = [f"person-{index:05d}" for index in range(count)]
    conversations = [f"a:1bench{index:05d}" for index in range(count)]
    await control.add_conversations(people, conversations)
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


async def _drain(
    database: Database, service_url: str, budget: RateBudget, limit: float, concurrency: int
) -> tuple[float, float]:
    """Run a sender until every message has a final status; (wall seconds, CPU seconds)."""
    repo = SqlOutboxRepository(database)
    clock = SystemClock()
    delivery = ConnectorDelivery(
        conversations=SqlConversationRefRepository(database),
        bot_app_id=BOT_ID,
        default_service_url=service_url,
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
        lease_seconds=LEASE_SECONDS,
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


def _summarise(
    limit: float,
    count: int,
    keys: list[str],
    elapsed: float,
    cpu: float,
    counts: dict[OutboxStatus, int],
    stats: dict[str, Any],
    activities: list[dict[str, Any]],
) -> dict[str, Any]:
    sends = [a for a in activities if a["operation"] in ("send", "reply")]
    per_key = Counter(a["activity"].get("channelData", {}).get("werkplekDedupeKey") for a in sends)
    span = sends[-1]["at"] - sends[0]["at"] if len(sends) > 1 else 0.0
    sustained = (len(sends) - 1) / span if span > 0 else 0.0
    return {
        "limit_per_second": limit,
        "messages": count,
        "sustained_per_second": sustained,
        "share_of_limit": sustained / limit,
        "end_to_end_per_second": count / elapsed,
        "elapsed_seconds": elapsed,
        "lost": sum(1 for key in keys if per_key[key] == 0),
        "duplicated": sum(times - 1 for times in per_key.values() if times > 1),
        "throttled_429": stats["throttled"],
        "max_accepted_in_one_second": stats["max_per_second_window"],
        "bot_cpu_seconds": cpu,
        "bot_cpu_ms_per_message": 1000 * cpu / count,
        "final_statuses": {status.value: counts[status] for status in OutboxStatus},
    }


def _rows(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    limit = scenario["limit_per_second"]
    label = f"outbox {scenario['messages']:,} msgs at {limit:,.0f}/s"
    share = scenario["share_of_limit"]
    clean = scenario["lost"] == 0 and scenario["duplicated"] == 0
    return [
        {
            "figure": f"{label}: sustained rate",
            "werkplek": scenario["sustained_per_second"],
            "baseline": limit,
            "unit": "msg/s",
            "ratio": share,
            "target": f">= {TARGET_SHARE_OF_LIMIT:.2f}x the limit",
            "verdict": "PASS" if share >= TARGET_SHARE_OF_LIMIT else "FAIL",
        },
        {
            "figure": f"{label}: lost / duplicated",
            "werkplek": scenario["lost"] + scenario["duplicated"],
            "baseline": None,
            "unit": "msgs",
            "ratio": None,
            "target": "0 lost, 0 duplicates",
            "verdict": "PASS" if clean else "FAIL",
        },
        {
            "figure": f"{label}: elapsed (429s: {scenario['throttled_429']})",
            "werkplek": scenario["elapsed_seconds"],
            "baseline": scenario["messages"] / limit,
            "unit": "s",
            "ratio": None,
            "target": "info",
            "verdict": "n/a",
        },
        {
            "figure": f"{label}: bot CPU per message",
            "werkplek": scenario["bot_cpu_ms_per_message"],
            "baseline": None,
            "unit": "ms",
            "ratio": None,
            "target": "info",
            "verdict": "n/a",
        },
    ]


class EmulatorControl:
    """The emulator's /_emulator/ endpoints (the same whether in this process or another)."""

    def __init__(self, service_url: str, session: aiohttp.ClientSession) -> None:
        self.service_url = service_url
        self._session = session

    async def add_conversations(self, people: list[str], conversations: list[str]) -> None:
        items = [
            {"id": c, "tenant_id": TENANT, "member_id": p}
            for p, c in zip(people, conversations, strict=True)
        ]
        await self._post("conversations", {"conversations": items})

    async def stats(self) -> dict[str, Any]:
        return await self._get("stats")  # type: ignore[no-any-return]

    async def activities(self) -> list[dict[str, Any]]:
        return await self._get("activities")  # type: ignore[no-any-return]

    async def _post(self, path: str, body: dict[str, Any]) -> None:
        async with self._session.post(self.service_url + "_emulator/" + path, json=body) as r:
            r.raise_for_status()

    async def _get(self, path: str) -> Any:
        async with self._session.get(self.service_url + "_emulator/" + path) as response:
            response.raise_for_status()
            return await response.json()


@contextlib.asynccontextmanager
async def _emulator(limit: float, in_process: bool) -> AsyncIterator[EmulatorControl]:
    async with aiohttp.ClientSession() as session:
        if in_process:
            emulator = ConnectorEmulator(tenant_rate_per_second=limit)
            try:
                yield EmulatorControl(await emulator.start(), session)
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
            yield EmulatorControl(line.decode().strip(), session)
        finally:
            await stop_process(process)


@contextlib.asynccontextmanager
async def _fresh_database(postgres_url: str | None) -> AsyncIterator[str]:
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


def _table(rows: list[dict[str, Any]]) -> str:
    return markdown_table(
        TableRow(
            figure=row["figure"],
            werkplek=row["werkplek"],
            baseline=row["baseline"],
            unit=row["unit"],
            target=row["target"],
            verdict=row["verdict"],
            ratio=row["ratio"],
        )
        for row in rows
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages: a smoke test")
    parser.add_argument("--messages", type=int, help="messages per scenario (default 3,000)")
    parser.add_argument(
        "--limit", type=float, action="append", help="tenant limit per second (repeatable)"
    )
    parser.add_argument("--postgres", metavar="URL", help="use a fresh database on this server")
    parser.add_argument("--in-process-emulator", action="store_true")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The SDK logs every send at INFO and every refused one at ERROR: keep the bench quiet.
    logging.getLogger("microsoft_agents").setLevel(logging.CRITICAL)
    result = asyncio.run(
        run_outbox_bench(
            quick=args.quick,
            messages=args.messages,
            limits=tuple(args.limit) if args.limit else (50.0, 1000.0),
            postgres_url=args.postgres,
            in_process_emulator=args.in_process_emulator,
            concurrency=args.concurrency,
        )
    )
    print(_table(result["rows"]))
    path = write_json("outbox", {"rows": result["rows"], "details": result})
    print(f"\nwritten: {path}")
    failed = any(row["verdict"] == "FAIL" for row in result["rows"])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
