"""Access status: how long gathering one person's facts takes when every Graph call is slow.

The Graph emulator adds 50 ms to every request (it runs as its own process by default, as Graph
is not inside the bot). Measured in the same run, over the real Graph client (token, retry
handler, metering) with every cache off (directory cache 0 s, so the user, groups, SKUs and
refusals are fetched again for each report; per-person access facts are never cached anyway):

- one Graph round trip: single calls one at a time, median over every kind of call;
- the calls one after another: the six reads of a report awaited in sequence, median;
- the access status: 200 reports for 20 people in turn, one report at a time, p50 and p95 of
  the time per report (the target: p95 <= 1.5 x one round trip + 50 ms);
- the same 200 reports with all 20 people asking at once (each asks again when answered), for
  information: this measures the client's CPU cost per Graph call on two cores more than
  latency.

The report is bot.services.access.status.AccessStatus.report when that service exists, else the same
six reads gathered concurrently here.

    python -m bench.access [--quick] [--requests 200] [--people 20] [--at-once 20]
                           [--latency-ms 50] [--in-process-emulator]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import logging
import math
import random
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.common import (
    REPO_ROOT,
    Row,
    child_env,
    markdown_table,
    percentile,
    ratio,
    stop_process,
    write_json,
)
from bench.common import verdict as verdict_text
from bot.graph import GraphGateway, open_graph
from bot.settings import Settings
from devtools.graph_emulator import GraphEmulator
from devtools.graph_emulator.tenant import TenantState

logger = logging.getLogger(__name__)

REQUESTS = 200
PEOPLE = 20
# The load figures: every one of the 20 people asking at the same time.
AT_ONCE = 20
LATENCY_MS = 50.0
# Single calls per kind and sequential runs timed for the two baselines.
BASELINE_SAMPLES = 10
QUICK = {"requests": 40, "baseline_samples": 4}
TARGET_FACTOR = 1.5
TARGET_SLACK_MS = 50.0
EMULATOR_START_SECONDS = 30.0

Report = Callable[[str], Awaitable[Any]]


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    unchecked: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "reports": len(self.latencies),
            "p50_ms": percentile(self.latencies, 50),
            "p95_ms": percentile(self.latencies, 95),
            "max_ms": max(self.latencies, default=math.nan),
            "reports_per_second": len(self.latencies) / self.seconds if self.seconds else math.nan,
            "reports_with_unchecked_lines": self.unchecked,
        }


class GraphCalls:
    """Counts the Graph HTTP attempts the gateway reports (retries included)."""

    def __init__(self) -> None:
        self.graph = 0

    def __call__(self, target: str, status: int, seconds: float) -> None:
        if target == "graph":
            self.graph += 1


@contextlib.asynccontextmanager
async def graph_emulator(latency_ms: float, in_process: bool) -> AsyncIterator[dict[str, str]]:
    """The emulator's environment (GRAPH_BASE_URL, AZURE_*...), latency set."""
    if in_process:
        async with GraphEmulator(latency_ms=latency_ms) as emulator:
            yield emulator.env()
        return
    with tempfile.TemporaryDirectory(prefix="bench-access-graph-") as state_dir:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "devtools.graph_emulator", "--graph-port", "0", "--authority-port", "0"),
            *("--latency-ms", str(latency_ms), "--state-dir", state_dir),
            cwd=REPO_ROOT,
            env=child_env({}),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            yield await asyncio.wait_for(_exported(process), EMULATOR_START_SECONDS)
        finally:
            await stop_process(process)


async def _exported(process: asyncio.subprocess.Process) -> dict[str, str]:
    """The `export NAME=value` lines the emulator prints once it listens."""
    assert process.stdout is not None
    env: dict[str, str] = {}
    while line := (await process.stdout.readline()).decode():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").strip().partition("=")
            env[name] = shlex.split(value)[0] if value else ""
        elif line.startswith("# control API"):
            return env
    raise RuntimeError("the Graph emulator exited before it was ready")


