"""Storing the outbox sender's verdicts in bulk.

At a thousand deliveries a second one transaction per verdict is what limits an SQLite
deployment, so the final verdicts of the last few milliseconds go to the repository in one
`finish_many` call. Retries stay single calls (they are rare and each has its own not_before).

A verdict is kept for at most FLUSH_SECONDS before it is written: a process killed in that
moment leaves those messages in flight, to be sent again after their lease, like a message
killed mid-send.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.domain.platform.outbox import OutboxStatus
from bot.ports.platform import Clock, FinalVerdict, OutboxRepository

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 0.01
MAX_BULK = 500
_WRITE_ATTEMPTS = 3
_RETRY_PAUSE_SECONDS = 1.0


class VerdictWriter:
    def __init__(self, repo: OutboxRepository, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock
        self._pending: list[FinalVerdict] = []
        self._flusher: asyncio.Task[None] | None = None

    def finish(
        self, message_id: int, status: OutboxStatus, error: str, activity_id: str = ""
    ) -> None:
        """Queue a final verdict (with the Teams message id of a sent message, which a later
        replacement edits); it is written within FLUSH_SECONDS, with others."""
        self._pending.append(FinalVerdict(message_id, status, error, activity_id))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon())

    async def retry_later(self, message_id: int, not_before: datetime, error: str) -> None:
        await _with_retries(
            lambda: self._repo.retry_later(message_id, not_before, error), message_id
        )

    async def drain(self) -> None:
        """Write whatever is pending (on a graceful stop)."""
        if self._flusher is not None and not self._flusher.done():
            await self._flusher
        while self._pending:
            await self._write_pending()

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FLUSH_SECONDS)
        while self._pending:
            await self._write_pending()

    async def _write_pending(self) -> None:
        batch, self._pending = self._pending[:MAX_BULK], self._pending[MAX_BULK:]
        await _with_retries(
            lambda: self._repo.finish_many(batch, self._clock.now()), batch[0].message_id
        )


async def _with_retries(write: Callable[[], Awaitable[None]], message_id: int) -> None:
    """A lost verdict means a second send after the lease: retry a failing write briefly."""
    for attempt in range(1, _WRITE_ATTEMPTS + 1):
        try:
            await write()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            if attempt == _WRITE_ATTEMPTS:
                logger.exception("Outbox message %s: could not store the verdict", message_id)
                return
            await asyncio.sleep(_RETRY_PAUSE_SECONDS * attempt)
