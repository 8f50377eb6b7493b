"""Outbox fan-out: N proactive messages to N people through the real outbox stack.

The store (SQLite file by default, PostgreSQL with --postgres), OutboxSender, ConnectorDelivery
with the Agents SDK's connector client, and the connector emulator enforcing the Teams tenant
limit. The emulator runs as its own process by default (as Teams is not inside the bot), so at
1,000/s the bot's process is measured alone.

    python -m bench.outbox                      # 3,000 messages at 50/s (60 s) and at 1,000/s
    python -m bench.outbox --quick              # 300 at 50/s, 1,000 at 1,000/s
    python -m bench.outbox --limit 50 --messages 500 [--postgres URL] [--in-process-emulator]
    python -m bench.outbox --no-kill            # skip the kill -9 one (bench/outbox_kill.py)

Per scenario: sustained rate at the connector (accepted sends over the span between the first
and the last, emulator clock) against the limit, messages lost (enqueued, never accepted),
duplicated (accepted more than once), 429s, elapsed wall time and the bot process's CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from bench.common import Row as TableRow
from bench.common import markdown_table, write_json
from bench.outbox_support import (
    CONCURRENCY,
    accepted_per_key,
    connector_emulator,
    drain,
    fresh_database,
    seed,
)
from bot.domain.platform.delivery import sustainable_rate
from bot.domain.platform.outbox import OutboxStatus
from bot.ports.platform import RateBudget
from bot.services.platform.rate import InMemoryRateBudget
from bot.store import Database, SqlOutboxRepository, SqlRateBudget

logger = logging.getLogger(__name__)

TARGET_SHARE_OF_LIMIT = 0.98


async def run_outbox_bench(
    *,
    quick: bool = False,
    messages: int | None = None,
    limits: tuple[float, ...] = (50.0, 1000.0),
    postgres_url: str | None = None,
    in_process_emulator: bool = False,
    concurrency: int = CONCURRENCY,
    kill: bool = True,
) -> dict[str, Any]:
    """Run one scenario per limit (and the kill -9 one); returns {"rows": [...], ...}."""
    from bench.outbox_kill import kill_rows, run_kill_scenario

    scenarios = []
    for limit in limits:
        count = messages or _default_count(limit, quick)
        scenarios.append(
            await _scenario(limit, count, postgres_url, in_process_emulator, concurrency)
        )
    rows = [row for scenario in scenarios for row in _rows(scenario)]
    killed = None
    if kill:
        killed = await run_kill_scenario(quick=quick, postgres_url=postgres_url)
        rows += kill_rows(killed)
    return {
        "rows": rows,
        "scenarios": scenarios,
        "kill_scenario": killed,
        "database": "postgresql" if postgres_url else "sqlite",
        "emulator": "in-process" if in_process_emulator else "separate process",
    }


def _default_count(limit: float, quick: bool) -> int:
    if quick:
        return 300 if limit <= 100 else 1000
    return 3000


async def _scenario(
    limit: float, count: int, postgres_url: str | None, in_process: bool, concurrency: int
) -> dict[str, Any]:
    async with (
        connector_emulator(limit, in_process) as control,
        fresh_database(postgres_url) as url,
    ):
        database = Database(url)
        try:
            await database.migrate()
            keys = await seed(database, control, count)
            # One process here; replicas would share the SQL budget, paced under the limit.
            budget: RateBudget = (
                SqlRateBudget(database, sustainable_rate(limit))
                if postgres_url
                else InMemoryRateBudget(limit)
            )
            elapsed, cpu = await drain(database, control.service_url, budget, limit, concurrency)
            counts = await SqlOutboxRepository(database).counts()
        finally:
            await database.dispose()
        stats = await control.stats()
        activities = await control.activities()
    return _summarise(limit, count, keys, elapsed, cpu, counts, stats, activities)


def _summarise(
    limit: float,
    count: int,
    keys: list[str],
    elapsed: float,
    cpu: float,
    counts: dict[OutboxStatus, int],
    stats: dict[str, Any],
    activities: list[dict[str, Any]],
) -> dict[str, Any]:
    sends = [a for a in activities if a["operation"] in ("send", "reply")]
    per_key = accepted_per_key(sends)
    span = sends[-1]["at"] - sends[0]["at"] if len(sends) > 1 else 0.0
    sustained = (len(sends) - 1) / span if span > 0 else 0.0
    return {
        "limit_per_second": limit,
        "messages": count,
        "sustained_per_second": sustained,
        "share_of_limit": sustained / limit,
        "end_to_end_per_second": count / elapsed,
        "elapsed_seconds": elapsed,
        "lost": sum(1 for key in keys if per_key[key] == 0),
        "duplicated": sum(times - 1 for times in per_key.values() if times > 1),
        "throttled_429": stats["throttled"],
        "max_accepted_in_one_second": stats["max_per_second_window"],
        "bot_cpu_seconds": cpu,
        "bot_cpu_ms_per_message": 1000 * cpu / count,
        "final_statuses": {status.value: counts[status] for status in OutboxStatus},
    }


def _rows(scenario: dict[str, Any]) -> list[dict[str, Any]]:
    limit = scenario["limit_per_second"]
    label = f"outbox {scenario['messages']:,} msgs at {limit:,.0f}/s"
    share = scenario["share_of_limit"]
    clean = scenario["lost"] == 0 and scenario["duplicated"] == 0
    return [
        {
            "figure": f"{label}: sustained rate",
            "werkplek": scenario["sustained_per_second"],
            "baseline": limit,
            "unit": "msg/s",
            "ratio": share,
            "target": f">= {TARGET_SHARE_OF_LIMIT:.2f}x the limit",
            "verdict": "PASS" if share >= TARGET_SHARE_OF_LIMIT else "FAIL",
        },
        {
            "figure": f"{label}: lost / duplicated",
            "werkplek": scenario["lost"] + scenario["duplicated"],
            "baseline": None,
            "unit": "msgs",
            "ratio": None,
            "target": "0 lost, 0 duplicates",
            "verdict": "PASS" if clean else "FAIL",
        },
        {
            "figure": f"{label}: elapsed (429s: {scenario['throttled_429']})",
            "werkplek": scenario["elapsed_seconds"],
            "baseline": scenario["messages"] / limit,
            "unit": "s",
            "ratio": None,
            "target": "info",
            "verdict": "n/a",
        },
        {
            "figure": f"{label}: bot CPU per message",
            "werkplek": scenario["bot_cpu_ms_per_message"],
            "baseline": None,
            "unit": "ms",
            "ratio": None,
            "target": "info",
            "verdict": "n/a",
        },
    ]


def _table(rows: list[dict[str, Any]]) -> str:
    return markdown_table(
        TableRow(
            figure=row["figure"],
            werkplek=row["werkplek"],
            baseline=row["baseline"],
            unit=row["unit"],
            target=row["target"],
            verdict=row["verdict"],
            ratio=row["ratio"],
        )
        for row in rows
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages: a smoke test")
    parser.add_argument("--messages", type=int, help="messages per scenario (default 3,000)")
    parser.add_argument(
        "--limit", type=float, action="append", help="tenant limit per second (repeatable)"
    )
    parser.add_argument("--postgres", metavar="URL", help="use a fresh database on this server")
    parser.add_argument("--in-process-emulator", action="store_true")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--no-kill", action="store_true", help="skip the kill -9 scenario")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The SDK logs every send at INFO and every refused one at ERROR: keep the bench quiet.
    logging.getLogger("microsoft_agents").setLevel(logging.CRITICAL)
    result = asyncio.run(
        run_outbox_bench(
            quick=args.quick,
            messages=args.messages,
            limits=tuple(args.limit) if args.limit else (50.0, 1000.0),
            postgres_url=args.postgres,
            in_process_emulator=args.in_process_emulator,
            concurrency=args.concurrency,
            kill=not args.no_kill,
        )
    )
    print(_table(result["rows"]))
    path = write_json("outbox", {"rows": result["rows"], "details": result})
    print(f"\nwritten: {path}")
    failed = any(row["verdict"] == "FAIL" for row in result["rows"])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
