"""The service desk's relay: how long a message takes from one side to the other.

Real parts throughout, in this process: the store on SQLite in a temporary folder, the real
ticket desk and relay, the production outbox sender and ConnectorDelivery (woken when a step
queues a message, as in the bot), and the connector emulator over HTTP with the tenant's limit
(not the per-conversation ones: every sample goes to the same chat and channel).

Two legs, timed from the call that takes the message to the moment the emulator admits what it
became:
- person -> channel: a person's free message on their ticket, to a reply in the ticket's thread;
- channel -> person: an agent's message in the thread, to the person's 1:1 chat.
The baseline, in the same run on the same stack: a plain notice queued straight into the outbox
(what every capability's notices cost). The ratio is what the relay adds: the ticket's
transaction with its version check, its conversation, the cards.

    python -m bench.relay [--quick] [--samples 60]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bench.common import BenchResult, Row, percentile, ratio, verdict
from bench.outbox_support import CONCURRENCY, LEASE_SECONDS, MAX_ATTEMPTS
from bot.domain.platform.actors import Actor
from bot.domain.platform.connector_hosts import ConnectorHosts
from bot.domain.platform.conversations import ConversationRef, SeenUser
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.platform.roles import Role
from bot.domain.platform.working_time import WorkingCalendar
from bot.services.platform.clock import SystemClock
from bot.services.platform.outbox import OutboxSender
from bot.services.platform.outbox_notifier import OutboxNotifier
from bot.services.platform.rate import InMemoryRateBudget
from bot.services.servicedesk.people import DeskPeople
from bot.services.servicedesk.relay import TicketRelay
from bot.services.servicedesk.tickets import DeskSettings, TicketDesk, TicketForm
from bot.store import Database, SqlConversationRefRepository, SqlOutboxRepository
from bot.store.platform.users import SqlUserRepository
from bot.store.servicedesk.tickets import SqlTicketRepository
from bot.teams.delivery import ConnectorDelivery
from cards.servicedesk.relay import NOTE_MARKERS
from devtools.connector_emulator import ConnectorEmulator
from dialogs.servicedesk.ticket_notices import TicketNoticeCards

SAMPLES = 60
QUICK_SAMPLES = 15
# What the relay may add to a plain outbox notice, at the 95th percentile.
TARGET_RATIO = 2.0
TENANT = "bench-tenant"
BOT_ID = "28:werkplek-bench"
CHANNEL = "19:servicedesk@thread.tacv2"
BRUSSELS = ZoneInfo("Europe/Brussels")
LOTTE = Actor("lotte", TENANT, "Lotte Janssens", frozenset({Role.STAFF}))
ANN = Actor("ann", TENANT, "Ann Desmet", frozenset({Role.STAFF, Role.AGENT}))
_POLL_SECONDS = 0.001
_PATIENCE_SECONDS = 30.0


class NoEntities:
    async def entity_of(self, user_id: str) -> None:
        return None


async def run_relay_bench(quick: bool = False, samples: int | None = None) -> BenchResult:
    count = samples or (QUICK_SAMPLES if quick else SAMPLES)
    # Latency, not throughput: Teams' per-conversation limits (7 a second, 60 in 30 s) would
    # only measure how long the samples wait for each other in one chat and one channel.
    emulator = ConnectorEmulator(tenant_rate_per_second=50.0, enforce_conversation_limits=False)
    service_url = await emulator.start()
    with tempfile.TemporaryDirectory(prefix="bench-relay-") as folder:
        database = Database(f"sqlite+aiosqlite:///{Path(folder) / 'relay.db'}")
        await database.migrate()
        try:
            legs = await _measure(database, emulator, service_url, count)
        finally:
            await database.dispose()
            await emulator.stop()
    rows = relay_rows(legs)
    return BenchResult("relay", rows, {name: sorted(times) for name, times in legs.items()})


async def _measure(
    database: Database, emulator: ConnectorEmulator, service_url: str, count: int
) -> dict[str, list[float]]:
    clock = SystemClock()
    outbox = SqlOutboxRepository(database)
    delivery = ConnectorDelivery(
        conversations=SqlConversationRefRepository(database),
        bot_app_id=BOT_ID,
        default_service_url=service_url,
        connector_hosts=ConnectorHosts([urlsplit(service_url).netloc]),
        find_message=outbox.by_dedupe_key,
        clock=clock,
    )
    sender = OutboxSender(
        outbox,
        InMemoryRateBudget(50.0),
        delivery,
        clock,
        rate_per_second=50.0,
        concurrency=CONCURRENCY,
        lease_seconds=LEASE_SECONDS,
        max_attempts=MAX_ATTEMPTS,
    )
    relay = await _relay(database, clock, sender, emulator, service_url)
    notifier = OutboxNotifier(outbox, clock, sender.wake)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    legs: dict[str, list[float]] = {"notice": [], "to_channel": [], "to_person": []}
    try:
        ticket = await relay._desk.open(LOTTE, TicketForm("other", "Printer trekt geen papier."))
        await relay.accept(LOTTE, ticket.id, "Nog steeds stuk.")
        await _admitted(emulator, f"ticket-{ticket.id}-desk")
        for index in range(count):
            notice = partial(_notice, notifier, index)
            said = partial(relay.relay, LOTTE, ticket, f"Bericht {index} van Lotte")
            answered = partial(relay.from_thread, ANN, ticket.id, f"Antwoord {index} van Ann")
            legs["notice"].append(await _leg(emulator, notice, f"bench-notice-{index}"))
            legs["to_channel"].append(await _leg(emulator, said, "-requester.v"))
            legs["to_person"].append(await _leg(emulator, answered, "-answer.v"))
    finally:
        stop.set()
        sender.wake()
        await running
        await delivery.close()
    return legs


async def _relay(
    database: Database,
    clock: SystemClock,
    sender: OutboxSender,
    emulator: ConnectorEmulator,
    service_url: str,
) -> TicketRelay:
    users = SqlUserRepository(database)
    for who in (LOTTE, ANN):
        await users.upsert(SeenUser(who.user_id, TENANT, display_name=who.name))
    emulator.add_conversation(CHANNEL, TENANT)
    emulator.add_conversation("a:1lotte", TENANT, LOTTE.user_id, BOT_ID)
    await SqlConversationRefRepository(database).save(
        ConversationRef(LOTTE.user_id, TENANT, service_url, "a:1lotte", BOT_ID)
    )
    tickets = SqlTicketRepository(database, clock=clock, reference_zone=BRUSSELS)
    desk = TicketDesk(
        tickets=tickets,
        people=DeskPeople(users, NoEntities()),
        cards=TicketNoticeCards(BRUSSELS),
        clock=clock,
        calendar=WorkingCalendar(BRUSSELS),
        settings=DeskSettings(channel_id=CHANNEL),
        on_enqueued=sender.wake,
    )
    outbox = SqlOutboxRepository(database)
    return TicketRelay(desk=desk, tickets=tickets, sent=outbox, note_markers=NOTE_MARKERS)


async def _notice(notifier: OutboxNotifier, index: int) -> None:
    activity = {"type": "message", "text": f"Nieuwe post ({index})"}
    await notifier.enqueue_many(
        [NewOutboxMessage(TENANT, f"bench-notice-{index}", activity, recipient_id=LOTTE.user_id)]
    )


async def _leg(
    emulator: ConnectorEmulator, step: Callable[[], Awaitable[Any]], key_part: str
) -> float:
    """Milliseconds from the step's start to the emulator admitting a new activity whose
    dedupe key holds `key_part`."""
    seen = len(emulator.activities)
    start = time.monotonic()
    await step()
    found = await _admitted(emulator, key_part, since=seen)
    return (found - start) * 1000


async def _admitted(emulator: ConnectorEmulator, key_part: str, since: int = 0) -> float:
    deadline = time.monotonic() + _PATIENCE_SECONDS
    while time.monotonic() < deadline:
        for received in emulator.activities[since:]:
            if key_part in received.dedupe_key:
                return received.at
        await asyncio.sleep(_POLL_SECONDS)
    raise TimeoutError(f"nothing with {key_part!r} reached the connector")


def relay_rows(legs: dict[str, list[float]]) -> list[Row]:
    notice = percentile(legs["notice"], 95)
    rows = [Row("relay: plain outbox notice p95", notice, None, "ms", "baseline", "n/a")]
    for name, label in (("to_channel", "person -> thread"), ("to_person", "thread -> person")):
        p95 = percentile(legs[name], 95)
        measured = ratio(p95, notice)
        passed = None if measured is None else measured <= TARGET_RATIO
        rows.append(
            Row(
                f"relay {label} p95",
                p95,
                notice,
                "ms",
                f"<= {TARGET_RATIO:.1f}x notice",
                verdict(passed),
                measured,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--samples", type=int, default=None)
    args = parser.parse_args()
    result = asyncio.run(run_relay_bench(args.quick, args.samples))
    result.print_table()
    result.write()


if __name__ == "__main__":
    main()
