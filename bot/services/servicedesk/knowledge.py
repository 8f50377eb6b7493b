"""Answers first: a question no command claims is looked up in the knowledge base.

The best article is shown with "Heeft dit geholpen?"; "Nee" offers up to two others. Every
search is counted with what it found, and every answer to "Heeft dit geholpen?" with it (the
knowledge base's deflection): the figures count searches, the question's words are kept for the
"top unanswered questions" of the service desk's report, never who asked them in the figures.
Replacing the knowledge base (a workbook an admin sends, the CLI) is checked as a whole first
and audited, refused or not.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import Forbidden, NotFound
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.articles import Article, ArticleProblem, KnowledgeBase, SearchHit
from bot.ports.platform import Clock
from bot.ports.servicedesk import KnowledgeBaseRepository
from bot.services.platform.audit import Auditor

IMPORT = "servicedesk.articles.import"
FEEDBACK = "servicedesk.article.feedback"
ARTICLES_OBJECT = "servicedesk_articles"
SEARCH_OBJECT = "servicedesk_search"
# Articles offered when the first did not help.
OTHERS = 2


@dataclass(frozen=True, slots=True)
class Answer:
    reference: str  # the search's, carried by the card's buttons
    article: Article
    others: tuple[str, ...]  # keys of the next best articles, at most OTHERS


class KnowledgeDesk:
    def __init__(self, repository: KnowledgeBaseRepository, auditor: Auditor, clock: Clock) -> None:
        self._repository = repository
        self._auditor = auditor
        self._clock = clock

    async def answer(self, caller: Actor, question: str, locale: str) -> Answer | None:
        """The best article for the question in the caller's language (the other language
        when that finds nothing fitting: an English client may type Dutch), counted; None
        when no article shares enough of it (SearchHit.relevant; counted too)."""
        languages = ("en", "nl") if locale == "en" else ("nl", "en")
        hits: list[SearchHit] = []
        for language in languages:
            hits = list(await self._repository.search(question, language, 1 + OTHERS))
            if hits and hits[0].relevant:
                break
        if hits and not hits[0].relevant:
            hits = []
        best = await self._repository.article(hits[0].key) if hits else None
        reference = "KB-" + secrets.token_hex(6).upper()
        await self._repository.record_search(
            reference=reference,
            tenant_id=caller.tenant_id,
            asked_by=caller.user_id,
            at=self._clock.now(),
            language=languages[0],
            question=question,
            article_key=best.key if best else None,
        )
        if best is None:
            return None
        return Answer(reference, best, tuple(hit.key for hit in hits[1:]))

    async def feedback(self, caller: Actor, reference: str, helped: bool) -> None:
        """The person's answer to "Heeft dit geholpen?", once; audited. Forbidden when the
        search is not theirs or was answered already (the card's buttons say it once)."""
        recorded = await self._repository.record_feedback(
            reference, caller.user_id, helped, self._clock.now()
        )
        await self._auditor.record(
            actor_id=caller.user_id,
            action=FEEDBACK,
            outcome=Outcome.OK if recorded else Outcome.DENIED,
            role=caller.role,
            tenant_id=caller.tenant_id,
            object_type=SEARCH_OBJECT,
            object_id=reference,
            correlation_id=caller.correlation_id,
            helped="yes" if helped else "no",
        )
        if not recorded:
            raise Forbidden("servicedesk.feedback.not_yours")

    async def article(self, key: str) -> Article:
        found = await self._repository.article(key)
        if found is None:
            raise NotFound("servicedesk.article.gone")
        return found

    async def knowledge(self) -> KnowledgeBase:
        return await self._repository.load()

    async def replace(self, actor: Actor, knowledge: KnowledgeBase) -> list[ArticleProblem]:
        """Store the knowledge base when it is whole and the actor may (a Werkplek admin, or
        the system: the CLI, the demo); its problems otherwise, nothing stored. Audited."""
        if not actor.is_system and Role.ADMIN not in actor.roles:
            await self._audit_import(actor, Outcome.DENIED, len(knowledge.articles))
            raise Forbidden()
        problems = knowledge.problems()
        if problems:
            await self._audit_import(actor, Outcome.REJECTED, len(knowledge.articles))
            return problems
        await self._repository.replace(knowledge)
        await self._audit_import(actor, Outcome.OK, len(knowledge.articles))
        return []

    async def _audit_import(self, actor: Actor, outcome: Outcome, articles: int) -> None:
        await self._auditor.record(
            actor_id=actor.user_id,
            action=IMPORT,
            outcome=outcome,
            role=actor.role,
            tenant_id=actor.tenant_id,
            object_type=ARTICLES_OBJECT,
            correlation_id=actor.correlation_id,
            articles=str(articles),
        )
