"""The local stack the demo and the end-to-end tests share: Graph emulator, Werkplek bot and the
Agents Playground, each a real process, wired to one another and to nothing outside 127.0.0.1.

Start order: emulator (its printed `export` lines are the bot's Graph settings), Playground (its
bound port gives the connector URL the bot needs for proactive 1:1 chats), the demo licence
catalogue and knowledge base (stored through the real `werkplek catalog import` and `werkplek
articles import`, into the bot's database), bot. The
Playground does not need the bot to start; it only calls it when a chat opens. Stop order is the
reverse.

Incoming post: the bot accepts the fixed demo intake token (`stack.intake_token`, see
devtools/demo_post.py), keeps scans under var_dir/documents, and sends triage cards to the
Playground team's General channel, which the Playground shows. `post_samples()` delivers the
demo's scanned items through the intake API once the bot runs (the demo does; tests post their
own).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from devtools.demo_post import DEMO_INTAKE_TOKEN, DEMO_INTAKE_TOKEN_NAME, intake_tokens_setting
from devtools.playground import DEFAULT_CONFIG, DEFAULT_LOCALE, Playground, load_config
from devtools.processes import LogSink, ManagedProcess, ProcessFailed

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_TENANT_ID = "8a0c3f5e-1b2d-4c6e-9f70-2a4b6c8d0e1f"
DEMO_KEY_GROUPS_FILE = Path(__file__).with_name("demo_key_groups.json")
DEMO_ROLES_FILE = Path(__file__).with_name("demo_roles.json")
DEMO_CATALOGUE_FILE_NAME = "demo-catalogus.xlsx"
DEMO_ARTICLES_FILE_NAME = "demo-artikels.xlsx"

_EMULATOR_READY_LINE = r"control API"
_START_TIMEOUT_SECONDS = 60.0
# Writing the workbook and importing it both start a Python that loads openpyxl and the store.
_SEED_TIMEOUT_SECONDS = 120.0
_FAILURE_TAIL_LINES = 40
# The file download check is by host suffix: Teams' own file host, and this machine for the demo.
_DOWNLOAD_HOSTS = "sharepoint.com,127.0.0.1,localhost"
_SDK_PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"


@dataclass(frozen=True, slots=True)
class StackPorts:
    """Fixed ports for the demo; tests pass 0 (emulator, Playground) and a free bot port."""

    bot: int = 3978
    graph: int = 5001
    authority: int = 5443
    playground: int = 56150


@dataclass(slots=True)
class StackOptions:
    var_dir: Path
    ports: StackPorts = field(default_factory=StackPorts)
    sink: LogSink | None = None
    # Files (one per process) that keep the full output, for failed tests and later reading.
    log_dir: Path | None = None
    locale: str | None = DEFAULT_LOCALE
    # Who the Playground page is (its current user) and the other users, chats and team.
    playground_config: Path = DEFAULT_CONFIG
    # `python app.py` by default; the harness test runs the echo bot instead.
    bot_argv: list[str] | None = None
    bot_ready_path: str = "/readyz"
    with_emulator: bool = True
    # Store the demo licence catalogue and knowledge base before the bot starts (`python app.py`).
    seed_catalogue: bool = True
    extra_bot_env: dict[str, str] = field(default_factory=dict)


def parse_exports(lines: str) -> dict[str, str]:
    """`export NAME=value` lines (shell-quoted) -> {NAME: value}."""
    values: dict[str, str] = {}
    for line in lines.splitlines():
        if not line.startswith("export "):
            continue
        for token in shlex.split(line[len("export ") :]):
            name, _, value = token.partition("=")
            values[name] = value
    return values


class LocalStack:
    """Start, wire and stop the three processes; usable as a context manager."""

    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.emulator: ManagedProcess | None = None
        self.bot: ManagedProcess | None = None
        self.playground: Playground | None = None
        self.emulator_env: dict[str, str] = {}

    @property
    def bot_url(self) -> str:
        return f"http://127.0.0.1:{self.options.ports.bot}"

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{(self.options.var_dir / 'werkplek.db').resolve()}"

    @property
    def intake_token(self) -> str:
        """The bearer token the bot's intake API accepts (a fixed, public demo value)."""
        return DEMO_INTAKE_TOKEN

    @property
    def documents_dir(self) -> Path:
        """Where the bot keeps the scans it receives."""
        return (self.options.var_dir / "documents").resolve()

    @property
    def mailroom_channel_id(self) -> str:
        """The mailroom's channel: the Playground team's General channel (its id is the team's)."""
        config_file = self.playground.config_file if self.playground else DEFAULT_CONFIG
        return str(load_config(config_file)["team"]["id"])

    @property
    def servicedesk_channel_id(self) -> str:
        """The service desk's channel: the Playground team's "Servicedesk" channel."""
        config_file = self.playground.config_file if self.playground else DEFAULT_CONFIG
        channels = load_config(config_file)["team"].get("channels", [])
        return next(
            (str(c["id"]) for c in channels if "servicedesk" in str(c.get("name", "")).lower()),
            "",
        )

    def start(self) -> LocalStack:
        self.options.var_dir.mkdir(parents=True, exist_ok=True)
        try:
            if self.options.with_emulator:
                self._start_emulator()
            self.playground = Playground(
                f"{self.bot_url}/api/messages",
                state_dir=self.options.var_dir / "playground",
                port=self.options.ports.playground,
                config_file=self.options.playground_config,
                locale=self.options.locale,
                sink=self.options.sink,
            ).start()
            env = self.bot_env(self.playground.service_url)
            if self.options.seed_catalogue and self.options.bot_argv is None:
                self._seed_catalogue(env)
                self._seed_articles(env)
            self._start_bot(env)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.bot is not None:
            self.bot.stop()
        if self.playground is not None:
            self.playground.stop()
        if self.emulator is not None:
            self.emulator.stop()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _log_file(self, name: str) -> Path | None:
        if self.options.log_dir is None:
            return None
        self.options.log_dir.mkdir(parents=True, exist_ok=True)
        return self.options.log_dir / f"{name}.log"

    def _python_env(self) -> dict[str, str]:
        env = dict(os.environ)
        # Children print through a pipe: unbuffered, or their lines arrive late or never.
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        return env

    def _start_emulator(self) -> None:
        ports = self.options.ports
        argv = [
            sys.executable,
            "-m",
            "devtools.graph_emulator",
            "--graph-port",
            str(ports.graph),
            "--authority-port",
            str(ports.authority),
            "--state-dir",
            str(self.options.var_dir / "emulator"),
        ]
        self.emulator = ManagedProcess(
            "graph",
            argv,
            env=self._python_env(),
            cwd=REPO_ROOT,
            sink=self.options.sink,
            log_file=self._log_file("graph-emulator"),
        ).start()
        self.emulator.wait_for_line(_EMULATOR_READY_LINE, _START_TIMEOUT_SECONDS)
        self.emulator_env = parse_exports(self.emulator.tail(200))

    def bot_env(self, service_url: str) -> dict[str, str]:
        """The bot's environment: anonymous on loopback, SQLite under var_dir, the emulator."""
        env = {
            k: v
            for k, v in self._python_env().items()
            # A developer's real bot identity must not leak in: the Playground sends no token.
            if not k.startswith(_SDK_PREFIX)
        }
        env.update(self.emulator_env)
        env.update(
            {
                "HOST": "127.0.0.1",
                "PORT": str(self.options.ports.bot),
                "DATABASE_URL": self.database_url,
                "AZURE_TENANT_ID": self.emulator_env.get("AZURE_TENANT_ID", DEMO_TENANT_ID),
                "WERKPLEK_ALLOWED_TENANTS": DEMO_TENANT_ID,
                "WERKPLEK_ROLE_GROUPS": json.dumps(
                    json.loads(DEMO_ROLES_FILE.read_text(encoding="utf-8")), separators=(",", ":")
                ),
                "WERKPLEK_ACCESS_KEY_GROUPS": DEMO_KEY_GROUPS_FILE.read_text(encoding="utf-8"),
                "WERKPLEK_DEFAULT_SERVICE_URL": service_url,
                # The Playground stands in for the Teams connector: its host and port only.
                "WERKPLEK_CONNECTOR_HOSTS": urlsplit(service_url).netloc,
                "WERKPLEK_LOG_FORMAT": "text",
                "WERKPLEK_PUBLIC_BASE_URL": self.bot_url,
                "WERKPLEK_FILE_DOWNLOAD_HOSTS": _DOWNLOAD_HOSTS,
                "WERKPLEK_INTAKE_TOKENS": intake_tokens_setting(
                    DEMO_INTAKE_TOKEN_NAME, self.intake_token
                ),
                "WERKPLEK_DOCUMENTS_DIR": str(self.documents_dir),
                "WERKPLEK_MAILROOM_CHANNEL_ID": self.mailroom_channel_id,
                "WERKPLEK_SERVICEDESK_CHANNEL_ID": self.servicedesk_channel_id,
                _SDK_PREFIX + "ANONYMOUS_ALLOWED": "true",
            }
        )
        env.update(self.options.extra_bot_env)
        return env

    @property
    def catalogue_file(self) -> Path:
        """The demo catalogue as the stack wrote it (the workbook an admin would import)."""
        return self.options.var_dir / DEMO_CATALOGUE_FILE_NAME

    def _seed_catalogue(self, bot_env: dict[str, str]) -> None:
        """Write the demo catalogue workbook, then import it with the real CLI into the bot's
        database, exactly as an admin would: `werkplek catalog import FILE`."""
        workbook = str(self.catalogue_file)
        self._run_once("catalogue", [sys.executable, "-m", "devtools.demo_catalogue", workbook])
        self._run_once(
            "catalogue",
            [sys.executable, "-m", "bot.cli", "catalog", "import", workbook],
            env=bot_env,
        )

    def _seed_articles(self, bot_env: dict[str, str]) -> None:
        """The demo knowledge base, the same way: its workbook, then `werkplek articles import`."""
        workbook = str(self.options.var_dir / DEMO_ARTICLES_FILE_NAME)
        self._run_once("articles", [sys.executable, "-m", "devtools.demo_articles", workbook])
        self._run_once(
            "articles",
            [sys.executable, "-m", "bot.cli", "articles", "import", workbook],
            env=bot_env,
        )

    def post_samples(self) -> list[str]:
        """Deliver the demo's scanned items through the running bot's intake API, as a scanning
        service would (`python -m devtools.demo_post`); items it has already are not stored
        again. Returns what the command printed: one line per item, with its reference."""
        return self._run_once(
            "post",
            [
                sys.executable,
                "-m",
                "devtools.demo_post",
                "--bot",
                self.bot_url,
                "--token",
                self.intake_token,
            ],
        )

    def _run_once(
        self, name: str, argv: list[str], *, env: dict[str, str] | None = None
    ) -> list[str]:
        """Run a short Python command to its end; its output goes where the processes' logs go,
        and the tail of it into the error when it fails. Returns its output lines."""
        shown = "python " + shlex.join(argv[1:])
        try:
            done = subprocess.run(
                argv,
                env=env if env is not None else self._python_env(),
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=_SEED_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as late:
            raise ProcessFailed(
                f"{name}: `{shown}` did not finish within {late.timeout:.0f}s"
            ) from None
        output = done.stdout.decode("utf-8", errors="replace")
        log_file = self._log_file(name)
        if log_file is not None:
            with log_file.open("a", encoding="utf-8") as log:
                log.write(f"$ {shown}\n{output}")
        if self.options.sink is not None:
            for line in output.splitlines():
                self.options.sink(name, line)
        if done.returncode != 0:
            tail = "\n".join(output.splitlines()[-_FAILURE_TAIL_LINES:])
            raise ProcessFailed(f"{name}: `{shown}` failed ({done.returncode}); output:\n{tail}")
        return output.splitlines()

    def _start_bot(self, env: dict[str, str]) -> None:
        argv = self.options.bot_argv or [sys.executable, "app.py"]
        self.bot = ManagedProcess(
            "bot",
            argv,
            env=env,
            cwd=REPO_ROOT,
            sink=self.options.sink,
            log_file=self._log_file("bot"),
        ).start()
        self.bot.wait_http(self.bot_url + self.options.bot_ready_path, _START_TIMEOUT_SECONDS)
