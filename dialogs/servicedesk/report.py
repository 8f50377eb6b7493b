"""The service desk's report in chat: `rapport tickets [van] [tot] [entiteit]` / `tickets
report` (agents, and admins: they may do everything).

The answer is a card with the period's main figures (tickets, first response and resolution
times, breaches, satisfaction, the knowledge base's deflection) and a signed link to the whole
report as a workbook (export kind "tickets-report", bot/http/exports.py: made from current data
when the link is opened; the link works once, for minutes). The period and the entity are read
as for the licence report (bot/domain/platform/report_ask.py): the last 30 days of every desk
when nothing is said. Staff are refused by the dispatcher, and that is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.commands.registry import command
from bot.domain.licences.catalogue import Entity
from bot.domain.platform.errors import DomainError
from bot.domain.platform.report_ask import AskMessages, ReportAsk
from bot.domain.platform.report_ask import parse_report_ask as read_report_ask
from bot.domain.platform.roles import Role
from bot.i18n import N_
from bot.services.servicedesk.reports import TicketReports
from bot.turn import Turn
from cards.servicedesk.report import ticket_report_card
from dialogs.platform.workbooks import ExportLinks

# The export kind bot/http/exports.py serves.
TICKETS_REPORT_EXPORT = "tickets-report"
TICKET_REPORT_COMMAND = "ticket_report"
_ASK_MESSAGES = AskMessages(
    bad_date=N_("ticket_report.bad_date"),
    not_understood=N_("ticket_report.not_understood"),
    bad_period=N_("ticket_report.bad_period"),
)


def parse_report_ask(args: str, today: date, entities: Sequence[Entity] = ()) -> ReportAsk:
    """ "rapport tickets ..." read: the days and an entity code (bot/domain/platform/
    report_ask.py, shared with the licence report)."""
    return read_report_ask(args, today, entities, _ASK_MESSAGES)


class TicketReportDialog:
    def __init__(self, reports: TicketReports, links: ExportLinks) -> None:
        self._reports = reports
        self._links = links

    @command(
        TICKET_REPORT_COMMAND,
        nl=(
            "rapport tickets",
            "rapport meldingen",
            "ticketrapport",
            "servicedeskrapport",
            "ticketexport",
        ),
        en=("tickets report", "ticket report", "report tickets", "service desk report"),
        title_key=N_("cmd.ticket_report.title"),
        help_key=N_("cmd.ticket_report.help"),
        example_key=N_("cmd.ticket_report.example"),
        role=Role.AGENT,
        order=870,
    )
    async def ticket_report(self, turn: Turn, args: str) -> None:
        entities = await self._reports.entities()
        ask = parse_report_ask(args, self._reports.today(), entities)
        entity = await self._entity(ask.entity, entities) if ask.entity else None
        code = entity.code if entity is not None else None
        report = await self._reports.report(ask.start, ask.end, code)
        params = {"from": ask.start.isoformat(), "to": ask.end.isoformat(), "lang": turn.t.locale}
        if code is not None:
            params["entity"] = code
        link = self._links.export_link(TICKETS_REPORT_EXPORT, params, turn.caller.user_id)
        shown = f"{entity.code} – {entity.name(turn.t.locale)}" if entity is not None else ""
        await turn.send_card(
            ticket_report_card(
                report, shown, link, self._links.lifetime_minutes, turn.t, self._reports.zone
            )
        )

    async def _entity(self, code: str, entities: Sequence[Entity]) -> Entity:
        found = await self._reports.entity(code)
        if found is None:
            known = ", ".join(e.code for e in entities) or "-"
            raise DomainError(N_("ticket_report.unknown_entity"), entity=code[:32], known=known)
        return found
