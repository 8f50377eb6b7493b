"""The composition root's handle on Microsoft Graph: `open_graph(settings)` -> GraphGateway."""

from __future__ import annotations

import logging
import time

from bot.graph.access import GraphAccess
from bot.graph.audiences import GraphAudiences
from bot.graph.cache import Clock
from bot.graph.client import GraphClient, build_client
from bot.graph.directory import GraphDirectory
from bot.graph.documents import GraphDocumentStore, folder_parts
from bot.graph.licences import GraphLicences
from bot.graph.metering import OnCall
from bot.graph.rule_names import GraphRuleNames
from bot.settings import Settings

logger = logging.getLogger(__name__)


class GraphGateway:
    """Owns the Graph client; exposes the port implementations built on it.

    `directory` implements bot.ports.platform.Directory, `access` bot.ports.access.AccessDirectory,
    `licences` bot.ports.licences.LicenceManager, `rule_names` bot.ports.post.RuleNames,
    `audiences` bot.ports.announcements.AudienceDirectory and `documents`
    bot.ports.post.DocumentStore (None unless a documents drive is configured); all share the
    one client (token, retries, metering).
    """

    def __init__(
        self,
        client: GraphClient,
        directory: GraphDirectory,
        access: GraphAccess,
        licences: GraphLicences,
        documents: GraphDocumentStore | None = None,
    ) -> None:
        self._client = client
        self.directory = directory
        self.access = access
        self.licences = licences
        self.documents = documents
        self.rule_names = GraphRuleNames(client.service)
        self.audiences = GraphAudiences(client.service)

    async def close(self) -> None:
        await self._client.close()


async def open_graph(
    settings: Settings, on_call: OnCall | None = None, *, clock: Clock = time.monotonic
) -> GraphGateway:
    """Build the Graph gateway. `on_call(target, status, seconds)` sees every HTTP attempt to
    Graph ("graph") and Entra ("entra"); `clock` drives the caches (tests).

    The directory cache setting also bounds how long the access directory keeps tenant-wide
    facts (subscribed SKUs, refused endpoints); per-person access facts are never cached, and
    neither is anything the licence manager reads (it decides on what Graph says now).
    """
    drive_id = settings.documents_drive_id.strip()
    if drive_id:
        folder_parts(settings.documents_folder)  # a bad folder fails before anything is opened
    client = build_client(settings, on_call)
    directory = GraphDirectory(
        client.service, cache_seconds=settings.directory_cache_seconds, clock=clock
    )
    access = GraphAccess(
        client.service, tenant_cache_seconds=settings.directory_cache_seconds, clock=clock
    )
    logger.info("graph gateway ready (tenant %s)", settings.azure_tenant_id)
    licences = GraphLicences(client.service)
    documents = (
        GraphDocumentStore(
            client.service,
            drive_id,
            settings.documents_folder,
            http=client.http,
        )
        if drive_id
        else None
    )
    return GraphGateway(client, directory, access, licences, documents)
