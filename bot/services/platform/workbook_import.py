"""What every admin's workbook import shares (the licence catalogue, the knowledge base): only
Werkplek's admins, the workbook read off the event loop, and one durable audit line per
outcome that never reaches the capability's own desk (someone who is not an admin, a workbook
with problems, a refusal, a failure)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError
from bot.domain.platform.roles import Role
from bot.services.platform.audit import Auditor

R = TypeVar("R")
T = TypeVar("T")
P = TypeVar("P")


class AdminImportAudit:
    def __init__(self, auditor: Auditor, *, action: str, object_type: str) -> None:
        self._auditor = auditor
        self._action = action
        self._object_type = object_type

    @staticmethod
    def may_import(actor: Actor) -> bool:
        return actor.has(Role.ADMIN)

    async def guarded(
        self,
        actor: Actor,
        attempt: Callable[[], Awaitable[R]],
        *,
        denied: R,
        audited_elsewhere: tuple[type[Exception], ...] = (),
    ) -> R:
        """`denied` for anyone but an admin, else the attempt; a DomainError is audited as a
        refusal and anything else as a failure, both raised on (the dispatcher explains them),
        except `audited_elsewhere` (the desk audited those itself)."""
        if not self.may_import(actor):
            await self.record(actor, Outcome.DENIED, needed_role=Role.ADMIN.value)
            return denied
        try:
            return await attempt()
        except audited_elsewhere:
            raise
        except DomainError as error:
            await self.record(actor, Outcome.REJECTED, reason=error.message_key)
            raise
        except Exception as error:
            await self.record(actor, Outcome.FAILED, error=type(error).__name__)
            raise

    async def read(
        self, actor: Actor, data: bytes, read: Callable[[bytes], tuple[T | None, Sequence[P]]]
    ) -> tuple[T | None, Sequence[P]]:
        """The workbook read in a thread (openpyxl is CPU work: the event loop stays free for
        other turns); one with problems is audited as refused here."""
        found, problems = await asyncio.to_thread(read, data)
        if found is None or problems:
            await self.record(
                actor, Outcome.REJECTED, problems=str(len(problems)), size=str(len(data))
            )
        return found, problems

    async def record(self, actor: Actor, outcome: Outcome, **detail: str) -> None:
        await self._auditor.record(
            actor_id=actor.user_id,
            action=self._action,
            outcome=outcome,
            role=actor.role,
            tenant_id=actor.tenant_id,
            object_type=self._object_type,
            correlation_id=actor.correlation_id,
            durable=True,
            **detail,
        )
