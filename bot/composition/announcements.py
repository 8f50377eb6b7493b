"""Announcements: authoring with guardrails and approval, the sender that fans them out through
the outbox, what recipients do with them, the report, and the API's callers (the keys' and the
Entra apps' scopes, the apps' token check)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.composition.platform import Platform
from bot.domain.announcements.announcements import API_AUTHOR_PREFIX
from bot.domain.announcements.audiences import AudienceScope
from bot.domain.announcements.recipient_lists import ListProblem, RecipientListResult
from bot.domain.announcements.recipients import Recipient
from bot.domain.licences.catalogue import Entity
from bot.graph import DeferredGraph
from bot.http.downloads import HttpFileDownloads
from bot.http.entra_tokens import EntraAppTokens
from bot.i18n import Translator, pick_locale
from bot.services.announcements.approvals import AnnouncementApprovals
from bot.services.announcements.audience_lists import AudienceLists
from bot.services.announcements.authoring import AnnouncementAuthoring
from bot.services.announcements.changes import AnnouncementChanges
from bot.services.announcements.images import ImageCheck
from bot.services.announcements.parts import AnnouncementRules, outbox_window
from bot.services.announcements.people import AnnouncementPeople
from bot.services.announcements.receipts import AnnouncementReceipts
from bot.services.announcements.sending import AnnouncementSender
from bot.settings import Settings
from bot.store import Database, SqlConversationRefRepository
from bot.store.announcements.announcements import SqlAnnouncementRepository
from bot.teams.batches import TeamsBatchOperations
from bot.teams.connector_clients import TokenProvider
from dialogs.announcements.notices import AnnouncementNoticeCards

logger = logging.getLogger(__name__)

# Recipients read at once for a report.
_REPORT_PAGE = 5000
# Batch requests are few (one per hundred people) and small: a short timeout, few connections.
_BATCH_REQUEST_SECONDS = 15.0
_BATCH_CONNECTIONS = 8


@dataclass(frozen=True, slots=True)
class Announcements:
    authoring: AnnouncementAuthoring
    approvals: AnnouncementApprovals
    changes: AnnouncementChanges
    receipts: AnnouncementReceipts  # also the host's read receipts
    lists: AudienceLists
    sender: AnnouncementSender  # app.py runs it
    repository: SqlAnnouncementRepository
    rules: AnnouncementRules
    zone: ZoneInfo
    images: HttpFileDownloads  # what the image check fetches with
    batches: TeamsBatchOperations
    app_tokens: EntraAppTokens | None  # the API's Entra callers; None: keys only

    async def close(self) -> None:
        await self.images.close()
        await self.batches.close()
        if self.app_tokens is not None:
            await self.app_tokens.close()

    async def report_workbook(self, announcement_id: int, locale: str) -> bytes:
        """An announcement's report (one row per recipient, a sheet per entity): what the signed
        link serves, made from current data when it is opened."""
        from bot.excel.announcements.report import write_announcement_report  # openpyxl: late

        announcement = await self.repository.get(announcement_id)
        if announcement is None:
            raise LookupError("no such announcement")
        figures = await self.repository.figures(announcement_id)
        per_entity = await self.repository.entity_figures(announcement_id)
        recipients: list[Recipient] = []
        after = ""
        while page := await self.repository.recipients(announcement_id, after, _REPORT_PAGE):
            recipients += page
            after = page[-1].user_id
        t = Translator(pick_locale(locale))
        return await asyncio.to_thread(
            write_announcement_report, announcement, figures, per_entity, recipients, t, self.zone
        )


def build_announcements(
    settings: Settings,
    database: Database,
    platform: Platform,
    graph: DeferredGraph,
    *,
    connector_token: TokenProvider | None = None,
) -> Announcements:
    """connector_token: the bot's token for the Teams connector, for the batch operations
    (None: anonymous, the local emulator only)."""
    repository = SqlAnnouncementRepository(
        database, clock=platform.clock, reference_zone=settings.zone
    )
    rules = rules_of(settings)
    people = AnnouncementPeople(
        users=platform.users,
        entities=platform.entities,
        directory=graph.directory,
        role_groups=settings.role_groups,
        default_locale=settings.default_locale,
    )
    cards = AnnouncementNoticeCards(settings.zone, settings.default_locale)
    refs = SqlConversationRefRepository(database)
    entities = _entities(platform)
    # Its own allow-list: images come from the organisation's sites, files from Teams.
    images = HttpFileDownloads(settings.announcement_image_hosts)
    audit = platform.audit_log
    batches = TeamsBatchOperations(
        service_url=settings.default_service_url,
        connector_hosts=settings.allowed_connector_hosts,
        token_provider=connector_token,
        request_timeout_seconds=_BATCH_REQUEST_SECONDS,
        max_connections_per_service=_BATCH_CONNECTIONS,
    )
    sender = AnnouncementSender(
        repository=repository,
        directory=graph.audiences,
        refs=refs,
        people=people,
        cards=cards,
        entities=platform.entities,
        rules=rules,
        clock=platform.clock,
        outbox=platform.outbox,
        batches=batches,
        on_enqueued=platform.wake_outbox,
    )
    return Announcements(
        authoring=AnnouncementAuthoring(
            repository=repository,
            people=people,
            directory=graph.audiences,
            cards=cards,
            rules=rules,
            clock=platform.clock,
            images=ImageCheck(images, rules.image_max_bytes),
            entities=entities,
            on_enqueued=platform.wake_outbox,
        ),
        approvals=AnnouncementApprovals(
            repository=repository,
            people=people,
            directory=graph.audiences,
            cards=cards,
            rules=rules,
            clock=platform.clock,
            entities=entities,
            roles_of=platform.roles.roles_of,
            on_enqueued=platform.wake_outbox,
        ),
        changes=AnnouncementChanges(
            repository=repository,
            outbox=platform.outbox,
            refs=refs,
            cards=cards,
            people=people,
            clock=platform.clock,
            audit=audit,
            rules=rules,
            stop_batches=sender.stop_batches,
            on_enqueued=platform.wake_outbox,
        ),
        receipts=AnnouncementReceipts(repository=repository, clock=platform.clock, audit=audit),
        lists=AudienceLists(
            repository=repository,
            people=people,
            directory=graph.audiences,
            rules=rules,
            clock=platform.clock,
        ),
        sender=sender,
        repository=repository,
        rules=rules,
        zone=settings.zone,
        images=images,
        batches=batches,
        app_tokens=app_tokens_of(settings),
    )


def rules_of(settings: Settings) -> AnnouncementRules:
    """The configured rules; an API key's or app's scope is that of the author it acts as."""
    scopes: dict[str, AudienceScope] = dict(settings.announcement_audience_scopes)
    scopes.update(settings.announcement_key_scopes(API_AUTHOR_PREFIX))
    scopes.update(settings.announcement_app_scopes(API_AUTHOR_PREFIX))
    return AnnouncementRules(
        scopes=scopes,
        groups=dict(settings.announcement_groups),
        channels=dict(settings.announcement_channels),
        approval_required=settings.announcement_approval_required,
        window=outbox_window(settings.announcement_window, settings.outbox_rate_per_second),
        status_seconds=settings.announcement_status_seconds,
        teams_app_id=settings.announcement_teams_app_id,
        image_max_bytes=settings.announcement_image_max_bytes,
        batch_from=settings.announcement_batch_from,
        batches_at_once=settings.announcement_batches_at_once,
        batch_poll_seconds=settings.announcement_batch_poll_seconds,
    )


def app_tokens_of(settings: Settings) -> EntraAppTokens | None:
    """The check of the API's Entra app tokens, when an app is configured (it opens its
    connection with the first token, not here)."""
    apps = settings.announcement_app_names
    if not apps:
        return None
    audiences = settings.announcement_app_audiences(settings.bot_app_id)
    if not audiences or not settings.azure_tenant_id:
        # Said once at start, not with each caller's 401: no token can be valid without them.
        logger.warning(
            "announcement API apps configured without a tenant id or an audience: "
            "every app token is refused"
        )
    return EntraAppTokens(
        tenant_id=settings.azure_tenant_id,
        apps=apps,
        audiences=audiences,
        authority=settings.azure_authority_host,
        timeout_seconds=settings.jwks_timeout_seconds,
        ca_file=settings.graph_ca_file,
    )


def _entities(platform: Platform) -> Callable[[], Awaitable[Sequence[Entity]]]:
    async def entities() -> Sequence[Entity]:
        return (await platform.entities.catalogue()).entities

    return entities


def read_list(data: bytes, filename: str) -> RecipientListResult:
    """A list of people sent in chat (openpyxl is loaded with the first one, not at start)."""
    from bot.excel.announcements.recipient_list import read_recipient_list

    return read_recipient_list(data, filename)


def describe_list_problem(problem: ListProblem, t: Translator) -> str:
    from bot.excel.announcements.recipient_list import describe_list_problem as describe

    return describe(problem, t)
