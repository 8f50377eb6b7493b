"""Persistence: the only package that imports SQLAlchemy and Alembic.

`Database` owns the engine, migrations and readiness; each Sql* class implements one Protocol of
bot.ports on SQLite (one instance) and PostgreSQL (several replicas).
"""

from bot.store.database import Database
from bot.store.licences.catalogue import SqlCatalogueRepository
from bot.store.licences.requests import SqlLicenceRequestRepository
from bot.store.platform.audit_log import SqlAuditLog
from bot.store.platform.conversation_refs import SqlConversationRefRepository
from bot.store.platform.link_uses import SqlLinkUses
from bot.store.platform.outbox import SqlOutboxRepository
from bot.store.platform.processed_activities import SqlProcessedActivities
from bot.store.platform.rate_budget import SqlRateBudget
from bot.store.platform.users import SqlUserRepository
from bot.store.post.delegations import SqlDelegationRepository
from bot.store.post.items import SqlPostItemRepository
from bot.store.post.pending_imports import SqlPendingRuleImports
from bot.store.post.rules import SqlRoutingRuleRepository

__all__ = [
    "Database",
    "SqlAuditLog",
    "SqlCatalogueRepository",
    "SqlConversationRefRepository",
    "SqlDelegationRepository",
    "SqlLicenceRequestRepository",
    "SqlLinkUses",
    "SqlOutboxRepository",
    "SqlPendingRuleImports",
    "SqlPostItemRepository",
    "SqlProcessedActivities",
    "SqlRateBudget",
    "SqlRoutingRuleRepository",
    "SqlUserRepository",
]
