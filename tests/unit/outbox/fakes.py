"""In-memory fakes of the ports the outbox sender depends on (and a scripted Delivery)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain.platform.conversations import ConversationRef
from bot.domain.platform.delivery import DeliveryOutcome, Verdict
from bot.domain.platform.outbox import FINAL_STATUSES, NewOutboxMessage, OutboxMessage, OutboxStatus
from bot.ports.platform import FinalVerdict


class FakeOutboxRepository:
    def __init__(self) -> None:
        self.rows: dict[int, OutboxMessage] = {}
        self.claimed: list[int] = []  # every claim of every message id, in order
        self.fail_next_writes = 0  # make the next N finish/finish_many/retry_later calls raise
        self.verdict_writes: list[int] = []  # how many verdicts each finish_many call stored
        self.released: list[int] = []  # claims given back unused

    async def enqueue(self, messages: Sequence[NewOutboxMessage], now: datetime) -> int:
        known = {row.dedupe_key for row in self.rows.values()}
        added = 0
        for new in messages:
            if new.dedupe_key in known:
                continue
            known.add(new.dedupe_key)
            message_id = len(self.rows) + 1
            self.rows[message_id] = OutboxMessage(
                id=message_id,
                tenant_id=new.tenant_id,
                dedupe_key=new.dedupe_key,
                activity=new.activity,
                status=OutboxStatus.PENDING,
                attempts=0,
                created_at=now,
                recipient_id=new.recipient_id,
                conversation_id=new.conversation_id,
                service_url=new.service_url,
                not_before=new.not_before,
                replaces=new.replaces,
                thread_of=new.thread_of,
            )
            added += 1
        return added

    async def claim(self, limit: int, now: datetime, lease_seconds: float) -> list[OutboxMessage]:
        due = [row for row in self.rows.values() if _is_due(row, now)][:limit]
        lease_until = now + timedelta(seconds=lease_seconds)
        claimed = []
        for row in due:
            leased = replace(
                row,
                status=OutboxStatus.IN_FLIGHT,
                lease_until=lease_until,
                attempts=row.attempts + 1,  # counted by the claim, as the store does
            )
            self.rows[row.id] = leased
            self.claimed.append(row.id)
            claimed.append(leased)
        return claimed

    async def finish(
        self,
        message_id: int,
        status: OutboxStatus,
        now: datetime,
        error: str = "",
        activity_id: str = "",
    ) -> None:
        await self.finish_many([FinalVerdict(message_id, status, error, activity_id)], now)

    async def finish_many(self, verdicts: Sequence[FinalVerdict], now: datetime) -> None:
        self._maybe_fail()
        if any(verdict.status not in FINAL_STATUSES for verdict in verdicts):
            raise ValueError("not a final outbox status")  # all or nothing, like the store
        for verdict in verdicts:
            sent = verdict.status is OutboxStatus.SENT
            self.rows[verdict.message_id] = replace(
                self.rows[verdict.message_id],
                status=verdict.status,
                sent_at=now if sent else None,
                last_error=verdict.error,
                lease_until=None,
                activity_id=verdict.activity_id if sent else "",
            )
        self.verdict_writes.append(len(verdicts))

    async def retry_later(self, message_id: int, not_before: datetime, error: str) -> None:
        self._maybe_fail()
        row = self.rows[message_id]
        self.rows[message_id] = replace(
            row,
            status=OutboxStatus.PENDING,
            not_before=not_before,
            last_error=error,
            lease_until=None,
        )

    async def release(self, message_id: int, lease_until: datetime) -> bool:
        row = self.rows[message_id]
        if row.status is not OutboxStatus.IN_FLIGHT or row.lease_until != lease_until:
            return False
        self.released.append(message_id)
        self.rows[message_id] = replace(
            row, status=OutboxStatus.PENDING, attempts=max(row.attempts - 1, 0), lease_until=None
        )
        return True

    async def counts(self) -> dict[OutboxStatus, int]:
        result = dict.fromkeys(OutboxStatus, 0)
        for row in self.rows.values():
            result[row.status] += 1
        return result

    async def by_dedupe_key(self, dedupe_key: str) -> OutboxMessage | None:
        return next((row for row in self.rows.values() if row.dedupe_key == dedupe_key), None)

    async def sent_as(self, conversation_id: str, activity_id: str) -> str | None:
        return next(
            (
                row.dedupe_key
                for row in self.rows.values()
                if (row.conversation_id, row.activity_id) == (conversation_id, activity_id)
                and activity_id
                and not row.replaces
            ),
            None,
        )

    def by_key(self, dedupe_key: str) -> OutboxMessage:
        """The row under that key (the test knows it exists)."""
        return next(row for row in self.rows.values() if row.dedupe_key == dedupe_key)

    def _maybe_fail(self) -> None:
        if self.fail_next_writes > 0:
            self.fail_next_writes -= 1
            raise ConnectionError("database unavailable")


def _is_due(row: OutboxMessage, now: datetime) -> bool:
    if row.status is OutboxStatus.PENDING:
        return row.not_before is None or row.not_before <= now
    if row.status is OutboxStatus.IN_FLIGHT:
        return row.lease_until is not None and row.lease_until <= now
    return False


class UnlimitedBudget:
    """Grants everything, counting what it granted per tenant."""

    def __init__(self) -> None:
        self.granted: dict[str, int] = {}
        self.closed = False  # when True, grants nothing

    async def acquire(self, tenant_id: str, wanted: int) -> int:
        if self.closed:
            return 0
        self.granted[tenant_id] = self.granted.get(tenant_id, 0) + wanted
        return wanted


class FakeConversationRefs:
    def __init__(self) -> None:
        self.refs: dict[tuple[str, str], ConversationRef] = {}

    async def save(self, ref: ConversationRef) -> None:
        self.refs[(ref.tenant_id, ref.user_id)] = ref

    async def get(self, tenant_id: str, user_id: str) -> ConversationRef | None:
        return self.refs.get((tenant_id, user_id))

    async def get_many(self, tenant_id: str, user_ids: Sequence[str]) -> dict[str, ConversationRef]:
        found = ((user_id, self.refs.get((tenant_id, user_id))) for user_id in user_ids)
        return {user_id: ref for user_id, ref in found if ref is not None}


SENT = DeliveryOutcome(Verdict.SENT, status=201)


class ScriptedDelivery:
    """Answers per dedupe key from a script (outcomes or exceptions to raise), else SENT.

    Like the real adapter it awaits the permit before each "request" (`requests` per key,
    default 1); a call is recorded once its permits were granted.
    """

    def __init__(
        self,
        script: dict[str, list[DeliveryOutcome | Exception]] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        latency: float = 0.0,
        requests: dict[str, int] | None = None,
    ) -> None:
        self.script = script or {}
        self.calls: list[tuple[str, str, float]] = []  # (tenant, dedupe key, monotonic time)
        self._monotonic = monotonic
        self._latency = latency
        self._requests = requests or {}
        self.prepared: list[list[str]] = []  # the dedupe keys of each prepared batch

    async def prepare(self, messages: Sequence[OutboxMessage]) -> None:
        self.prepared.append([message.dedupe_key for message in messages])

    async def deliver(
        self, message: OutboxMessage, permit: Callable[[], AbstractAsyncContextManager[None]]
    ) -> DeliveryOutcome:
        for _ in range(self._requests.get(message.dedupe_key, 1)):
            async with permit():
                pass
        self.calls.append((message.tenant_id, message.dedupe_key, self._monotonic()))
        await asyncio.sleep(self._latency)
        planned = self.script.get(message.dedupe_key)
        answer = planned.pop(0) if planned else SENT
        if isinstance(answer, Exception):
            raise answer
        return answer

    def keys(self) -> list[str]:
        return [key for _, key, _ in self.calls]


async def eventually(condition: Callable[[], bool], patience: float = 10.0) -> None:
    """Wait until condition() holds; a generous bound turns a hang into a failure."""
    async with asyncio.timeout(patience):
        while True:
            if condition():
                return
            await asyncio.sleep(0.002)
