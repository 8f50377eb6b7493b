"""The two bots under comparison and how to launch them: the bare echo bot and Werkplek.

Werkplek runs as `python app.py`, exactly as it is deployed, against a migrated SQLite file and
the devtools Graph emulator (started in the bench process), so nothing contacts Microsoft.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from bench.common import REPO_ROOT, BotLaunch, child_env

# The demo tenant and the demo staff member from devtools/demo_tenant.json: the Graph emulator
# knows this user, so Werkplek's role lookup for the sender resolves as it would in production.
DEMO_TENANT_ID = "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
DEMO_USER_ID = "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"
# Every member of the demo tenant: concurrent bench clients are different people.
DEMO_USER_IDS = tuple(
    user["id"]
    for user in json.loads((REPO_ROOT / "devtools" / "demo_tenant.json").read_text("utf-8"))[
        "users"
    ]
)
_APP_FILE = REPO_ROOT / "app.py"

LaunchFactory = Callable[[int], BotLaunch]


def echo_launch(port: int) -> BotLaunch:
    return BotLaunch(
        name="echo",
        argv=(sys.executable, "-m", "bench.echo_bot", "--port", str(port)),
        env=child_env({}),
        port=port,
    )


def werkplek_unavailable_reason() -> str | None:
    """Why Werkplek cannot be benchmarked in this tree yet, or None when it can."""
    if not _APP_FILE.exists():
        return "app.py does not exist yet"
    try:
        from devtools.graph_emulator import GraphEmulator  # noqa: F401
    except ImportError as error:  # the emulator is being written alongside
        return f"devtools.graph_emulator.GraphEmulator is not importable ({error})"
    return None


async def _migrate(url: str) -> None:
    from bot.store import Database

    database = Database(url)
    try:
        await database.migrate()
    finally:
        await database.dispose()


@contextlib.asynccontextmanager
async def werkplek_launches() -> AsyncIterator[LaunchFactory]:
    """Start the Graph emulator; yield a Werkplek launch factory.

    Every launch uses the same database, migrated once before the first: a cold start is a
    restart of a deployed bot, whose release step already brought the schema up to date.
    """
    from devtools.graph_emulator import GraphEmulator

    emulator = GraphEmulator()
    await emulator.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-werkplek-") as work_dir:
            database = Path(work_dir) / "werkplek.db"
            await _migrate(f"sqlite+aiosqlite:///{database}")

            def launch(port: int) -> BotLaunch:
                env = {
                    "HOST": "127.0.0.1",
                    "PORT": str(port),
                    "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
                    "WERKPLEK_ALLOWED_TENANTS": DEMO_TENANT_ID,
                    "WERKPLEK_LOG_LEVEL": "WARNING",
                    # The load generator's sink stands in for the Teams connector (a local port).
                    "WERKPLEK_CONNECTOR_HOSTS": "127.0.0.1",
                    # Proactive chats would open there: it must be on the allowed hosts too.
                    "WERKPLEK_DEFAULT_SERVICE_URL": "http://127.0.0.1/",
                    # GRAPH_BASE_URL, AZURE_* (client werkplek-demo), WERKPLEK_GRAPH_CA_FILE and
                    # WERKPLEK_ROLE_GROUPS from devtools/demo_roles.json
                    **emulator.env(),
                }
                return BotLaunch(
                    name="werkplek",
                    argv=(sys.executable, str(_APP_FILE)),
                    env=child_env(env),
                    port=port,
                )

            yield launch
    finally:
        await emulator.stop()


@contextlib.asynccontextmanager
async def bots_under_test(with_werkplek: bool) -> AsyncIterator[dict[str, LaunchFactory]]:
    """The launch factories by bot name: always the echo bot, Werkplek when asked for."""
    if not with_werkplek:
        yield {"echo": echo_launch}
        return
    async with werkplek_launches() as werkplek:
        yield {"echo": echo_launch, "werkplek": werkplek}
