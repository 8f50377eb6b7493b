"""Announcement senders as processes: one killed with SIGKILL halfway, and two replicas at once.

A worker (`python -m bench.announcements_kill --worker DATABASE_URL SERVICE_URL ID`) is what a
bot process runs for an announcement: the production AnnouncementSender (its `run(stop)`
loop) with the production OutboxSender and ConnectorDelivery, until the announcement is SENT and
the outbox settled; it prints how many messages it delivered as one JSON line.

- kill -9: once the connector emulator accepted half the recipients, the worker gets SIGKILL; a
  second worker starts at once and finishes after the dead one's leases (LEASE_SECONDS) expire.
  Expected: nothing lost; sent twice at most what was in flight at the kill (the outbox's
  concurrency bounds it).
- replicas (PostgreSQL): two workers on one database from the start, sharing the tenant's rate
  budget in the database (SqlRateBudget, as app.py on PostgreSQL): nobody gets a message twice,
  and the emulator never accepts more than the limit in a second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from bench.announcements_support import (
    AUTHOR_PREFIX,
    announcement_done,
    announcement_sender,
    deliveries,
    list_audience,
    outcome,
    submitted_announcement,
)
from bench.common import REPO_ROOT, child_env, stop_process
from bench.outbox_support import (
    CONCURRENCY,
    connector_emulator,
    fresh_database,
    run_sender,
    seed_people,
)
from bot.domain.announcements.batches import DeliveryMode
from bot.domain.platform.connector_hosts import ConnectorHosts
from bot.domain.platform.delivery import Verdict, sustainable_rate
from bot.ports.platform import RateBudget
from bot.services.platform.rate import InMemoryRateBudget
from bot.store import Database, SqlRateBudget
from bot.teams.batches import TeamsBatchOperations
from devtools.replicas import ConnectorControl

LIMIT = 50.0
# Short leases, so the survivor takes the dead worker's claims over within seconds.
LEASE_SECONDS = 5.0
KILL_AT_SHARE = 0.5
_POLL_SECONDS = 0.05


async def prepared(
    database_url: str,
    control: ConnectorControl,
    count: int,
    delivery: DeliveryMode = DeliveryMode.AUTOMATIC,
) -> tuple[int, list[str]]:
    """A migrated store holding `count` people with chats and an announcement to all of them,
    SENDING; (its id, the people)."""
    database = Database(database_url)
    try:
        await database.migrate()
        people = await seed_people(database, control, count)
        [author] = await seed_people(database, control, 1, prefix=AUTHOR_PREFIX)
        announcement_id = await submitted_announcement(
            database, author, list_audience(count), people, delivery=delivery
        )
    finally:
        await database.dispose()
    return announcement_id, people


async def run_kill_scenario(count: int, postgres_url: str | None = None) -> dict[str, Any]:
    async with (
        connector_emulator(LIMIT, in_process=False) as control,
        fresh_database(postgres_url) as url,
    ):
        announcement_id, people = await prepared(url, control, count)
        shared = postgres_url is not None
        started = time.perf_counter()
        first = await start_worker(url, control.service_url, announcement_id, shared, LEASE_SECONDS)
        try:
            await _wait_for_accepted(control, int(count * KILL_AT_SHARE), first)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        accepted_at_kill = (await control.stats())["accepted"]
        second = await start_worker(
            url, control.service_url, announcement_id, shared, LEASE_SECONDS
        )
        await finished(second)
        elapsed = time.perf_counter() - started
        requests = await control.requests()
        result = await _outcome(url, announcement_id)
    return {
        "recipients": count,
        "limit_per_second": LIMIT,
        "lease_seconds": LEASE_SECONDS,
        "in_flight_bound": CONCURRENCY,
        "accepted_when_killed": accepted_at_kill,
        "elapsed_seconds": elapsed,
        **deliveries(requests, announcement_id, people),
        **result,
    }


async def run_replicas_scenario(count: int, postgres_url: str, replicas: int = 2) -> dict[str, Any]:
    """`replicas` workers on one PostgreSQL database sharing the rate budget there."""
    async with (
        connector_emulator(LIMIT, in_process=False) as control,
        fresh_database(postgres_url) as url,
    ):
        announcement_id, people = await prepared(url, control, count)
        started = time.perf_counter()
        workers = [
            await start_worker(url, control.service_url, announcement_id, True, None)
            for _ in range(replicas)
        ]
        sent_by = [await finished(worker) for worker in workers]
        elapsed = time.perf_counter() - started
        requests = await control.requests()
        result = await _outcome(url, announcement_id)
    return {
        "recipients": count,
        "replicas": replicas,
        "limit_per_second": LIMIT,
        "elapsed_seconds": elapsed,
        "sent_by": sent_by,
        **deliveries(requests, announcement_id, people),
        **result,
    }


async def start_worker(
    database_url: str,
    service_url: str,
    announcement_id: int,
    shared_budget: bool,
    lease_seconds: float | None,
    *,
    batches: bool = False,
) -> asyncio.subprocess.Process:
    """A worker process; `batches`: its sender has Teams' batch operations (the BATCH mode)."""
    argv = [
        sys.executable,
        *("-m", "bench.announcements_kill", "--worker", database_url, service_url),
        str(announcement_id),
    ]
    if shared_budget:
        argv.append("--shared-budget")
    if batches:
        argv.append("--batches")
    if lease_seconds is not None:
        argv += ["--lease", str(lease_seconds)]
    return await asyncio.create_subprocess_exec(
        *argv,
        cwd=REPO_ROOT,
        env=child_env({}),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
    )


