"""The service desk: its knowledge base (answers first), the knowledge base's workbook, the
tickets its people answer, and its report."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from bot.composition.platform import Platform
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.tickets import DEFAULT_TARGETS, Targets, Urgency
from bot.excel.servicedesk.articles_files import ExcelArticleWorkbooks
from bot.http.signed_links import BY
from bot.http.ticket_files import ticket_file_path
from bot.i18n import Translator
from bot.ports.platform import Directory
from bot.ports.post import DocumentStore
from bot.services.servicedesk.agents import DeskAgents
from bot.services.servicedesk.articles_import import ArticlesImport
from bot.services.servicedesk.knowledge import KnowledgeDesk
from bot.services.servicedesk.people import DeskPeople
from bot.services.servicedesk.queue import DeskQueue
from bot.services.servicedesk.relay import TicketRelay
from bot.services.servicedesk.reports import TicketReports
from bot.services.servicedesk.sla_worker import SlaWorkerSettings, TicketSlaWorker
from bot.services.servicedesk.ticket_files import FileLimits, TicketFiles
from bot.services.servicedesk.tickets import DeskSettings, TicketDesk
from bot.settings import Settings
from bot.store import Database
from bot.store.servicedesk.articles import SqlKnowledgeBase
from bot.store.servicedesk.ticket_files import SqlTicketFileRepository
from bot.store.servicedesk.ticket_report import SqlTicketReportSource
from bot.store.servicedesk.tickets import SqlTicketRepository
from cards.servicedesk.relay import NOTE_MARKERS
from dialogs.servicedesk.sla_notices import SlaNoticeCards
from dialogs.servicedesk.ticket_files import TicketFileNoticeCards
from dialogs.servicedesk.ticket_notices import TicketNoticeCards


@dataclass(frozen=True, slots=True)
class ServiceDesk:
    knowledge: KnowledgeDesk
    workbooks: ExcelArticleWorkbooks
    articles_import: ArticlesImport  # a knowledge-base workbook sent in chat
    tickets: TicketDesk
    queue: DeskQueue  # the open tickets an agent may work on
    relay: TicketRelay  # the person's chat and the ticket's thread
    sla_worker: TicketSlaWorker  # reminders and escalations; app.py runs it
    reports: TicketReports
    # Files people send while their chat goes to their ticket, and what their links serve.
    files: TicketFiles
    ticket_repository: SqlTicketRepository
    file_repository: SqlTicketFileRepository

    async def articles_workbook(self) -> bytes:
        """The knowledge base's export: what the signed link serves, made when it is opened."""
        return await asyncio.to_thread(self.workbooks.write, await self.knowledge.knowledge())

    async def tickets_report_workbook(
        self, first: date, last: date, entity: str | None, locale: str
    ) -> bytes:
        """The report of the days from `first` to `last` (both included), of one entity's desk
        or of all: what the signed link serves, made when it is opened."""
        from bot.excel.servicedesk.report import write_ticket_report  # openpyxl: on first use

        report = await self.reports.report(first, last, entity)
        return await asyncio.to_thread(
            write_ticket_report, report, Translator(locale), self.reports.zone
        )


def build_servicedesk(
    settings: Settings,
    database: Database,
    platform: Platform,
    directory: Directory,
    *,
    documents: DocumentStore,
) -> ServiceDesk:
    """`documents`: where attached files are kept (the scans' store: bot/documents/stores.py)."""
    repository = SqlKnowledgeBase(database)
    knowledge = KnowledgeDesk(repository, platform.auditor, platform.clock)
    workbooks = ExcelArticleWorkbooks()
    tickets = SqlTicketRepository(database, clock=platform.clock, reference_zone=settings.zone)
    files = SqlTicketFileRepository(database)
    people = DeskPeople(platform.users, platform.entities, settings.default_locale)
    desk_settings = DeskSettings(
        channel_id=settings.servicedesk_channel_id,
        entity_channels=dict(settings.servicedesk_entity_channels),
        targets=_targets(settings.servicedesk_targets),
    )
    desk = TicketDesk(
        tickets=tickets,
        people=people,
        cards=TicketNoticeCards(settings.zone, settings.default_locale),
        clock=platform.clock,
        calendar=platform.calendar,
        settings=desk_settings,
        agents=_agents(settings, platform, directory, people),
        on_enqueued=platform.wake_outbox,
    )
    return ServiceDesk(
        knowledge=knowledge,
        workbooks=workbooks,
        articles_import=ArticlesImport(knowledge, workbooks, platform.auditor),
        tickets=desk,
        queue=DeskQueue(tickets, people, desk_settings),
        relay=TicketRelay(
            desk=desk, tickets=tickets, sent=platform.outbox, note_markers=NOTE_MARKERS
        ),
        sla_worker=TicketSlaWorker(
            desk=desk,
            tickets=tickets,
            people=people,
            cards=SlaNoticeCards(settings.zone, settings.default_locale),
            clock=platform.clock,
            calendar=platform.calendar,
            desk_settings=desk_settings,
            settings=SlaWorkerSettings(lead_channel_id=settings.servicedesk_lead_channel_id),
        ),
        reports=TicketReports(
            SqlTicketReportSource(database),
            platform.entities,
            platform.calendar,
            platform.clock,
            desk_settings.targets,
        ),
        files=_files(settings, platform, desk, desk_settings, files, documents),
        ticket_repository=tickets,
        file_repository=files,
    )


def _files(
    settings: Settings,
    platform: Platform,
    desk: TicketDesk,
    desk_settings: DeskSettings,
    files: SqlTicketFileRepository,
    documents: DocumentStore,
) -> TicketFiles:
    links = platform.links
    return TicketFiles(
        desk=desk,
        files=files,
        documents=documents,
        downloads=platform.downloads,
        cards=TicketFileNoticeCards(settings.default_locale),
        links=lambda ticket, file, viewer: links.link(ticket_file_path(ticket, file), {BY: viewer}),
        auditor=platform.auditor,
        clock=platform.clock,
        settings=desk_settings,
        limits=FileLimits(settings.servicedesk_max_file_bytes, links.lifetime_minutes),
    )


def _agents(
    settings: Settings, platform: Platform, directory: Directory, people: DeskPeople
) -> DeskAgents:
    """Who tickets can be given to: the members of the groups that give the role agent."""
    return DeskAgents(
        directory=directory,
        agent_groups=settings.role_groups.get(Role.AGENT.value, []),
        roles=platform.roles,
        people=people,
        clock=platform.clock,
        ttl_seconds=settings.role_cache_seconds,
    )


def _targets(configured: dict[str, list[float]]) -> dict[Urgency, Targets]:
    targets = dict(DEFAULT_TARGETS)
    for urgency, (first, resolution) in configured.items():
        targets[Urgency(urgency)] = Targets(first_response=first, resolution=resolution)
    return targets
