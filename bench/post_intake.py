"""Post intake: scanned items through the real intake API, items per second to a queued notice.

The bot runs in its own process as the real application (`create_app` with the real store, the
real Graph client against the devtools Graph emulator in a third process, scans on the
filesystem in a temporary folder); its outbox sender is off, so "notified" means what the API
promises: the notice is queued (its outbox row is committed in the transaction that routes the
item, before the 201). The bench process POSTs N scans (a PDF of about `--kb` KB plus metadata
for a person of the demo tenant, each envelope written another way) with C concurrent
keep-alive clients, on SQLite and, when a server answers, on PostgreSQL.

Baseline, measured in the same run with the same client: the same multipart POSTs to a bare
aiohttp handler that only reads the two parts. Afterwards every item is checked: stored once,
routed (not left RECEIVED) and with its notice queued.

    python -m bench.post_intake [--quick] [--items 5000] [--concurrency 16] [--kb 40]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import io
import json
import logging
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.access import graph_emulator
from bench.common import (
    BotLaunch,
    Row,
    child_env,
    free_port,
    markdown_table,
    percentile,
    ratio,
    running_bot,
    write_json,
)
from bench.common import verdict as verdict_text

logger = logging.getLogger(__name__)

ITEMS = 5000
QUICK_ITEMS = 500
WARMUP_ITEMS = 50
CONCURRENCY = 16
PDF_KB = 40
TARGET_ITEMS_PER_SECOND = 100.0
TOKEN = "bench-" + secrets.token_urlsafe(24)
MAILROOM_CHANNEL = "19:bench-mailroom@thread.tacv2"
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
ROUTE = "/api/post/items"
_REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=120)


# --- what the scanner sends ---------------------------------------------------------------------
def sample_pdf(kilobytes: int) -> bytes:
    """A one-page PDF of about `kilobytes` KB (an embedded stream of random bytes stands in
    for the scanned image: incompressible, like a real scan)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("scan.bin", os.urandom(max(kilobytes, 1) * 1024))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def envelopes() -> list[str]:
    """Each demo person's name as clerks write it on envelopes (a few ways, so some are
    ambiguous or unknown and go to triage, as in real post)."""
    from devtools.graph_emulator.tenant import TenantState

    lines = []
    for user in sorted(TenantState.load().users.values(), key=lambda u: u["id"]):
        given, surname = user.get("givenName") or "", user.get("surname") or ""
        if not surname:
            continue
        lines += [
            f"T.a.v. Dhr. {given[:1]}. {surname}",
            f"{given} {surname}",
            f"{surname.upper()}, {given}",
            f"Mevr. {surname}",
        ]
    return lines


def metadata(number: int, prefix: str, addressees: list[str]) -> str:
    return json.dumps(
        {
            "externalId": f"{prefix}-{number:06d}",
            "receivedAt": "2026-11-30T07:45:00+01:00",
            "scannedAt": "2026-11-30T08:10:00+01:00",
            "sender": {"name": "Karel Claes", "organisation": "FOD Financiën"},
            "addressee": addressees[number % len(addressees)],
            "subject": "Aanslagbiljet personenbelasting",
            "documentType": "letter",
        }
    )


# --- the load ---------------------------------------------------------------------------------
@dataclass
class Tally:
    count: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else float("nan")


async def post_all(
    base_url: str, pdf: bytes, count: int, concurrency: int, prefix: str, addressees: list[str]
) -> Tally:
    tally = Tally(count=count)
    numbers = iter(range(count))
    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {"Authorization": f"Bearer {TOKEN}"}

    async def client(session: aiohttp.ClientSession) -> None:
        for number in numbers:
            form = aiohttp.FormData()
            form.add_field(
                "metadata", metadata(number, prefix, addressees), content_type="application/json"
            )
            form.add_field("file", pdf, filename="scan.pdf", content_type="application/pdf")
            started = time.perf_counter()
            async with session.post(base_url + ROUTE, data=form, headers=headers) as response:
                await response.read()
                tally.statuses[response.status] += 1
            tally.latencies_ms.append((time.perf_counter() - started) * 1000)

    async with aiohttp.ClientSession(connector=connector, timeout=_REQUEST_TIMEOUT) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
        tally.seconds = time.perf_counter() - started
    return tally


# --- the servers ------------------------------------------------------------------------------
async def _baseline_handler(request: web.Request) -> web.Response:
    """The least any intake must do: read both parts of the multipart body."""
    reader = await request.multipart()
    size = 0
    while (part := await reader.next()) is not None:
        while chunk := await part.read_chunk(64 * 1024):  # type: ignore[union-attr]
            size += len(chunk)
    return web.json_response({"bytes": size}, status=201)


