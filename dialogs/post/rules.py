"""The routing rules of incoming post in chat: download, upload, dry run, confirmation.

- `regels` / `postregels` / `routing rules` (the mailroom, entity ICT admins, Werkplek admins):
  how many rules there are, a signed download link of the current rules workbook (export kind
  "post-rules", bot/http/exports.py), and how to import: send the edited workbook in this chat.
- A rules workbook sent in the chat (the inbox, dialogs/platform/workbooks.py, fetches it and
  tells it by its sheets) is checked: with problems, every one is listed by sheet, row and
  column and nothing is kept; when valid, the latest post is routed again with it (a dry run:
  only the items that would go elsewhere are listed, and counted) and the rules wait for a
  confirmation.
- `regels overnemen` / `apply rules` (or the card's button) applies them.

What an upload may change, where checked rules wait, who may do what and what is audited are
the post rules service's (bot/services/post/rules.py); this dialog turns its answers into cards.
"""

from __future__ import annotations

from bot.commands.registry import command
from bot.domain.platform.roles import Role
from bot.domain.platform.untrusted import escape_text
from bot.i18n import N_
from bot.services.post.rules import Checked, NotAKeeper, OutsideEntities, PostRules, Rejected
from bot.turn import Turn
from cards.base import MAX_LINE
from cards.post.rules import (
    APPLY_COMMAND,
    DryRunSummary,
    RulesSummary,
    applied_card,
    checked_cards,
    outside_entity_cards,
    refused_card,
    rejected_cards,
    rules_card,
)
from dialogs.platform.workbooks import ExportLinks

RULES_EXPORT = "post-rules"  # the export kind bot/http/exports.py serves
RULES_WORKBOOK = "post-rules"  # what bot/excel/workbook_kind.py calls a rules workbook
RULES_COMMAND = "post_rules"


class PostRulesAdminDialog:
    def __init__(self, rules: PostRules, links: ExportLinks) -> None:
        self._rules = rules
        self._links = links

    # --- the rules and their workbook ----------------------------------------------------------
    @command(
        RULES_COMMAND,
        nl=("regels", "postregels", "routeringsregels", "regels post"),
        en=("routing rules", "mail rules", "post rules", "rules"),
        title_key=N_("cmd.post_rules.title"),
        help_key=N_("cmd.post_rules.help"),
        example_key=N_("cmd.post_rules.example"),
        role=Role.ENTITY_ADMIN,
        also=(Role.MAILROOM,),
        order=640,
    )
    async def show_rules(self, turn: Turn, args: str) -> None:
        overview = await self._rules.summary(turn.caller)
        summary = RulesSummary(overview.rules, overview.active, overview.entities, overview.own)
        link = self._links.export_link(RULES_EXPORT, {}, turn.caller.user_id)
        minutes, last_n = self._links.lifetime_minutes, self._rules.last_n
        await turn.send_card(rules_card(summary, link, minutes, last_n, turn.t))

    # --- a rules workbook sent in the chat (dialogs/platform/workbooks.py) ---------------------
    workbook_kind = RULES_WORKBOOK
    hint_key = N_("workbooks.hint.post_rules")

    def may_import(self, turn: Turn) -> bool:
        return self._rules.may_keep(turn.caller)

    async def import_workbook(self, turn: Turn, data: bytes) -> None:
        t = turn.t
        match await self._rules.check(turn.caller, data, t):
            case NotAKeeper():
                await turn.send_card(refused_card(t))
            case Rejected(problems=problems):
                for problem_card in rejected_cards(problems, t):
                    await turn.send_card(problem_card)
            case OutsideEntities(entities=entities, breaches=breaches):
                for breach_card in outside_entity_cards(entities, breaches, t):
                    await turn.send_card(breach_card)
            case Checked() as checked:
                if checked.warnings:
                    # Teams renders Markdown in a text message too, and a line holds a name.
                    lines = (escape_text(line, limit=MAX_LINE) for line in checked.warnings)
                    await turn.send_text("\n\n".join(lines))
                summary = DryRunSummary(
                    checked.rules, checked.active, checked.tried, checked.moved, checked.scoped
                )
                for checked_card in checked_cards(summary, checked.minutes, t):
                    await turn.send_card(checked_card)

    # --- applying the checked rules ------------------------------------------------------------
    @command(
        APPLY_COMMAND,
        nl=("regels overnemen", "postregels overnemen", "regels toepassen"),
        en=("apply rules", "apply routing rules", "apply the rules"),
        title_key=N_("cmd.post_rules_apply.title"),
        help_key=N_("cmd.post_rules_apply.help"),
        example_key=N_("cmd.post_rules_apply.example"),
        role=Role.ENTITY_ADMIN,
        also=(Role.MAILROOM,),
        order=641,
        retry_safe=False,  # it replaces the routing rules
    )
    async def apply_rules(self, turn: Turn, args: str) -> None:
        applied = await self._rules.apply(turn.caller)
        await turn.send_card(applied_card(applied.rules, applied.active, turn.t))
