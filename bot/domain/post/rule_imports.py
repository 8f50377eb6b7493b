"""A routing-rules workbook checked in chat and waiting for its uploader's confirmation.

Decisions (and why):
- The checked rules wait in the database (bot/store/post/pending_imports.py), not in one
  process: a confirmation that reaches another replica, or comes after a restart, finds them.
- One per person: a newer upload replaces the older, and only the uploader may confirm it (the
  repository is asked for the caller's own; `is_for` says so again).
- They wait PENDING_MINUTES: what is applied is what the person just saw checked, not a dry run
  against post and rules of an hour ago. An expired one is refused like a missing one.
- `against` is the rules as they were when these were checked: when they changed since, the
  dry run and the entity check were made against other rules, so nothing is applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.platform.actors import Actor
from bot.domain.post.routing import RoutingRule
from bot.domain.post.rule_scope import Scope

PENDING_MINUTES = 10


@dataclass(frozen=True, slots=True)
class PendingRuleImport:
    id: str
    tenant_id: str
    uploaded_by: str  # the uploader's Entra object id, casefolded
    rules: tuple[RoutingRule, ...]
    against: tuple[RoutingRule, ...]
    scope: Scope  # what the uploader could change when checked
    created_at: datetime
    expires_at: datetime

    @classmethod
    def checked(
        cls,
        import_id: str,
        uploader: Actor,
        rules: tuple[RoutingRule, ...],
        against: tuple[RoutingRule, ...],
        scope: Scope,
        now: datetime,
        minutes: int = PENDING_MINUTES,
    ) -> PendingRuleImport:
        return cls(
            id=import_id,
            tenant_id=uploader.tenant_id,
            uploaded_by=uploader.user_id.casefold(),
            rules=rules,
            against=against,
            scope=scope,
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )

    def is_for(self, actor: Actor) -> bool:
        return (self.tenant_id, self.uploaded_by) == (actor.tenant_id, actor.user_id.casefold())

    def has_expired(self, now: datetime) -> bool:
        return now >= self.expires_at
