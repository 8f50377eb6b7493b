"""The throughput bench's load generator: concurrent keep-alive clients posting Teams messages.

One phase sends a fixed number of activities, each with a unique id, through N clients that take
the next number until none are left, then waits until the sink has a reply to every accepted one.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bench.common import RunningBot, cpu_seconds
from bench.sink import ReplySink
from bench.targets import DEMO_TENANT_ID, DEMO_USER_ID, DEMO_USER_IDS

COMMAND_TEXT = "help"
# Replies that have not arrived this long after the last new one are counted as missing.
REPLY_GRACE_SECONDS = 10.0
_REPLY_POLL_SECONDS = 0.01


def message_activity(
    activity_id: str, conversation_id: str, service_url: str, user_id: str = DEMO_USER_ID
) -> dict[str, Any]:
    """A Teams personal-chat message as the Bot Framework channel delivers it."""
    return {
        "type": "message",
        "id": activity_id,
        "timestamp": datetime.now(UTC).isoformat(),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{user_id}", "aadObjectId": user_id},
        "recipient": {"id": "28:werkplek-bench", "name": "Werkplek"},
        "conversation": {
            "id": conversation_id,
            "conversationType": "personal",
            "tenantId": DEMO_TENANT_ID,
        },
        "text": COMMAND_TEXT,
        "textFormat": "plain",
        "locale": "nl-BE",
        "channelData": {"tenant": {"id": DEMO_TENANT_ID}},
    }


@dataclass
class PhaseTally:
    """What one phase against one bot produced."""

    activity_ids: list[str] = field(default_factory=list)  # accepted (2xx) only
    latencies: list[float] = field(default_factory=list)  # seconds, every answered request
    statuses: Counter[int] = field(default_factory=Counter)
    failures: int = 0  # connection errors and timeouts
    wall_seconds: float = 0.0  # first POST to last response
    reply_window_seconds: float = 0.0  # first POST to last reply at the sink
    replied: int = 0  # accepted requests with at least one reply
    replies: int = 0
    bot_cpu_seconds: float = 0.0
    own_cpu_seconds: float = 0.0  # the bench process: clients, connector, Graph emulator


async def run_phase(
    session: aiohttp.ClientSession,
    bot: RunningBot,
    sink: ReplySink,
    count: int,
    concurrency: int,
) -> PhaseTally:
    tally = PhaseTally()
    url = bot.launch.base_url + "/api/messages"
    run_id = uuid.uuid4().hex[:8]
    tickets = iter(range(count))  # shared by the clients
    cpu_before, own_before = cpu_seconds(bot.pid), time.process_time()
    started = time.monotonic()
    await asyncio.gather(
        *(
            _client(
                session,
                url,
                f"a:bench-{run_id}-{n}",
                DEMO_USER_IDS[n % len(DEMO_USER_IDS)],
                tickets,
                tally,
                sink.service_url,
            )
            for n in range(concurrency)
        )
    )
    tally.wall_seconds = time.monotonic() - started
    tally.own_cpu_seconds = time.process_time() - own_before
    reply_times = await _await_replies(sink, tally.activity_ids)
    tally.bot_cpu_seconds = cpu_seconds(bot.pid) - cpu_before
    tally.replies = len(reply_times)
    tally.replied = sum(1 for rid in tally.activity_ids if sink.reply_times((rid,)))
    tally.reply_window_seconds = (max(reply_times) - started) if reply_times else 0.0
    return tally


async def _client(
    session: aiohttp.ClientSession,
    url: str,
    conversation_id: str,
    user_id: str,
    tickets: Iterator[int],
    tally: PhaseTally,
    service_url: str,
) -> None:
    # One client is one person in their own personal chat with the bot, as in Teams.
    for ticket in tickets:
        activity_id = f"{conversation_id.removeprefix('a:')}-{ticket}"
        body = message_activity(activity_id, conversation_id, service_url, user_id)
        started = time.monotonic()
        try:
            async with session.post(url, json=body) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            tally.failures += 1
            continue
        tally.latencies.append(time.monotonic() - started)
        tally.statuses[status] += 1
        if 200 <= status < 300:
            tally.activity_ids.append(activity_id)


async def _await_replies(sink: ReplySink, ids: list[str]) -> list[float]:
    """Wait until every id has a reply, or no new reply came for the grace time."""
    wanted = set(ids)
    seen, last_change = -1, time.monotonic()
    while True:
        times = sink.reply_times(ids)
        if len(times) != seen:
            seen, last_change = len(times), time.monotonic()
        missing = sum(1 for rid in wanted if not sink.reply_times((rid,)))
        if not missing or time.monotonic() - last_change > REPLY_GRACE_SECONDS:
            return times
        await asyncio.sleep(_REPLY_POLL_SECONDS)
