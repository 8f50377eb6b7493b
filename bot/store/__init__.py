"""Persistence: the only package that imports SQLAlchemy and Alembic.

`Database` owns the engine, migrations and readiness; each Sql* class implements one Protocol of
bot.ports on SQLite (one instance) and PostgreSQL (several replicas).
"""

from bot.store.audit_log import SqlAuditLog
from bot.store.catalogue import SqlCatalogueRepository
from bot.store.conversation_refs import SqlConversationRefRepository
from bot.store.database import Database
from bot.store.delegations import SqlDelegationRepository
from bot.store.licence_requests import SqlLicenceRequestRepository
from bot.store.link_uses import SqlLinkUses
from bot.store.outbox import SqlOutboxRepository
from bot.store.post_items import SqlPostItemRepository
from bot.store.post_rules import SqlRoutingRuleRepository
from bot.store.processed_activities import SqlProcessedActivities
from bot.store.rate_budget import SqlRateBudget
from bot.store.users import SqlUserRepository

__all__ = [
    "Database",
    "SqlAuditLog",
    "SqlCatalogueRepository",
    "SqlConversationRefRepository",
    "SqlDelegationRepository",
    "SqlLicenceRequestRepository",
    "SqlLinkUses",
    "SqlOutboxRepository",
    "SqlPostItemRepository",
    "SqlProcessedActivities",
    "SqlRateBudget",
    "SqlRoutingRuleRepository",
    "SqlUserRepository",
]
