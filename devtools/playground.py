"""The Microsoft 365 Agents Playground as a local Teams client: start it, and drive it over the
same HTTP + WebSocket API its web page uses.

Facts about `@microsoft/m365agentsplayground` 0.2.28 this module relies on (read from its
bundle, `dist/index.js`):
- `-p 0` binds a free port; the only stdout line (when stdout is not a TTY) is `Listening on N`.
  Everything else goes to the file named by `M365_AGENTS_PLAYGROUND_LOGFILE`.
- It exits when its stdin closes; `TEAMSAPPTESTER_BROWSER=none` stops it opening a browser.
- `M365_AGENTS_PLAYGROUND_CONFIG_PATH` names the config (YAML, so JSON works): tenant, bot, the
  current user, exactly five other users, personal chat, group chat, one team with one extra
  channel. The user key is spelt `userPrincipleName`.
- Activities carry `serviceUrl: http://localhost:<port>/_connector` and `locale: "en-US"` (fixed:
  see `devtools.locale_proxy`).
- Opening a chat in the page posts `/_debug/conversation/{id}/installation`, which sends the bot
  an `installationUpdate` (action `add`) and a `conversationUpdate` (`membersAdded`: the user and
  the bot in a personal chat, the bot elsewhere).
- Bot output reaches every WebSocket client as `{action, actionConversationId, message}`; events
  sent while no client is connected are buffered for the next one. Output into chats the current
  user is not in (an approver's 1:1 chat) is not streamed; `PlaygroundClient` reads it from the
  events recording, which goes to the file named by `M365_AGENTS_PLAYGROUND_RECORDING_FILE`
  (read once, at start) while switched on (`POST /_internal/v1/configDebugOptions`).
- `POST /_connector/v3/conversations` opens a personal chat with `members[0].id`, which must be a
  configured user's `id` for anything sent there to be accepted: playground.json sets each
  user's `id` to their aadObjectId, the id the bot opens 1:1 chats with.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from devtools.card_inspection import adaptive_cards, card_actions, card_text, find_action
from devtools.locale_proxy import LocaleProxy
from devtools.playground_client import BotMessage, PlaygroundClient, PlaygroundError, input_values
from devtools.processes import LogSink, ManagedProcess

__all__ = [
    "BotMessage",
    "Playground",
    "PlaygroundClient",
    "PlaygroundError",
    "adaptive_cards",
    "card_actions",
    "card_text",
    "find_action",
    "input_values",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
PLAYGROUND_VERSION = "0.2.28"
PLAYGROUND_CLI = REPO_ROOT / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
DEFAULT_CONFIG = Path(__file__).with_name("playground.json")
DEFAULT_PORT = 56150
DEFAULT_LOCALE = "nl-BE"

_START_TIMEOUT_SECONDS = 30.0
_LOG_POLL_SECONDS = 0.2
_LOG_LEVELS = ("log ", "info ", "warn ", "error ", "debug ")
# Variables that would silently override what we pass on the command line.
_OVERRIDING_ENV = (
    "TEAMSAPPTESTER_PORT",
    "M365_AGENTS_PLAYGROUND_SERVICE_URL",
    "M365_AGENTS_PLAYGROUND_CONVERSATION_ID",
    "M365_AGENTS_PLAYGROUND_DELIVERY_MODE",
    "M365_AGENTS_PLAYGROUND_ENABLE_EVENTS_RECORDING",
    "TEAMS_APP_TEST_TOOL_CONFIG_PATH",
)


class Playground:
    """The Playground process pointed at a bot endpoint, with a locale proxy in between.

    `port=0` lets it pick a free port (tests); the bound port is read from its output.
    `locale=None` talks to the bot directly with the Playground's own `en-US`.
    """

    def __init__(
        self,
        bot_endpoint: str,
        *,
        state_dir: Path,
        port: int = DEFAULT_PORT,
        config_file: Path = DEFAULT_CONFIG,
        locale: str | None = DEFAULT_LOCALE,
        timezone: str = "Europe/Brussels",
        sink: LogSink | None = None,
        node: str = "node",
        cli: Path = PLAYGROUND_CLI,
    ) -> None:
        self.bot_endpoint = bot_endpoint
        self.state_dir = state_dir
        self.requested_port = port
        self.config_file = config_file
        self.timezone = timezone
        self.sink = sink
        self.node = node
        self.cli = cli
        self._locale = locale
        self._proxy: LocaleProxy | None = None
        self._process: ManagedProcess | None = None
        self._port: int | None = None
        self._log_stop = threading.Event()
        self._log_thread: threading.Thread | None = None

    # --- addresses -----------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("Playground not started")
        return self._port

    @property
    def url(self) -> str:
        """The web page (and API base) as a person would open it."""
        return f"http://localhost:{self.port}"

    @property
    def service_url(self) -> str:
        """The connector URL the Playground puts in `activity.serviceUrl` (no trailing slash)."""
        return f"http://localhost:{self.port}/_connector"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "playground.log"

    @property
    def recording_file(self) -> Path:
        """Where the events recording goes once a client switches it on."""
        return self.state_dir / "events-recording.log"

    @property
    def locale(self) -> str | None:
        return self._locale

    @locale.setter
    def locale(self, value: str) -> None:
        """Change the client locale of the next activities (needs the proxy: locale not None)."""
        if self._proxy is None:
            raise RuntimeError("started without a locale proxy")
        self._locale = value
        self._proxy.locale = value

    # --- life cycle ----------------------------------------------------------------------
    def start(self, timeout: float = _START_TIMEOUT_SECONDS) -> Playground:
        if not self.cli.is_file():
            raise FileNotFoundError(f"{self.cli} is missing: run `npm ci` in {REPO_ROOT}")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        endpoint = self.bot_endpoint
        if self._locale is not None:
            self._proxy = LocaleProxy(self.bot_endpoint, self._locale).start()
            endpoint = self._proxy.url
        argv = [
            self.node,
            str(self.cli),
            "--app-endpoint",
            endpoint,
            "--channel-id",
            "msteams",
            "--disable-telemetry",
            "--port",
            str(self.requested_port),
        ]
        self._process = ManagedProcess(
            "playground", argv, env=self._env(), cwd=self.state_dir, keep_stdin_open=True
        ).start()
        try:
            match = self._process.wait_for_line(r"Listening on (\d+)", timeout)
            self._port = int(match.group(1))
            self._process.wait_http(f"http://127.0.0.1:{self._port}/_debug/ping", timeout)
        except Exception:
            self.stop()
            raise
        if self.sink is not None:
            self._log_thread = threading.Thread(
                target=self._follow_log, name="playground-log", daemon=True
            )
            self._log_thread.start()
        return self

    def stop(self) -> None:
        self._log_stop.set()
        if self._process is not None:
            self._process.stop()
        if self._proxy is not None:
            self._proxy.stop()
        if self._log_thread is not None:
            self._log_thread.join(2.0)

    def __enter__(self) -> Playground:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def client(self) -> PlaygroundClient:
        """A client for this Playground (call `await client.connect()` or use `async with`); it
        also follows what the bot sends other users, through the events recording."""
        return PlaygroundClient(f"http://127.0.0.1:{self.port}", recording_file=self.recording_file)

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _OVERRIDING_ENV}
        env.update(
            {
                "TEAMSAPPTESTER_BROWSER": "none",
                "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(self.config_file.resolve()),
                "M365_AGENTS_PLAYGROUND_LOGFILE": str(self.log_file.resolve()),
                "M365_AGENTS_PLAYGROUND_RECORDING_FILE": str(self.recording_file.resolve()),
                # The page reads its date/time formatting locale and time zone from the server.
                "LC_ALL": f"{(self._locale or 'en-US').replace('-', '_')}.UTF-8",
                "TZ": self.timezone,
                # Its HTTP client honours proxy variables; the bot is always local.
                "NO_PROXY": "127.0.0.1,localhost,::1",
                "no_proxy": "127.0.0.1,localhost,::1",
            }
        )
        return env

    def _follow_log(self) -> None:
        """Feed the Playground's log file to the sink, without its debug chatter."""
        assert self.sink is not None
        position = 0
        level = "log"
        pending = ""
        while not self._log_stop.is_set():
            with (
                contextlib.suppress(FileNotFoundError),
                self.log_file.open("r", encoding="utf-8", errors="replace") as handle,
            ):
                handle.seek(position)
                pending += handle.read()
                position = handle.tell()
            *lines, pending = pending.split("\n")
            for line in lines:
                for candidate in _LOG_LEVELS:
                    if line.startswith(candidate):
                        level = candidate.strip()
                        line = line[len(candidate) :]
                        break
                if level != "debug" and line.strip():
                    self.sink("playground", line)
            time.sleep(_LOG_POLL_SECONDS)


def load_config(path: Path = DEFAULT_CONFIG) -> dict[str, Any]:
    """The Playground config file as a dict (it is JSON, which YAML accepts)."""
    return dict(json.loads(path.read_text(encoding="utf-8")))
