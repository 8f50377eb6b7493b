"""Scans in a SharePoint/OneDrive drive through Graph, against the emulator over HTTP with the
real credential: simple uploads, upload sessions in ranges, conflicts, downloads, deletes."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.documents.filesystem import FilesystemDocumentStore
from bot.documents.stores import document_store
from bot.domain.platform.errors import NotFound, Unavailable
from bot.graph import DeferredGraph
from bot.graph.client import GraphClient, build_client
from bot.graph.documents import FRAGMENT_MULTIPLE, GraphDocumentStore
from bot.ports.post import DocumentStore
from bot.settings import ConfigurationError, Settings
from devtools.graph_emulator import GraphEmulator
from devtools.graph_emulator.routes_drives import DEMO_DRIVE_ID
from tests.support.graph import settings_for

FOLDER = "Werkplek/Post"
MAY = datetime(2026, 5, 14, 9, 30, tzinfo=UTC)
SMALL = b"%PDF-1.7\n" + b"small scan\n" * 50 + b"%%EOF\n"
UPLOADS = r"^/_uploads/"
DOWNLOADS = r"^/_downloads/"
SIMPLE_PUT = r"/root:/.+:/content$"


def scan(size: int) -> bytes:
    """A PDF-looking body of `size` bytes that is not the same block over and over."""
    body = os.urandom(size - 15)
    return b"%PDF-1.7\n" + body + b"%%EOF\n"


def names(*values: str) -> Callable[[], str]:
    """A name factory that hands out `values` in turn (then fails loudly)."""
    pending: Iterator[str] = iter(values)
    return lambda: next(pending)


@pytest.fixture
def drive_settings(graph_emulator: GraphEmulator) -> Settings:
    return settings_for(graph_emulator, documents_drive_id=DEMO_DRIVE_ID, graph_max_retries=2)


@pytest.fixture
async def client(drive_settings: Settings) -> AsyncIterator[GraphClient]:
    client = build_client(drive_settings)
    try:
        yield client
    finally:
        await client.close()


def store_on(client: GraphClient, **options: Any) -> GraphDocumentStore:
    options.setdefault("now", lambda: MAY)
    return GraphDocumentStore(client.service, DEMO_DRIVE_ID, FOLDER, http=client.http, **options)


@pytest.fixture
def store(client: GraphClient) -> GraphDocumentStore:
    return store_on(client)


def statuses(emulator: GraphEmulator, path: str) -> list[int]:
    pattern = re.compile(path)
    return [entry.status for entry in emulator.requests if pattern.search(entry.path)]


# --- the port ---------------------------------------------------------------------------------
async def test_small_scan_round_trip(client: GraphClient, graph_emulator: GraphEmulator) -> None:
    store = store_on(client, new_name=names("a" * 32))

    stored = await store.put("scan.pdf", SMALL)

    assert stored.sha256 == hashlib.sha256(SMALL).hexdigest()
    assert stored.size == len(SMALL) and stored.content_type == "application/pdf"
    assert await store.get(stored.key) == SMALL
    [put] = [entry for entry in graph_emulator.requests if entry.method == "PUT"]
    assert (
        put.path
        == f"/v1.0/drives/{DEMO_DRIVE_ID}/root:/Werkplek/Post/2026/05/{'a' * 32}.pdf:/content"
    )
    assert put.query == "@microsoft.graph.conflictBehavior=fail"
    assert put.status == 201
    assert await store.delete(stored.key) is True


async def test_the_download_is_followed_without_the_bearer_token(
    store: GraphDocumentStore, graph_emulator: GraphEmulator
) -> None:
    stored = await store.put("scan.pdf", SMALL)

    assert await store.get(stored.key) == SMALL

    # Graph answered 302; the download URL answers 401 to a bearer token (see the emulator).
    assert statuses(graph_emulator, r"/items/[^/]+/content$") == [302]
    assert statuses(graph_emulator, DOWNLOADS) == [200]


async def test_a_deleted_scan_is_not_found(store: GraphDocumentStore) -> None:
    stored = await store.put("scan.pdf", SMALL)
    assert await store.delete(stored.key) is True

    with pytest.raises(NotFound):
        await store.get(stored.key)


async def test_deleting_twice_answers_false(
    store: GraphDocumentStore, graph_emulator: GraphEmulator
) -> None:
    stored = await store.put("scan.pdf", SMALL)

    assert await store.delete(stored.key) is True
    assert await store.delete(stored.key) is False
    assert statuses(graph_emulator, rf"/items/{stored.key}$") == [204, 404]


@pytest.mark.parametrize("key", ["", "../etc/passwd", "2026/05/abc.pdf", "a b", "x" * 300])
async def test_keys_that_are_no_item_ids_never_reach_graph(
    store: GraphDocumentStore, graph_emulator: GraphEmulator, key: str
) -> None:
    with pytest.raises(NotFound):
        await store.get(key)
    assert await store.delete(key) is False
    assert graph_emulator.request_count() == 0


# --- upload sessions ----------------------------------------------------------------------------
async def test_a_5_mb_scan_goes_through_an_upload_session_in_ranges(
    client: GraphClient, graph_emulator: GraphEmulator
) -> None:
    store = store_on(client, chunk_bytes=4 * FRAGMENT_MULTIPLE)  # 1.25 MiB ranges
    data = scan(5_000_000)

    stored = await store.put("scan.pdf", data)

    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert graph_emulator.request_count(r"/createUploadSession$", method="POST") == 1
    assert graph_emulator.request_count(SIMPLE_PUT, method="PUT") == 0
    # Four ranges: 202 until the last, which answers 201 with the driveItem.
    assert statuses(graph_emulator, UPLOADS) == [202, 202, 202, 201]
    assert await store.get(stored.key) == data


async def test_the_upload_url_is_called_without_the_bearer_token(
    store: GraphDocumentStore, graph_emulator: GraphEmulator
) -> None:
    stored = await store.put("scan.pdf", scan(5_000_000))  # default 5 MiB ranges: one range

    assert statuses(graph_emulator, UPLOADS) == [201]  # a bearer token there would get 401
    assert stored.size == 5_000_000

    # What the emulator does with a bearer token on an upload URL:
    async with aiohttp.ClientSession() as http:
        created = await http.post(
            f"{graph_emulator.graph_url}/drives/{DEMO_DRIVE_ID}/root:/t/x.pdf:/createUploadSession",
            headers={"Authorization": f"Bearer {graph_emulator.issue_token()}"},
            json={"item": {"@microsoft.graph.conflictBehavior": "fail"}},
        )
        upload_url = (await created.json())["uploadUrl"]
        with_token = await http.put(
            upload_url,
            data=b"x",
            headers={
                "Authorization": f"Bearer {graph_emulator.issue_token()}",
                "Content-Range": "bytes 0-0/1",
            },
        )
        assert with_token.status == 401


async def test_a_throttled_range_is_sent_again(
    client: GraphClient, graph_emulator: GraphEmulator
) -> None:
    store = store_on(client, chunk_bytes=4 * FRAGMENT_MULTIPLE)
    data = scan(5_000_000)
    graph_emulator.add_fault(UPLOADS, 429, count=1, retry_after=1, method="PUT")

    stored = await store.put("scan.pdf", data)

    assert statuses(graph_emulator, UPLOADS) == [429, 202, 202, 202, 201]
    assert await store.get(stored.key) == data


async def test_a_session_that_fails_is_cancelled(
    client: GraphClient, graph_emulator: GraphEmulator
) -> None:
    store = store_on(client, chunk_bytes=4 * FRAGMENT_MULTIPLE)
    graph_emulator.add_fault(UPLOADS, 500, count=1, method="PUT")

    with pytest.raises(Unavailable):
        await store.put("scan.pdf", scan(5_000_000))

    assert graph_emulator.request_count(UPLOADS, method="DELETE") == 1


# --- never overwrite ----------------------------------------------------------------------------
@pytest.mark.parametrize("size", [len(SMALL), 5_000_000], ids=["simple", "session"])
async def test_a_taken_name_never_overwrites_the_file_there(client: GraphClient, size: int) -> None:
    first, second = scan(size), scan(size)
    taken = "b" * 32
    stored_first = await store_on(client, new_name=names(taken)).put("scan.pdf", first)

    stored_second = await store_on(client, new_name=names(taken, "c" * 32)).put("scan.pdf", second)

    assert stored_second.key != stored_first.key
    assert await store_on(client).get(stored_first.key) == first
    assert await store_on(client).get(stored_second.key) == second


async def test_an_earlier_attempt_that_landed_is_adopted(
    client: GraphClient, graph_emulator: GraphEmulator
) -> None:
    """What happens when a PUT landed but its answer was lost and the request went again."""
    name = "d" * 32
    stored_first = await store_on(client, new_name=names(name)).put("scan.pdf", SMALL)

    stored_again = await store_on(client, new_name=names(name)).put("scan.pdf", SMALL)

    assert stored_again == stored_first
    assert statuses(graph_emulator, SIMPLE_PUT) == [201, 409]


# --- retries and refusals -----------------------------------------------------------------------
async def test_a_throttled_put_is_retried(
    store: GraphDocumentStore, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(SIMPLE_PUT, 429, count=1, retry_after=1, method="PUT")

    stored = await store.put("scan.pdf", SMALL)

    assert statuses(graph_emulator, SIMPLE_PUT) == [429, 201]
    assert await store.get(stored.key) == SMALL


async def test_a_throttled_download_is_retried(
    store: GraphDocumentStore, graph_emulator: GraphEmulator
) -> None:
    stored = await store.put("scan.pdf", SMALL)
    graph_emulator.add_fault(DOWNLOADS, 503, count=1, retry_after=0)

    assert await store.get(stored.key) == SMALL
    assert statuses(graph_emulator, DOWNLOADS) == [503, 200]


async def test_an_unknown_drive_is_unavailable_not_stored_elsewhere(client: GraphClient) -> None:
    store = GraphDocumentStore(client.service, "b!no-such-drive", FOLDER, http=client.http)

    with pytest.raises(Unavailable):
        await store.put("scan.pdf", SMALL)


@pytest.mark.parametrize("folder", ["../up", "a/../../b", "Post:2026", 'x"y'])
def test_a_folder_sharepoint_would_refuse_is_refused_at_once(
    client: GraphClient, folder: str
) -> None:
    with pytest.raises(ValueError, match="WERKPLEK_DOCUMENTS_FOLDER"):
        GraphDocumentStore(client.service, DEMO_DRIVE_ID, folder, http=client.http)


@pytest.mark.parametrize("chunk", [0, 1000, 200 * FRAGMENT_MULTIPLE])
def test_ranges_follow_graphs_rules(client: GraphClient, chunk: int) -> None:
    with pytest.raises(ValueError, match="320 KiB"):
        GraphDocumentStore(
            client.service, DEMO_DRIVE_ID, FOLDER, http=client.http, chunk_bytes=chunk
        )


# --- which store, and Graph opening in the background --------------------------------------------
async def test_the_app_store_forwards_to_graph_once_it_is_open(drive_settings: Settings) -> None:
    graph = DeferredGraph(drive_settings)
    try:
        documents: DocumentStore = document_store(drive_settings, graph.documents)
        stored = await documents.put("scan.pdf", SMALL)
        assert await documents.get(stored.key) == SMALL
        assert await documents.delete(stored.key) is True
    finally:
        await graph.close()


async def test_the_gateway_has_no_store_without_a_drive(graph_emulator: GraphEmulator) -> None:
    graph = DeferredGraph(settings_for(graph_emulator))
    try:
        with pytest.raises(Unavailable):
            await graph.documents.put("scan.pdf", SMALL)
    finally:
        await graph.close()


def test_without_a_drive_scans_stay_on_this_machine(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, documents_dir=str(tmp_path))

    store = document_store(settings, None)

    assert isinstance(store, FilesystemDocumentStore) and store.root == tmp_path


def test_a_drive_without_graph_is_a_configuration_error() -> None:
    settings = Settings(_env_file=None, documents_drive_id=DEMO_DRIVE_ID)

    with pytest.raises(ConfigurationError):
        document_store(settings, None)


# --- the emulator's drive contract (raw HTTP) ---------------------------------------------------
@pytest.fixture
async def raw(graph_emulator: GraphEmulator) -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    headers = {"Authorization": f"Bearer {graph_emulator.issue_token()}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        yield session, f"{graph_emulator.graph_url}/drives/{DEMO_DRIVE_ID}"


async def _session_url(http: aiohttp.ClientSession, drive: str, path: str) -> str:
    async with http.post(f"{drive}/root:/{path}:/createUploadSession", json={}) as created:
        assert created.status == 200
        body = await created.json()
    assert body["nextExpectedRanges"] == ["0-"]
    return str(body["uploadUrl"])


async def test_emulator_upload_session_rules(raw: tuple[aiohttp.ClientSession, str]) -> None:
    http, drive = raw
    url = await _session_url(http, drive, "rules/a.pdf")
    plain = aiohttp.ClientSession()  # upload URLs take no bearer token
    try:
        fragment = b"x" * FRAGMENT_MULTIPLE
        total = 2 * FRAGMENT_MULTIPLE + 10

        async def put(start: int, body: bytes) -> tuple[int, Any]:
            end = start + len(body) - 1
            headers = {"Content-Range": f"bytes {start}-{end}/{total}"}
            async with plain.put(url, data=body, headers=headers) as reply:
                return reply.status, await reply.json()

        assert (await put(0, b"x" * 1000))[0] == 400  # not a multiple of 320 KiB
        status, body = await put(0, fragment)
        assert status == 202 and body["nextExpectedRanges"] == [f"{FRAGMENT_MULTIPLE}-"]
        assert (await put(0, fragment))[0] == 416  # already received
        assert (await put(2 * FRAGMENT_MULTIPLE, b"y" * 10))[0] == 400  # out of order
        async with plain.get(url) as reply:
            assert (await reply.json())["nextExpectedRanges"] == [f"{FRAGMENT_MULTIPLE}-"]
        assert (await put(FRAGMENT_MULTIPLE, fragment))[0] == 202
        status, item = await put(2 * FRAGMENT_MULTIPLE, b"y" * 10)
        assert status == 201 and item["size"] == total and item["name"] == "a.pdf"
        assert item["file"]["mimeType"] == "application/pdf"
        assert item["parentReference"]["path"] == f"/drives/{DEMO_DRIVE_ID}/root:/rules"
        async with plain.get(url) as reply:
            assert reply.status == 404  # the session is over
    finally:
        await plain.close()


async def test_emulator_simple_upload_limits_and_conflicts(
    raw: tuple[aiohttp.ClientSession, str],
) -> None:
    http, drive = raw
    target = f"{drive}/root:/limits/a.pdf:/content"
    async with http.put(target, data=b"x" * (4 * 1024 * 1024 + 1)) as reply:
        assert reply.status == 413
    async with http.put(target, data=b"first") as reply:
        assert reply.status == 201
        first = await reply.json()
    fail = {"@microsoft.graph.conflictBehavior": "fail"}
    async with http.put(target, data=b"second", params=fail) as reply:
        assert reply.status == 409
        assert (await reply.json())["error"]["code"] == "nameAlreadyExists"
    async with http.get(f"{drive}/items/{first['id']}/content", allow_redirects=False) as reply:
        assert reply.status == 302
        location = reply.headers["Location"]
    async with aiohttp.ClientSession() as plain, plain.get(location) as reply:
        assert await reply.read() == b"first"
    async with http.get(location) as reply:  # with the bearer token
        assert reply.status == 401
    async with http.put(target, data=b"third") as reply:  # default: replace
        assert reply.status == 200 and (await reply.json())["id"] == first["id"]
    async with http.delete(f"{drive}/root:/limits/a.pdf:") as reply:
        assert reply.status == 204
    async with http.get(f"{drive}/items/{first['id']}") as reply:
        assert reply.status == 404
