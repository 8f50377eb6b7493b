"""Child processes for the local stack: started in their own process group, logs pumped line by
line, readiness awaited, and stopped without leaving orphans.

Each child gets its own session (process group) so one signal reaches everything it spawned
(the Playground runs node, which may fork), and so a Ctrl-C in the terminal reaches only the
runner, which then stops the children in order. On Linux a child also dies with the runner
(PR_SET_PDEATHSIG) if the runner is killed outright. That signal follows the *thread* that
started the child, so start children from a thread that lives as long as they should (the main
thread, or the event loop's).
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

LogSink = Callable[[str, str], None]

# Enough lines to explain a failed start in an error message without keeping a whole log.
_TAIL_LINES = 200
_PR_SET_PDEATHSIG = 1


class ProcessFailed(RuntimeError):
    """A child exited or did not become ready; the message carries the tail of its output."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago, for children that cannot report the one they bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def print_sink(name: str, line: str) -> None:
    """Write a child's line to stdout with its name in front (the demo's log view)."""
    sys.stdout.write(f"[{name:>10}] {line}\n")
    sys.stdout.flush()


def _die_with_parent() -> None:
    # Runs in the child between fork and exec; only async-signal-safe work belongs here.
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ManagedProcess:
    """One child process with a name, a log pump and a polite-then-firm stop."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        sink: LogSink | None = None,
        log_file: Path | None = None,
        keep_stdin_open: bool = False,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = dict(env) if env is not None else None
        self.cwd = str(cwd) if cwd is not None else None
        self.sink = sink
        self.log_file = log_file
        self.keep_stdin_open = keep_stdin_open
        self._process: subprocess.Popen[bytes] | None = None
        self._tail: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        self._lines = threading.Condition()
        self._pump: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def returncode(self) -> int | None:
        return self._process.poll() if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def tail(self, lines: int = 40) -> str:
        with self._lines:
            return "\n".join(list(self._tail)[-lines:])

    def start(self) -> ManagedProcess:
        if self._process is not None:
            raise RuntimeError(f"{self.name} was already started")
        self._process = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=self.cwd,
            # A pipe we never write to keeps a stdin-watching child (the Playground) alive
            # exactly as long as we are.
            stdin=subprocess.PIPE if self.keep_stdin_open else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        self._pump = threading.Thread(
            target=self._pump_output, name=f"log-{self.name}", daemon=True
        )
        self._pump.start()
        return self

    def _pump_output(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        log = self.log_file.open("a", encoding="utf-8") if self.log_file else None
        try:
            for raw in iter(self._process.stdout.readline, b""):
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                with self._lines:
                    self._tail.append(line)
                    self._lines.notify_all()
                if log is not None:
                    log.write(line + "\n")
                    log.flush()
                if self.sink is not None:
                    self.sink(self.name, line)
        finally:
            if log is not None:
                log.close()
            with self._lines:
                self._lines.notify_all()

    def wait_for_line(self, pattern: str | re.Pattern[str], timeout: float) -> re.Match[str]:
        """Block until a line of output matches `pattern`; fail if the child exits first."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._lines:
            while True:
                # Start-up lines are few and early, so rescanning the short tail is cheap.
                for line in self._tail:
                    match = regex.search(line)
                    if match:
                        return match
                if not self.running and (self._pump is None or not self._pump.is_alive()):
                    raise self._failure(
                        f"exited ({self.returncode}) before printing {regex.pattern!r}"
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._failure(f"did not print {regex.pattern!r} within {timeout:.0f}s")
                self._lines.wait(min(remaining, 0.5))

    def wait_http(
        self, url: str, timeout: float, *, accept: Callable[[int], bool] | None = None
    ) -> None:
        """Poll `url` until it answers with an accepted status (default: 2xx)."""
        accept = accept or (lambda status: 200 <= status < 300)
        deadline = time.monotonic() + timeout
        last_error = "no answer"
        while time.monotonic() < deadline:
            if not self.running:
                raise self._failure(f"exited ({self.returncode}) while waiting for {url}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if accept(response.status):
                        return
                    last_error = f"HTTP {response.status}"
            except urllib.error.HTTPError as error:
                if accept(error.code):
                    return
                last_error = f"HTTP {error.code}"
            except (OSError, urllib.error.URLError) as error:
                last_error = type(error).__name__
            time.sleep(0.1)
        raise self._failure(f"{url} not ready within {timeout:.0f}s ({last_error})")

    def stop(self, timeout: float = 10.0) -> int | None:
        """Close stdin, then SIGTERM the whole group, then SIGKILL it; returns the exit code."""
        process = self._process
        if process is None:
            return None
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        if process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                process.wait(timeout)
        # Grandchildren that ignored SIGTERM still share the group: make sure none survive.
        self._signal_group(signal.SIGKILL)
        if self._pump is not None:
            self._pump.join(timeout)
        if process.stdout is not None:
            process.stdout.close()
        return process.returncode

    def _signal_group(self, signum: int) -> None:
        assert self._process is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signum)

    def _failure(self, what: str) -> ProcessFailed:
        return ProcessFailed(f"{self.name} {what}; last output:\n{self.tail()}")
