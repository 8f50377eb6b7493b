"""A message that kills its sender every time is set aside, audited and never sent again; on the
real store (both dialects), the audit log and the connector emulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.domain.platform.outbox import OutboxStatus
from bot.services.platform.audit import Auditor
from bot.services.platform.batching import BatchedAuditLog
from bot.services.platform.dead_letters import CountDeadLetter, DeadLetters
from bot.store import Database, SqlAuditLog
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.outbox.stack import Stack

LEASE = 0.2


@pytest.fixture
async def stack(database: Database, connector_emulator: ConnectorEmulator) -> AsyncIterator[Stack]:
    stack = Stack(database, connector_emulator)
    yield stack
    await stack.close()


async def test_a_message_that_kills_its_sender_each_time_ends_as_an_audited_dead_letter(
    stack: Stack,
) -> None:
    (poison,) = await stack.queue(await stack.known_people(1, prefix="poison"))
    for _ in range(3):  # three senders, each killed while sending it: claims that ran out
        assert await stack.repo.claim(10, stack.clock.now(), LEASE)
        await asyncio.sleep(LEASE + 0.05)
    fine = await stack.queue(await stack.known_people(2, prefix="fine"))
    counted: list[tuple[str, str]] = []
    audit_log = SqlAuditLog(stack.database)
    letters = DeadLetters(Auditor(BatchedAuditLog(audit_log), stack.clock), _count(counted))
    sender = stack.sender(max_attempts=3, on_dead_letter=letters.outbox_message)
    await stack.run_until_done(sender)

    assert sorted(stack.accepted_per_key()) == sorted(fine)  # the poison never went out again
    stored = await stack.repo.by_dedupe_key(poison)
    assert stored is not None and stored.status is OutboxStatus.DEAD
    assert stored.last_error.startswith("no verdict after 3 attempts")
    assert counted == [("outbox", "no_verdict")]
    (entry,) = await audit_log.recent(10, "outbox.dead_letter")
    assert (entry.object_type, entry.object_id, entry.detail) == (
        "outbox_message",
        str(stored.id),
        {"reason": "no_verdict", "attempts": "4"},
    )


def _count(into: list[tuple[str, str]]) -> CountDeadLetter:
    return lambda queue, reason: into.append((queue, reason))
