"""Incoming post: the intake (API and folder import), the desk (chat), the routing rules and their
workbooks, the worker (routing left over, reminders, purge) and the scans' retention."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from bot.composition.platform import Platform
from bot.documents.pdf import PdfCheck
from bot.documents.stores import document_store
from bot.domain.platform.actors import Actor
from bot.excel.post.rules_files import ExcelRuleWorkbooks
from bot.graph import DeferredGraph
from bot.http.scans import scan_path
from bot.http.signed_links import BY
from bot.ports.platform import Clock
from bot.ports.post import DocumentStore
from bot.services.post.access import NameBook, PostAccess
from bot.services.post.desk import PostDesk
from bot.services.post.flow import Channels, PostFlow
from bot.services.post.intake import PostIntake
from bot.services.post.retention import PurgeResult, purge_scans
from bot.services.post.rules import PostRules
from bot.services.post.worker import PostWorker, PostWorkerSettings
from bot.settings import Settings
from bot.store import (
    Database,
    SqlCatalogueRepository,
    SqlDelegationRepository,
    SqlPendingRuleImports,
    SqlPostItemRepository,
    SqlRoutingRuleRepository,
)
from dialogs.post.notices import PostNoticeCards


@dataclass(frozen=True, slots=True)
class ScanRetention:
    """Scans of items handled more than `days` days ago are deleted (metadata and audit stay)."""

    items: SqlPostItemRepository
    documents: DocumentStore
    clock: Clock
    days: int

    async def purge(self, actor: Actor, *, dry_run: bool = False) -> PurgeResult:
        return await purge_scans(
            self.items, self.documents, self.clock, self.days, actor, dry_run=dry_run
        )


@dataclass(frozen=True, slots=True)
class Post:
    items: SqlPostItemRepository
    rules: SqlRoutingRuleRepository
    delegations: SqlDelegationRepository
    flow: PostFlow
    # Scans on disk, or in SharePoint through Graph when a drive is configured.
    documents: DocumentStore
    intake: PostIntake
    access: PostAccess
    desk: PostDesk
    worker: PostWorker
    rule_workbooks: ExcelRuleWorkbooks
    retention: ScanRetention
    # The rules kept in chat: summary, a workbook checked and tried, applied when confirmed.
    rules_admin: PostRules

    async def rules_workbook(self) -> bytes:
        """The rules' export: names next to the ids, looked up in the directory."""
        return await self.rules_admin.workbook()


def build_post(
    settings: Settings, database: Database, graph: DeferredGraph, platform: Platform
) -> Post:
    zone, clock = settings.zone, platform.clock
    items = SqlPostItemRepository(database, reference_zone=zone)
    names = NameBook()
    flow = PostFlow(
        items=items,
        cards=PostNoticeCards(
            zone, mailroom_conversation_id=settings.mailroom_channel_id, names=names.lookup
        ),
        users=platform.users,
        clock=clock,
        channels=Channels(settings.mailroom_channel_id, settings.default_service_url),
        default_locale=settings.default_locale,
        on_enqueued=platform.wake_outbox,
    )
    documents = document_store(settings, graph.documents)
    catalogue = SqlCatalogueRepository(database)
    rules = SqlRoutingRuleRepository(database)
    delegations = SqlDelegationRepository(database, clock=clock, zone=zone)
    intake = PostIntake(
        flow=flow,
        items=items,
        documents=documents,
        check=PdfCheck(settings.post_max_bytes),
        directory=graph.directory,
        catalogue=catalogue,
        rules=rules,
        delegations=delegations,
        group_members=graph.licences.group_member_ids,
        timezone=zone,
        on_enqueued=platform.wake_outbox,
        entities=platform.entities,
    )
    access = PostAccess(
        directory=graph.directory,
        catalogue=catalogue,
        rules=rules,
        delegations=delegations,
        group_members=graph.licences.group_member_ids,
        mailroom_conversation_id=settings.mailroom_channel_id,
        clock=clock,
        timezone=zone,
        entities=platform.entities,
    )
    links = platform.links
    desk = PostDesk(
        flow=flow,
        access=access,
        auditor=platform.auditor,
        scan_links=lambda item_id, viewer: links.link(scan_path(item_id), {BY: viewer}),
        link_minutes=links.lifetime_minutes,
        names=names,
        on_rules_changed=intake.forget_rules,
    )
    retention = ScanRetention(items, documents, clock, settings.post_retention_days)
    rule_workbooks = ExcelRuleWorkbooks()
    rules_admin = PostRules(
        access=access,
        items=items,
        pending=SqlPendingRuleImports(database),
        workbooks=rule_workbooks,
        auditor=platform.auditor,
        clock=clock,
        names=names,
        rule_names=graph.rule_names,
        on_rules_changed=intake.forget_rules,
    )
    worker = PostWorker(
        flow=flow,
        access=access,
        intake=intake,
        purge=partial(retention.purge, Actor.system()),
        settings=PostWorkerSettings(
            calendar=platform.calendar,
            reminder_working_days=settings.post_reminder_working_days,
            escalation_working_days=settings.post_escalation_working_days,
        ),
    )
    return Post(
        items=items,
        rules=rules,
        delegations=delegations,
        flow=flow,
        documents=documents,
        intake=intake,
        access=access,
        desk=desk,
        worker=worker,
        rule_workbooks=rule_workbooks,
        retention=retention,
        rules_admin=rules_admin,
    )
