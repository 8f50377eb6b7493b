"""A person's post delegations: "post doorsturen naar Jef van 1/12 tot 15/12".

From the first to the last day (inclusive) a person's post goes to the delegate, who acts on it
as the addressee (bot/services/post/access.py); routing applies it when an item arrives (and
the mailroom's routing from triage does too). Only the person sets or stops their own; each
step is audited durably.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError, Forbidden
from bot.domain.post.routing import Delegation
from bot.ports.post import DelegationRepository
from bot.services.platform.audit import Auditor
from bot.services.post.access import same_person
from bot.services.post.people import PostPeople

MAX_DELEGATION_DAYS = 366

DELEGATION_ADD = "post.delegation.add"
DELEGATION_CANCEL = "post.delegation.cancel"
DELEGATION_OBJECT = "post_delegation"


class PostDelegations:
    def __init__(
        self,
        *,
        delegations: DelegationRepository,
        people: PostPeople,
        auditor: Auditor,
        today: Callable[[], date],
        now: Callable[[], datetime],
    ) -> None:
        self._delegations = delegations
        self._people = people
        self._auditor = auditor
        self._today = today
        self._now = now

    async def mine(self, actor: Actor) -> list[Delegation]:
        """The person's delegations that have not ended, earliest start first."""
        today = self._today()
        found = await self._delegations.for_user(actor.user_id)
        return [delegation for delegation in found if delegation.ends >= today]

    async def add(self, actor: Actor, delegate_id: str, starts: date, ends: date) -> Delegation:
        """From `starts` to `ends` (inclusive), the person's post goes to the delegate."""
        today = self._today()
        if same_person(delegate_id, actor.user_id):
            raise DomainError("post.delegation.error.self")
        if ends < starts:
            raise DomainError("post.delegation.error.order")
        if ends < today:
            raise DomainError("post.delegation.error.past")
        starts = max(starts, today)
        if (ends - starts).days >= MAX_DELEGATION_DAYS:
            raise DomainError("post.delegation.error.too_long", count=MAX_DELEGATION_DAYS)
        delegate = await self._people.person(delegate_id)
        for existing in await self.mine(actor):
            if existing.starts <= ends and starts <= existing.ends:
                raise DomainError("post.delegation.error.overlap")
        stored = await self._delegations.add(
            Delegation(
                user_id=actor.user_id,
                delegate_id=delegate.id,
                starts=starts,
                ends=ends,
                created_by=actor.user_id,
                created_at=self._now(),
            )
        )
        await self._audit(actor, DELEGATION_ADD, stored)
        return stored

    async def cancel(self, actor: Actor, delegation_id: int) -> None:
        """Stop one of the person's own delegations; Forbidden for anyone else's."""
        mine = {d.id: d for d in await self._delegations.for_user(actor.user_id)}
        if not await self._delegations.cancel(delegation_id, actor.user_id):
            raise Forbidden(
                "post.delegation.error.not_yours",
                next_command=("post_delegation", "cmd.post_delegation.title"),
            )
        cancelled = mine.get(delegation_id)
        if cancelled is not None:
            await self._audit(actor, DELEGATION_CANCEL, cancelled)

    async def _audit(self, actor: Actor, action: str, delegation: Delegation) -> None:
        await self._auditor.record(
            actor_id=actor.user_id,
            action=action,
            outcome=Outcome.OK,
            role=actor.role,
            tenant_id=actor.tenant_id,
            object_type=DELEGATION_OBJECT,
            object_id=str(delegation.id),
            correlation_id=actor.correlation_id,
            durable=True,
            delegate=delegation.delegate_id,
            starts=delegation.starts.isoformat(),
            ends=delegation.ends.isoformat(),
        )
