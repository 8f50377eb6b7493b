"""`make bench`: every section (startup to announcements), one combined table, one summary file.

    python -m bench.run [--quick] [--only startup|throughput|outbox ...]

Each section writes its own `bench/results/<section>.json`; the combined table goes to stdout
and `bench/results/summary.json`. Werkplek figures are ratios against the baseline measured in
the same run. A section that crashes is reported and the others still run (exit status 1).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import traceback
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bench import startup, throughput
from bench.common import BenchResult, Row, markdown_table, ratio, write_json

logger = logging.getLogger(__name__)

SECTIONS = (
    "startup",
    "throughput",
    "understanding",
    "knowledge",
    "relay",
    "outbox",
    "access",
    "licences",
    "post",
    "replicas",
    "announcements",
    "files",
)
_ROW_FIELDS = ("figure", "werkplek", "baseline", "target", "verdict")


async def _startup(quick: bool) -> BenchResult:
    return await startup.run_startup_bench(**(startup.quick_parameters() if quick else {}))


async def _throughput(quick: bool) -> BenchResult:
    params = throughput.quick_parameters() if quick else {}
    return await throughput.run_throughput_bench(**params)


async def _understanding(quick: bool) -> BenchResult:
    from bench.understanding import run_understanding_bench

    return await run_understanding_bench(quick)


async def _knowledge(quick: bool) -> BenchResult:
    from bench.knowledge import run_knowledge_bench

    return await run_knowledge_bench(quick)


async def _relay(quick: bool) -> BenchResult:
    from bench.relay import run_relay_bench

    return await run_relay_bench(quick)


async def _outbox(quick: bool) -> BenchResult:
    from bench.outbox import run_outbox_bench

    outcome: Mapping[str, Any] = await run_outbox_bench(quick=quick)
    return BenchResult("outbox", section_rows(outcome), dict(outcome))


async def _access(quick: bool) -> BenchResult:
    from bench.access import run_access_bench

    outcome: Mapping[str, Any] = await run_access_bench(quick=quick)
    return BenchResult("access", section_rows(outcome), dict(outcome.get("details", {})))


async def _licences(quick: bool) -> BenchResult:
    from bench.licences import run_licence_bench

    outcome: Mapping[str, Any] = await run_licence_bench(quick=quick)
    return BenchResult("licences", list(outcome["rows"]), dict(outcome["details"]))


async def _post(quick: bool) -> BenchResult:
    from bench.post_intake import run_post_intake_bench

    outcome: Mapping[str, Any] = await run_post_intake_bench(quick=quick)
    return BenchResult("post", list(outcome["rows"]), dict(outcome["details"]))


async def _replicas(quick: bool) -> BenchResult:
    from bench.replicas import run_replicas_bench

    outcome: Mapping[str, Any] = await run_replicas_bench(quick=quick)
    return BenchResult("replicas", list(outcome["rows"]), dict(outcome["details"]))


async def _announcements(quick: bool) -> BenchResult:
    from bench.announcements import run_announcements_bench

    outcome: Mapping[str, Any] = await run_announcements_bench(quick=quick)
    return BenchResult("announcements", list(outcome["rows"]), dict(outcome["details"]))


async def _files(quick: bool) -> BenchResult:
    from bench.hostile_files import run_hostile_files_bench

    # The children it starts are the measurement: run them off the event loop.
    outcome: Mapping[str, Any] = await asyncio.to_thread(run_hostile_files_bench, quick=quick)
    return BenchResult("files", list(outcome["rows"]), dict(outcome["details"]))


def section_rows(outcome: Mapping[str, Any]) -> list[Row]:
    """Rows from a section's dict: its own `rows` if it gives them, else its scalars."""
    given = outcome.get("rows")
    if isinstance(given, list) and all(isinstance(r, Mapping) for r in given):
        return [_row_from_mapping(r) for r in given]
    return [
        Row(f"outbox {key}", float(value), None, "", "info", "n/a")
        for key, value in outcome.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]


def _row_from_mapping(row: Mapping[str, Any]) -> Row:
    werkplek, baseline = _number(row.get("werkplek")), _number(row.get("baseline"))
    given_ratio = _number(row.get("ratio"))
    return Row(
        figure=str(row.get("figure", "?")),
        werkplek=werkplek,
        baseline=baseline,
        unit=str(row.get("unit", "")),
        target=str(row.get("target", "")),
        verdict=str(row.get("verdict", "n/a")),
        ratio=given_ratio if given_ratio is not None else ratio(werkplek, baseline),
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) else float(value)


_RUNNERS: dict[str, Callable[[bool], Awaitable[BenchResult]]] = {
    "startup": _startup,
    "throughput": _throughput,
    "understanding": _understanding,
    "knowledge": _knowledge,
    "relay": _relay,
    "outbox": _outbox,
    "access": _access,
    "licences": _licences,
    "post": _post,
    "replicas": _replicas,
    "announcements": _announcements,
    "files": _files,
}


async def run_sections(sections: list[str], quick: bool) -> tuple[list[BenchResult], list[str]]:
    """Run the sections one after another (they must not compete for the cores)."""
    results: list[BenchResult] = []
    failed: list[str] = []
    for name in sections:
        try:
            result = await _RUNNERS[name](quick)
        except Exception:
            logger.error("bench section %s failed:\n%s", name, traceback.format_exc())
            failed.append(name)
            continue
        result.write()
        results.append(result)
    return results, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations: a smoke test")
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="run only this section (repeatable)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sections = [s for s in SECTIONS if s in args.only] if args.only else list(SECTIONS)
    results, failed = asyncio.run(run_sections(sections, args.quick))
    rows = [row for result in results for row in result.rows]
    print(markdown_table(rows))
    for result in results:
        if result.details.get("skipped"):
            print(f"\n{result.name}: skipped ({result.details['skipped']})")
        elif result.details.get("werkplek_skipped"):
            print(f"\n{result.name}: baseline only ({result.details['werkplek_skipped']})")
    path = write_json(
        "summary",
        {
            "quick": args.quick,
            "sections": sections,
            "failed_sections": failed,
            "rows": rows,
            "details": {r.name: r.details for r in results},
        },
    )
    print(f"\nwritten: {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
