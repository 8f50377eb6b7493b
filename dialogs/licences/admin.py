"""The admin side of licences in chat: the catalogue workbook (download, import) and the report.

- `catalogus` (admins): what the catalogue holds, a download link for the workbook, and how to
  import an edited one: send it in this chat.
- A catalogue workbook sent in the chat (the inbox, dialogs/platform/workbooks.py, fetches it
  and tells it by its sheets) is imported by bot/services/licences/catalogue_import.py: refused
  with every problem by sheet, row and column (nothing stored) or stored as a whole, audited
  either way; a workbook from anyone but an admin is refused politely, and audited too.
- `rapport licenties [van] [tot] [entiteit]` (admins and entity ICT admins): a download link for
  the licence report. Entity ICT admins get their own entity only; the period defaults to the
  last 30 days.

Downloads are signed links the bot serves itself (bot/http/exports.py): nothing is stored, the
workbook is made from current data when the link is opened, and the link works for minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.commands.registry import command
from bot.domain.licences.catalogue import Catalogue, Entity
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError
from bot.domain.platform.report_ask import AskMessages, ReportAsk
from bot.domain.platform.report_ask import parse_report_ask as read_report_ask
from bot.domain.platform.roles import Role
from bot.domain.platform.text import fold
from bot.i18n import N_
from bot.services.licences.catalogue_import import (
    CatalogueImport,
    CatalogueRejected,
    CatalogueReplaced,
    NotAnAdmin,
)
from bot.services.licences.desk import LicenceDesk
from bot.services.platform.audit import Auditor
from bot.turn import Turn
from cards.licences.admin import (
    catalogue_card,
    import_done_card,
    import_problem_cards,
    import_refused_card,
    report_card,
)
from dialogs.platform.workbooks import ExportLinks

# Export kinds, as bot/http/exports.py serves them.
CATALOGUE_EXPORT = "catalogue"
REPORT_EXPORT = "licence-report"
# What bot/excel/workbook_kind.py calls a catalogue workbook (an upload's sheets tell).
CATALOGUE_WORKBOOK = "catalogue"
REPORT = "licence.report"
# How a report ask that cannot be read is explained (with this command as the example).
_ASK_MESSAGES = AskMessages(
    bad_date=N_("licence_admin.report.bad_date"),
    not_understood=N_("licence_admin.report.not_understood"),
    bad_period=N_("licence_admin.report.bad_period"),
)


def parse_report_ask(args: str, today: date, entities: Sequence[Entity] = ()) -> ReportAsk:
    """ "rapport licenties ..." read: the days and an entity code (bot/domain/platform/
    report_ask.py, shared with the ticket report)."""
    return read_report_ask(args, today, entities, _ASK_MESSAGES)


class LicenceAdminDialog:
    def __init__(
        self,
        desk: LicenceDesk,
        catalogue_import: CatalogueImport,
        auditor: Auditor,
        links: ExportLinks,
    ) -> None:
        self._desk = desk
        self._import = catalogue_import
        self._auditor = auditor
        self._links = links

    # --- the catalogue ------------------------------------------------------------------------
    @command(
        "catalogue",
        nl=("catalogus", "licentiecatalogus"),
        en=("catalogue", "catalog"),
        title_key=N_("cmd.catalogue.title"),
        help_key=N_("cmd.catalogue.help"),
        example_key=N_("cmd.catalogue.example"),
        role=Role.ADMIN,
        order=620,
    )
    async def show_catalogue(self, turn: Turn, args: str) -> None:
        catalogue = await self._desk.catalogue()
        link = self._links.export_link(
            CATALOGUE_EXPORT, {"lang": turn.t.locale}, turn.caller.user_id
        )
        await turn.send_card(catalogue_card(catalogue, link, self._links.lifetime_minutes, turn.t))

    # --- a catalogue workbook sent in the chat (dialogs/platform/workbooks.py) ---------------
    workbook_kind = CATALOGUE_WORKBOOK
    hint_key = N_("workbooks.hint.catalogue")

    def may_import(self, turn: Turn) -> bool:
        return self._import.may_import(turn.caller)

    async def import_workbook(self, turn: Turn, data: bytes) -> None:
        match await self._import.import_workbook(turn.caller, data, turn.t):
            case NotAnAdmin():
                await turn.send_card(import_refused_card(turn.t))
            case CatalogueRejected(problems=problems):
                for problem_card in import_problem_cards(problems, turn.t):
                    await turn.send_card(problem_card)
            case CatalogueReplaced(catalogue=catalogue):
                await turn.send_card(import_done_card(catalogue, turn.t))

    # --- the report ---------------------------------------------------------------------------
    @command(
        "licence_report",
        nl=("rapport licenties", "licentierapport", "licentie rapport", "licenties rapport"),
        en=(
            "licence report",
            "license report",
            "licences report",
            "licenses report",
            "report licences",
            "report licenses",
        ),
        title_key=N_("cmd.licence_report.title"),
        help_key=N_("cmd.licence_report.help"),
        example_key=N_("cmd.licence_report.example"),
        role=Role.ENTITY_ADMIN,
        order=630,
    )
    async def licence_report(self, turn: Turn, args: str) -> None:
        catalogue = await self._desk.catalogue()
        ask = parse_report_ask(args, self._desk.today(), catalogue.entities)
        if turn.caller.has(Role.ADMIN):
            entity = self._entity(catalogue, ask.entity) if ask.entity else None
        else:
            entity = (await self._desk.form_context(turn.caller)).entity
            if entity is None:
                raise DomainError(N_("licence_admin.report.no_entity"))
            if ask.entity and fold(ask.entity) != fold(entity.code):
                await self._audit_denied(turn, asked_entity=ask.entity[:32])
                raise DomainError(N_("licence_admin.report.own_entity_only"), entity=entity.code)
        params = {"from": ask.start.isoformat(), "to": ask.end.isoformat(), "lang": turn.t.locale}
        if entity is not None:
            params["entity"] = entity.code
        link = self._links.export_link(REPORT_EXPORT, params, turn.caller.user_id)
        shown = f"{entity.code} – {entity.name(turn.t.locale)}" if entity else ""
        await turn.send_card(
            report_card(ask.start, ask.end, shown, link, self._links.lifetime_minutes, turn.t)
        )

    # --- helpers ------------------------------------------------------------------------------
    def _entity(self, catalogue: Catalogue, code: str) -> Entity:
        found = next((e for e in catalogue.entities if fold(e.code) == fold(code)), None)
        if found is None:
            known = ", ".join(e.code for e in catalogue.entities) or "-"
            raise DomainError(
                N_("licence_admin.report.unknown_entity"), entity=code[:32], known=known
            )
        return found

    async def _audit_denied(self, turn: Turn, **detail: str) -> None:
        caller = turn.caller
        await self._auditor.record(
            actor_id=caller.user_id,
            action=REPORT,
            outcome=Outcome.DENIED,
            role=caller.role,
            tenant_id=caller.tenant_id,
            object_type="licence_report",
            correlation_id=caller.correlation_id,
            durable=True,
            **detail,
        )