async def finished(worker: asyncio.subprocess.Process) -> int:
    """Wait for a worker to finish; how many messages it delivered."""
    try:
        assert worker.stdout is not None
        output = await worker.stdout.read()
        if await worker.wait() != 0:
            raise RuntimeError(f"an announcement worker failed ({worker.returncode})")
    finally:
        await stop_process(worker)
    return int(json.loads(output.decode().strip().splitlines()[-1])["sent"])


async def _wait_for_accepted(
    control: ConnectorControl, wanted: int, worker: asyncio.subprocess.Process
) -> None:
    while (await control.stats())["accepted"] < wanted:
        if worker.returncode is not None:
            raise RuntimeError(f"the announcement worker exited early ({worker.returncode})")
        await asyncio.sleep(_POLL_SECONDS)


async def _outcome(database_url: str, announcement_id: int) -> dict[str, Any]:
    database = Database(database_url)
    try:
        return await outcome(database, announcement_id)
    finally:
        await database.dispose()


async def _work(
    database_url: str,
    service_url: str,
    announcement_id: int,
    shared: bool,
    lease: float,
    with_batches: bool,
) -> int:
    """One bot process's senders, until the announcement is sent; messages it delivered."""
    database = Database(database_url)
    batches = (
        TeamsBatchOperations(
            service_url=service_url,
            connector_hosts=ConnectorHosts([urlsplit(service_url).netloc]),
            token_provider=None,
            request_timeout_seconds=15.0,
            max_connections_per_service=8,
        )
        if with_batches
        else None
    )
    sent = 0

    def count(verdict: Verdict, _seconds: float) -> None:
        nonlocal sent
        sent += verdict is Verdict.SENT

    try:
        budget: RateBudget = (
            SqlRateBudget(database, sustainable_rate(LIMIT))
            if shared
            else InMemoryRateBudget(LIMIT)
        )
        await run_sender(
            database,
            service_url,
            budget,
            LIMIT,
            CONCURRENCY,
            lease,
            until=announcement_done(database, announcement_id),
            alongside=lambda sender: [
                announcement_sender(database, on_enqueued=sender.wake, batches=batches).run
            ],
            on_result=count,
        )
    finally:
        if batches is not None:
            await batches.close()
        await database.dispose()
    return sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--worker", nargs=3, metavar=("DATABASE_URL", "SERVICE_URL", "ID"), required=True
    )
    parser.add_argument("--shared-budget", action="store_true")
    parser.add_argument("--lease", type=float, default=60.0)
    parser.add_argument("--batches", action="store_true", help="Teams batch operations")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("microsoft_agents").setLevel(logging.CRITICAL)
    database_url, service_url, announcement_id = args.worker
    sent = asyncio.run(
        _work(
            database_url,
            service_url,
            int(announcement_id),
            args.shared_budget,
            args.lease,
            args.batches,
        )
    )
    print(json.dumps({"sent": sent}))


if __name__ == "__main__":
    main()
