"""The admin side of the service desk's knowledge base in chat: its workbook, downloaded and
imported, as the licence catalogue's is (dialogs/licences/admin.py).

- `kennisbank` / `knowledge base` (admins): how many articles each category holds, a download
  link for the workbook (export kind "articles", bot/http/exports.py: made from current data
  when the link is opened, the link works for minutes), and how to import an edited one: send
  it in this chat.
- A knowledge-base workbook sent in the chat (the inbox, dialogs/platform/workbooks.py, fetches
  it and tells it by its sheets) is imported by bot/services/servicedesk/articles_import.py:
  refused with every problem by row and column (nothing stored) or stored as a whole, audited
  either way; a workbook from anyone but an admin is refused politely, and audited too.
"""

from __future__ import annotations

from bot.commands.registry import command
from bot.domain.platform.roles import Role
from bot.i18n import N_
from bot.services.servicedesk.articles_import import (
    ArticlesImport,
    ArticlesRejected,
    ArticlesReplaced,
    NotAnAdmin,
)
from bot.services.servicedesk.knowledge import KnowledgeDesk
from bot.turn import Turn
from cards.servicedesk.admin import (
    ARTICLES_COMMAND,
    articles_card,
    import_done_card,
    import_problem_cards,
    import_refused_card,
)
from dialogs.platform.workbooks import ExportLinks

# The export kind bot/http/exports.py serves.
ARTICLES_EXPORT = "articles"
# What bot/excel/workbook_kind.py calls a knowledge-base workbook (an upload's sheets tell).
ARTICLES_WORKBOOK = "articles"


class KnowledgeAdminDialog:
    def __init__(
        self, desk: KnowledgeDesk, articles_import: ArticlesImport, links: ExportLinks
    ) -> None:
        self._desk = desk
        self._import = articles_import
        self._links = links

    # --- the knowledge base -------------------------------------------------------------------
    @command(
        ARTICLES_COMMAND,
        nl=("kennisbank", "artikels", "nieuw artikel"),
        en=("knowledge base", "articles", "new article"),
        title_key=N_("cmd.articles.title"),
        help_key=N_("cmd.articles.help"),
        example_key=N_("cmd.articles.example"),
        role=Role.ADMIN,
        order=650,
    )
    async def show_articles(self, turn: Turn, args: str) -> None:
        knowledge = await self._desk.knowledge()
        link = self._links.export_link(
            ARTICLES_EXPORT, {"lang": turn.t.locale}, turn.caller.user_id
        )
        await turn.send_card(articles_card(knowledge, link, self._links.lifetime_minutes, turn.t))

    # --- a knowledge-base workbook sent in the chat (dialogs/platform/workbooks.py) ------------
    workbook_kind = ARTICLES_WORKBOOK
    hint_key = N_("workbooks.hint.articles")

    def may_import(self, turn: Turn) -> bool:
        return self._import.may_import(turn.caller)

    async def import_workbook(self, turn: Turn, data: bytes) -> None:
        match await self._import.import_workbook(turn.caller, data, turn.t):
            case NotAnAdmin():
                await turn.send_card(import_refused_card(turn.t))
            case ArticlesRejected(problems=problems):
                for problem_card in import_problem_cards(problems, turn.t):
                    await turn.send_card(problem_card)
            case ArticlesReplaced(knowledge=knowledge):
                await turn.send_card(import_done_card(knowledge, turn.t))
