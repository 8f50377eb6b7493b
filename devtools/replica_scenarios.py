"""The two replica scenarios the test (tests/integration/replicas) and the bench
(bench/replicas.py) run: each starts the emulators and the replicas (devtools/replicas.py) on a
database the caller made, seeds the work (devtools/replica_work.py), waits for it to be done,
and returns what the emulators and the store say about it. Counts only: the caller judges.

- drain_together: an announcement to `messages` people, plus approved licence requests waiting
  for their grant and unrouted post items (one of each per person), all shared by the replicas.
- drain_with_a_kill: an announcement; one replica gets SIGKILL once the connector has accepted
  `kill_at_share` of it, and the others finish.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from bot.domain.platform.outbox import OutboxStatus
from bot.store import Database
from devtools.replica_work import (
    Delivery,
    WorkerJobs,
    accepted_sends,
    approve_requests,
    judge_delivery,
    leave_post_unrouted,
    make_reachable,
    outbox_counts,
    outbox_drained,
    queue_announcement,
    split_people,
    store_catalogue,
    wait_until,
    worker_jobs,
)
from devtools.replicas import (
    ConnectorControl,
    GraphControl,
    ReplicaOptions,
    ReplicaSet,
    outbox_sent_by,
)

# The drains need messages / limit seconds; a busy machine starts four processes slowly.
_SLACK_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class SharedDrain:
    messages: int  # the announcement's
    total: int  # the announcement and one notice per grant and per routed item
    requests: int  # approved licence requests left to the workers
    items: int  # unrouted post items left to the workers
    counts: dict[OutboxStatus, int]  # the outbox table at the end
    delivery: Delivery  # lost: of the announcement; the rest: of every send
    emulator_peak: int  # the emulator's own count of its busiest second
    sent_by: list[int]  # per replica, from its /metrics
    jobs: WorkerJobs
    elapsed_seconds: float  # queued -> all delivered


@dataclass(frozen=True, slots=True)
class KilledDrain:
    messages: int
    in_flight_bound: int  # sends one replica may have in flight (WERKPLEK_OUTBOX_CONCURRENCY)
    accepted_at_kill: int
    survivor_sent: int  # from the survivor's /metrics
    counts: dict[OutboxStatus, int]
    delivery: Delivery
    elapsed_seconds: float  # queued -> all delivered by the survivor


@dataclass(slots=True)
class _Scene:
    replicas: ReplicaSet
    database: Database
    connector: ConnectorControl
    graph: GraphControl
    session: aiohttp.ClientSession

    async def wait(self, done: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
        try:
            await wait_until(done, seconds, alive=self.replicas.check_alive)
        except TimeoutError:
            counts = await outbox_counts(self.database)
            raise TimeoutError(f"{what} not done in {seconds:.0f} s; outbox {counts}") from None

    async def sent_by(self, index: int) -> int:
        url = self.replicas.replica_url(index)
        return await outbox_sent_by(self.session, url, self.replicas.metrics_token)


@contextlib.asynccontextmanager
async def _scene(options: ReplicaOptions) -> AsyncIterator[_Scene]:
    """The emulators running, the replicas not yet: the caller seeds, then starts them."""
    replicas = ReplicaSet(options)
    database = Database(options.database_url)
    replicas.start_emulators()
    try:
        async with aiohttp.ClientSession() as session:
            yield _Scene(
                replicas,
                database,
                ConnectorControl(replicas.service_url, session),
                GraphControl(replicas.graph_control_url, session),
                session,
            )
    finally:
        replicas.stop()
        await database.dispose()


async def drain_together(
    options: ReplicaOptions, *, messages: int, people_each: int = 10
) -> SharedDrain:
    async with _scene(options) as scene:
        database, connector = scene.database, scene.connector
        requesters, addressees = split_people(people_each)
        announced = [f"person-{index:05d}" for index in range(messages)]
        notified = [person.id for person in (*requesters, *addressees)]
        await make_reachable(database, connector, [*announced, *notified])
        await store_catalogue(database)
        # Waiting when the replicas boot: every post worker routes at start.
        post = await leave_post_unrouted(database, scene.replicas.documents_dir, addressees)
        scene.replicas.start_replicas()
        requests = await approve_requests(scene.replicas.settings(), database, requesters)
        started = time.perf_counter()
        keys = await queue_announcement(database, announced, "replicas")
        total = messages + len(requests) + len(post)

        async def delivered() -> bool:
            counts = await outbox_counts(database)
            idle = counts[OutboxStatus.PENDING] == counts[OutboxStatus.IN_FLIGHT] == 0
            return idle and sum(counts.values()) >= total

        patience = total / options.outbox_rate_per_second + _SLACK_SECONDS
        await scene.wait(delivered, patience, "the drain")
        elapsed = time.perf_counter() - started
        return SharedDrain(
            messages=messages,
            total=total,
            requests=len(requests),
            items=len(post),
            counts=await outbox_counts(database),
            delivery=judge_delivery(keys, await connector.activities(), await connector.requests()),
            emulator_peak=int((await connector.stats())["max_per_second_window"]),
            sent_by=[await scene.sent_by(i) for i in range(len(scene.replicas.replicas))],
            jobs=await worker_jobs(database, scene.graph, requests, post),
            elapsed_seconds=elapsed,
        )


async def drain_with_a_kill(
    options: ReplicaOptions, *, messages: int, kill_at_share: float = 0.4
) -> KilledDrain:
    """Replica 0 is the one killed; replica 1 is asked for its count at the end."""
    async with _scene(options) as scene:
        database, connector = scene.database, scene.connector
        announced = [f"person-{index:05d}" for index in range(messages)]
        await make_reachable(database, connector, announced)
        scene.replicas.start_replicas()
        started = time.perf_counter()
        keys = await queue_announcement(database, announced, "kill")
        patience = messages / options.outbox_rate_per_second + _SLACK_SECONDS

        async def enough_accepted() -> bool:
            return await accepted_sends(connector) >= messages * kill_at_share

        await scene.wait(enough_accepted, patience, "the first part of the drain")
        scene.replicas.kill(0)
        accepted_at_kill = await accepted_sends(connector)

        async def delivered() -> bool:
            return outbox_drained(await outbox_counts(database), messages)

        await scene.wait(delivered, patience, "the survivors' drain")
        elapsed = time.perf_counter() - started
        return KilledDrain(
            messages=messages,
            in_flight_bound=options.outbox_concurrency,
            accepted_at_kill=accepted_at_kill,
            survivor_sent=await scene.sent_by(1),
            counts=await outbox_counts(database),
            delivery=judge_delivery(keys, await connector.activities(), await connector.requests()),
            elapsed_seconds=elapsed,
        )
