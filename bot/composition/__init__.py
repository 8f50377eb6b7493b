"""How Werkplek's capabilities are built from settings, the database and Microsoft Graph: once,
here, for the server (app.py) and the command line (bot/cli/) alike.

One module per capability builds what that capability offers (desks, workers, intake, exporters,
reports); `build_capabilities` builds them all on what they share (`platform`). What only a
serving process has (the Teams host, HTTP routes, the outbox sender, metrics) is wired in app.py
from the result. Building does no I/O; `Capabilities.close` releases what the services opened.

The notice cards come from the dialogs, so importing this package loads them: app.py imports it
after start, with the rest of chat (see app._capabilities).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.composition.access import Access, build_access
from bot.composition.announcements import Announcements, build_announcements
from bot.composition.licences import Licences, build_licences
from bot.composition.platform import Platform, build_platform
from bot.composition.post import Post, build_post
from bot.composition.servicedesk import ServiceDesk, build_servicedesk
from bot.graph import DeferredGraph
from bot.ports.platform import Clock
from bot.services.licences.open_requests import OpenLicenceRequests
from bot.services.platform.dead_letters import CountDeadLetter
from bot.services.post.open_items import OpenPostCount
from bot.settings import Settings
from bot.store import Database
from bot.teams.connector_clients import TokenProvider


@dataclass(frozen=True, slots=True)
class Capabilities:
    platform: Platform
    access: Access
    licences: Licences
    post: Post
    servicedesk: ServiceDesk
    announcements: Announcements

    async def close(self) -> None:
        await self.announcements.close()
        await self.platform.close()


def _nothing() -> None:
    return None


def build_capabilities(
    settings: Settings,
    database: Database,
    graph: DeferredGraph,
    clock: Clock,
    *,
    link_secret: bytes,
    wake_outbox: Callable[[], None] = _nothing,
    count_dead_letter: CountDeadLetter | None = None,
    connector_token: TokenProvider | None = None,
) -> Capabilities:
    """Every capability's services. `link_secret` signs download and scan links (the server's
    `signing_secret`); `wake_outbox` is called when notices were queued (the outbox sender's
    wake, in the process that runs one); `count_dead_letter` counts work set aside (metrics);
    `connector_token` gives the bot's token for the Teams connector (None: anonymous, local)."""
    platform = build_platform(
        settings,
        database,
        graph,
        clock,
        link_secret=link_secret,
        wake_outbox=wake_outbox,
        count_dead_letter=count_dead_letter,
    )
    licences = build_licences(settings, database, graph, platform)
    post = build_post(settings, database, graph, platform)
    # The access card's open-work line: each capability answers through the access ports.
    access = build_access(
        settings,
        graph,
        platform,
        open_requests=OpenLicenceRequests(licences.requests, licences.catalogue),
        open_post=OpenPostCount(post.items),
    )
    return Capabilities(
        platform=platform,
        access=access,
        licences=licences,
        post=post,
        servicedesk=build_servicedesk(
            settings, database, platform, graph.directory, documents=post.documents
        ),
        announcements=build_announcements(
            settings, database, platform, graph, connector_token=connector_token
        ),
    )
