"""The real outbox stack for integration tests: store repositories, ConnectorDelivery against
the connector emulator over HTTP, and the sender."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bot.domain.platform.connector_hosts import ConnectorHosts
from bot.domain.platform.conversations import ConversationRef
from bot.domain.platform.outbox import FINAL_STATUSES, NewOutboxMessage, OutboxStatus
from bot.ports.platform import RateBudget
from bot.services.platform.clock import SystemClock
from bot.services.platform.outbox import DeadLetterCallback, OutboxSender, ResultCallback
from bot.services.platform.outbox_notifier import OutboxNotifier
from bot.services.platform.rate import InMemoryRateBudget
from bot.store import Database, SqlConversationRefRepository, SqlOutboxRepository
from bot.teams.delivery import ConnectorDelivery
from devtools.connector_emulator import ConnectorEmulator
from tests.unit.outbox.fakes import eventually

TENANT = "tenant-werkplek"
BOT_ID = "28:werkplek-bot"


@dataclass
class Stack:
    database: Database
    emulator: ConnectorEmulator
    token_provider: Any = None
    clock: SystemClock = field(default_factory=SystemClock)

    def __post_init__(self) -> None:
        self.repo = SqlOutboxRepository(self.database)
        self.refs = SqlConversationRefRepository(self.database)
        self.delivery = ConnectorDelivery(
            conversations=self.refs,
            bot_app_id=BOT_ID,
            default_service_url=self.emulator.service_url,
            # The emulator stands in for the Teams service: its host and port only.
            connector_hosts=ConnectorHosts([urlsplit(self.emulator.service_url).netloc]),
            token_provider=self.token_provider,
            find_message=self.repo.by_dedupe_key,
            clock=self.clock,
        )
        self.notifier = OutboxNotifier(self.repo, self.clock)

    async def close(self) -> None:
        await self.delivery.close()

    def sender(
        self,
        *,
        rate: float = 20.0,
        budget: RateBudget | None = None,
        lease_seconds: float = 30.0,
        concurrency: int = 8,
        max_attempts: int = 5,
        on_result: ResultCallback | None = None,
        max_retry_after_seconds: float = 60.0,
        on_dead_letter: DeadLetterCallback | None = None,
    ) -> OutboxSender:
        return OutboxSender(
            self.repo,
            budget or InMemoryRateBudget(rate),
            self.delivery,
            self.clock,
            rate_per_second=rate,
            concurrency=concurrency,
            lease_seconds=lease_seconds,
            max_attempts=max_attempts,
            idle_poll_seconds=0.05,
            backoff_base=0.05,
            backoff_cap=0.2,
            replace_wait_seconds=0.05,
            replace_wait_cap_seconds=0.2,
            on_result=on_result,
            max_retry_after_seconds=max_retry_after_seconds,
            on_dead_letter=on_dead_letter,
        )

    async def known_people(self, count: int, prefix: str = "person") -> list[str]:
        """People who installed the app: a stored reference and a conversation in Teams."""
        people = []
        for index in range(count):
            person = f"{prefix}-{index}"
            conversation = f"a:1{prefix}{index}"
            self.emulator.add_conversation(conversation, TENANT, person, BOT_ID)
            await self.refs.save(
                ConversationRef(person, TENANT, self.emulator.service_url, conversation, BOT_ID)
            )
            people.append(person)
        return people

    async def queue(self, people: list[str], tag: str = "m") -> list[str]:
        messages = [
            NewOutboxMessage(
                TENANT, f"{tag}:{person}", {"type": "message", "text": "Nieuwe post"}, person
            )
            for person in people
        ]
        await self.notifier.enqueue_many(messages)
        return [message.dedupe_key for message in messages]

    async def all_final(self) -> bool:
        counts = await self.repo.counts()
        return sum(counts[status] for status in OutboxStatus if status not in FINAL_STATUSES) == 0

    async def run_until_done(self, *senders: OutboxSender, patience: float = 60.0) -> None:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(sender.run(stop)) for sender in senders]
        try:
            async with asyncio.timeout(patience):
                while True:
                    if await self.all_final():
                        break
                    await asyncio.sleep(0.05)
        finally:
            stop.set()
            await asyncio.gather(*tasks)

    def accepted_per_key(self) -> Counter[str]:
        return Counter(activity.dedupe_key for activity in self.emulator.sends())


__all__ = ["BOT_ID", "TENANT", "Stack", "eventually"]
