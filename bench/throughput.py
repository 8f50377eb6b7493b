"""`/api/messages` throughput for `help`: Werkplek against the bare Agents SDK echo bot.

N concurrent keep-alive clients POST Teams message activities (personal chat, nl-BE, the demo
user and tenant, each with a unique id) until a fixed count is done, after a warm-up. Measured:
what a channel sees (accepted 2xx per second, p50/p95 HTTP latency), what reaches the connector
(each request's reply at the sink, replies per second) and the bot's CPU time per request. The
Agents SDK may answer the POST before or after sending the reply, so both views are reported.

    python -m bench.throughput [--quick] [--requests N] [--concurrency C]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bench.common import (
    BenchResult,
    Row,
    RunningBot,
    cpu_seconds,
    free_port,
    percentile,
    ratio,
    running_bot,
    verdict,
)
from bench.sink import ReplySink, reply_sink
from bench.targets import (
    DEMO_TENANT_ID,
    DEMO_USER_ID,
    bots_under_test,
    werkplek_unavailable_reason,
)

logger = logging.getLogger(__name__)

THROUGHPUT_MIN_RATIO = 0.7
COMMAND_TEXT = "help"
# Replies that have not arrived this long after the last response are counted as missing.
REPLY_GRACE_SECONDS = 10.0
_SATURATED_SHARE = 0.9
_REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)


@dataclass
class LoadFigures:
    requests: int
    concurrency: int
    wall_seconds: float
    accepted: int
    statuses: dict[str, int]
    failures: int  # connection errors and timeouts
    requests_per_second: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    replied_requests: int
    replies: int
    replies_per_second: float
    bot_cpu_ms_per_request: float
    # Share of one core the bench process (clients + connector) used: near 1.0 means the load
    # generator, not the bot, may have set the pace.
    load_generator_cpu_share: float


@dataclass
class _Phase:
    """Mutable tallies of one load phase."""

    activity_ids: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: int = 0


def message_activity(activity_id: str, conversation_id: str, service_url: str) -> dict[str, Any]:
    """A Teams personal-chat message as the Bot Framework channel delivers it."""
    return {
        "type": "message",
        "id": activity_id,
        "timestamp": datetime.now(UTC).isoformat(),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{DEMO_USER_ID}", "aadObjectId": DEMO_USER_ID},
        "recipient": {"id": "28:werkplek-bench", "name": "Werkplek"},
        "conversation": {
            "id": conversation_id,
            "conversationType": "personal",
            "tenantId": DEMO_TENANT_ID,
        },
        "text": COMMAND_TEXT,
        "textFormat": "plain",
        "locale": "nl-BE",
        "channelData": {"tenant": {"id": DEMO_TENANT_ID}},
    }


async def _client(
    session: aiohttp.ClientSession,
    url: str,
    client_no: int,
    tickets: Iterator[int],
    phase: _Phase,
    service_url: str,
    run_id: str,
) -> None:
    # One personal conversation per client: the same user chatting from several sessions,
    # so no per-conversation serialisation skews either bot.
    conversation_id = f"a:bench-{run_id}-{client_no}"
    for ticket in tickets:
        activity_id = f"bench-{run_id}-{ticket}"
        body = message_activity(activity_id, conversation_id, service_url)
        started = time.monotonic()
        try:
            async with session.post(url, json=body) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            phase.failures += 1
            continue
        phase.latencies.append(time.monotonic() - started)
        phase.statuses[status] += 1
        if 200 <= status < 300:
            phase.activity_ids.append(activity_id)


async def _load(
    session: aiohttp.ClientSession, url: str, count: int, concurrency: int, service_url: str
) -> tuple[_Phase, float]:
    phase = _Phase()
    run_id = uuid.uuid4().hex[:8]
    tickets = iter(range(count))  # shared: clients take the next number until none are left
    started = time.monotonic()
    await asyncio.gather(
        *(_client(session, url, n, tickets, phase, service_url, run_id) for n in range(concurrency))
    )
    return phase, started


async def _await_replies(sink: ReplySink, ids: list[str]) -> list[float]:
    """Wait until every accepted request has a reply, or no new one came for the grace time."""
    seen, last_change = -1, time.monotonic()
    while True:
        times = sink.reply_times(ids)
        if len(times) != seen:
            seen, last_change = len(times), time.monotonic()
        if _replied(sink, ids) >= len(ids) or time.monotonic() - last_change > REPLY_GRACE_SECONDS:
            return times
        await asyncio.sleep(0.01)


def _replied(sink: ReplySink, ids: list[str]) -> int:
    return sum(1 for rid in ids if sink.reply_times((rid,)))


async def measure_bot(
    bot: RunningBot, sink: ReplySink, *, requests: int, warmup: int, concurrency: int
) -> LoadFigures:
    url = bot.launch.base_url + "/api/messages"
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=_REQUEST_TIMEOUT) as session:
        warm, _ = await _load(session, url, warmup, concurrency, sink.service_url)
        await _await_replies(sink, warm.activity_ids)
        cpu_before, own_before = cpu_seconds(bot.pid), time.process_time()
        phase, started = await _load(session, url, requests, concurrency, sink.service_url)
        wall = time.monotonic() - started
        own_used = time.process_time() - own_before
        reply_times = await _await_replies(sink, phase.activity_ids)
        cpu_used = cpu_seconds(bot.pid) - cpu_before
    replied = _replied(sink, phase.activity_ids)
    accepted = len(phase.activity_ids)
    reply_window = (max(reply_times) - started) if reply_times else 0.0
    return LoadFigures(
        requests=requests,
        concurrency=concurrency,
        wall_seconds=wall,
        accepted=accepted,
        statuses={str(code): n for code, n in sorted(phase.statuses.items())},
        failures=phase.failures,
        requests_per_second=accepted / wall if wall else 0.0,
        latency_p50_ms=percentile(phase.latencies, 50) * 1000,
        latency_p95_ms=percentile(phase.latencies, 95) * 1000,
        latency_p99_ms=percentile(phase.latencies, 99) * 1000,
        replied_requests=replied,
        replies=len(reply_times),
        replies_per_second=replied / reply_window if reply_window else 0.0,
        bot_cpu_ms_per_request=cpu_used * 1000 / max(accepted, 1),
        load_generator_cpu_share=own_used / wall if wall else 0.0,
    )


async def run_throughput_bench(
    *, requests: int = 2000, warmup: int = 200, concurrency: int = 16
) -> BenchResult:
    skipped = werkplek_unavailable_reason()
    if skipped:
        logger.warning("throughput: measuring the echo bot only (%s)", skipped)
    figures: dict[str, LoadFigures] = {}
    async with reply_sink() as sink, bots_under_test(with_werkplek=skipped is None) as bots:
        for name, factory in bots.items():
            async with running_bot(factory(free_port())) as bot:
                figures[name] = await measure_bot(
                    bot, sink, requests=requests, warmup=warmup, concurrency=concurrency
                )
    for name, figure in figures.items():
        if figure.load_generator_cpu_share > _SATURATED_SHARE:
            logger.warning(
                "throughput: the load generator used %.0f%% of a core during the %s run",
                figure.load_generator_cpu_share * 100,
                name,
            )
    details: dict[str, Any] = {
        "text": COMMAND_TEXT,
        "requests": requests,
        "warmup": warmup,
        "concurrency": concurrency,
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
    return {"requests": 300, "warmup": 50, "concurrency": 8}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 requests, 8 clients")
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--concurrency", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    params: dict[str, Any] = quick_parameters() if args.quick else {}
    if args.requests is not None:
        params["requests"] = args.requests
    if args.concurrency is not None:
        params["concurrency"] = args.concurrency
    result = asyncio.run(run_throughput_bench(**params))
    result.print_table()
    print(f"\nwritten: {result.write()}")


if __name__ == "__main__":
    main()
