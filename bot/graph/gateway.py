"""The composition root's handle on Microsoft Graph: `open_graph(settings)` -> GraphGateway."""

from __future__ import annotations

import logging
import time

from bot.graph.cache import Clock
from bot.graph.client import GraphClient, build_client
from bot.graph.directory import GraphDirectory
from bot.graph.metering import OnCall
from bot.settings import Settings

logger = logging.getLogger(__name__)


class GraphGateway:
    """Owns the Graph client; exposes the port implementations built on it.

    `directory` implements bot.ports.Directory. Licence and group operations will sit next to it.
    """

    def __init__(self, client: GraphClient, directory: GraphDirectory) -> None:
        self._client = client
        self.directory = directory

    async def close(self) -> None:
        await self._client.close()


async def open_graph(
    settings: Settings, on_call: OnCall | None = None, *, clock: Clock = time.monotonic
) -> GraphGateway:
    """Build the Graph gateway. `on_call(target, status, seconds)` sees every HTTP attempt to
    Graph ("graph") and Entra ("entra"); `clock` drives the directory cache (tests)."""
    client = build_client(settings, on_call)
    directory = GraphDirectory(
        client.service, cache_seconds=settings.directory_cache_seconds, clock=clock
    )
    logger.info("graph gateway ready (tenant %s)", settings.azure_tenant_id)
    return GraphGateway(client, directory)
