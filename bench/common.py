"""Shared bench plumbing: result rows and tables, JSON results, bot processes, statistics.

Every figure is reported next to the baseline measured in the same run, because absolute timings
on a shared 2-core machine say little; the ratio is what the targets are written against.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"

# Readiness is polled this often: fine enough not to blur a cold start of about a second, coarse
# enough that the poller does not steal a core from the process it is timing.
READINESS_POLL_SECONDS = 0.005
READINESS_TIMEOUT_SECONDS = 60.0
STOP_GRACE_SECONDS = 5.0
# Only these are inherited from the shell, so a developer's WERKPLEK_* or CONNECTIONS__* settings
# can never leak into a measured bot.
_INHERITED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "VIRTUAL_ENV")


@dataclass(frozen=True)
class Row:
    """One line of a result table; `None` renders as n/a."""

    figure: str
    werkplek: float | None
    baseline: float | None
    unit: str
    target: str
    verdict: str
    ratio: float | None = None


def ratio(werkplek: float | None, baseline: float | None) -> float | None:
    if werkplek is None or baseline is None or baseline == 0:
        return None
    return werkplek / baseline


def verdict(passed: bool | None) -> str:
    return "n/a" if passed is None else ("PASS" if passed else "FAIL")


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if math.isnan(value):
        return "nan"
    # Whole numbers (counts, limits) print bare; others get fewer decimals as they grow.
    digits = 0 if float(value).is_integer() or abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f}{(' ' + unit) if unit else ''}"


def markdown_table(rows: Iterable[Row]) -> str:
    lines = [
        "| figure | werkplek | baseline | ratio | target | verdict |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        ratio_text = "n/a" if row.ratio is None else f"{row.ratio:.2f}x"
        lines.append(
            f"| {row.figure} | {_fmt(row.werkplek, row.unit)} | {_fmt(row.baseline, row.unit)} "
            f"| {ratio_text} | {row.target} | {row.verdict} |"
        )
    return "\n".join(lines)


def write_json(name: str, payload: Mapping[str, Any]) -> Path:
    """Write `bench/results/<name>.json` with the machine context the numbers depend on."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    document = {
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
            "platform": sys.platform,
            # Other work on the machine skews absolute figures: read them with this in mind.
            "load_average_1_5_15": list(os.getloadavg()),
        },
        **payload,
    }
    path.write_text(json.dumps(document, indent=2, default=_json_default) + "\n", "utf-8")
    return path


def _json_default(value: Any) -> Any:
    if isinstance(value, Row):
        return asdict(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def free_port() -> int:
    """A port that was free a moment ago, for programs that need a number up front."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {key: os.environ[key] for key in _INHERITED_ENV if key in os.environ}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@dataclass(frozen=True)
class BotLaunch:
    """How to start one bot on a given port, and where it answers."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str]
    port: int
    cwd: Path = REPO_ROOT
    readiness_path: str = "/readyz"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class RunningBot:
    launch: BotLaunch
    process: asyncio.subprocess.Process
    log_path: Path
    started_at: float
    ready_after_seconds: float = math.nan
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""


class BotFailedError(RuntimeError):
    """The bot exited or never became ready; the message carries its log tail."""


@contextlib.asynccontextmanager
async def running_bot(launch: BotLaunch) -> AsyncIterator[RunningBot]:
    """Spawn the bot, wait until its readiness URL answers 200, and stop it afterwards.

    `ready_after_seconds` is spawn -> first 200, the cold-start figure.
    """
    with tempfile.TemporaryDirectory(prefix=f"bench-{launch.name}-log-") as log_dir:
        log_path = Path(log_dir) / "bot.log"
        with log_path.open("wb") as log_file:
            started_at = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                *launch.argv,
                cwd=launch.cwd,
                env=dict(launch.env),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=asyncio.subprocess.STDOUT,
            )
            bot = RunningBot(launch, process, log_path, started_at)
            try:
                bot.ready_after_seconds = await wait_ready(bot) - started_at
                yield bot
            finally:
                await stop_process(process)


async def wait_ready(bot: RunningBot, within_seconds: float = READINESS_TIMEOUT_SECONDS) -> float:
    """Poll the readiness URL; return the perf_counter time of the first 200."""
    url = bot.launch.base_url + bot.launch.readiness_path
    deadline = time.perf_counter() + within_seconds
    # A fresh connection per probe: a refused connect must not poison a pooled one.
    connector = aiohttp.TCPConnector(force_close=True)
    probe_timeout = aiohttp.ClientTimeout(total=2.0)
    async with aiohttp.ClientSession(connector=connector, timeout=probe_timeout) as session:
        while time.perf_counter() < deadline:
            if bot.process.returncode is not None:
                raise BotFailedError(
                    f"{bot.launch.name} exited with {bot.process.returncode}:\n{bot.log_tail()}"
                )
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(url) as response:
                    if response.status == 200:
                        return time.perf_counter()
            await asyncio.sleep(READINESS_POLL_SECONDS)
    raise BotFailedError(
        f"{bot.launch.name} not ready after {within_seconds:.0f} s:\n{bot.log_tail()}"
    )


async def stop_process(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()


def process_tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def rss_bytes(pid: int) -> int:
    """Resident set size of a process and all its children."""
    total = 0
    for proc in process_tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time consumed so far by a process and its children."""
    total = 0.0
    for proc in process_tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def megabytes(value: float) -> float:
    """Decimal megabytes, the unit the RSS target is written in (the stricter reading of MB)."""
    return value / 1_000_000


@dataclass
class BenchResult:
    """What each bench section hands the runner: table rows plus the raw figures behind them."""

    name: str
    rows: list[Row]
    details: dict[str, Any] = field(default_factory=dict)

    def write(self) -> Path:
        return write_json(self.name, {"rows": self.rows, "details": self.details})

    def print_table(self) -> None:
        print(markdown_table(self.rows))
