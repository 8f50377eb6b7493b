"""The wall clock the repositories use when the caller does not pass a time."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The machine's UTC wall clock (implements bot.ports.Clock)."""

    def now(self) -> datetime:
        return datetime.now(UTC)
