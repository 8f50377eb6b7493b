"""`/api/messages` throughput for `help`: Werkplek against the bare Agents SDK echo bot.

N concurrent keep-alive clients POST Teams message activities (personal chat, nl-BE, the demo
user and tenant, each with a unique id), see `bench/load.py`. Both bots run side by side; after a
warm-up each, the measured requests are split into rounds that alternate between the bots
(A B, B A, ...), so background load on the shared machine hits both alike. Measured: what a
channel sees (accepted 2xx per second, p50/p95 HTTP latency), what reaches the connector (each
request's reply at the sink, replies per second) and the bot's CPU time per request. The Agents
SDK may answer the POST before or after sending the reply, so both views are reported.

    python -m bench.throughput [--quick] [--requests N] [--concurrency C] [--rounds R]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp

from bench.common import BenchResult, Row, free_port, percentile, ratio, running_bot, verdict
from bench.load import COMMAND_TEXT, PhaseTally, run_phase
from bench.sink import reply_sink
from bench.targets import bots_under_test, werkplek_unavailable_reason

logger = logging.getLogger(__name__)

THROUGHPUT_MIN_RATIO = 0.7
_SATURATED_SHARE = 0.9
_REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)


@dataclass
class LoadFigures:
    requests: int
    concurrency: int
    wall_seconds: float
    accepted: int
    statuses: dict[str, int]
    failures: int
    requests_per_second: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    replied_requests: int
    replies: int
    replies_per_second: float
    bot_cpu_ms_per_request: float
    # Share of one core the bench process (clients, connector, Graph emulator) used: near 1.0
    # means the load generator, not the bot, may have set the pace.
    load_generator_cpu_share: float


def summarise(phases: list[PhaseTally], requests: int, concurrency: int) -> LoadFigures:
    """Pool the rounds of one bot: rates are totals over summed phase times."""
    wall = sum(p.wall_seconds for p in phases)
    reply_window = sum(p.reply_window_seconds for p in phases)
    accepted = sum(len(p.activity_ids) for p in phases)
    replied = sum(p.replied for p in phases)
    latencies = [lat for p in phases for lat in p.latencies]
    statuses: Counter[int] = sum((p.statuses for p in phases), Counter())
    return LoadFigures(
        requests=requests,
        concurrency=concurrency,
        wall_seconds=wall,
        accepted=accepted,
        statuses={str(code): n for code, n in sorted(statuses.items())},
        failures=sum(p.failures for p in phases),
        requests_per_second=accepted / wall if wall else 0.0,
        latency_p50_ms=percentile(latencies, 50) * 1000,
        latency_p95_ms=percentile(latencies, 95) * 1000,
        latency_p99_ms=percentile(latencies, 99) * 1000,
        replied_requests=replied,
        replies=sum(p.replies for p in phases),
        replies_per_second=replied / reply_window if reply_window else 0.0,
        bot_cpu_ms_per_request=sum(p.bot_cpu_seconds for p in phases) * 1000 / max(accepted, 1),
        load_generator_cpu_share=sum(p.own_cpu_seconds for p in phases) / wall if wall else 0.0,
    )


def _round_sizes(requests: int, rounds: int) -> list[int]:
    base, extra = divmod(requests, rounds)
    return [base + (1 if i < extra else 0) for i in range(rounds)]


async def run_throughput_bench(
    *, requests: int = 2000, warmup: int = 200, concurrency: int = 16, rounds: int = 4
) -> BenchResult:
    skipped = werkplek_unavailable_reason()
    if skipped:
        logger.warning("throughput: measuring the echo bot only (%s)", skipped)
    phases: dict[str, list[PhaseTally]] = {}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with (
        reply_sink() as sink,
        bots_under_test(with_werkplek=skipped is None) as launches,
        aiohttp.ClientSession(connector=connector, timeout=_REQUEST_TIMEOUT) as session,
        contextlib.AsyncExitStack() as stack,
    ):
        bots = {
            name: await stack.enter_async_context(running_bot(factory(free_port())))
            for name, factory in launches.items()
        }
        for bot in bots.values():
            await run_phase(session, bot, sink, warmup, concurrency)
        for round_no, size in enumerate(_round_sizes(requests, rounds)):
            order = list(bots) if round_no % 2 == 0 else list(reversed(bots))
            for name in order:
                tally = await run_phase(session, bots[name], sink, size, concurrency)
                phases.setdefault(name, []).append(tally)
    figures = {name: summarise(p, requests, concurrency) for name, p in phases.items()}
    for name, figure in figures.items():
        if figure.load_generator_cpu_share > _SATURATED_SHARE:
            logger.warning(
                "throughput: the load generator used %.0f%% of a core during the %s runs",
                figure.load_generator_cpu_share * 100,
                name,
            )
    details: dict[str, Any] = {
        "text": COMMAND_TEXT,
        "requests": requests,
        "warmup": warmup,
        "concurrency": concurrency,
        "rounds": rounds,
        "werkplek_skipped": skipped,
        **{name: asdict(f) for name, f in figures.items()},
    }
    return BenchResult("throughput", _rows(figures.get("werkplek"), figures["echo"]), details)


def _rows(werkplek: LoadFigures | None, echo: LoadFigures) -> list[Row]:
    def pick(attr: str) -> tuple[float | None, float]:
        return (None if werkplek is None else getattr(werkplek, attr)), getattr(echo, attr)

    rps_w, rps_e = pick("requests_per_second")
    rps_ratio = ratio(rps_w, rps_e)
    rows = [
        Row(
            f"/api/messages `{COMMAND_TEXT}` accepted/s",
            rps_w,
            rps_e,
            "req/s",
            f">= {THROUGHPUT_MIN_RATIO}x",
            verdict(None if rps_ratio is None else rps_ratio >= THROUGHPUT_MIN_RATIO),
            rps_ratio,
        )
    ]
    for attr, figure, unit in (
        ("latency_p50_ms", "HTTP latency p50", "ms"),
        ("latency_p95_ms", "HTTP latency p95", "ms"),
        ("replies_per_second", "replies/s at the connector", "/s"),
        ("bot_cpu_ms_per_request", "bot CPU per request", "ms"),
    ):
        w, e = pick(attr)
        rows.append(Row(figure, w, e, unit, "info", "n/a", ratio(w, e)))
    share_w = None if werkplek is None else _reply_share(werkplek)
    rows.append(
        Row(
            "requests answered with a reply",
            share_w,
            _reply_share(echo),
            "%",
            "100 %",
            verdict(None if share_w is None else share_w >= 100.0),
        )
    )
    return rows


def _reply_share(figures: LoadFigures) -> float:
    return 100.0 * figures.replied_requests / figures.requests if figures.requests else 0.0


def quick_parameters() -> dict[str, Any]:
    return {"requests": 300, "warmup": 50, "concurrency": 8, "rounds": 2}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 requests, 8 clients, 2 rounds")
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--concurrency", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    params: dict[str, Any] = quick_parameters() if args.quick else {}
    for name in ("requests", "concurrency", "rounds"):
        if getattr(args, name) is not None:
            params[name] = getattr(args, name)
    result = asyncio.run(run_throughput_bench(**params))
    result.print_table()
    print(f"\nwritten: {result.write()}")


if __name__ == "__main__":
    main()