def serve_baseline(port: int) -> None:
    app = web.Application()
    app.router.add_post(ROUTE, _baseline_handler)
    app.router.add_get("/readyz", lambda request: _ok())
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


async def _ok() -> web.Response:
    return web.Response(text="ok")


def serve_werkplek() -> None:
    """The real application, served as app.main() serves it (logging, the settled heap)."""
    import gc

    gc.disable()  # as `python app.py` does; _settle_heap turns it back on, tuned
    import app as application
    from bot.observability import configure_logging
    from bot.settings import Settings

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    werkplek = application.create_app(settings)
    werkplek.on_startup.append(application._settle_heap)
    web.run_app(werkplek, host=settings.host, port=settings.port, print=None)


# --- one measured run ---------------------------------------------------------------------------
@dataclass
class DialectResult:
    dialect: str
    tally: Tally
    stored: int = 0
    received_left: int = 0
    without_notice: int = 0
    notices: int = 0
    destinations: dict[str, int] = field(default_factory=dict)


async def _prepare(url: str) -> None:
    from bot.store import Database, SqlCatalogueRepository
    from devtools.demo_catalogue import demo_catalogue

    database = Database(url)
    try:
        await database.migrate()
        await SqlCatalogueRepository(database).replace(demo_catalogue())
    finally:
        await database.dispose()


async def _check(url: str, prefix: str) -> dict[str, Any]:
    """What the store holds for this run's items: count, states, notices."""
    import sqlalchemy as sa

    from bot.store import Database
    from bot.store.platform.tables import outbox
    from bot.store.post.tables import post_items

    database = Database(url)
    try:
        async with database.connect() as connection:
            rows = (
                await connection.execute(
                    sa.select(
                        post_items.c.id, post_items.c.state, post_items.c.destination_kind
                    ).where(post_items.c.external_id.like(f"{prefix}-%"))
                )
            ).all()
            keys = (await connection.execute(sa.select(outbox.c.dedupe_key))).scalars().all()
    finally:
        await database.dispose()
    told = {int(key.split(":")[1]) for key in keys if key.startswith("post:")}
    return {
        "stored": len(rows),
        "received_left": sum(1 for row in rows if row.state == "received"),
        "without_notice": sum(1 for row in rows if row.id not in told),
        "notices": len(keys),
        "destinations": dict(Counter(row.destination_kind for row in rows)),
    }


async def measure_werkplek(
    dialect: str,
    url: str,
    graph_env: Mapping[str, str],
    work: Path,
    pdf: bytes,
    items: int,
    concurrency: int,
    addressees: list[str],
) -> DialectResult:
    await _prepare(url)
    port = free_port()
    env = {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": url,
        "WERKPLEK_LOG_LEVEL": "WARNING",
        "WERKPLEK_OUTBOX_ENABLED": "false",
        "WERKPLEK_LICENCE_WORKER_ENABLED": "false",
        "WERKPLEK_INTAKE_TOKENS": f"bench:{hashlib.sha256(TOKEN.encode()).hexdigest()}",
        "WERKPLEK_DOCUMENTS_DIR": str(work / f"documents-{dialect}"),
        "WERKPLEK_MAILROOM_CHANNEL_ID": MAILROOM_CHANNEL,
        **graph_env,
    }
    launch = BotLaunch(
        name=f"werkplek-{dialect}",
        argv=(sys.executable, "-m", "bench.post_intake", "--serve"),
        env=child_env(env),
        port=port,
    )
    prefix = f"bench-{dialect}-{uuid.uuid4().hex[:8]}"
    async with running_bot(launch) as bot:
        await post_all(
            bot.launch.base_url, pdf, WARMUP_ITEMS, concurrency, f"warm-{prefix}", addressees
        )
        tally = await post_all(bot.launch.base_url, pdf, items, concurrency, prefix, addressees)
    checked = await _check(url, prefix)
    return DialectResult(dialect, tally, **checked)


async def measure_baseline(
    pdf: bytes, items: int, concurrency: int, addressees: list[str]
) -> Tally:
    port = free_port()
    launch = BotLaunch(
        name="baseline",
        argv=(sys.executable, "-m", "bench.post_intake", "--serve-baseline", "--port", str(port)),
        env=child_env({}),
        port=port,
    )
    async with running_bot(launch) as bot:
        await post_all(bot.launch.base_url, pdf, WARMUP_ITEMS, concurrency, "warm", addressees)
        return await post_all(bot.launch.base_url, pdf, items, concurrency, "base", addressees)


