"""Writing the audit trail. Every command and every state change goes through `Auditor.record`."""

from __future__ import annotations

import logging

from bot.domain.platform.audit import AuditEntry, Outcome
from bot.ports.platform import AuditLog, Clock

logger = logging.getLogger(__name__)


class Auditor:
    def __init__(self, log: AuditLog, clock: Clock) -> None:
        self._log = log
        self._clock = clock

    async def record(
        self,
        *,
        actor_id: str,
        action: str,
        outcome: Outcome,
        role: str = "",
        tenant_id: str = "",
        object_type: str = "",
        object_id: str = "",
        correlation_id: str = "",
        durable: bool = True,
        **detail: str,
    ) -> None:
        """Append an entry. `durable=False` is for routine lines on the reply path (a command
        that only read something): written within moments, not awaited, so a hard crash may
        lose the last fraction of a second of them. Denials, failures and state changes are
        always durable."""
        entry = AuditEntry(
            at=self._clock.now(),
            actor_id=actor_id,
            action=action,
            outcome=outcome,
            role=role,
            tenant_id=tenant_id,
            object_type=object_type,
            object_id=object_id,
            correlation_id=correlation_id,
            detail=dict(detail),
        )
        if durable:
            await self._log.append(entry)
        else:
            self._log.append_soon(entry)
