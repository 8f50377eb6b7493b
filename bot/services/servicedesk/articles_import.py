"""The knowledge base replaced from a workbook a Werkplek admin sent in chat.

The workbook is read (the ArticleWorkbooks port) and either refused with every problem by row
and column (nothing stored) or handed whole to the knowledge desk, which checks the knowledge
base as a whole once more and replaces it with its search index in one transaction. Never half
stored: a workbook with one problem changes nothing.

Every import is audited durably under the desk's action (`servicedesk.articles.import`), a
refusal too, one line per outcome: what never reaches the desk (someone who is not an admin,
a workbook with problems, a failure) is audited here; what the desk decides (stored, or refused
as a whole) the desk audits itself, as it does for the command line.

Only Werkplek's admins: one knowledge base serves everyone. A workbook sent in chat comes
without a command, so this is where that is checked, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import Forbidden
from bot.domain.servicedesk.articles import ArticleProblem, KnowledgeBase
from bot.i18n import Translator
from bot.ports.servicedesk import ArticleWorkbooks
from bot.services.platform.audit import Auditor
from bot.services.platform.workbook_import import AdminImportAudit
from bot.services.servicedesk.knowledge import ARTICLES_OBJECT, IMPORT, KnowledgeDesk

__all__ = [
    "IMPORT",
    "ArticlesImport",
    "ArticlesImported",
    "ArticlesRejected",
    "ArticlesReplaced",
    "NotAnAdmin",
]


@dataclass(frozen=True, slots=True)
class NotAnAdmin:
    """The caller may not replace the knowledge base."""


@dataclass(frozen=True, slots=True)
class ArticlesRejected:
    problems: tuple[str, ...]  # by row and column, in the caller's language


@dataclass(frozen=True, slots=True)
class ArticlesReplaced:
    knowledge: KnowledgeBase


ArticlesImported = NotAnAdmin | ArticlesRejected | ArticlesReplaced


class ArticlesImport:
    def __init__(self, desk: KnowledgeDesk, workbooks: ArticleWorkbooks, auditor: Auditor) -> None:
        self._desk = desk
        self._workbooks = workbooks
        self._audit = AdminImportAudit(auditor, action=IMPORT, object_type=ARTICLES_OBJECT)

    def may_import(self, actor: Actor) -> bool:
        return self._audit.may_import(actor)

    async def import_workbook(self, actor: Actor, data: bytes, t: Translator) -> ArticlesImported:
        """Read the workbook and replace the knowledge base with it, or say why not. A
        DomainError is audited (here, or by the desk when it refused) and explained by the
        dispatcher."""
        return await self._audit.guarded(
            actor,
            lambda: self._import(actor, data, t),
            denied=NotAnAdmin(),
            audited_elsewhere=(Forbidden,),  # the desk refused the actor, and audited it
        )

    async def _import(self, actor: Actor, data: bytes, t: Translator) -> ArticlesImported:
        knowledge, problems = await self._audit.read(actor, data, self._workbooks.read)
        if knowledge is None or problems:
            return ArticlesRejected(self._described(problems, t))
        # The desk checks the whole once more, stores it or not, and audits either way.
        refused = await self._desk.replace(actor, knowledge)
        if refused:
            return ArticlesRejected(self._described(refused, t))
        return ArticlesReplaced(knowledge)

    def _described(self, problems: Sequence[ArticleProblem], t: Translator) -> tuple[str, ...]:
        return tuple(self._workbooks.describe(problem, t) for problem in problems)
