"""Fault injection and request accounting, shared by both listeners.

Tests and benchmarks use them to make Graph slow (a fixed latency per request), make it fail
(the next N requests whose path matches a pattern get a chosen status, e.g. 429 with
Retry-After) and to check how many requests a code path really made.
"""

from __future__ import annotations

import itertools
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# The log keeps the most recent requests only, so long benchmark runs stay bounded in memory.
MAX_LOGGED_REQUESTS = 10_000


@dataclass(slots=True)
class FaultRule:
    """Answer `status` to the next `remaining` requests (None: all of them) matching the rule."""

    id: int
    path: str
    status: int
    remaining: int | None = 1
    retry_after: int | None = None
    method: str | None = None
    code: str | None = None
    message: str | None = None
    pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Graph paths are case-insensitive, so are the patterns.
        self.pattern = re.compile(self.path, re.IGNORECASE)
        if self.method:
            self.method = self.method.upper()

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method != method.upper():
            return False
        return self.pattern.search(path) is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "status": self.status,
            "remaining": self.remaining,
            "retry_after": self.retry_after,
            "method": self.method,
            "code": self.code,
            "message": self.message,
        }


class FaultInjector:
    """Latency for Graph requests and a list of failure rules; the first matching rule wins."""

    def __init__(self, latency_ms: float = 0.0) -> None:
        self.latency_ms = latency_ms
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(
        self,
        path: str,
        status: int,
        *,
        count: int | None = 1,
        retry_after: int | None = None,
        method: str | None = None,
        code: str | None = None,
        message: str | None = None,
    ) -> FaultRule:
        if count is not None and count < 1:
            raise ValueError("count must be at least 1, or None for every request")
        if not 400 <= status <= 599:
            raise ValueError("a fault status is a 4xx or 5xx code")
        rule = FaultRule(
            id=next(self._ids),
            path=path,
            status=status,
            remaining=count,
            retry_after=retry_after,
            method=method,
            code=code,
            message=message,
        )
        self._rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> bool:
        before = len(self._rules)
        self._rules = [rule for rule in self._rules if rule.id != rule_id]
        return len(self._rules) != before

    def clear(self) -> None:
        self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        return list(self._rules)

    def take(self, method: str, path: str) -> FaultRule | None:
        """The rule that answers this request, if any; a counted rule is used up by it."""
        for rule in self._rules:
            if rule.matches(method, path):
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
                return rule
        return None


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    listener: str  # "graph" or "authority"
    method: str
    path: str
    query: str
    status: int
    at: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "listener": self.listener,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "at": self.at,
        }


class RequestLog:
    """What the emulator answered, for assertions ("the cache saved a request")."""

    def __init__(self) -> None:
        self._entries: list[RecordedRequest] = []
        self._counts: Counter[str] = Counter()
        self.total = 0

    def record(self, listener: str, method: str, path: str, query: str, status: int) -> None:
        entry = RecordedRequest(listener, method.upper(), path, query, status, time.time())
        self._entries.append(entry)
        if len(self._entries) > MAX_LOGGED_REQUESTS:
            del self._entries[: len(self._entries) - MAX_LOGGED_REQUESTS]
        self._counts[f"{entry.method} {path}"] += 1
        self.total += 1

    @property
    def entries(self) -> list[RecordedRequest]:
        return list(self._entries)

    def counts(self) -> dict[str, int]:
        """Requests per "METHOD path" since the last clear (not bounded by the log size)."""
        return dict(self._counts)

    def count(
        self, path: str | None = None, *, method: str | None = None, listener: str | None = "graph"
    ) -> int:
        """Requests whose path matches the regex `path` (case-insensitive), by method/listener."""
        pattern = re.compile(path, re.IGNORECASE) if path else None
        return sum(
            1
            for entry in self._entries
            if (listener is None or entry.listener == listener)
            and (method is None or entry.method == method.upper())
            and (pattern is None or pattern.search(entry.path))
        )

    def clear(self) -> None:
        self._entries.clear()
        self._counts.clear()
        self.total = 0
