"""Opening Graph in the background, so the bot serves before msgraph has finished importing.

msgraph-sdk, kiota and azure-identity take about half a second to import, longer than the rest of
start-up together. The gateway is built in a worker thread right after start; the first
directory call waits for it (usually it is long done). Nothing here imports the SDK.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from typing import TYPE_CHECKING

from bot.domain.access import AuthMethod, Device, Licence, Sku
from bot.domain.directory import DirectoryUser, GroupRef
from bot.domain.errors import DomainError, Unavailable
from bot.domain.grants import LicenceState
from bot.domain.post_items import StoredDocument
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.graph.documents import GraphDocumentStore
    from bot.graph.gateway import GraphGateway
    from bot.graph.metering import OnCall

logger = logging.getLogger(__name__)


class DeferredGraph:
    def __init__(self, settings: Settings, on_call: OnCall | None = None) -> None:
        self._settings = settings
        self._on_call = on_call
        self._opening: asyncio.Task[GraphGateway] | None = None
        self.directory = DeferredDirectory(self)
        self.access = DeferredAccess(self)
        self.licences = DeferredLicences(self)
        self.documents = DeferredDocuments(self)

    def start(self) -> None:
        if self._opening is None:
            self._opening = asyncio.create_task(self._open(), name="open-graph")

    async def _open(self) -> GraphGateway:
        # The import runs in a thread: the event loop keeps answering health checks meanwhile.
        module = await asyncio.to_thread(importlib.import_module, "bot.graph.gateway")
        gateway: GraphGateway = await module.open_graph(self._settings, self._on_call)
        return gateway

    async def gateway(self) -> GraphGateway:
        self.start()
        assert self._opening is not None
        try:
            return await asyncio.shield(self._opening)
        except DomainError:
            raise
        except Exception as error:
            logger.error("Microsoft Graph could not be opened: %s", type(error).__name__)
            raise Unavailable() from error

    def opened(self) -> GraphGateway | None:
        """The gateway if it has finished opening (and did not fail), else None."""
        opening = self._opening
        if opening is None or not opening.done() or opening.cancelled():
            return None
        return None if opening.exception() is not None else opening.result()

    async def close(self) -> None:
        if self._opening is None:
            return
        if not self._opening.done():
            self._opening.cancel()
        try:
            gateway = await self._opening
        except BaseException:  # cancelled or failed: nothing was opened to close
            return
        await gateway.close()


class DeferredDirectory:
    """The Directory port, forwarded to the gateway once it is open."""

    def __init__(self, graph: DeferredGraph) -> None:
        self._graph = graph

    async def get_user(self, user_id: str) -> DirectoryUser:
        return await (await self._graph.gateway()).directory.get_user(user_id)

    async def get_manager(self, user_id: str) -> DirectoryUser | None:
        return await (await self._graph.gateway()).directory.get_manager(user_id)

    async def member_of(self, user_id: str) -> list[GroupRef]:
        return await (await self._graph.gateway()).directory.member_of(user_id)

    async def find_users(self, query: str, limit: int = 10) -> list[DirectoryUser]:
        return await (await self._graph.gateway()).directory.find_users(query, limit)

    def forget(self, user_id: str) -> None:
        """Drop what is cached about one user. Before the gateway is open nothing is cached."""
        gateway = self._graph.opened()
        if gateway is not None:
            gateway.directory.forget(user_id)


class DeferredAccess:
    """The AccessDirectory port, forwarded to the gateway once it is open."""

    def __init__(self, graph: DeferredGraph) -> None:
        self._graph = graph

    async def auth_methods(self, user_id: str) -> list[AuthMethod]:
        return await (await self._graph.gateway()).access.auth_methods(user_id)

    async def licences(self, user_id: str) -> list[Licence]:
        return await (await self._graph.gateway()).access.licences(user_id)

    async def subscribed_skus(self) -> list[Sku]:
        return await (await self._graph.gateway()).access.subscribed_skus()

    async def devices(self, user_id: str) -> list[Device]:
        return await (await self._graph.gateway()).access.devices(user_id)


class DeferredLicences:
    """The LicenceManager port, forwarded to the gateway once it is open."""

    def __init__(self, graph: DeferredGraph) -> None:
        self._graph = graph

    async def subscribed_sku(self, sku_id: str) -> Sku | None:
        return await (await self._graph.gateway()).licences.subscribed_sku(sku_id)

    async def is_member(self, group_id: str, user_id: str) -> bool:
        return await (await self._graph.gateway()).licences.is_member(group_id, user_id)

    async def add_member(self, group_id: str, user_id: str) -> bool:
        return await (await self._graph.gateway()).licences.add_member(group_id, user_id)

    async def remove_member(self, group_id: str, user_id: str) -> bool:
        return await (await self._graph.gateway()).licences.remove_member(group_id, user_id)

    async def assign_licence(self, user_id: str, sku_id: str) -> None:
        await (await self._graph.gateway()).licences.assign_licence(user_id, sku_id)

    async def remove_licence(self, user_id: str, sku_id: str) -> bool:
        return await (await self._graph.gateway()).licences.remove_licence(user_id, sku_id)

    async def licence_states(self, user_id: str) -> list[LicenceState]:
        return await (await self._graph.gateway()).licences.licence_states(user_id)

    async def usage_location(self, user_id: str) -> str | None:
        return await (await self._graph.gateway()).licences.usage_location(user_id)

    async def group_member_ids(self, group_id: str) -> list[str]:
        return await (await self._graph.gateway()).licences.group_member_ids(group_id)


class DeferredDocuments:
    """The DocumentStore port on Graph (SharePoint/OneDrive), forwarded to the gateway once it
    is open. Only meaningful when a documents drive is configured: without one the gateway has
    no store, and every call is Unavailable (logged) rather than a scan put somewhere else."""

    def __init__(self, graph: DeferredGraph) -> None:
        self._graph = graph

    async def put(self, name: str, data: bytes) -> StoredDocument:
        return await (await self._store()).put(name, data)

    async def get(self, key: str) -> bytes:
        return await (await self._store()).get(key)

    async def delete(self, key: str) -> bool:
        return await (await self._store()).delete(key)

    async def _store(self) -> GraphDocumentStore:
        store = (await self._graph.gateway()).documents
        if store is None:
            logger.error("documents on Graph asked for, but WERKPLEK_DOCUMENTS_DRIVE_ID is empty")
            raise Unavailable()
        return store
