"""Several Werkplek replicas as real processes on one database, the way a deployment runs them.

Each replica is `python app.py` (the production composition) with its own PORT and the same
DATABASE_URL (PostgreSQL: replicas share the outbox, the rate budget and the workers' queues
there). They sit behind one connector emulator (Teams' `serviceUrl`, enforcing the tenant limit)
and one Graph emulator with its token authority, each its own process too, so a replica killed
with SIGKILL takes nothing else down.

    with ReplicaSet(ReplicaOptions(database_url=url, var_dir=tmp)) as replicas:
        replicas.service_url      # the connector emulator: where replies and notices go
        replicas.kill(0)          # SIGKILL: no shutdown hook runs, its leases stay behind

`start()` is `start_emulators()` then `start_replicas()`; call them apart to seed the store
between the two (work that must be waiting when the replicas boot).

Every security-relevant setting is given explicitly (nothing is inherited from the shell or a
`.env`: the replicas run in `var_dir`, with only PATH, HOME and the locale from the environment):
anonymous mode on loopback, the connector emulator's host as the only connector host, one link
secret for all replicas, the demo tenant as the only tenant.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.settings import Settings
from devtools.processes import LogSink, ManagedProcess, ProcessFailed, free_port
from devtools.stack import DEMO_TENANT_ID, parse_exports

REPO_ROOT = Path(__file__).resolve().parent.parent
MAILROOM_CHANNEL_ID = "19:replicas-mailroom@thread.tacv2"
# Starting a replica imports the SDK, msgraph and SQLAlchemy: on a busy 2-core machine, with a
# sibling starting at the same moment, that takes a while.
_START_TIMEOUT_SECONDS = 90.0
_STOP_TIMEOUT_SECONDS = 15.0
_GRAPH_READY_LINE = r"control API"
_CONNECTOR_READY_LINE = r"^http://"
_SDK_PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
# Only these reach the children from our environment: a developer's WERKPLEK_* or bot identity
# must never leak into a replica.
_INHERITED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")


@dataclass(frozen=True, slots=True)
class ReplicaOptions:
    database_url: str
    var_dir: Path
    replicas: int = 2
    outbox_rate_per_second: float = 50.0
    outbox_lease_seconds: float = 60.0
    # Sends in flight per replica (the production default): bounds what a kill can duplicate.
    outbox_concurrency: int = 64
    licence_poll_seconds: float = 5.0
    log_level: str = "WARNING"
    # Files (one per process) keeping the whole output; a failure message carries the tail.
    log_dir: Path | None = None
    sink: LogSink | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)


class ReplicaSet:
    """Start, wire, kill and stop the emulators and the replicas; a context manager."""

    def __init__(self, options: ReplicaOptions) -> None:
        self.options = options
        self.graph: ManagedProcess | None = None
        self.connector: ManagedProcess | None = None
        self.replicas: list[ManagedProcess] = []
        self.ports: list[int] = []
        self.graph_env: dict[str, str] = {}
        self.service_url = ""
        self._killed: set[int] = set()
        # Links signed by one replica must open on another: one secret for all of them.
        self._link_secret = secrets.token_urlsafe(32)
        # What Prometheus would present to read each replica's /metrics.
        self.metrics_token = secrets.token_urlsafe(32)

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self) -> ReplicaSet:
        self.start_emulators()
        self.start_replicas()
        return self

    def start_emulators(self) -> None:
        self.options.var_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._start_graph()
            self._start_connector()
        except BaseException:
            self.stop()
            raise

    def start_replicas(self) -> None:
        """Start every replica at once (so they compete for the work from the start), then wait
        until each answers /readyz."""
        if not self.service_url:
            raise RuntimeError("start the emulators first")
        try:
            for index in range(self.options.replicas):
                port = free_port()
                self.ports.append(port)
                self.replicas.append(
                    ManagedProcess(
                        f"replica-{index}",
                        [sys.executable, str(REPO_ROOT / "app.py")],
                        env=self.replica_env(port),
                        # Not the repository: a developer's .env there must not be read.
                        cwd=self.options.var_dir,
                        sink=self.options.sink,
                        log_file=self._log_file(f"replica-{index}"),
                    ).start()
                )
            for index, replica in enumerate(self.replicas):
                replica.wait_http(self.replica_url(index) + "/readyz", _START_TIMEOUT_SECONDS)
        except BaseException:
            self.stop()
            raise

    def kill(self, index: int) -> None:
        """SIGKILL one replica, as the kernel's OOM killer or a node failure would."""
        replica = self.replicas[index]
        self._killed.add(index)
        if replica.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(replica.pid, signal.SIGKILL)  # its own session: pid is the group id
        replica.stop(_STOP_TIMEOUT_SECONDS)  # reaps it and closes the log pump

    def check_alive(self) -> None:
        """Raise ProcessFailed (with its last output) for a process that died unasked."""
        processes = [p for i, p in enumerate(self.replicas) if i not in self._killed]
        for process in (*processes, self.connector, self.graph):
            if process is not None and not process.running:
                raise ProcessFailed(
                    f"{process.name} exited ({process.returncode}); last output:\n{process.tail()}"
                )

    def stop(self) -> None:
        for replica in reversed(self.replicas):
            replica.stop(_STOP_TIMEOUT_SECONDS)
        for emulator in (self.connector, self.graph):
            if emulator is not None:
                emulator.stop(_STOP_TIMEOUT_SECONDS)

    def __enter__(self) -> ReplicaSet:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # --- where things are ---------------------------------------------------------------------
    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    @property
    def graph_control_url(self) -> str:
        """The Graph emulator's base (its /_emulator/ control API lives under it)."""
        return self.graph_env["GRAPH_BASE_URL"].removesuffix("/v1.0")

    @property
    def documents_dir(self) -> Path:
        """Scans kept on disk, shared by the replicas (as a network share would be)."""
        return (self.options.var_dir / "documents").resolve()

    @property
    def connector_host(self) -> str:
        """The connector emulator as a connector host entry: host and port, nothing wider."""
        return urlsplit(self.service_url).netloc

    def settings(self) -> Settings:
        """Settings for code in this process that uses the same emulators and database (seeding
        through the bot's services). Read from nothing else: not the environment, not .env."""
        return Settings.from_variables(self.graph_settings())

    def graph_settings(self) -> dict[str, str]:
        """The Graph, tenant and database settings every replica shares, by environment name."""
        return {
            **self.graph_env,
            "DATABASE_URL": self.options.database_url,
            "WERKPLEK_ALLOWED_TENANTS": DEMO_TENANT_ID,
            "WERKPLEK_DEFAULT_SERVICE_URL": self.service_url,
        }

    def replica_env(self, port: int) -> dict[str, str]:
        options = self.options
        env = {key: os.environ[key] for key in _INHERITED_ENV if key in os.environ}
        env.update(self.graph_settings())
        env.update(
            {
                "PYTHONPATH": str(REPO_ROOT),
                "PYTHONUNBUFFERED": "1",
                "HOST": "127.0.0.1",
                "PORT": str(port),
                # Anonymous mode: no bot identity, so loopback only (checked at start-up).
                _SDK_PREFIX + "ANONYMOUS_ALLOWED": "true",
                "WERKPLEK_CONNECTOR_HOSTS": self.connector_host,
                "WERKPLEK_OUTBOX_RATE_PER_SECOND": _number(options.outbox_rate_per_second),
                "WERKPLEK_OUTBOX_LEASE_SECONDS": _number(options.outbox_lease_seconds),
                "WERKPLEK_OUTBOX_CONCURRENCY": str(options.outbox_concurrency),
                "WERKPLEK_LICENCE_POLL_SECONDS": _number(options.licence_poll_seconds),
                "WERKPLEK_LINK_SECRET": self._link_secret,
                "WERKPLEK_METRICS_TOKEN": hashlib.sha256(self.metrics_token.encode()).hexdigest(),
                "WERKPLEK_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
                "WERKPLEK_DOCUMENTS_DIR": str(self.documents_dir),
                "WERKPLEK_MAILROOM_CHANNEL_ID": MAILROOM_CHANNEL_ID,
                "WERKPLEK_LOG_FORMAT": "text",
                "WERKPLEK_LOG_LEVEL": options.log_level,
            }
        )
        env.update(options.extra_env)
        return env

    # --- internals ----------------------------------------------------------------------------
    def _python_env(self) -> dict[str, str]:
        env = {key: os.environ[key] for key in _INHERITED_ENV if key in os.environ}
        env.update({"PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"})
        return env

    def _start_graph(self) -> None:
        argv = [
            sys.executable,
            *("-m", "devtools.graph_emulator"),
            *("--graph-port", "0", "--authority-port", "0"),
            *("--state-dir", str(self.options.var_dir / "graph-emulator")),
        ]
        self.graph = self._emulator("graph", argv)
        self.graph.wait_for_line(_GRAPH_READY_LINE, _START_TIMEOUT_SECONDS)
        self.graph_env = parse_exports(self.graph.tail(200))

    def _start_connector(self) -> None:
        rate = _number(self.options.outbox_rate_per_second)
        argv = [sys.executable, "-m", "devtools.connector_emulator", "--port", "0", "--rate", rate]
        self.connector = self._emulator("connector", argv)
        # Its first line is the service URL it serves.
        match = self.connector.wait_for_line(_CONNECTOR_READY_LINE + r"\S+", _START_TIMEOUT_SECONDS)
        self.service_url = match.group(0)

    def _emulator(self, name: str, argv: Sequence[str]) -> ManagedProcess:
        return ManagedProcess(
            name,
            argv,
            env=self._python_env(),
            cwd=REPO_ROOT,
            sink=self.options.sink,
            log_file=self._log_file(f"{name}-emulator"),
        ).start()

    def _log_file(self, name: str) -> Path | None:
        if self.options.log_dir is None:
            return None
        self.options.log_dir.mkdir(parents=True, exist_ok=True)
        return self.options.log_dir / f"{name}.log"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class ConnectorControl:
    """The connector emulator's /_emulator/ control API (see devtools/connector_emulator)."""

    def __init__(self, service_url: str, session: aiohttp.ClientSession) -> None:
        self.service_url = service_url
        self._session = session

    async def add_conversations(self, members: Mapping[str, str], tenant_id: str) -> None:
        """Personal chats Teams already has: {member id: conversation id}."""
        items = [
            {"id": conversation, "tenant_id": tenant_id, "member_id": member}
            for member, conversation in members.items()
        ]
        for start in range(0, len(items), 1000):
            await self._post("conversations", {"conversations": items[start : start + 1000]})

    async def stats(self) -> dict[str, Any]:
        return dict(await self._get("stats"))

    async def block(self, user_id: str, code: str = "MessageWritesBlocked") -> None:
        """Sends to this person answer 403 with `code` (they blocked or removed the app)."""
        await self._post("block", {"user_id": user_id, "code": code})

    async def activities(self, since: int = 0) -> list[dict[str, Any]]:
        """Accepted activity writes (sends, replies, updates), oldest first."""
        return list(await self._get(f"activities?since={since}"))

    async def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """Every request, whatever the answer, oldest first."""
        return list(await self._get(f"requests?since={since}"))

    async def _post(self, path: str, body: dict[str, Any]) -> None:
        async with self._session.post(self.service_url + "_emulator/" + path, json=body) as r:
            r.raise_for_status()

    async def _get(self, path: str) -> Any:
        async with self._session.get(self.service_url + "_emulator/" + path) as response:
            response.raise_for_status()
            return await response.json()


class GraphControl:
    """The Graph emulator's /_emulator/ control API (see devtools/graph_emulator/control.py)."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session

    async def request_counts(self) -> dict[str, int]:
        """Requests answered per "METHOD path" since the emulator started."""
        async with self._session.get(self.base_url + "/_emulator/requests") as response:
            response.raise_for_status()
            body = await response.json()
        return {str(key): int(value) for key, value in body["counts"].items()}


_SENT_SAMPLE = re.compile(
    r'^werkplek_outbox_deliveries_total\{verdict="sent"\} (?P<value>[0-9.e+]+)$', re.MULTILINE
)


async def outbox_sent_by(session: aiohttp.ClientSession, replica_url: str, token: str) -> int:
    """How many outbox messages this replica delivered, from its own /metrics."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(replica_url + "/metrics", headers=headers) as response:
        response.raise_for_status()
        text = await response.text()
    match = _SENT_SAMPLE.search(text)
    return int(float(match.group("value"))) if match else 0
