"""An in-memory knowledge base for unit tests (the real one is bot/store/servicedesk, tested
on both engines in tests/integration/servicedesk): search counts shared folded words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.platform.text import folded_words
from bot.domain.servicedesk.articles import Article, KnowledgeBase, SearchHit


@dataclass
class Search:
    asked_by: str
    article_key: str | None
    helped: bool | None = None


@dataclass
class MemoryKnowledgeBase:
    knowledge: KnowledgeBase = field(default_factory=KnowledgeBase)
    searches: dict[str, Search] = field(default_factory=dict)

    async def load(self) -> KnowledgeBase:
        return self.knowledge

    async def article(self, key: str) -> Article | None:
        return self.knowledge.article(key)

    async def replace(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge

    async def search(self, question: str, language: str, limit: int = 3) -> list[SearchHit]:
        asked = {w for w in folded_words(question) if len(w) > 3}
        ranked = []
        for article in self.knowledge.articles:
            words = set(
                folded_words(article.heading_text(language) + " " + article.body_text(language))
            )
            if shared := len(asked & words):
                ranked.append(SearchHit(article.key, float(shared)))
        ranked.sort(key=lambda hit: -hit.rank)
        return ranked[:limit]

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
    ) -> None:
        self.searches[reference] = Search(asked_by, article_key)

    async def record_feedback(
        self, reference: str, asked_by: str, helped: bool, at: datetime
    ) -> bool:
        search = self.searches.get(reference)
        if search is None or search.asked_by != asked_by or search.helped is not None:
            return False
        search.helped = helped
        return True

    async def search_figures(self, since: datetime, until: datetime) -> dict[str, int]:
        found = list(self.searches.values())
        return {
            "asked": len(found),
            "answered": sum(s.article_key is not None for s in found),
            "helped": sum(s.helped is True for s in found),
            "not_helped": sum(s.helped is False for s in found),
        }
