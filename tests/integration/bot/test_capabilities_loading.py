"""Start-up: the probes answer before chat and the capabilities have loaded; nothing else does.

The Agents SDK and the dialogs load right after start (app._capabilities), so /readyz answers
as soon as the database does. Every other request waits for them, so early callers are served as
late ones are, never refused.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import app as application
from app import LOADING, capabilities_loaded
from devtools.connector_emulator import ConnectorEmulator
from devtools.graph_emulator import GraphEmulator
from tests.integration.bot.conftest import StartBot, activity

ROOT = Path(__file__).resolve().parents[3]
LATE = ("microsoft_agents", "dialogs", "cards", "openpyxl", "pypdf", "msgraph", "alembic")


def test_importing_the_app_loads_no_capability_and_no_sdk() -> None:
    code = f"import sys, app; print(sorted(m for m in {LATE!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


async def test_a_message_at_start_up_waits_for_the_capabilities_and_is_answered(
    start_bot: StartBot, connector_emulator: ConnectorEmulator
) -> None:
    client = await start_bot()
    message = activity(connector_emulator.service_url, text="hulp")
    ready, answered = await asyncio.gather(
        client.get("/readyz"), client.post("/api/messages", json=message)
    )
    assert ready.status == 200
    assert answered.status in (200, 202)
    assert client.app[LOADING].done()
    replies = [r for r in connector_emulator.activities if r.activity.get("replyToId")]
    assert [r.activity["replyToId"] for r in replies if r.activity["type"] != "typing"] == [
        message["id"]
    ]


async def test_the_intake_waits_for_the_capabilities_rather_than_refusing(
    start_bot: StartBot,
) -> None:
    client = await start_bot()
    # No token: refused as unauthenticated by the intake itself, not "unavailable" (503).
    response = await client.post("/api/post/items", data=b"")
    assert response.status == 401
    assert client.app[LOADING].done()


async def test_a_build_that_cannot_load_is_logged_and_refuses_all_but_the_probes(
    start_bot: StartBot,
    connector_emulator: ConnectorEmulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken_install() -> None:  # a module missing from the deployed image, say
        raise ImportError("No module named 'microsoft_agents'")

    monkeypatch.setattr(application, "_import_capabilities", broken_install)
    client = await start_bot()
    with pytest.raises(ImportError):
        await capabilities_loaded(client.app)

    message = activity(connector_emulator.service_url, text="hulp")
    refused = await client.post("/api/messages", json=message)
    assert refused.status == 503
    assert refused.headers["Retry-After"]
    assert (await client.get("/healthz")).status == 200
    assert [r.levelno for r in caplog.records if "could not load" in r.getMessage()] == [
        logging.CRITICAL
    ]
    assert not connector_emulator.activities


async def test_a_serving_process_that_cannot_load_stops_with_status_1(
    graph_emulator: GraphEmulator, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'werkplek.db'}",
        "WERKPLEK_ALLOWED_TENANTS": "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f",
        "WERKPLEK_CONNECTOR_HOSTS": "127.0.0.1",
        "WERKPLEK_DEFAULT_SERVICE_URL": "http://127.0.0.1/",
        **graph_emulator.env(),
    }
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "import app\n"
        "def broken_install(): raise ImportError('a module missing from the image')\n"
        "app._import_capabilities = broken_install\n"
        "app.main()\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 1
    assert b"could not load its capabilities" in output
