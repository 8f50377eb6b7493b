"""The service desk: its knowledge base (answers first)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.composition.platform import Platform
from bot.services.servicedesk.knowledge import KnowledgeDesk
from bot.store import Database
from bot.store.servicedesk.articles import SqlKnowledgeBase


@dataclass(frozen=True, slots=True)
class ServiceDesk:
    knowledge: KnowledgeDesk


def build_servicedesk(database: Database, platform: Platform) -> ServiceDesk:
    repository = SqlKnowledgeBase(database)
    return ServiceDesk(knowledge=KnowledgeDesk(repository, platform.auditor, platform.clock))
