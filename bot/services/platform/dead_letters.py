"""Telling the operators about work that was set aside (dead letters).

The outbox sender sets a message aside when it keeps failing, keeps stopping its sender, or is
addressed to a connector host that is not allowed; the licence worker does the same for a step
that keeps failing (bot.services.licences.worker, whose transition writes its own audit line).
Each is counted for the operators' dashboards and, for the outbox, written to the audit trail:
ids and the reason only, never the message itself.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.platform.audit import Outcome
from bot.domain.platform.outbox import DeadReason, OutboxMessage
from bot.services.platform.audit import Auditor

OUTBOX = "outbox"
LICENCE_WORKER = "licence_worker"
# A metric callback: (queue, reason).
CountDeadLetter = Callable[[str, str], None]


class DeadLetters:
    def __init__(self, auditor: Auditor, count: CountDeadLetter | None = None) -> None:
        self._auditor = auditor
        self._count = count

    async def outbox_message(self, message: OutboxMessage, reason: DeadReason) -> None:
        """The outbox sender's on_dead_letter."""
        if self._count is not None:
            self._count(OUTBOX, reason.value)
        await self._auditor.record(
            actor_id="system",
            role="system",
            action="outbox.dead_letter",
            outcome=Outcome.FAILED,
            tenant_id=message.tenant_id,
            object_type="outbox_message",
            object_id=str(message.id),
            reason=reason.value,
            attempts=str(message.attempts),
        )

    def licence_step(self) -> None:
        """The licence worker's on_set_aside (its failed transition is audited by the flow)."""
        if self._count is not None:
            self._count(LICENCE_WORKER, "kept_failing")
