"""Opening Graph in the background, so the bot serves before msgraph has finished importing.

msgraph-sdk, kiota and azure-identity take about half a second to import, longer than the rest of
start-up together. The gateway is built in a worker thread right after start; the first
directory call waits for it (usually it is long done). Nothing here imports the SDK at module
level: `_gateway_opener` imports bot.graph.gateway (a plain import, so the architecture test sees
it) inside the thread.

Each port is reached through one generic forwarder that reads the port's methods from its
Protocol in bot.ports: a new Graph call is added to the port and to the adapter, never here.
A method that returns an AsyncIterator (a group's members, page by page) is forwarded as one:
the iteration waits for the gateway, then iterates the adapter's.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from bot.domain.platform.errors import DomainError, Unavailable
from bot.ports.access import AccessDirectory
from bot.ports.announcements import AudienceDirectory
from bot.ports.licences import LicenceManager
from bot.ports.platform import Directory
from bot.ports.post import DocumentStore, RuleNames
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.graph.documents import GraphDocumentStore
    from bot.graph.gateway import GraphGateway
    from bot.graph.metering import OnCall

logger = logging.getLogger(__name__)

P = TypeVar("P")


def _gateway_opener() -> Callable[[Settings, OnCall | None], Awaitable[GraphGateway]]:
    """bot.graph.gateway's `open_graph`; importing it loads msgraph, kiota and azure-identity."""
    from bot.graph.gateway import open_graph

    return open_graph


class DeferredGraph:
    """The Graph ports before the gateway exists: `directory`, `access`, `licences`,
    `documents`, `rule_names` and `audiences` are typed as their ports and forward every call
    to the gateway once it is open."""

    def __init__(self, settings: Settings, on_call: OnCall | None = None) -> None:
        self._settings = settings
        self._on_call = on_call
        self._opening: asyncio.Task[GraphGateway] | None = None
        self._failure_told = False
        self.directory: Directory = self.port(Directory, lambda gateway: gateway.directory)
        self.access: AccessDirectory = self.port(AccessDirectory, lambda gateway: gateway.access)
        self.licences: LicenceManager = self.port(LicenceManager, lambda gateway: gateway.licences)
        self.documents: DocumentStore = self.port(DocumentStore, _documents)
        self.rule_names: RuleNames = self.port(RuleNames, lambda gateway: gateway.rule_names)
        self.audiences: AudienceDirectory = self.port(
            AudienceDirectory, lambda gateway: gateway.audiences
        )

    def port(self, protocol: object, pick: Callable[[GraphGateway], P]) -> P:
        """`pick(gateway)`'s methods named in `protocol` (a Protocol of bot.ports), reached before
        the gateway is open. Only the Protocol's methods are there; the caller declares the
        result as the port, so nothing beyond it is visible to its users."""
        return cast(P, _Forwarder(self, protocol, pick))

    def start(self) -> None:
        if self._opening is None:
            self._opening = asyncio.create_task(self._open(), name="open-graph")

    async def _open(self) -> GraphGateway:
        # The import runs in a thread: the event loop keeps answering health checks meanwhile.
        open_graph = await asyncio.to_thread(_gateway_opener)
        return await open_graph(self._settings, self._on_call)

    async def gateway(self) -> GraphGateway:
        self.start()
        assert self._opening is not None
        try:
            return await asyncio.shield(self._opening)
        except DomainError:
            raise
        except Exception as error:
            # Every later call fails the same way: the operator needs the cause once, not per call.
            if not self._failure_told:
                self._failure_told = True
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


def _documents(gateway: GraphGateway) -> GraphDocumentStore:
    """Only meaningful when a documents drive is configured: without one the gateway has no
    store, and every call is Unavailable (logged) rather than a scan put somewhere else."""
    if gateway.documents is None:
        logger.error("documents on Graph asked for, but WERKPLEK_DOCUMENTS_DRIVE_ID is empty")
        raise Unavailable()
    return gateway.documents


def port_methods(protocol: object) -> dict[str, bool]:
    """The public methods a port Protocol declares (inherited ones included), each with whether
    it is a coroutine function."""
    if not (isinstance(protocol, type) and getattr(protocol, "_is_protocol", False)):
        raise TypeError(f"{protocol!r} is not a Protocol")
    methods: dict[str, bool] = {}
    for klass in reversed(protocol.__mro__):
        if klass in (object, Protocol, Generic):
            continue
        for name, member in vars(klass).items():
            if not name.startswith("_") and inspect.isfunction(member):
                methods[name] = inspect.iscoroutinefunction(member)
    return methods


def _is_async_iterator(annotation: object) -> bool:
    """A return annotation naming an AsyncIterator (a string under postponed annotations)."""
    if isinstance(annotation, str):
        return annotation.split("[", 1)[0].strip().rsplit(".", 1)[-1] == "AsyncIterator"
    return getattr(annotation, "__origin__", annotation) is AsyncIterator


class _Forwarder:
    """One port, forwarded to `pick(gateway)` once the gateway is open.

    A coroutine method awaits the gateway, then calls the same method on the adapter. A plain
    method that returns an AsyncIterator is forwarded as an async generator: its first step
    awaits the gateway, then it yields what the adapter's yields. Any other plain method cannot
    wait, so it may only be one that returns nothing (a cache to forget, say): it reaches the
    adapter when the gateway is open and does nothing before, when the adapter holds nothing
    yet. A port with any other plain method is refused here, at construction.
    """

    def __init__(
        self, graph: DeferredGraph, protocol: object, pick: Callable[[GraphGateway], Any]
    ) -> None:
        self._graph = graph
        self._pick = pick
        self._name = getattr(protocol, "__name__", "port")
        self._methods = port_methods(protocol)
        self._streams: set[str] = set()
        for name, is_async in self._methods.items():
            returns = inspect.signature(getattr(protocol, name)).return_annotation
            if is_async or returns in (None, "None"):
                continue
            if _is_async_iterator(returns):
                self._streams.add(name)
                continue
            raise TypeError(
                f"{self._name}.{name} returns a value without being awaited: "
                "it cannot be forwarded before Graph is open"
            )

    def __getattr__(self, name: str) -> Callable[..., Any]:
        is_async = self._methods.get(name)
        if is_async is None:
            raise AttributeError(f"{self._name} has no method {name!r}")
        graph, pick = self._graph, self._pick
        forward: Callable[..., Any]
        if name in self._streams:

            async def forward(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
                inner = getattr(pick(await graph.gateway()), name)(*args, **kwargs)
                try:
                    async for item in inner:
                        yield item
                finally:  # a caller that stops early closes the adapter's iteration too
                    close = getattr(inner, "aclose", None)
                    if close is not None:
                        await close()

        elif is_async:

            async def forward(*args: Any, **kwargs: Any) -> Any:
                return await getattr(pick(await graph.gateway()), name)(*args, **kwargs)

        else:

            def forward(*args: Any, **kwargs: Any) -> None:
                gateway = graph.opened()
                if gateway is not None:
                    getattr(pick(gateway), name)(*args, **kwargs)

        forward.__name__ = forward.__qualname__ = f"{self._name}.{name}"
        setattr(self, name, forward)  # found directly from now on, without __getattr__
        return forward

    def __repr__(self) -> str:
        return f"<{self._name} on Microsoft Graph, opened on first use>"
