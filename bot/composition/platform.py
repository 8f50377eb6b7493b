"""What every capability stands on: the clock, the audit trail, the entities, the outbox, signed
links, file downloads, roles and contacts, and how set-aside work is told."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.domain.platform.working_time import WorkingCalendar
from bot.graph import DeferredGraph
from bot.http.downloads import HttpFileDownloads
from bot.http.signed_links import SignedLinks, SingleUse
from bot.ports.platform import Clock
from bot.services.platform.audit import Auditor
from bot.services.platform.batching import BatchedAuditLog
from bot.services.platform.contacts import ContactBook
from bot.services.platform.dead_letters import CountDeadLetter, DeadLetters
from bot.services.platform.entities import Entities
from bot.services.platform.outbox_notifier import OutboxNotifier
from bot.services.platform.roles import RoleResolver
from bot.services.platform.working_calendar import working_calendar
from bot.settings import Settings
from bot.store import (
    Database,
    SqlAuditLog,
    SqlCatalogueRepository,
    SqlConversationRefRepository,
    SqlLinkUses,
    SqlOutboxRepository,
    SqlUserRepository,
)

# Waiting this long for company lets concurrent turns share one audit statement on PostgreSQL.
AUDIT_LINGER_SECONDS = 0.005


@dataclass(frozen=True, slots=True)
class Platform:
    clock: Clock
    auditor: Auditor
    # One view of the catalogue's entities and their admins, shared by every capability.
    entities: Entities
    users: SqlUserRepository
    outbox: SqlOutboxRepository
    # What services call after enqueuing notices: wakes the outbox sender of a serving process.
    wake_outbox: Callable[[], None]
    notifier: OutboxNotifier
    links: SignedLinks
    single_use: SingleUse
    downloads: HttpFileDownloads
    roles: RoleResolver
    contacts: ContactBook
    dead_letters: DeadLetters
    audit_log: BatchedAuditLog
    # Working days and hours (public holidays and closing days left out): reminders, deadlines.
    calendar: WorkingCalendar

    async def close(self) -> None:
        await self.downloads.close()
        await self.audit_log.close()


def build_platform(
    settings: Settings,
    database: Database,
    graph: DeferredGraph,
    clock: Clock,
    *,
    link_secret: bytes,
    wake_outbox: Callable[[], None],
    count_dead_letter: CountDeadLetter | None,
) -> Platform:
    audit_log = BatchedAuditLog(SqlAuditLog(database), linger_seconds=AUDIT_LINGER_SECONDS)
    auditor = Auditor(audit_log, clock)
    directory = graph.directory
    outbox = SqlOutboxRepository(database)
    users = SqlUserRepository(database)
    return Platform(
        clock=clock,
        calendar=working_calendar(
            settings.zone,
            settings.working_hours,
            settings.holiday_country,
            settings.holiday_subdivision,
            settings.closing_days,
        ),
        auditor=auditor,
        entities=Entities(
            SqlCatalogueRepository(database), directory, graph.licences.group_member_ids
        ),
        users=users,
        outbox=outbox,
        wake_outbox=wake_outbox,
        notifier=OutboxNotifier(outbox, clock, wake_outbox),
        links=SignedLinks(
            settings.public_base_url,
            link_secret,
            timedelta(minutes=settings.link_minutes),
            clock,
        ),
        single_use=SingleUse(SqlLinkUses(database), clock),
        downloads=HttpFileDownloads(settings.file_download_hosts),
        roles=RoleResolver(directory, settings.role_groups, clock, settings.role_cache_seconds),
        contacts=ContactBook(
            users, SqlConversationRefRepository(database), settings.allowed_connector_hosts
        ),
        dead_letters=DeadLetters(auditor, count_dead_letter),
        audit_log=audit_log,
    )


def day_range(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of the days from `first` to `last`, both included, in `zone`."""
    return datetime.combine(first, time(), zone), datetime.combine(
        last + timedelta(days=1), time(), zone
    )
