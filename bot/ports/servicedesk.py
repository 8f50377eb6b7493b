"""The ports of the service desk: its knowledge base.

bot/store/servicedesk implements them; tests use the store on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.servicedesk.articles import Article, KnowledgeBase, SearchHit


class KnowledgeBaseRepository(Protocol):
    async def load(self) -> KnowledgeBase: ...

    async def article(self, key: str) -> Article | None: ...

    async def replace(self, knowledge: KnowledgeBase) -> None:
        """The whole knowledge base and its search index, in one transaction."""
        ...

    async def search(self, question: str, language: str, limit: int = 3) -> list[SearchHit]:
        """The best articles for a question in a language, best first."""
        ...

    async def record_search(
        self,
        *,
        reference: str,
        tenant_id: str,
        asked_by: str,
        at: datetime,
        language: str,
        question: str,
        article_key: str | None,
    ) -> None: ...

    async def record_feedback(
        self, reference: str, asked_by: str, helped: bool, at: datetime
    ) -> bool:
        """False when the search is unknown, someone else's, or already answered."""
        ...

    async def search_figures(self, since: datetime, until: datetime) -> dict[str, int]: ...
