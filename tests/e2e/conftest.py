"""End-to-end wiring: real processes (Graph emulator, bot, Agents Playground) on free loopback
ports, one set per test session, and a connected Playground client.

Two stacks exist: `werkplek_stack` runs `python app.py` against the Graph emulator (what the
product tests use); `echo_stack` runs `tests/e2e/echo_bot.py` and validates the harness itself.
Each starts on first use only. Tests using the session client run on the session event loop:
mark their module `pytest.mark.asyncio(loop_scope="session")`.

Without node or the installed Playground package (`npm ci`) these tests skip, unless
REQUIRE_E2E=1 (CI), which turns the missing install into a failure.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from devtools.demo import announcement_settings
from devtools.playground import PLAYGROUND_CLI, PlaygroundClient
from devtools.processes import free_port
from devtools.stack import REPO_ROOT, LocalStack, StackOptions, StackPorts


def _require_playground() -> None:
    missing = None
    if shutil.which("node") is None:
        missing = "node is not installed"
    elif not PLAYGROUND_CLI.is_file():
        missing = f"the Playground is not installed ({PLAYGROUND_CLI}); run `npm ci`"
    if missing is None:
        return
    if os.environ.get("REQUIRE_E2E") == "1":
        pytest.fail(f"REQUIRE_E2E=1 but {missing}")
    pytest.skip(missing)


def _start(tmp_dir: Path, *, echo_bot: bool = False) -> LocalStack:
    _require_playground()
    bot_port = free_port()
    options = StackOptions(
        var_dir=tmp_dir,
        # 0: the emulator and the Playground bind a free port and report it.
        ports=StackPorts(bot=bot_port, graph=0, authority=0, playground=0),
        log_dir=tmp_dir / "logs",
    )
    if echo_bot:
        options.with_emulator = False
        options.bot_argv = [sys.executable, "-m", "tests.e2e.echo_bot", "--port", str(bot_port)]
    else:
        # What `make demo` configures beyond the stack itself: the announcements' group,
        # scopes and approval.
        options.extra_bot_env = announcement_settings()
    return LocalStack(options).start()


@pytest.fixture(scope="session")
def werkplek_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """Graph emulator + `python app.py` (anonymous, SQLite in tmp) + Playground."""
    if not (REPO_ROOT / "app.py").is_file():
        pytest.skip("app.py does not exist yet")
    stack = _start(tmp_path_factory.mktemp("werkplek-e2e"))
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def echo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The bare Agents SDK echo bot + Playground (no Graph emulator)."""
    stack = _start(tmp_path_factory.mktemp("echo-e2e"), echo_bot=True)
    yield stack
    stack.stop()


async def _connected(stack: LocalStack) -> AsyncIterator[PlaygroundClient]:
    assert stack.playground is not None
    async with stack.playground.client() as client:
        yield client


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def werkplek_client(werkplek_stack: LocalStack) -> AsyncIterator[PlaygroundClient]:
    async for client in _connected(werkplek_stack):
        yield client


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def echo_client(echo_stack: LocalStack) -> AsyncIterator[PlaygroundClient]:
    async for client in _connected(echo_stack):
        yield client


@pytest.fixture
def playground(werkplek_client: PlaygroundClient) -> PlaygroundClient:
    """The session's client as Lotte Janssens, with earlier tests' unread messages dropped."""
    werkplek_client.clear()
    return werkplek_client


@pytest.fixture
def echo_playground(echo_client: PlaygroundClient, echo_stack: LocalStack) -> PlaygroundClient:
    echo_client.clear()
    assert echo_stack.playground is not None
    echo_stack.playground.locale = "nl-BE"
    return echo_client
