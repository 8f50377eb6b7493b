"""Announcements through Teams batch operations (the BATCH mode): the production
AnnouncementSender with TeamsBatchOperations, and the OutboxSender for the failed entries, against
the connector emulator as its own process with the Teams limits (50 requests a second per app
and tenant, 4 batch creates a second; Teams' own fan-out of a batch at the emulator's 1,000
entries a second, an assumption: Microsoft publishes no figure for it).

The same recipients as the per-recipient fan-out, with one in BLOCKED_EVERY blocked (403), so
failed entries go through the outbox (and are refused there again: blocked). The baseline is
the per-recipient fan-out's rate measured in the same run (the tenant's 50 a second when it did
not run): how much faster the same audience is reached.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from bench.announcements_support import (
    AUTHOR_PREFIX,
    list_audience,
    outcome,
    send_announcement,
    submitted_announcement,
)
from bench.common import Row, ratio
from bench.common import verdict as verdict_text
from bench.outbox_support import (
    CONCURRENCY,
    connector_emulator,
    fresh_database,
    seed_people,
)
from bot.domain.announcements.batches import BATCH_SIZE, DeliveryMode
from bot.domain.announcements.recipients import recipient_dedupe_key
from bot.domain.platform.connector_hosts import ConnectorHosts
from bot.store import Database
from bot.teams.batches import TeamsBatchOperations
from devtools.replicas import ConnectorControl

LIMIT = 50.0
BLOCKED_EVERY = 200
# Faster than the per-recipient ceiling by at least this much, or the mode is not worth having.
TARGET_SPEEDUP = 3.0
# As bench/announcements_kill.py: short leases, so the second worker takes over within seconds.
KILL_LEASE_SECONDS = 5.0


async def run_batch_scenario(count: int, postgres_url: str | None) -> dict[str, Any]:
    """One announcement to `count` people in the BATCH mode, sent in this process."""
    async with (
        connector_emulator(LIMIT, in_process=False) as control,
        fresh_database(postgres_url) as url,
    ):
        database = Database(url)
        operations = TeamsBatchOperations(
            service_url=control.service_url,
            connector_hosts=ConnectorHosts([urlsplit(control.service_url).netloc]),
            token_provider=None,
            request_timeout_seconds=15.0,
            max_connections_per_service=8,
        )
        try:
            await database.migrate()
            people = await seed_people(database, control, count)
            blocked = people[::BLOCKED_EVERY]
            for person in blocked:
                await control.block(person)
            [author] = await seed_people(database, control, 1, prefix=AUTHOR_PREFIX)
            announcement_id = await submitted_announcement(
                database, author, list_audience(count), people, delivery=DeliveryMode.BATCH
            )
            elapsed, cpu, rss = await send_announcement(
                database,
                control.service_url,
                announcement_id,
                LIMIT,
                on_postgres=postgres_url is not None,
                batches=operations,
            )
            result = await outcome(database, announcement_id)
        finally:
            await operations.close()
            await database.dispose()
        copies = await _copies(control, announcement_id)
        stats = await control.stats()
    wanted = {recipient_dedupe_key(announcement_id, p) for p in people} - {
        recipient_dedupe_key(announcement_id, p) for p in blocked
    }
    return {
        "recipients": count,
        "blocked": len(blocked),
        "limit_per_second": LIMIT,
        "elapsed_seconds": elapsed,
        "reached_per_second": len(wanted) / elapsed if elapsed > 0 else 0.0,
        "bot_cpu_seconds": cpu,
        "bot_cpu_ms_per_recipient": 1000 * cpu / count,
        "rss_before_mb": rss.before / 2**20,
        "rss_peak_mb": rss.peak / 2**20,
        "lost": sum(1 for key in wanted if copies[key] == 0),
        "duplicated": sum(times - 1 for times in copies.values() if times > 1),
        "batch_operations": int(stats.get("batch_operations", 0)),
        "throttled_429": int(stats.get("throttled", 0)),
        **result,
    }


async def run_batch_kill_scenario(count: int, postgres_url: str | None) -> dict[str, Any]:
    """The BATCH mode in a worker process killed with SIGKILL once Teams delivered half the
    audience; a second worker finishes (bench/announcements_kill.py's workers, with batches).
    A batch Teams accepted whose operation id the dead worker had not saved yet is submitted
    again: at most one batch per worker, plus what its outbox had in flight, is sent twice."""
    from bench.announcements_kill import finished, prepared, start_worker

    async with (
        connector_emulator(LIMIT, in_process=False) as control,
        fresh_database(postgres_url) as url,
    ):
        announcement_id, people = await prepared(url, control, count, DeliveryMode.BATCH)
        shared = postgres_url is not None
        started = time.perf_counter()
        first = await start_worker(
            url, control.service_url, announcement_id, shared, KILL_LEASE_SECONDS, batches=True
        )
        try:
            while (await control.stats()).get("batch_sent", 0) < count // 2:
                if first.returncode is not None:
                    raise RuntimeError(f"the batch worker exited early ({first.returncode})")
                await asyncio.sleep(0.02)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        delivered_at_kill = int((await control.stats()).get("batch_sent", 0))
        second = await start_worker(
            url, control.service_url, announcement_id, shared, KILL_LEASE_SECONDS, batches=True
        )
        await finished(second)
        elapsed = time.perf_counter() - started
        database = Database(url)
        try:
            result = await outcome(database, announcement_id)
        finally:
            await database.dispose()
        copies = await _copies(control, announcement_id)
    wanted = [recipient_dedupe_key(announcement_id, p) for p in people]
    return {
        "recipients": count,
        "delivered_when_killed": delivered_at_kill,
        "elapsed_seconds": elapsed,
        "lost": sum(1 for key in wanted if copies[key] == 0),
        "duplicated": sum(times - 1 for times in copies.values() if times > 1),
        "duplicate_bound": BATCH_SIZE + CONCURRENCY,
        **result,
    }


async def _copies(control: ConnectorControl, announcement_id: int) -> Counter[str]:
    """Every copy of the announcement delivered, by the recipient's own key: a batch entry
    and a single send of one person carry the same one."""
    prefix = f"ann:{announcement_id}:"
    copies: Counter[str] = Counter()
    for activity in await control.activities():
        if activity["operation"] == "batch":
            key = str(activity.get("entry_dedupe_key") or "")
        elif activity["operation"] in ("send", "reply"):
            channel_data = activity["activity"].get("channelData") or {}
            key = str(channel_data.get("werkplekDedupeKey") or "")
        else:
            continue
        if key.startswith(prefix) and ":status:" not in key:
            copies[key] += 1
    return copies


def batch_kill_rows(run: dict[str, Any]) -> list[Row]:
    label = (
        f"announcement in batches, kill -9 after {run['delivered_when_killed']:,} of "
        f"{run['recipients']:,}"
    )
    bound = run["duplicate_bound"]
    figures = run["figures"]
    adds_up = (
        run["state"] == "sent"
        and run["figures_add_up"]
        and figures["audience"] == run["recipients"]
    )
    return [
        Row(
            f"{label}: lost {run['lost']} / sent twice {run['duplicated']}",
            run["lost"] + run["duplicated"],
            None,
            "msgs",
            f"0 lost, <= {bound} twice (a batch + the outbox in flight)",
            verdict_text(run["lost"] == 0 and run["duplicated"] <= bound),
        ),
        Row(
            f"{label}: {run['state'].upper()}, figures add up (reached {run['reached']:,})",
            figures["audience"],
            run["recipients"],
            "people",
            "SENT; buckets = audience = recipients",
            verdict_text(adds_up),
        ),
    ]


def batch_rows(run: dict[str, Any]) -> list[Row]:
    """Rows of a batch run; its baselines are the per-recipient fan-out's rate and CPU measured
    in the same run when there was one (`per_recipient_per_second`, `per_recipient_cpu_ms`),
    else the tenant limit and none."""
    limit = run["limit_per_second"]
    baseline = run.get("per_recipient_per_second") or limit
    label = f"announcement {run['recipients']:,} recipients in Teams batches"
    speedup = ratio(run["reached_per_second"], baseline) or 0.0
    figures = run["figures"]
    adds_up = (
        run["state"] == "sent"
        and run["figures_add_up"]
        and figures["audience"] == run["recipients"]
        and figures["blocked"] == run["blocked"]
    )
    return [
        Row(
            f"{label}: people reached per second ({run['batch_operations']} operations; "
            "baseline: one by one)",
            run["reached_per_second"],
            baseline,
            "people/s",
            f">= {TARGET_SPEEDUP:.0f}x one by one",
            verdict_text(speedup >= TARGET_SPEEDUP),
            speedup,
        ),
        Row(
            f"{label}: lost {run['lost']} / sent twice {run['duplicated']}",
            run["lost"] + run["duplicated"],
            None,
            "msgs",
            "0 lost, 0 duplicates",
            verdict_text(run["lost"] == 0 and run["duplicated"] == 0),
        ),
        Row(
            f"{label}: SENT, figures add up, the {run['blocked']} blocked counted as blocked",
            figures["audience"],
            run["recipients"],
            "people",
            "SENT; buckets = audience; blocked = blocked",
            verdict_text(adds_up),
        ),
        Row(
            f"{label}: elapsed (429s: {run['throttled_429']})",
            run["elapsed_seconds"],
            run["recipients"] / limit,
            "s",
            "info",
            "n/a",
            ratio(run["elapsed_seconds"], run["recipients"] / limit),
        ),
        Row(
            f"{label}: bot CPU per recipient (baseline: one by one)",
            run["bot_cpu_ms_per_recipient"],
            run.get("per_recipient_cpu_ms"),
            "ms",
            "info",
            "n/a",
            ratio(run["bot_cpu_ms_per_recipient"], run.get("per_recipient_cpu_ms")),
        ),
    ]
