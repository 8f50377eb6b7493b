"""Checked routing rules waiting in memory, as bot/store/post/pending_imports.py keeps them."""

from __future__ import annotations

from bot.domain.post.rule_imports import PendingRuleImport


class MemoryPendingRuleImports:
    """Implements bot.ports.post.PendingRuleImportRepository: one per person, taken once."""

    def __init__(self) -> None:
        self.waiting: dict[tuple[str, str], PendingRuleImport] = {}

    async def keep(self, pending: PendingRuleImport) -> None:
        for key in [k for k, kept in self.waiting.items() if kept.has_expired(pending.created_at)]:
            del self.waiting[key]
        self.waiting[(pending.tenant_id, pending.uploaded_by.casefold())] = pending

    async def take(self, tenant_id: str, user_id: str) -> PendingRuleImport | None:
        return self.waiting.pop((tenant_id, user_id.casefold()), None)
