"""Fuzzing the trust boundaries of issue #9 with hypothesis, through the real application.

Each target drives one boundary with random input: activities to `/api/messages`, card payloads
for every registered verb, multipart bodies to the intake API, workbooks to both importers. The
properties are the same everywhere: never a 5xx, never an unhandled exception (no ERROR record
in the log: a "turn failed" or "... failed; reference" line is one), and never a state change
for someone who may not make it.

How many examples: each target declares its CI budget (`fuzz_settings(n)`), a few thousand in
all, so `make test` stays quick on two cores. `HYPOTHESIS_PROFILE=fuzz` (what `make fuzz` sets)
runs FUZZ_EXAMPLES per target instead. The examples actually run are counted per target and
printed at the end of the session.

One application (real store on SQLite, Graph emulator, connector emulator) serves every example
of a target: starting one per example would spend the budget on start-up. State therefore
accumulates across examples, which is what a long-running bot sees too; the properties compare
the state before and after each example. FUZZ_DATABASE=postgres runs them on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, example, given, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.strategies import SearchStrategy

from app import DATABASE, capabilities_loaded, create_app
from bot.settings import Settings
from bot.store import Database
from devtools.connector_emulator import ConnectorEmulator
from devtools.demo_post import intake_tokens_setting
from devtools.graph_emulator import GraphEmulator
from tests.support.db import MakeDatabaseUrl
from tests.support.graph import settings_for

FUZZ_EXAMPLES = 10_000
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "")
TENANT = "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
INTAKE_TOKEN = "fuzz-intake-token-5d1e9a"
INTAKE_SCANNER = "fuzzscanner"
# Failing examples are kept between runs (replayed first), outside the tree git sees.
_EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "var" / "hypothesis"

_counts: Counter[str] = Counter()


def fuzz_settings(ci_examples: int) -> settings:
    """The settings of one fuzz target: `ci_examples` by default, FUZZ_EXAMPLES when
    HYPOTHESIS_PROFILE=fuzz. One app serves all examples (the function-scoped fixtures are
    shared on purpose), and a turn through the whole bot has no deadline worth asserting."""
    return settings(
        max_examples=FUZZ_EXAMPLES if PROFILE == "fuzz" else ci_examples,
        deadline=None,
        database=DirectoryBasedExampleDatabase(_EXAMPLES_DIR),
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


async def fuzz(
    check: Callable[..., Awaitable[None]],
    budget: settings,
    examples: Sequence[dict[str, Any]] = (),
    **strategies: SearchStrategy[Any],
) -> None:
    """Run `check` (a coroutine function of the drawn values) for every example hypothesis
    draws from `strategies`, on this event loop, where the application lives.

    Hypothesis runs in a worker thread and hands each example to the loop: its engine is
    synchronous, and it cannot run inside a loop that is already running a test. `examples` are
    explicit regressions (run first, as `@example` would)."""
    loop = asyncio.get_running_loop()

    @functools.wraps(check)  # hypothesis keys its example database on the check's own source
    def run(**drawn: Any) -> None:
        asyncio.run_coroutine_threadsafe(check(**drawn), loop).result()

    test = given(**strategies)(run)
    for regression in reversed(examples):
        test = example(**regression)(test)
    await asyncio.to_thread(budget(test))


def count(target: str) -> None:
    """One example of `target` ran (printed per target at the end of the session)."""
    _counts[target] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _counts:
        return
    terminalreporter.section("fuzz examples per target")
    for target, examples in sorted(_counts.items()):
        terminalreporter.write_line(f"{target:<28} {examples:>7}")
    terminalreporter.write_line(f"{'total':<28} {sum(_counts.values()):>7}")


class ErrorLog(logging.Handler):
    """Every ERROR record while a fuzz target runs: each one is an unhandled exception (or a
    refusal the code itself calls a bug), whatever the HTTP status was."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def check(self, what: object = "") -> None:
        if self.records:
            lines = [f"{r.name}: {r.getMessage()}" for r in self.records]
            exc = next((r.exc_info for r in self.records if r.exc_info), None)
            self.records.clear()
            raise AssertionError(f"ERROR logged for {what!r}: {lines}") from (
                exc[1] if exc else None
            )


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@dataclass
class Bot:
    """The whole bot as the Playground drives it (anonymous loopback mode), with its
    emulators, and the intake API open to one scanner token."""

    client: TestClient
    connector: ConnectorEmulator
    graph: GraphEmulator
    settings: Settings
    documents: Path
    seeded: dict[str, Any] = field(default_factory=dict)

    @property
    def database(self) -> Database:
        return self.client.app[DATABASE]


def bot_settings(
    graph: GraphEmulator, connector: ConnectorEmulator, database_url: str, tmp: Path, **more: Any
) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "allowed_tenants": [TENANT],
        "azure_tenant_id": TENANT,
        # Nothing runs in the background: each example's effects are its own turn's.
        "outbox_enabled": False,
        "licence_worker_enabled": False,
        "post_worker_enabled": False,
        "default_service_url": connector.service_url,
        "intake_tokens": intake_tokens_setting(INTAKE_SCANNER, INTAKE_TOKEN),
        "documents_dir": str(tmp / "documents"),
        "file_download_hosts": ["127.0.0.1"],
        "mailroom_channel_id": "19:mailroom@thread.tacv2",
        "graph_max_retries": 0,
        "post_max_mb": 0.25,  # "too large" within reach of a fuzzed body
    }
    # The connector host allow-list: the emulator (this port only) stands in for Teams.
    if "connector_hosts" in Settings.model_fields:
        values["connector_hosts"] = [urlsplit(connector.service_url).netloc]
    values.update(more)
    return settings_for(graph, **values)


def _fuzz_dialect() -> str:
    return os.environ.get("FUZZ_DATABASE", "sqlite")


@pytest.fixture
async def connector() -> AsyncIterator[ConnectorEmulator]:
    # Without Teams' rate limits: hypothesis sends faster than a person types, and a 429 on a
    # reply is Teams' answer to the pace, not something the input did.
    emulator = ConnectorEmulator(tenant_rate_per_second=None, enforce_conversation_limits=False)
    await emulator.start("127.0.0.1", 0)
    yield emulator
    await emulator.stop()


@pytest.fixture
async def bot(
    graph_emulator: GraphEmulator,
    connector: ConnectorEmulator,
    make_database_url: MakeDatabaseUrl,
    tmp_path: Path,
) -> AsyncIterator[Bot]:
    settings = bot_settings(graph_emulator, connector, make_database_url(_fuzz_dialect()), tmp_path)
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    await capabilities_loaded(client.app)  # some targets read the dispatcher's registry
    try:
        yield Bot(client, connector, graph_emulator, settings, tmp_path / "documents")
    finally:
        await client.close()
