"""The knowledge base workbook as the chat dialog uses it (dialogs may not import openpyxl's home).

A refused workbook is a normal outcome of an import, not an error: `read` returns the knowledge
base or the problems, so the dialog can list them all and audit the rejection itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.servicedesk.articles import ArticleProblem, KnowledgeBase
from bot.i18n import Translator

# openpyxl loads on the first workbook, not at start-up (a tenth of a second nobody waits for).


class ExcelArticleWorkbooks:
    def read(self, data: bytes) -> tuple[KnowledgeBase | None, Sequence[ArticleProblem]]:
        from bot.excel.servicedesk.articles_reader import read_articles

        return read_articles(data)

    def describe(self, problem: ArticleProblem, t: Translator) -> str:
        from bot.excel.servicedesk.articles import describe_problem

        return describe_problem(problem, t)

    def write(self, knowledge: KnowledgeBase) -> bytes:
        from bot.excel.servicedesk.articles import write_articles

        return write_articles(knowledge)
