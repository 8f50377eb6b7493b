"""DeferredGraph: each port forwarded from its Protocol, before and after Graph is open.

The gateway here is a stand-in (the opener is replaced); forwarding to the real gateway on the
Graph emulator is covered in tests/integration/graph.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol

import pytest

import bot.graph.deferred as deferred
from bot.domain.platform.errors import Unavailable
from bot.graph.deferred import DeferredGraph, port_methods
from bot.ports.access import AccessDirectory
from bot.ports.announcements import AudienceDirectory
from bot.ports.licences import LicenceManager
from bot.ports.platform import Directory
from bot.ports.post import DocumentStore
from bot.settings import Settings

PORTS = {
    "directory": Directory,
    "access": AccessDirectory,
    "licences": LicenceManager,
    "documents": DocumentStore,
    "audiences": AudienceDirectory,
}


class Recorder:
    """Any method: records (name, args, kwargs) and returns the name."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        async def call(*args: Any, **kwargs: Any) -> str:
            self.calls.append((name, args, kwargs))
            return name

        def forget(*args: Any, **kwargs: Any) -> None:
            self.calls.append((name, args, kwargs))

        return forget if name == "forget" else call


class Pages:
    """An audience port whose group_members yields two pages, recording how far it got."""

    def __init__(self) -> None:
        self.pages_given = 0
        self.closed = False

    async def group_members(self, group_id: str) -> AsyncIterator[list[str]]:
        try:
            for page in ([f"{group_id}-1", f"{group_id}-2"], [f"{group_id}-3"]):
                self.pages_given += 1
                yield page
        finally:
            self.closed = True


class FakeGateway:
    def __init__(self, documents: bool = True) -> None:
        self.audiences = Pages()
        self.directory = Recorder()
        self.access = Recorder()
        self.licences = Recorder()
        self.documents = Recorder() if documents else None
        self.closed = False

    async def close(self) -> None:
        self.closed = True


class Opener:
    def __init__(self, gateway: FakeGateway | None = None, error: Exception | None = None) -> None:
        self.gateway = gateway or FakeGateway()
        self.error = error
        self.gate = asyncio.Event()
        self.gate.set()
        self.opened = 0

    async def __call__(self, settings: Settings, on_call: object) -> FakeGateway:
        await self.gate.wait()
        self.opened += 1
        if self.error is not None:
            raise self.error
        return self.gateway


@pytest.fixture
def opener(monkeypatch: pytest.MonkeyPatch) -> Iterator[Opener]:
    opener = Opener()
    monkeypatch.setattr(deferred, "_gateway_opener", lambda: opener)
    yield opener


def _graph() -> DeferredGraph:
    return DeferredGraph(Settings(azure_tenant_id="t"))


def test_port_methods_are_read_from_the_protocol() -> None:
    assert port_methods(Directory) == {
        "get_user": True,
        "get_manager": True,
        "member_of": True,
        "find_users": True,
        "group_members": True,
        "forget": False,
    }
    with pytest.raises(TypeError):
        port_methods(FakeGateway)


@pytest.mark.parametrize("attribute", sorted(PORTS))
def test_each_port_offers_exactly_its_protocols_methods(attribute: str) -> None:
    port = getattr(_graph(), attribute)
    for name in port_methods(PORTS[attribute]):
        assert callable(getattr(port, name))
    with pytest.raises(AttributeError):
        port.close  # noqa: B018 - a gateway method, not one of the port's
    with pytest.raises(AttributeError):
        port._pick_up  # noqa: B018


def test_the_real_adapters_implement_every_port_method() -> None:
    # The forwarder trusts the adapter to have what the Protocol declares.
    from bot.graph.access import GraphAccess
    from bot.graph.audiences import GraphAudiences
    from bot.graph.directory import GraphDirectory
    from bot.graph.documents import GraphDocumentStore
    from bot.graph.licences import GraphLicences

    adapters = {
        Directory: GraphDirectory,
        AccessDirectory: GraphAccess,
        LicenceManager: GraphLicences,
        DocumentStore: GraphDocumentStore,
        AudienceDirectory: GraphAudiences,
    }
    for protocol, adapter in adapters.items():
        for name, is_async in port_methods(protocol).items():
            assert asyncio.iscoroutinefunction(getattr(adapter, name)) is is_async, name