def bench_settings(env: dict[str, str], key_groups: dict[str, str]) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        graph_base_url=env["GRAPH_BASE_URL"],
        azure_authority_host=env["AZURE_AUTHORITY_HOST"],
        azure_tenant_id=env["AZURE_TENANT_ID"],
        azure_client_id=env["AZURE_CLIENT_ID"],
        azure_client_secret=env["AZURE_CLIENT_SECRET"],
        graph_ca_file=env["WERKPLEK_GRAPH_CA_FILE"],
        # Nothing about a person may be remembered between two reports, or the figure would
        # measure the cache rather than Graph.
        directory_cache_seconds=0,
        access_key_groups=key_groups,
    )


def demo_people(count: int) -> tuple[list[str], dict[str, str]]:
    """`count` people of the demo tenant (a fixed sample) and its entities' staff groups."""
    tenant = TenantState.load()
    ids = sorted(tenant.users)
    people = random.Random(3).sample(ids, min(count, len(ids)))
    groups = {
        entity["staffGroupId"]: entity["displayName"]
        for entity in tenant.entities
        if entity.get("staffGroupId")
    }
    return people, groups


def single_calls(gateway: GraphGateway) -> dict[str, Report]:
    """Each Graph read of a report on its own (one round trip each)."""
    return {
        "user": gateway.directory.get_user,
        "groups": gateway.directory.member_of,
        "methods": gateway.access.auth_methods,
        "licences": gateway.access.licences,
        "skus": lambda _person: gateway.access.subscribed_skus(),
        "devices": gateway.access.devices,
    }


def report_function(gateway: GraphGateway, settings: Settings) -> tuple[str, Report]:
    """The real service when it exists, else the same reads gathered concurrently."""
    if importlib.util.find_spec("bot.services.access.status") is not None:
        from bot.services.access.status import AccessStatus, access_policy
        from bot.services.platform.clock import SystemClock

        status = AccessStatus(
            gateway.directory, gateway.access, SystemClock(), access_policy(settings)
        )
        return "AccessStatus.report", status.report
    calls = single_calls(gateway).values()

    async def gather(person: str) -> Any:
        return await asyncio.gather(*(call(person) for call in calls))

    return "concurrent gather of the six reads (bot.services.access.status not there yet)", gather


def unchecked_lines(report: Any) -> int:
    """Lines of a report that could not be checked (0 for the plain gather: it raises)."""
    checks = getattr(report, "checks", ())
    return sum(1 for check in checks if str(getattr(check, "state", "")) == "unknown")


