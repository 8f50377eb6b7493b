"""Where the bots' replies go during the throughput bench: the devtools connector emulator.

Bots answer by POSTing to `{serviceUrl}v3/conversations/{id}/activities/{replyToId}`. The
emulator runs in the bench process with its Teams rate limits off (the bench measures the bot, not
the limits) and records every accepted activity with its monotonic arrival time; this module
indexes those records by replied-to id so the bench can check that each request got a reply and
compute replies per second as a channel would see them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable
from typing import Protocol

from devtools.connector_emulator import ConnectorEmulator


class ReplySink(Protocol):
    service_url: str

    def reply_times(self, reply_to_ids: Iterable[str]) -> list[float]:
        """Monotonic arrival times of the replies to these activity ids (one per reply)."""
        ...


class ConnectorSink:
    """Reads the emulator's received activities incrementally (the list only grows)."""

    def __init__(self, emulator: ConnectorEmulator, service_url: str) -> None:
        self.service_url = service_url
        self._emulator = emulator
        self._indexed = 0
        self._arrivals: dict[str, list[float]] = {}

    def reply_times(self, reply_to_ids: Iterable[str]) -> list[float]:
        received = self._emulator.activities
        for activity in received[self._indexed :]:
            # A bot may answer with a plain send that still names the activity it answers.
            reply_to = activity.reply_to_id or str(activity.activity.get("replyToId") or "")
            if activity.operation in ("reply", "send") and reply_to:
                self._arrivals.setdefault(reply_to, []).append(activity.at)
        self._indexed = len(received)
        return [at for rid in reply_to_ids for at in self._arrivals.get(rid, ())]


@contextlib.asynccontextmanager
async def reply_sink() -> AsyncIterator[ReplySink]:
    emulator = ConnectorEmulator(tenant_rate_per_second=None, enforce_conversation_limits=False)
    service_url = await emulator.start()
    try:
        yield ConnectorSink(emulator, service_url)
    finally:
        await emulator.stop()
