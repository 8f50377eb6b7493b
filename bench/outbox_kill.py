"""Outbox resumability: the sender process is killed with SIGKILL mid-run, a new one takes over.

The sender runs as its own process (`python -m bench.outbox_kill --worker ...`) against the
same store and connector emulator as bench/outbox.py. Once the emulator has accepted part of
the messages, that process gets SIGKILL; a second worker starts at once and drains the rest,
after the dead one's leases (short here: LEASE_SECONDS) expire.

Expected: nothing lost; a message accepted by Teams whose verdict was not stored yet (in flight
at the kill) may go out twice, so duplicates stay within the sender's concurrency.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from typing import Any

from bench.common import REPO_ROOT, child_env, stop_process
from bench.outbox_support import (
    CONCURRENCY,
    accepted_per_key,
    connector_emulator,
    drain,
    fresh_database,
    seed,
)
from bot.domain.platform.delivery import sustainable_rate
from bot.domain.platform.outbox import OutboxStatus
from bot.services.platform.rate import InMemoryRateBudget
from bot.store import Database, SqlOutboxRepository, SqlRateBudget
from devtools.replicas import ConnectorControl

LIMIT = 50.0
LEASE_SECONDS = 5.0
KILL_AT_SHARE = 0.4
_POLL_SECONDS = 0.05


async def run_kill_scenario(*, quick: bool = False, postgres_url: str | None = None) -> dict:
    count = 300 if quick else 1000
    async with (
        connector_emulator(LIMIT, in_process=False) as control,
        fresh_database(postgres_url) as url,
    ):
        database = Database(url)
        try:
            await database.migrate()
            keys = await seed(database, control, count)
        finally:
            await database.dispose()
        started = time.perf_counter()
        first = await _start_worker(url, control.service_url, postgres_url is not None)
        try:
            await _wait_for_accepted(control, int(count * KILL_AT_SHARE), first)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        accepted_at_kill = (await control.stats())["accepted"]
        second = await _start_worker(url, control.service_url, postgres_url is not None)
        try:
            if await second.wait() != 0:
                raise RuntimeError("the second outbox worker failed")
        finally:
            await stop_process(second)
        elapsed = time.perf_counter() - started
        activities = await control.activities()
        database = Database(url)
        try:
            counts = await SqlOutboxRepository(database).counts()
        finally:
            await database.dispose()
    per_key = accepted_per_key(activities)
    return {
        "messages": count,
        "limit_per_second": LIMIT,
        "lease_seconds": LEASE_SECONDS,
        "accepted_when_killed": accepted_at_kill,
        "lost": sum(1 for key in keys if per_key[key] == 0),
        "duplicated": sum(times - 1 for times in per_key.values() if times > 1),
        "elapsed_seconds": elapsed,
        "final_statuses": {status.value: counts[status] for status in OutboxStatus},
    }


def kill_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    lost, duplicated = result["lost"], result["duplicated"]
    return [
        {
            "figure": f"outbox kill -9 after {result['accepted_when_killed']:,} of "
            f"{result['messages']:,}: lost",
            "werkplek": lost,
            "baseline": None,
            "unit": "msgs",
            "ratio": None,
            "target": "0",
            "verdict": "PASS" if lost == 0 else "FAIL",
        },
        {
            "figure": "outbox kill -9: sent twice (in flight at the kill)",
            "werkplek": duplicated,
            "baseline": None,
            "unit": "msgs",
            "ratio": None,
            "target": f"<= {CONCURRENCY} (the in-flight bound)",
            "verdict": "PASS" if duplicated <= CONCURRENCY else "FAIL",
        },
    ]


async def _start_worker(
    database_url: str, service_url: str, shared_budget: bool
) -> asyncio.subprocess.Process:
    argv = [sys.executable, "-m", "bench.outbox_kill", "--worker", database_url, service_url]
    if shared_budget:
        argv.append("--shared-budget")
    return await asyncio.create_subprocess_exec(
        *argv, cwd=REPO_ROOT, env=child_env({}), stdin=asyncio.subprocess.DEVNULL
    )


async def _wait_for_accepted(
    control: ConnectorControl, wanted: int, worker: asyncio.subprocess.Process
) -> None:
    while (await control.stats())["accepted"] < wanted:
        if worker.returncode is not None:
            raise RuntimeError(f"the outbox worker exited early ({worker.returncode})")
        await asyncio.sleep(_POLL_SECONDS)


async def _work(database_url: str, service_url: str, shared_budget: bool) -> None:
    """One sender process: drain the outbox until every message has a final status."""
    database = Database(database_url)
    try:
        budget = (
            SqlRateBudget(database, sustainable_rate(LIMIT))
            if shared_budget
            else InMemoryRateBudget(LIMIT)
        )
        await drain(database, service_url, budget, LIMIT, CONCURRENCY, LEASE_SECONDS)
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=2, metavar=("DATABASE_URL", "SERVICE_URL"))
    parser.add_argument("--shared-budget", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("microsoft_agents").setLevel(logging.CRITICAL)
    if args.worker:
        asyncio.run(_work(args.worker[0], args.worker[1], args.shared_budget))
        return
    print(asyncio.run(run_kill_scenario(quick=args.quick)))


if __name__ == "__main__":
    main()