async def timed(call: Awaitable[Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await call
    return (time.perf_counter() - started) * 1000, result


async def one_round_trip(gateway: GraphGateway, people: list[str], samples: int) -> dict[str, Any]:
    per_call: dict[str, list[float]] = {}
    for index in range(samples):
        person = people[index % len(people)]
        for name, call in single_calls(gateway).items():
            elapsed, _ = await timed(call(person))
            per_call.setdefault(name, []).append(elapsed)
    every = [ms for values in per_call.values() for ms in values]
    return {
        "median_ms": statistics.median(every),
        "median_ms_per_call": {name: statistics.median(v) for name, v in per_call.items()},
    }


async def one_after_another(gateway: GraphGateway, people: list[str], samples: int) -> float:
    totals = []
    for index in range(samples):
        person = people[index % len(people)]
        started = time.perf_counter()
        for call in single_calls(gateway).values():
            await call(person)
        totals.append((time.perf_counter() - started) * 1000)
    return statistics.median(totals)


async def reports(report: Report, people: list[str], requests: int, at_once: int) -> Load:
    """`requests` reports for the people in turn, `at_once` of them in flight at any time."""
    load = Load()
    turns = iter(range(requests))

    async def asker() -> None:
        for turn in turns:
            elapsed, result = await timed(report(people[turn % len(people)]))
            load.latencies.append(elapsed)
            load.unchecked += unchecked_lines(result) > 0

    started = time.perf_counter()
    await asyncio.gather(*(asker() for _ in range(max(1, min(at_once, requests)))))
    load.seconds = time.perf_counter() - started
    return load


async def run_access_bench(
    *,
    quick: bool = False,
    requests: int | None = None,
    people: int = PEOPLE,
    at_once: int = AT_ONCE,
    latency_ms: float = LATENCY_MS,
    in_process_emulator: bool = False,
) -> dict[str, Any]:
    """Measure; returns {"rows": [Row as dict...], "details": {...}}."""
    requests = requests or (QUICK["requests"] if quick else REQUESTS)
    samples = QUICK["baseline_samples"] if quick else BASELINE_SAMPLES
    chosen, key_groups = demo_people(people)
    async with graph_emulator(latency_ms, in_process_emulator) as env:
        settings = bench_settings(env, key_groups)
        calls = GraphCalls()
        gateway = await open_graph(settings, on_call=calls)
        try:
            measured, report = report_function(gateway, settings)
            # Token, connections and lazy SDK imports first: none of that is a report's cost.
            await reports(report, chosen, len(chosen), at_once)
            round_trip = await one_round_trip(gateway, chosen, samples)
            sequential_ms = await one_after_another(gateway, chosen, samples)
            calls.graph = 0
            alone = await reports(report, chosen, requests, 1)
            calls_per_report = calls.graph / requests
            crowd = await reports(report, chosen, requests, at_once)
        finally:
            await gateway.close()
    details = {
        "measured": measured,
        "people": len(chosen),
        "latency_ms_per_graph_call": latency_ms,
        "emulator": "in process" if in_process_emulator else "own process",
        "caches": "directory_cache_seconds=0: user, groups, SKUs and refusals fetched per report",
        "graph_calls_per_report": calls_per_report,
        "one_round_trip": round_trip,
        "sequential_ms": sequential_ms,
        "one_at_a_time": alone.summary(),
        "at_once": at_once,
        "many_at_once": crowd.summary(),
    }
    return {"rows": [asdict(row) for row in access_rows(details)], "details": details}


def access_rows(details: dict[str, Any]) -> list[Row]:
    rtt = details["one_round_trip"]["median_ms"]
    limit = TARGET_FACTOR * rtt + TARGET_SLACK_MS
    alone, crowd = details["one_at_a_time"], details["many_at_once"]
    p50, p95, sequential = alone["p50_ms"], alone["p95_ms"], details["sequential_ms"]
    who = f"{alone['reports']} reports, {details['people']} people"
    crowded = f"{crowd['reports']} reports, {details['at_once']} people at once"
    unchecked = alone["reports_with_unchecked_lines"] + crowd["reports_with_unchecked_lines"]

    def info(figure: str, value: float, baseline: float | None, unit: str = "ms") -> Row:
        return Row(figure, value, baseline, unit, "info", "n/a", ratio(value, baseline))

    return [
        info(f"access status p50 ({who})", p50, rtt),
        Row(
            f"access status p95 ({who})",
            p95,
            rtt,
            "ms",
            f"<= {TARGET_FACTOR} x round trip + {TARGET_SLACK_MS:.0f} ms ({limit:.0f} ms)",
            verdict_text(p95 <= limit),
            ratio(p95, rtt),
        ),
        info("access: the same Graph calls one after another", sequential, rtt),
        info(
            "access: Graph calls per report (no cache)", details["graph_calls_per_report"], None, ""
        ),
        info(f"access status p50 ({crowded})", crowd["p50_ms"], rtt),
        info(f"access status p95 ({crowded})", crowd["p95_ms"], rtt),
        info(f"access reports/s ({crowded})", crowd["reports_per_second"], None, "/s"),
        Row(
            "access: reports with an unchecked line",
            unchecked,
            None,
            "",
            "0",
            verdict_text(not unchecked),
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer reports: a smoke test")
    parser.add_argument("--requests", type=int, help=f"reports in total (default {REQUESTS})")
    parser.add_argument("--people", type=int, default=PEOPLE, help="people asking, in turn")
    parser.add_argument(
        "--at-once", type=int, default=AT_ONCE, help="reports in flight in the load figures"
    )
    parser.add_argument("--latency-ms", type=float, default=LATENCY_MS)
    parser.add_argument("--in-process-emulator", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    result = asyncio.run(
        run_access_bench(
            quick=args.quick,
            requests=args.requests,
            people=args.people,
            at_once=args.at_once,
            latency_ms=args.latency_ms,
            in_process_emulator=args.in_process_emulator,
        )
    )
    rows = [Row(**row) for row in result["rows"]]
    print(markdown_table(rows))
    path = write_json("access", {"rows": rows, "details": result["details"]})
    print(f"\nmeasured: {result['details']['measured']}\nwritten: {path}")
    return 1 if any(row.verdict == "FAIL" for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
