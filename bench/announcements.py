"""Announcements at scale (issue #13's figures): the production AnnouncementSender and OutboxSender
against the connector emulator with the Teams limits, and audience resolution through Graph.

    python -m bench.announcements [--quick]
        [--only fan_out|batch|kill|batch_kill|headroom|resolution|replicas]
        [--postgres URL] [--database sqlite|postgres]

1. fan_out: 20,000 recipients (1,500 with --quick) of an uploaded-list announcement at the
   50/s tenant limit: rate at the connector / limit, lost, duplicated, SENT with figures that
   add up, elapsed, bot CPU per recipient, bot RSS peak, database rows per recipient.
   batch: the same audience in the BATCH mode, Teams batch operations
   (bench/announcements_batch.py): people reached per second against the per-recipient
   ceiling, lost, duplicated, figures that add up with the blocked counted.
2. kill: the same (1,000 with --quick) sent by a worker process killed with SIGKILL halfway,
   finished by a second one (bench/announcements_kill.py); batch_kill: the same in the BATCH
   mode (bench/announcements_batch.py).
3. headroom: 10,000 (2,000) at a 1,000/s limit: whether the bot keeps up.
4. resolution: a group of 60,000 (6,000) resolved through Graph paging
   (bench/announcements_resolution.py).
5. replicas: two worker processes on one PostgreSQL database, 3,000 recipients (600), sharing
   the rate budget; skipped without a server.

The connector emulator runs as its own process; in 1 and 3 the senders run in this process
(woken as in the app: the announcement sender's `on_enqueued` wakes the outbox sender; nothing
wakes the announcement sender but its one-second poll), so this process's CPU and RSS are the
bot's.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bench.announcements_batch import batch_kill_rows, batch_rows
from bench.announcements_support import (
    AUTHOR_PREFIX,
    deliveries,
    list_audience,
    outcome,
    send_announcement,
    submitted_announcement,
)
from bench.common import Row, markdown_table, megabytes, ratio, write_json
from bench.common import verdict as verdict_text
from bench.outbox_support import (
    connector_emulator,
    fresh_database,
    seed_people,
)
from bot.store import Database

logger = logging.getLogger(__name__)

SCENARIOS = ("fan_out", "batch", "kill", "batch_kill", "headroom", "resolution", "replicas")
FULL = {
    "fan_out": 20_000,
    "batch": 20_000,
    "kill": 20_000,
    "batch_kill": 20_000,
    "headroom": 10_000,
    "resolution": 60_000,
}
QUICK = {
    "fan_out": 1_500,
    "batch": 1_500,
    "kill": 1_000,
    "batch_kill": 1_500,
    "headroom": 2_000,
    "resolution": 6_000,
}
REPLICA_RECIPIENTS, QUICK_REPLICA_RECIPIENTS = 3_000, 600
LIMIT, HIGH_LIMIT = 50.0, 1000.0
TARGET_SHARE = 0.98
RSS_TARGET_MB = 300.0
# As bench/replicas.py: two processes sharing one budget each send a moment after taking a
# token, so now and then one lands in the next second's share of the emulator's window.
THROTTLED_TOLERANCE = 0.01
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


async def run_announcements_bench(
    *,
    quick: bool = False,
    only: tuple[str, ...] = SCENARIOS,
    postgres_url: str | None = None,
    on_postgres: bool = False,
) -> dict[str, Any]:
    """{"rows": [Row...], "details": {...}}. `postgres_url`: the server of the replicas (the
    local test server by default); `on_postgres`: scenarios 1-4 there too (SQLite otherwise)."""
    from bench.announcements_batch import run_batch_kill_scenario, run_batch_scenario
    from bench.announcements_kill import run_kill_scenario, run_replicas_scenario
    from bench.announcements_resolution import run_resolution_scenario
    from bot.store.provisioning import server_answers

    sizes = QUICK if quick else FULL
    server = postgres_url or POSTGRES_URL
    answers = await server_answers(server)
    store = server if on_postgres and answers else None
    runs: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = {
        # Resolution first: its RSS target is read on a process that sent nothing yet.
        "resolution": lambda: run_resolution_scenario(sizes["resolution"], store),
        "fan_out": lambda: run_fan_out(sizes["fan_out"], LIMIT, store),
        "batch": lambda: run_batch_scenario(sizes["batch"], store),
        "batch_kill": lambda: run_batch_kill_scenario(sizes["batch_kill"], store),
        "kill": lambda: run_kill_scenario(sizes["kill"], store),
        "headroom": lambda: run_fan_out(sizes["headroom"], HIGH_LIMIT, store),
    }
    if answers:
        count = QUICK_REPLICA_RECIPIENTS if quick else REPLICA_RECIPIENTS
        runs["replicas"] = lambda: run_replicas_scenario(count, server)
    details: dict[str, Any] = {"database": "postgresql" if store else "sqlite"}
    rows: list[Row] = []
    for name, run in runs.items():
        if name not in only:
            continue
        print(f"announcements bench: {name} ...", file=sys.stderr, flush=True)
        details[name] = await run()
        if name == "batch" and "fan_out" in details:
            # The same audience one by one in this run: the baseline the batches are held to.
            one_by_one = details["fan_out"]
            details[name]["per_recipient_per_second"] = one_by_one["sustained_per_second"]
            details[name]["per_recipient_cpu_ms"] = one_by_one["bot_cpu_ms_per_recipient"]
        rows += ROWS[name](details[name])
    if "replicas" in only and not answers:
        details["replicas"] = {"skipped": f"no PostgreSQL at {server}"}
    return {"rows": rows, "details": details}


async def run_fan_out(count: int, limit: float, postgres_url: str | None) -> dict[str, Any]:
    """One announcement to `count` people, sent in this process at the tenant limit."""
    async with (
        connector_emulator(limit, in_process=False) as control,
        fresh_database(postgres_url) as url,
    ):
        database = Database(url)
        try:
            await database.migrate()
            people = await seed_people(database, control, count)
            [author] = await seed_people(database, control, 1, prefix=AUTHOR_PREFIX)
            announcement_id = await submitted_announcement(
                database, author, list_audience(count), people
            )
            elapsed, cpu, rss = await send_announcement(
                database,
                control.service_url,
                announcement_id,
                limit,
                on_postgres=postgres_url is not None,
            )
            result = await outcome(database, announcement_id)
        finally:
            await database.dispose()
        requests = await control.requests()
    rows = result["rows"]
    return {
        "recipients": count,
        "limit_per_second": limit,
        "elapsed_seconds": elapsed,
        "bot_cpu_seconds": cpu,
        "bot_cpu_ms_per_recipient": 1000 * cpu / count,
        "rss_before_mb": megabytes(rss.before),
        "rss_peak_mb": megabytes(rss.peak),
        "rows_per_recipient": (rows["recipients"] + rows["outbox"]) / count,
        **deliveries(requests, announcement_id, people),
        **result,
    }


# --- rows ---------------------------------------------------------------------------------------
def _info(figure: str, value: float, unit: str, baseline: float | None = None) -> Row:
    return Row(figure, value, baseline, unit, "info", "n/a", ratio(value, baseline))


def _sent_and_adds_up(label: str, run: dict[str, Any]) -> Row:
    figures = run["figures"]
    ok = (
        run["state"] == "sent"
        and run["figures_add_up"]
        and figures["audience"] == run["recipients"]
    )
    return Row(
        f"{label}: {run['state'].upper()}, figures add up (reached {run['reached']:,})",
        figures["audience"],
        run["recipients"],
        "people",
        "SENT; buckets = audience = recipients",
        verdict_text(ok),
    )


def _lost_duplicated(label: str, run: dict[str, Any], bound: int = 0) -> Row:
    ok = run["lost"] == 0 and run["duplicated"] <= bound
    return Row(
        f"{label}: lost {run['lost']} / sent twice {run['duplicated']}",
        run["lost"] + run["duplicated"],
        None,
        "msgs",
        f"0 lost, <= {bound} twice" if bound else "0 lost, 0 duplicates",
        verdict_text(ok),
    )


def fan_out_rows(run: dict[str, Any]) -> list[Row]:
    limit = run["limit_per_second"]
    label = f"announcement {run['recipients']:,} recipients at {limit:,.0f}/s"
    share = run["sustained_per_second"] / limit
    return [
        Row(
            f"{label}: rate at the connector",
            run["sustained_per_second"],
            limit,
            "req/s",
            f">= {TARGET_SHARE:.2f}x the limit",
            verdict_text(share >= TARGET_SHARE),
            share,
        ),
        _lost_duplicated(label, run),
        _sent_and_adds_up(label, run),
        _info(
            f"{label}: elapsed (429s: {run['throttled_429']})",
            run["elapsed_seconds"],
            "s",
            run["recipients"] / limit,
        ),
        _info(f"{label}: bot CPU per recipient", run["bot_cpu_ms_per_recipient"], "ms"),
        _info(
            f"{label}: bot RSS peak (before: {run['rss_before_mb']:.0f} MB)",
            run["rss_peak_mb"],
            "MB",
        ),
        _info(f"{label}: database rows per recipient", run["rows_per_recipient"], "rows"),
    ]


def headroom_rows(run: dict[str, Any]) -> list[Row]:
    limit = run["limit_per_second"]
    label = f"announcement {run['recipients']:,} recipients at {limit:,.0f}/s"
    return [
        Row(
            f"{label}: rate at the connector (peak second {run['peak_accepted_in_one_second']})",
            run["sustained_per_second"],
            limit,
            "req/s",
            "info (the bot, not the emulator, sets it)",
            "n/a",
            run["sustained_per_second"] / limit,
        ),
        _lost_duplicated(label, run),
        _sent_and_adds_up(label, run),
        _info(f"{label}: bot CPU per message", run["bot_cpu_ms_per_recipient"], "ms"),
        _info(f"{label}: elapsed", run["elapsed_seconds"], "s", run["recipients"] / limit),
    ]


def kill_rows(run: dict[str, Any]) -> list[Row]:
    label = f"announcement kill -9 after {run['accepted_when_killed']:,} of {run['recipients']:,}"
    return [
        _lost_duplicated(label, run, bound=run["in_flight_bound"]),
        _sent_and_adds_up(label, run),
        _info(
            f"{label}: elapsed (lease {run['lease_seconds']:.0f} s)",
            run["elapsed_seconds"],
            "s",
            run["recipients"] / run["limit_per_second"],
        ),
        # Attempts are counted when a message is claimed, so the messages the killed worker had
        # claimed come back as "throttled, then sent" though Teams never refused them.
        _info(
            f"{label}: counted as throttled-then-sent (429s: {run['throttled_429']})",
            run["figures"]["throttled_sent"],
            "people",
        ),
    ]


def resolution_rows(run: dict[str, Any]) -> list[Row]:
    label = f"announcement audience of {run['audience_size']:,} resolved through Graph"
    return [
        _info(
            f"{label}: time (baseline: the same pages only read; CPU "
            f"{run['resolution_cpu_seconds']:.1f} s)",
            run["resolution_seconds"],
            "s",
            run["pages_read_alone_seconds"],
        ),
        _info(
            f"{label}: Graph calls ({run['member_pages_served']} member pages served)",
            run["graph_calls"],
            "calls",
        ),
        Row(
            f"{label}: bot RSS peak (before: {run['rss_before_mb']:.0f} MB)",
            run["rss_peak_mb"],
            None,
            "MB",
            f"<= {RSS_TARGET_MB:.0f} MB",
            verdict_text(run["rss_peak_mb"] <= RSS_TARGET_MB),
        ),
        _info(f"{label}: database rows per recipient", run["rows_per_recipient"], "rows"),
    ]


def replicas_rows(run: dict[str, Any]) -> list[Row]:
    limit = run["limit_per_second"]
    label = f"announcement {run['replicas']} replicas, {run['recipients']:,} recipients"
    share = run["sustained_per_second"] / limit
    peak, refused = run["peak_accepted_in_one_second"], run["throttled_429"]
    return [
        Row(
            f"{label}: combined rate (busiest second {peak})",
            run["sustained_per_second"],
            limit,
            "req/s",
            "<= 1.00x the limit, busiest second <= limit",
            verdict_text(share <= 1.0 and peak <= limit),
            share,
        ),
        Row(
            f"{label}: refused as over the limit (429)",
            refused,
            None,
            "req",
            f"<= {THROTTLED_TOLERANCE:.0%} of the recipients",
            verdict_text(refused <= run["recipients"] * THROTTLED_TOLERANCE),
        ),
        _lost_duplicated(label, run),
        _sent_and_adds_up(label, run),
        _info(
            f"{label}: smallest replica's share of the sends",
            min(run["sent_by"]) / max(1, sum(run["sent_by"])),
            "",
        ),
    ]


ROWS: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "fan_out": fan_out_rows,
    "batch": batch_rows,
    "batch_kill": batch_kill_rows,
    "kill": kill_rows,
    "headroom": headroom_rows,
    "resolution": resolution_rows,
    "replicas": replicas_rows,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small runs: a smoke test")
    parser.add_argument("--only", action="append", choices=SCENARIOS, help="repeatable")
    parser.add_argument("--postgres", metavar="URL", help=f"server (default {POSTGRES_URL})")
    parser.add_argument(
        "--database", choices=("sqlite", "postgres"), default="sqlite", help="for scenarios 1-4"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The SDK logs every send at INFO and every refused one at ERROR: keep the bench quiet.
    logging.getLogger("microsoft_agents").setLevel(logging.CRITICAL)
    result = asyncio.run(
        run_announcements_bench(
            quick=args.quick,
            only=tuple(args.only) if args.only else SCENARIOS,
            postgres_url=args.postgres,
            on_postgres=args.database == "postgres",
        )
    )
    print(markdown_table(result["rows"]))
    skipped = result["details"].get("replicas", {}).get("skipped")
    if skipped:
        print(f"\nreplicas: skipped ({skipped})")
    print(f"\nwritten: {write_json('announcements', result)}")
    return 1 if any(row.verdict == "FAIL" for row in result["rows"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
