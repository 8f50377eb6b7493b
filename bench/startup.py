"""Cold start to ready and idle memory: Werkplek against the bare Agents SDK echo bot.

Cold start is process spawn -> first 200 from `GET /readyz` (both bots are probed the same way),
the median of several runs. Runs alternate between the bots so drift in machine load hits both
alike, and one discarded warm-up run each puts their files in the page cache first. Idle RSS is
read with psutil (the process and its children) once it has stopped growing: Werkplek answers
/readyz before it has loaded its capabilities (the understanding step's dictionaries and model
load off the event loop afterwards), and idle means loaded, not merely ready.

    python -m bench.startup [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
from dataclasses import dataclass, field
from typing import Any

import psutil

from bench.common import (
    BenchResult,
    Row,
    free_port,
    megabytes,
    process_tree,
    ratio,
    rss_bytes,
    running_bot,
    verdict,
)
from bench.targets import LaunchFactory, bots_under_test, werkplek_unavailable_reason

logger = logging.getLogger(__name__)

COLD_START_MAX_RATIO = 1.3
IDLE_RSS_MAX_MB = 150.0
# Idle: RSS grew less than this over one interval (read after the settle, within the limit).
_STEADY_BYTES = 256 * 1024
_STEADY_INTERVAL_SECONDS = 1.0
_STEADY_WITHIN_SECONDS = 30.0
_TRAINER = "bot.commands.training"


@dataclass
class StartupRuns:
    cold_start_seconds: list[float] = field(default_factory=list)
    idle_rss_bytes: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "cold_start_median_seconds": _median(self.cold_start_seconds),
            "idle_rss_median_mb": _median([megabytes(b) for b in self.idle_rss_bytes]),
            "cold_start_seconds": self.cold_start_seconds,
            "idle_rss_mb": [megabytes(b) for b in self.idle_rss_bytes],
        }


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


async def measure_once(launch_factory: LaunchFactory, settle_seconds: float) -> tuple[float, int]:
    """One cold start; returns (spawn -> ready seconds, idle RSS bytes)."""
    async with running_bot(launch_factory(free_port())) as bot:
        await asyncio.sleep(settle_seconds)
        return bot.ready_after_seconds, await steady_rss(bot.pid)


async def steady_rss(pid: int) -> int:
    """The process's RSS once it stops growing and its model is trained (its loading done), or
    at the time limit. The trainer is a child that exits once it has handed the model over
    (bot/commands/examples.py); while it works the sum may stand still for a second."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _STEADY_WITHIN_SECONDS
    before, trained_before = rss_bytes(pid), not _training(pid)
    while True:
        await asyncio.sleep(_STEADY_INTERVAL_SECONDS)
        now, trained = rss_bytes(pid), not _training(pid)
        # Steady over a whole interval after the trainer left: the model is loaded, not only
        # handed over.
        if (trained_before and trained and now - before < _STEADY_BYTES) or (
            loop.time() >= deadline
        ):
            return now
        before, trained_before = now, trained


def _training(pid: int) -> bool:
    return any(
        _TRAINER in " ".join(_cmdline(proc)) for proc in process_tree(pid) if proc.pid != pid
    )


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return [str(part) for part in proc.cmdline()]
    except psutil.Error:
        return []


async def run_startup_bench(*, runs: int = 7, settle_seconds: float = 2.0) -> BenchResult:
    skipped = werkplek_unavailable_reason()
    if skipped:
        logger.warning("startup: measuring the echo bot only (%s)", skipped)
    results: dict[str, StartupRuns] = {}
    async with bots_under_test(with_werkplek=skipped is None) as bots:
        for factory in bots.values():  # warm-up: page cache, .pyc files
            await measure_once(factory, 0.0)
        for _ in range(runs):
            for name, factory in bots.items():
                seconds, rss = await measure_once(factory, settle_seconds)
                runs_of = results.setdefault(name, StartupRuns())
                runs_of.cold_start_seconds.append(seconds)
                runs_of.idle_rss_bytes.append(rss)
    summaries = {name: r.summary() for name, r in results.items()}
    details: dict[str, Any] = {
        "runs": runs,
        "settle_seconds": settle_seconds,
        "werkplek_skipped": skipped,
        **summaries,
    }
    return BenchResult("startup", _rows(summaries), details)


def _rows(summaries: dict[str, dict[str, Any]]) -> list[Row]:
    echo, werkplek = summaries.get("echo", {}), summaries.get("werkplek", {})
    start_w, start_e = werkplek.get("cold_start_median_seconds"), echo["cold_start_median_seconds"]
    rss_w, rss_e = werkplek.get("idle_rss_median_mb"), echo["idle_rss_median_mb"]
    start_ratio = ratio(start_w, start_e)
    return [
        Row(
            figure="cold start to ready (median)",
            werkplek=start_w,
            baseline=start_e,
            unit="s",
            ratio=start_ratio,
            target=f"<= {COLD_START_MAX_RATIO}x",
            verdict=verdict(None if start_ratio is None else start_ratio <= COLD_START_MAX_RATIO),
        ),
        Row(
            figure="idle RSS incl. children (median)",
            werkplek=rss_w,
            baseline=rss_e,
            unit="MB",
            ratio=ratio(rss_w, rss_e),
            target=f"<= {IDLE_RSS_MAX_MB:.0f} MB",
            verdict=verdict(None if rss_w is None else rss_w <= IDLE_RSS_MAX_MB),
        ),
    ]


def quick_parameters() -> dict[str, Any]:
    return {"runs": 3, "settle_seconds": 1.0}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs, 1 s settle")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    params: dict[str, Any] = quick_parameters() if args.quick else {}
    if args.runs is not None:
        params["runs"] = args.runs
    result = asyncio.run(run_startup_bench(**params))
    result.print_table()
    print(f"\nwritten: {result.write()}")


if __name__ == "__main__":
    main()