def test_a_plain_method_that_returns_something_cannot_be_deferred() -> None:
    class Counting(Protocol):
        def count(self) -> int: ...

    with pytest.raises(TypeError, match=r"Counting\.count"):
        _graph().port(Counting, lambda gateway: gateway.directory)


async def test_calls_wait_for_the_gateway_and_are_forwarded_whole(opener: Opener) -> None:
    opener.gate.clear()
    graph = _graph()
    call = asyncio.create_task(graph.directory.find_users("lotte", limit=3))
    await asyncio.sleep(0.01)
    assert not call.done()
    assert graph.opened() is None

    opener.gate.set()
    assert await call == "find_users"
    assert await graph.licences.add_member("g", "u") == "add_member"
    assert await graph.access.devices("u") == "devices"
    assert await graph.documents.put("a.pdf", b"%PDF") == "put"
    gateway = opener.gateway
    assert gateway.directory.calls == [("find_users", ("lotte",), {"limit": 3})]
    assert gateway.licences.calls == [("add_member", ("g", "u"), {})]
    assert gateway.access.calls == [("devices", ("u",), {})]
    assert gateway.documents is not None
    assert gateway.documents.calls == [("put", ("a.pdf", b"%PDF"), {})]
    assert opener.opened == 1
    await graph.close()
    assert gateway.closed


async def test_an_iterator_is_forwarded_page_by_page_once_graph_is_open(opener: Opener) -> None:
    opener.gate.clear()
    graph = _graph()
    pages = graph.audiences.group_members("g")  # nothing waits yet: an iteration not started
    first = asyncio.create_task(anext(aiter(pages)))
    await asyncio.sleep(0.01)
    assert not first.done()

    opener.gate.set()
    assert await first == ["g-1", "g-2"]
    assert [page async for page in pages] == [["g-3"]]
    assert opener.gateway.audiences.closed
    await graph.close()


async def test_stopping_a_forwarded_iteration_early_stops_the_adapters(opener: Opener) -> None:
    graph = _graph()
    pages = graph.audiences.group_members("g")
    assert await anext(aiter(pages)) == ["g-1", "g-2"]
    await pages.aclose()  # type: ignore[attr-defined]
    assert (opener.gateway.audiences.pages_given, opener.gateway.audiences.closed) == (1, True)
    await graph.close()


def test_a_port_returning_an_async_iterator_can_be_deferred() -> None:
    class Streaming(Protocol):
        def items(self) -> AsyncIterator[int]: ...

    port = _graph().port(Streaming, lambda gateway: gateway.directory)
    assert callable(port.items)


async def test_forgetting_before_graph_is_open_does_nothing(opener: Opener) -> None:
    graph = _graph()
    graph.directory.forget("u1")  # nothing opened, nothing cached, nothing started
    assert opener.opened == 0

    await graph.gateway()
    graph.directory.forget("u2")
    assert opener.gateway.directory.calls == [("forget", ("u2",), {})]
    await graph.close()


async def test_documents_without_a_drive_are_unavailable(opener: Opener) -> None:
    opener.gateway = FakeGateway(documents=False)
    graph = _graph()
    with pytest.raises(Unavailable):
        await graph.documents.get("key")
    await graph.close()


async def test_graph_that_fails_to_open_is_unavailable_to_every_port(opener: Opener) -> None:
    opener.error = RuntimeError("no route to Entra")
    graph = _graph()
    for call in (graph.directory.get_user("u"), graph.licences.is_member("g", "u")):
        with pytest.raises(Unavailable):
            await call
    graph.directory.forget("u")  # failed to open: still nothing to forget
    assert opener.opened == 1
    await graph.close()


def test_importing_the_package_leaves_the_sdk_unloaded() -> None:
    code = (
        "import sys, bot.graph\n"
        "sdk = ('msgraph', 'msgraph_core', 'kiota_http', 'kiota_abstractions', 'azure')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(sdk)))\n"
        "bot.graph.GraphGateway\n"
        "print('msgraph' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split("\n")[:2] == ["[]", "True"]
