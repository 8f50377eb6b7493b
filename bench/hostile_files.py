"""Hostile workbooks: the peak memory of an import that meets one, against a normal import.

Each workbook (devtools/hostile_workbooks.py) is imported by the catalogue importer
(`read_catalogue`, what a chat upload and `werkplek catalogue import` run) in a fresh Python
process of its own, so one file's peak does not hide another's; the process reports its peak
resident set (getrusage) and its resident set just before the import (psutil), and runs under
an address-space cap so a regression fails the row instead of the machine. Baseline, measured
in the same run the same way: the demo catalogue exported by Werkplek and imported again.

Before the workbook limits (bot/excel/package.py) the first row, 68 KiB, cost gigabytes.

    python -m bench.hostile_files [--quick]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import REPO_ROOT, Row, child_env, markdown_table, megabytes, ratio, write_json
from bench.common import verdict as verdict_text

logger = logging.getLogger(__name__)

# A hostile import may cost at most this many times the memory of importing a normal catalogue
# (the interpreter, openpyxl and the store's code included in both).
TARGET_RATIO = 3.0
# Far above any target: a child past it fails its row (MemoryError) instead of swapping.
CHILD_ADDRESS_SPACE = 3 * 1024**3
CHILD_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], bytes]
    quick: bool = True  # also in --quick (the large ones take a while to build and read)


def _cases() -> list[Case]:
    from bot.excel.package import MAX_ROWS
    from devtools import hostile_workbooks as hostile

    return [
        Case("one cell in column XFD per row, 68 KiB", lambda: hostile.far_column(14_000)),
        Case(
            "one cell in column XFD per row, the largest sheet accepted",
            lambda: hostile.far_column(230_000),
            quick=False,
        ),
        Case("empty rows, the largest sheet accepted", lambda: hostile.empty_rows(650_000), False),
        Case(
            "short shared strings, the largest table accepted",
            lambda: hostile.many_shared_strings(500_000),
            quick=False,
        ),
        Case(f"{MAX_ROWS + 1} rows", lambda: hostile.many_rows(MAX_ROWS + 1)),
        Case(
            "one 30,000-character string in every cell",
            lambda: hostile.shared_string_bomb(30_000, 5 * 2_000),
        ),
        Case("zip bomb: a sheet padded to 200 MiB", lambda: hostile.padded_part(200), False),
        Case("zip bomb: a sheet padded to 11 MiB", lambda: hostile.padded_part(11)),
        Case(
            "a 10-million-character shared string",
            lambda: hostile.shared_string_bomb(10_000_000, 10_000),
        ),
        Case("60,000 cell formats", lambda: hostile.style_bomb(60_000)),
        Case("entity expansion", hostile.entity_expansion),
        Case("2,000 sheets over one part", lambda: hostile.many_sheets(2_000)),
    ]


@dataclass(frozen=True)
class Measured:
    name: str
    file_bytes: int
    outcome: str  # "accepted", "refused: <problem keys>", or what went wrong
    peak_rss: int
    rss_before: int
    seconds: float

    @property
    def crashed(self) -> bool:
        return not self.outcome.startswith(("accepted", "refused"))


def measure(name: str, data: bytes, folder: Path) -> Measured:
    """Import `data` in a child process; its peak RSS and what the import said."""
    path = folder / "workbook.xlsx"
    path.write_bytes(data)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.hostile_files", "--child", str(path)],
            cwd=REPO_ROOT,
            env=child_env({"PYTHONPATH": str(REPO_ROOT)}),
            capture_output=True,
            timeout=CHILD_TIMEOUT_SECONDS,
            preexec_fn=_limit_address_space,  # the bench process runs no threads here
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Measured(name, len(data), "timed out", 0, 0, time.perf_counter() - started)
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        outcome = f"exit {done.returncode}: {tail[0][:120]}"
        return Measured(name, len(data), outcome, 0, 0, time.perf_counter() - started)
    report = json.loads(done.stdout)
    return Measured(
        name,
        len(data),
        report["outcome"],
        report["peak_rss"],
        report["rss_before"],
        report["seconds"],
    )


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE, CHILD_ADDRESS_SPACE))


def _child(path: Path) -> dict[str, Any]:
    """In the child: import the file as an upload would be, and report."""
    import psutil

    from bot.excel.licences.catalogue import CatalogueImportError, read_catalogue

    data = path.read_bytes()
    rss_before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    try:
        read_catalogue(data)
        outcome = "accepted"
    except CatalogueImportError as error:
        keys = sorted({problem.message_key for problem in error.problems})
        outcome = "refused: " + ", ".join(keys[:3]) + (" ..." if len(keys) > 3 else "")
    except MemoryError:
        outcome = "MemoryError"
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "outcome": outcome,
        "peak_rss": peak_kib * 1024,
        "rss_before": rss_before,
        "seconds": seconds,
    }


def run_hostile_files_bench(*, quick: bool = False) -> dict[str, Any]:
    from bot.excel.licences.catalogue import write_catalogue
    from devtools.demo_catalogue import demo_catalogue

    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
        work = Path(folder)
        baseline = measure("demo catalogue", write_catalogue(demo_catalogue()), work)
        measured = [
            measure(case.name, case.build(), work) for case in _cases() if case.quick or not quick
        ]
    return {"rows": hostile_rows(baseline, measured), "details": _details(baseline, measured)}


def hostile_rows(baseline: Measured, measured: list[Measured]) -> list[Row]:
    rows = [
        Row(
            "workbook import: demo catalogue, peak RSS (baseline)",
            megabytes(baseline.peak_rss),
            None,
            "MB",
            "info",
            verdict_text(False) if baseline.crashed else "n/a",
        )
    ]
    for case in measured:
        share = ratio(case.peak_rss, baseline.peak_rss)
        passed = not case.crashed and share is not None and share <= TARGET_RATIO
        rows.append(
            Row(
                f"workbook import: {case.name} ({_kib(case.file_bytes)}), {case.outcome}",
                None if case.crashed else megabytes(case.peak_rss),
                megabytes(baseline.peak_rss),
                "MB",
                f"<= {TARGET_RATIO:.0f}x the baseline, {case.seconds:.1f} s",
                verdict_text(passed),
                share,
            )
        )
    return rows


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB" if size < 1024**2 else f"{size / 1024**2:,.1f} MiB"


def _details(baseline: Measured, measured: list[Measured]) -> dict[str, Any]:
    return {
        "baseline": asdict(baseline),
        "cases": [asdict(case) for case in measured],
        "target_ratio": TARGET_RATIO,
        "measured": "peak RSS (getrusage) of a fresh process importing one workbook with "
        "read_catalogue; rss_before is its RSS (psutil) just before the import",
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the small workbooks")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        sys.stdout.write(json.dumps(_child(args.child)))
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    result = run_hostile_files_bench(quick=args.quick)
    rows = result["rows"]
    print(markdown_table(rows))
    print(f"\nwritten: {write_json('files', result)}")
    return 1 if any(row.verdict == "FAIL" for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
