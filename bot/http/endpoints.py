"""The HTTP endpoints beside chat, on the capabilities' services: the workbook exports and the
scans behind signed links, the post intake and the announcement API.

The routes are added when the application is made; their services once the capabilities have
loaded (app._bot), until when requests wait (app._after_loading).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.http.announcement_routes import ANNOUNCEMENTS_API, add_announcement_routes
from bot.http.exports import EXPORTS, Exports, add_export_routes
from bot.http.intake import INTAKE, IntakeHandler, add_intake_routes
from bot.http.scans import SCANS, Scans, add_scan_routes
from bot.http.ticket_files import TICKET_FILES, TicketFileDownloads, add_ticket_file_routes
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.composition import Capabilities


def add_endpoint_routes(app: web.Application) -> None:
    add_announcement_routes(app)
    add_export_routes(app)
    add_intake_routes(app)
    add_scan_routes(app)
    add_ticket_file_routes(app)


def open_endpoints(app: web.Application, settings: Settings, capabilities: Capabilities) -> None:
    platform, licences, post = capabilities.platform, capabilities.licences, capabilities.post
    app[EXPORTS] = Exports(
        links=platform.links,
        single_use=platform.single_use,
        auditor=platform.auditor,
        clock=platform.clock,
        timezone=settings.zone,
        catalogue=licences.catalogue_workbook,
        licence_report=licences.reports.workbook,
        post_rules=post.rules_workbook,
        articles=capabilities.servicedesk.articles_workbook,
        tickets_report=capabilities.servicedesk.tickets_report_workbook,
        announcement_report=capabilities.announcements.report_workbook,
    )
    app[SCANS] = Scans(
        links=platform.links,
        single_use=platform.single_use,
        items=post.items,
        documents=post.documents,
        auditor=platform.auditor,
    )
    app[INTAKE] = IntakeHandler(
        post.intake,
        token_hashes=settings.intake_token_hashes,
        max_bytes=settings.post_max_bytes,
        tenant_id=settings.azure_tenant_id,
    )
    from bot.http.announcements import AnnouncementsApi  # with the capabilities, not at start

    announcements = capabilities.announcements
    app[ANNOUNCEMENTS_API] = AnnouncementsApi(
        announcements.authoring,
        announcements.changes,
        announcements.repository,
        key_hashes=settings.announcement_key_hashes,
        key_authors=settings.announcement_key_authors,
        tenant_id=settings.azure_tenant_id,
        # Made (and closed) with the capabilities: its session outlives this function.
        app_tokens=announcements.app_tokens,
        app_authors=settings.announcement_app_authors,
    )
    app[TICKET_FILES] = TicketFileDownloads(
        links=platform.links,
        single_use=platform.single_use,
        tickets=capabilities.servicedesk.ticket_repository,
        files=capabilities.servicedesk.file_repository,
        documents=post.documents,
        auditor=platform.auditor,
    )