@contextlib.asynccontextmanager
async def postgres_database() -> AsyncIterator[str | None]:
    from bot.store.provisioning import create_database, drop_database, server_answers

    if not await server_answers(POSTGRES_URL):
        yield None
        return
    name = f"werkplek_bench_{uuid.uuid4().hex[:10]}"
    url = await create_database(POSTGRES_URL, name)
    try:
        yield url
    finally:
        await drop_database(POSTGRES_URL, name)


async def run_post_intake_bench(
    *,
    quick: bool = False,
    items: int | None = None,
    concurrency: int = CONCURRENCY,
    kilobytes: int = PDF_KB,
) -> dict[str, Any]:
    items = items or (QUICK_ITEMS if quick else ITEMS)
    pdf = sample_pdf(kilobytes)
    addressees = envelopes()
    results: list[DialectResult] = []
    async with graph_emulator(0.0, in_process=False) as graph_env:
        with tempfile.TemporaryDirectory(prefix="bench-post-") as folder:
            work = Path(folder)
            baseline = await measure_baseline(pdf, items, concurrency, addressees)
            sqlite_url = f"sqlite+aiosqlite:///{work / 'werkplek.db'}"
            results.append(
                await measure_werkplek(
                    "sqlite", sqlite_url, graph_env, work, pdf, items, concurrency, addressees
                )
            )
            async with postgres_database() as postgres_url:
                if postgres_url is not None:
                    results.append(
                        await measure_werkplek(
                            "postgres",
                            postgres_url,
                            graph_env,
                            work,
                            pdf,
                            items,
                            concurrency,
                            addressees,
                        )
                    )
    return {
        "rows": post_rows(baseline, results, items),
        "details": _details(baseline, results, items, concurrency, len(pdf)),
    }


def post_rows(baseline: Tally, results: list[DialectResult], items: int) -> list[Row]:
    rows = [
        Row(
            "post intake: bare multipart handler (baseline)",
            baseline.per_second,
            None,
            "items/s",
            "info",
            "n/a",
        )
    ]
    for result in results:
        rate = result.tally.per_second
        complete = (
            result.stored == items
            and result.received_left == 0
            and result.without_notice == 0
            and result.tally.statuses.get(201, 0) == items
        )
        rows += [
            Row(
                f"post intake on {result.dialect}: {items} items to a queued notice",
                rate,
                baseline.per_second,
                "items/s",
                f">= {TARGET_ITEMS_PER_SECOND:.0f} items/s",
                verdict_text(rate >= TARGET_ITEMS_PER_SECOND),
                ratio(rate, baseline.per_second),
            ),
            Row(
                f"post intake on {result.dialect}: latency p95",
                percentile(result.tally.latencies_ms, 95),
                percentile(baseline.latencies_ms, 95),
                "ms",
                "info",
                "n/a",
                ratio(
                    percentile(result.tally.latencies_ms, 95),
                    percentile(baseline.latencies_ms, 95),
                ),
            ),
            Row(
                f"post intake on {result.dialect}: items not stored, routed and notified",
                items - result.stored + result.received_left + result.without_notice,
                None,
                "",
                "0",
                verdict_text(complete),
            ),
        ]
    return rows


def _details(
    baseline: Tally, results: list[DialectResult], items: int, concurrency: int, pdf_bytes: int
) -> dict[str, Any]:
    def tally(t: Tally) -> dict[str, Any]:
        return {
            "seconds": t.seconds,
            "per_second": t.per_second,
            "statuses": {str(k): v for k, v in t.statuses.items()},
            "latency_p50_ms": percentile(t.latencies_ms, 50),
            "latency_p95_ms": percentile(t.latencies_ms, 95),
            "latency_mean_ms": statistics.fmean(t.latencies_ms) if t.latencies_ms else None,
        }

    return {
        "items": items,
        "warmup_items": WARMUP_ITEMS,
        "concurrency": concurrency,
        "pdf_bytes": pdf_bytes,
        "baseline": tally(baseline),
        "werkplek": [
            {
                **{k: v for k, v in asdict(r).items() if k != "tally"},
                "tally": tally(r.tally),
            }
            for r in results
        ],
        "measured": "first POST to last 201; the notice is committed with the routing, before "
        "the 201. Outbox sender off.",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--items", type=int)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--kb", type=int, default=PDF_KB, help="size of each scan in KB")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-baseline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_werkplek()
        return 0
    if args.serve_baseline:
        serve_baseline(args.port)
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    result = asyncio.run(
        run_post_intake_bench(
            quick=args.quick, items=args.items, concurrency=args.concurrency, kilobytes=args.kb
        )
    )
    rows = result["rows"]
    print(markdown_table(rows))
    print(f"\nwritten: {write_json('post_intake', result)}")
    return 1 if any(row.verdict == "FAIL" for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
