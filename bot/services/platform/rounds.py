"""A background worker's loop: a round now, then the next one at the poll or when woken.

The post, licence and service-level workers each decide what a round does; this is how rounds
follow one another. A round that fails is logged (an unavailable database as one line, anything
else with its cause) and the loop goes on: a worker stops only when asked to.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.domain.platform.errors import StoreUnavailable

logger = logging.getLogger(__name__)

Done = TypeVar("Done")


class Rounds:
    def __init__(self, name: str, poll_seconds: float) -> None:
        self._name = name
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Start the next round now instead of at the next poll."""
        self._wake.set()

    async def run(
        self,
        one_round: Callable[[], Awaitable[Done]],
        stop: asyncio.Event,
        *,
        more_at_once: Callable[[Done], bool] | None = None,
    ) -> None:
        """Rounds until `stop` is set. `more_at_once`: given what a round did, whether the next
        one should follow at once (a full batch: there may be more due right away)."""
        while not stop.is_set():
            try:
                done = await one_round()
            except StoreUnavailable:
                # An outage is one line per round, not a stack trace: nothing here to debug.
                logger.warning("%s: the database is unavailable; next round", self._name)
            except Exception:
                logger.exception("%s: round failed; trying again at the next round", self._name)
            else:
                if more_at_once is not None and more_at_once(done):
                    continue
            if stop.is_set():
                break  # asked to stop during the round: no need to wait for the poll
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
