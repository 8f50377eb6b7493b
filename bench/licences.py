"""Licences: from the final approval to a verified grant, with every Graph call 50 ms away.

Real parts throughout: the Graph emulator in its own process (50 ms per request), the real Graph
client (token, retry handler, metering), the store on SQLite in a temporary folder, the real
notice cards, and the background worker running as it does in the bot (woken by the approval).

Each sample is one person's request for a Power BI workspace role or a licence through its
licensing group, submitted and approved by the manager; the clock starts when the manager's
Approve reaches the desk and stops when the request is stored as fulfilled (the grant verified in
Graph). Measured in the same run: one Graph round trip (a single call, median) as the baseline,
and the Graph calls each fulfilment made (counted by the client's meter).

    python -m bench.licences [--quick] [--samples 40] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.access import LATENCY_MS, bench_settings, graph_emulator
from bench.common import Row, markdown_table, percentile, ratio, write_json
from bench.common import verdict as verdict_text
from bot.domain.licences.catalogue import (
    ALL_ENTITIES,
    ApprovalPolicy,
    ApproverKind,
    Catalogue,
    CatalogueItem,
    Fulfilment,
    ItemKind,
    Offer,
    Stage,
)
from bot.domain.licences.requests import RequestState
from bot.domain.platform.actors import Actor
from bot.domain.platform.roles import Role
from bot.graph import open_graph
from bot.services.licences.desk import LicenceDesk
from bot.services.licences.flow import LicenceFlow
from bot.services.licences.forms import RequestForm
from bot.services.licences.worker import LicenceWorker
from bot.services.licences.worker_settings import WorkerSettings
from bot.services.platform.clock import SystemClock
from bot.store import (
    Database,
    SqlCatalogueRepository,
    SqlLicenceRequestRepository,
    SqlUserRepository,
)
from devtools.graph_emulator.tenant import TenantState
from dialogs.licences.notices import LicenceNoticeCards

logger = logging.getLogger(__name__)

SAMPLES = 40
QUICK_SAMPLES = 8
BASELINE_SAMPLES = 10
# Checking the grant needs four Graph round trips one after another (membership and licence
# states together, the seat count, the add, the verification), plus the saves and the wake-up.
TARGET_ROUND_TRIPS = 5.0
TENANT = "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
BRUSSELS = ZoneInfo("Europe/Brussels")
WORKSPACE_GROUP = "dcdd0d27-d599-450e-bf84-d58fd80b599f"
PRO_GROUP = "45051185-e7a1-43b1-a23e-15b0763768d2"
PRO_SKU = "f8a1db68-be16-40ed-86d5-cb42ce701560"
POLL_SECONDS = 0.002


class GraphCalls:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, target: str, status: int, seconds: float) -> None:
        if target == "graph":
            self.count += 1


@dataclass
class Samples:
    workspace_ms: list[float] = field(default_factory=list)
    licence_ms: list[float] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    not_fulfilled: int = 0


def bench_catalogue() -> Catalogue:
    def item(key: str, group: str, sku: str = "") -> CatalogueItem:
        kind = ItemKind.LICENCE if sku else ItemKind.WORKSPACE_ROLE
        return CatalogueItem(key, kind, key, key, Fulfilment.GROUP, group_id=group, sku_id=sku)

    return Catalogue(
        items=(item("workspace", WORKSPACE_GROUP), item("pro", PRO_GROUP, PRO_SKU)),
        policies=(ApprovalPolicy("manager", (Stage(ApproverKind.MANAGER),)),),
        offers=(Offer("workspace", ALL_ENTITIES, "manager"), Offer("pro", ALL_ENTITIES, "manager")),
    )


def people_with_managers(groups: set[str]) -> list[tuple[str, str]]:
    """(person, manager) pairs of the demo tenant, people not yet in any of the groups."""
    tenant = TenantState.load()
    members = {m.lower() for g in groups for m in tenant.group(g)["members"]}
    return [
        (user_id, user["manager"])
        for user_id, user in sorted(tenant.users.items())
        if user.get("manager") and user_id.lower() not in members
    ]


async def run_licence_bench(
    *, quick: bool = False, samples: int | None = None, latency_ms: float = LATENCY_MS
) -> dict[str, Any]:
    samples = samples or (QUICK_SAMPLES if quick else SAMPLES)
    async with graph_emulator(latency_ms, in_process=False) as env:
        settings = bench_settings(env, {})
        calls = GraphCalls()
        gateway = await open_graph(settings, on_call=calls)
        with tempfile.TemporaryDirectory(prefix="bench-licences-") as folder:
            database = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
            await database.migrate()
            try:
                rtt = await _round_trip(gateway.licences)
                measured = await _measure(database, gateway, calls, samples)
            finally:
                await database.dispose()
                await gateway.close()
    return {"rows": licence_rows(rtt, measured), "details": _details(rtt, measured, latency_ms)}


async def _round_trip(licences: Any) -> float:
    times = []
    for _ in range(BASELINE_SAMPLES):
        start = time.perf_counter()
        await licences.subscribed_sku(PRO_SKU)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def _measure(database: Database, gateway: Any, calls: GraphCalls, samples: int) -> Samples:
    await SqlCatalogueRepository(database).replace(bench_catalogue())
    requests = SqlLicenceRequestRepository(database)
    clock = SystemClock()
    flow = LicenceFlow(
        catalogue=SqlCatalogueRepository(database),
        requests=requests,
        directory=gateway.directory,
        licences=gateway.licences,
        cards=LicenceNoticeCards(tz=BRUSSELS),
        users=SqlUserRepository(database),
        clock=clock,
    )
    worker = LicenceWorker(flow, WorkerSettings(timezone=BRUSSELS, poll_seconds=1.0))
    desk = LicenceDesk(flow, BRUSSELS, wake_worker=worker.wake)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    result = Samples()
    pairs = people_with_managers({WORKSPACE_GROUP, PRO_GROUP})
    try:
        for index in range(samples):
            person, manager = pairs[index % len(pairs)]
            item = "workspace" if index % 2 == 0 else "pro"
            if index >= len(pairs) * 2:
                break  # every person has both: the demo tenant is used up
            form = RequestForm(item, "Cijfers opvolgen voor het maandrapport")
            submitted = await desk.submit(_person(person), form)
            if submitted.request is None:
                continue  # already held (the demo tenant grants some people Pro)
            before = calls.count
            start = time.perf_counter()
            await desk.decide(_person(manager), submitted.request.id, approve=True, comment="")
            state = await _until_settled(requests, submitted.request.id)
            elapsed = (time.perf_counter() - start) * 1000
            if state is not RequestState.FULFILLED:
                result.not_fulfilled += 1
                continue
            result.calls.append(calls.count - before)
            (result.workspace_ms if item == "workspace" else result.licence_ms).append(elapsed)
    finally:
        stop.set()
        worker.wake()
        await running
    return result


def _person(user_id: str) -> Actor:
    return Actor(user_id, TENANT, user_id, frozenset({Role.STAFF}))


async def _until_settled(requests: SqlLicenceRequestRepository, request_id: int) -> RequestState:
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        request = await requests.get(request_id)
        assert request is not None
        if request.state not in (RequestState.APPROVED, RequestState.FULFILLING):
            return request.state
        await asyncio.sleep(POLL_SECONDS)
    return RequestState.FULFILLING


def licence_rows(rtt: float, measured: Samples) -> list[Row]:
    every = measured.workspace_ms + measured.licence_ms
    limit = TARGET_ROUND_TRIPS * rtt
    p95 = percentile(every, 95) if every else float("nan")

    def info(figure: str, value: float, baseline: float | None, unit: str = "ms") -> Row:
        return Row(figure, value, baseline, unit, "info", "n/a", ratio(value, baseline))

    calls = statistics.median(measured.calls) if measured.calls else float("nan")
    return [
        info("licences: one Graph round trip (baseline)", rtt, None),
        info(
            f"licences: approval -> verified grant p50 ({len(every)} grants)",
            percentile(every, 50) if every else float("nan"),
            rtt,
        ),
        Row(
            f"licences: approval -> verified grant p95 ({len(every)} grants)",
            p95,
            rtt,
            "ms",
            f"<= {TARGET_ROUND_TRIPS:.0f} x round trip ({limit:.0f} ms)",
            verdict_text(p95 <= limit),
            ratio(p95, rtt),
        ),
        info(
            "licences: workspace role (group only) p50",
            percentile(measured.workspace_ms, 50) if measured.workspace_ms else float("nan"),
            rtt,
        ),
        info(
            "licences: licence via licensing group p50",
            percentile(measured.licence_ms, 50) if measured.licence_ms else float("nan"),
            rtt,
        ),
        info("licences: Graph calls per fulfilment (median)", calls, None, ""),
        Row(
            "licences: approved requests not fulfilled",
            measured.not_fulfilled,
            None,
            "",
            "0",
            verdict_text(measured.not_fulfilled == 0),
        ),
    ]


def _details(rtt: float, measured: Samples, latency_ms: float) -> dict[str, Any]:
    return {
        "latency_ms": latency_ms,
        "round_trip_ms": rtt,
        "workspace_ms": measured.workspace_ms,
        "licence_ms": measured.licence_ms,
        "graph_calls": measured.calls,
        "not_fulfilled": measured.not_fulfilled,
        "measured": "approval click to fulfilled in the store, worker woken by the approval",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--samples", type=int)
    parser.add_argument("--latency-ms", type=float, default=LATENCY_MS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    result = asyncio.run(
        run_licence_bench(quick=args.quick, samples=args.samples, latency_ms=args.latency_ms)
    )
    rows = result["rows"]
    print(markdown_table(rows))
    print(f"\nwritten: {write_json('licences', result)}")
    return 1 if any(row.verdict == "FAIL" for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
