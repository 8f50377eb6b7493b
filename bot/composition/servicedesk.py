"""The service desk: its knowledge base (answers first), the knowledge base's workbook, and the
tickets its people answer."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.composition.platform import Platform
from bot.domain.servicedesk.tickets import DEFAULT_TARGETS, Targets, Urgency
from bot.excel.servicedesk.articles_files import ExcelArticleWorkbooks
from bot.services.servicedesk.articles_import import ArticlesImport
from bot.services.servicedesk.knowledge import KnowledgeDesk
from bot.services.servicedesk.people import DeskPeople
from bot.services.servicedesk.tickets import DeskSettings, TicketDesk
from bot.settings import Settings
from bot.store import Database
from bot.store.servicedesk.articles import SqlKnowledgeBase
from bot.store.servicedesk.tickets import SqlTicketRepository
from dialogs.servicedesk.ticket_notices import TicketNoticeCards


@dataclass(frozen=True, slots=True)
class ServiceDesk:
    knowledge: KnowledgeDesk
    workbooks: ExcelArticleWorkbooks
    articles_import: ArticlesImport  # a knowledge-base workbook sent in chat
    tickets: TicketDesk

    async def articles_workbook(self) -> bytes:
        """The knowledge base's export: what the signed link serves, made when it is opened."""
        return await asyncio.to_thread(self.workbooks.write, await self.knowledge.knowledge())


def build_servicedesk(settings: Settings, database: Database, platform: Platform) -> ServiceDesk:
    repository = SqlKnowledgeBase(database)
    knowledge = KnowledgeDesk(repository, platform.auditor, platform.clock)
    workbooks = ExcelArticleWorkbooks()
    return ServiceDesk(
        knowledge=knowledge,
        workbooks=workbooks,
        articles_import=ArticlesImport(knowledge, workbooks, platform.auditor),
        tickets=TicketDesk(
            tickets=SqlTicketRepository(
                database, clock=platform.clock, reference_zone=settings.zone
            ),
            people=DeskPeople(platform.users, platform.entities, settings.default_locale),
            cards=TicketNoticeCards(settings.zone, settings.default_locale),
            clock=platform.clock,
            calendar=platform.calendar,
            settings=DeskSettings(
                channel_id=settings.servicedesk_channel_id,
                entity_channels=dict(settings.servicedesk_entity_channels),
                targets=_targets(settings.servicedesk_targets),
            ),
        ),
    )


def _targets(configured: dict[str, list[float]]) -> dict[Urgency, Targets]:
    targets = dict(DEFAULT_TARGETS)
    for urgency, (first, resolution) in configured.items():
        targets[Urgency(urgency)] = Targets(first_response=first, resolution=resolution)
    return targets
