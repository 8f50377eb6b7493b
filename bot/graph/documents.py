"""The DocumentStore port on SharePoint or OneDrive: scans as files in one drive, through Graph.

A scan goes to {folder}/yyyy/mm/<uuid>.pdf; its key is the drive item id, which stays valid when
someone moves or renames the file in SharePoint. Up to 4 MiB it is one
`PUT /drives/{d}/root:/{path}:/content`; above that an upload session
(`POST .../root:/{path}:/createUploadSession`) takes the bytes in ranges.

Never overwrites: every upload says @microsoft.graph.conflictBehavior=fail. A 409 on a name made
up a moment ago means an earlier attempt of ours did land (its answer was lost and the request
went again), or, vanishingly rarely, a uuid collision: the file there is read back and adopted
when its bytes are ours; otherwise the scan goes under a new name. Either way no orphan copy of
a scan is left behind in the library, and nobody else's file is touched.

Requests to Graph go through the shared client's adapter: token, retry handler, call meter.
Upload and download URLs are pre-authenticated by Graph; they go through the same HTTP client
and middleware (retries, meter) but never get the bearer token: Graph may refuse a request that
carries one, and the token must not travel to the storage host. The download behind
`GET .../content` (a 302) is followed with the token dropped for the same reason.

kiota's retry handler does not resend a body typed application/octet-stream (it cannot know
whether the body is a one-shot stream). These bodies are bytes in memory, so uploads are typed
by what they are (application/pdf) and a 429 or 503 on them is retried like any other call.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_http.middleware.middleware import REQUEST_OPTIONS_KEY
from kiota_http.middleware.options import RedirectHandlerOption
from msgraph.graph_service_client import GraphServiceClient

from bot.domain.platform.errors import DomainError, NotFound, Throttled, Unavailable
from bot.domain.post.items import StoredDocument
from bot.graph.errors import graph_errors
from bot.graph.json_reads import ERROR_MAPPING

logger = logging.getLogger(__name__)

# Graph's limits: a simple upload takes up to 4 MB; an upload session takes fragments that are
# multiples of 320 KiB (all but the last) and smaller than 60 MiB.
SIMPLE_UPLOAD_MAX_BYTES = 4 * 1024 * 1024
FRAGMENT_MULTIPLE = 320 * 1024
FRAGMENT_MAX_BYTES = 60 * 1024 * 1024
# 5 MiB: Microsoft's advice for fragments is 5 to 10 MiB; a 30 MB scan is six requests.
DEFAULT_CHUNK_BYTES = 16 * FRAGMENT_MULTIPLE
# New names tried when the one before was taken by a file that is not ours.
NAME_ATTEMPTS = 3
# Requests per fragment, at most, before an upload session counts as stuck (416s, resends).
_REQUESTS_PER_FRAGMENT = 3

_CONFLICT = "@microsoft.graph.conflictBehavior"
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")
# Drive item ids: SharePoint "01ABC...", OneDrive personal "D4648F06C91D9D3D!54927".
_ITEM_ID = re.compile(r"^[A-Za-z0-9!._-]{1,256}$")
# What SharePoint refuses in a folder name.
_BAD_NAME = re.compile(r'["*:<>?\\|]')
_BINARY = "application/octet-stream"


class _NameTaken(Exception):
    """Graph answered 409: a file already has the name."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _new_name() -> str:
    return uuid.uuid4().hex


def folder_parts(folder: str) -> list[str]:
    """The folder setting as path parts ("" is the drive's root); ValueError when SharePoint
    would refuse it or it climbs out ("..")."""
    parts = [part.strip() for part in folder.strip().strip("/").split("/")]
    parts = [part for part in parts if part]
    for part in parts:
        if part in (".", "..") or _BAD_NAME.search(part):
            raise ValueError(f"WERKPLEK_DOCUMENTS_FOLDER: {part!r} is not a valid folder name")
    return parts


def _drop_credentials(request: httpx.Request, original_url: httpx.URL) -> None:
    """RedirectHandlerOption callback: the download URL is pre-authenticated, on any host."""
    request.headers.pop("Authorization", None)
    request.headers.pop("Cookie", None)


def _next_start(body: Any, total: int) -> int:
    """The first byte Graph still wants, from an uploadSession's nextExpectedRanges ("26-")."""
    ranges = body.get("nextExpectedRanges") if isinstance(body, dict) else None
    try:
        start = int(str(ranges[0]).split("-", 1)[0]) if ranges else -1
    except ValueError:
        start = -1
    if not 0 <= start < total:
        logger.warning("documents upload session: unusable nextExpectedRanges")
        raise Unavailable()
    return start


def _response_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}


class GraphDocumentStore:
    """Implements bot.ports.post.DocumentStore in the drive `drive_id`, below `folder`.

    `client` is the shared Graph client; `http` the HTTP client under it (GraphClient.http),
    used for the pre-authenticated upload URLs. `chunk_bytes` is the fragment size of upload
    sessions (a multiple of 320 KiB, below 60 MiB).
    """

    def __init__(
        self,
        client: GraphServiceClient,
        drive_id: str,
        folder: str,
        *,
        http: httpx.AsyncClient,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        now: Callable[[], datetime] = _utc_now,
        new_name: Callable[[], str] = _new_name,
    ) -> None:
        if not drive_id.strip():
            raise ValueError("a drive id is needed")
        if chunk_bytes <= 0 or chunk_bytes % FRAGMENT_MULTIPLE or chunk_bytes >= FRAGMENT_MAX_BYTES:
            raise ValueError("chunk_bytes must be a multiple of 320 KiB below 60 MiB")
        self._client = client
        self._http = http
        self._drive_id = drive_id.strip()
        self._folder = folder_parts(folder)
        self._chunk = chunk_bytes
        self._now = now
        self._new_name = new_name

    # --- the port ----------------------------------------------------------------------------
    async def put(self, name: str, data: bytes) -> StoredDocument:
        """Store the bytes under a new name; Unavailable when the drive refuses (a wrong drive
        id, no write access): the caller may try again, nothing was stored."""
        suffix = PurePosixPath(name).suffix.lower()
        suffix = suffix if _SUFFIX.match(suffix) else ""
        content_type = mimetypes.guess_type(f"scan{suffix}")[0] or _BINARY
        digest = hashlib.sha256(data).hexdigest()
        try:
            with graph_errors("documents.put"):
                for _ in range(NAME_ATTEMPTS):
                    path = self._path(f"{self._new_name()}{suffix}")
                    try:
                        item = await self._upload(path, data, content_type)
                    except _NameTaken:
                        item = await self._ours(path, digest, len(data))
                        if item is None:
                            logger.warning("documents.put: name taken by another file")
                            continue
                    return StoredDocument(
                        key=self._key(item),
                        sha256=digest,
                        size=len(data),
                        content_type=content_type,
                    )
        except (Unavailable, Throttled):
            raise
        except DomainError as error:  # 403, 404, 400: the drive or folder setting is wrong
            logger.error("documents.put refused by the drive: %s", type(error).__name__)
            raise Unavailable() from error
        raise Unavailable()

    async def get(self, key: str) -> bytes:
        if not _ITEM_ID.match(key):
            raise NotFound()
        with graph_errors("documents.get"):
            return await self._download(key)

    async def delete(self, key: str) -> bool:
        """DELETE the drive item. SharePoint moves it to the site's recycle bin."""
        if not _ITEM_ID.match(key):
            return False
        info = self._items.by_drive_item_id(key).to_delete_request_information()
        with graph_errors("documents.delete"):
            try:
                await self._adapter.send_no_response_content_async(info, ERROR_MAPPING)
            except APIError as exc:
                if exc.response_status_code == 404:
                    return False
                raise
        return True

    # --- Graph calls ---------------------------------------------------------------------------
    @property
    def _adapter(self) -> Any:
        # kiota types send_primitive_async's result with an unbound TypeVar.
        return self._client.request_adapter

    @property
    def _items(self) -> Any:
        return self._client.drives.by_drive_id(self._drive_id).items

    def _path(self, file_name: str) -> str:
        now = self._now().astimezone(UTC)
        parts = [*self._folder, f"{now.year:04d}", f"{now.month:02d}", file_name]
        return "/".join(quote(part, safe="") for part in parts)

    def _address(self, path: str) -> str:
        """The path-based address of a file: {base}/drives/{d}/root:/{path}:"""
        base = str(self._adapter.base_url).rstrip("/")
        return f"{base}/drives/{quote(self._drive_id, safe='!')}/root:/{path}:"

    async def _send(self, info: RequestInformation) -> Any:
        """Through the adapter; the JSON answer. 409 -> _NameTaken."""
        try:
            raw: bytes | None = await self._adapter.send_primitive_async(
                info, "bytes", ERROR_MAPPING
            )
        except APIError as exc:
            if exc.response_status_code == 409:
                raise _NameTaken() from exc
            raise
        body: Any = json.loads(raw) if raw else {}
        return body

    def _key(self, item: Any) -> str:
        key = str(item.get("id") or "") if isinstance(item, dict) else ""
        if not _ITEM_ID.match(key):
            logger.warning("documents: the drive answered without a usable item id")
            raise Unavailable()
        return key

    async def _upload(self, path: str, data: bytes, content_type: str) -> Any:
        if len(data) <= SIMPLE_UPLOAD_MAX_BYTES:
            info = RequestInformation(Method.PUT)
            info.url = f"{self._address(path)}/content?{_CONFLICT}=fail"
            info.headers.try_add("Accept", "application/json")
            info.set_stream_content(data, content_type)
            return await self._send(info)
        info = RequestInformation(Method.POST)
        info.url = f"{self._address(path)}/createUploadSession"
        info.headers.try_add("Accept", "application/json")
        body = json.dumps({"item": {_CONFLICT: "fail"}}).encode()
        info.set_stream_content(body, "application/json")
        session = await self._send(info)
        upload_url = session.get("uploadUrl") if isinstance(session, dict) else None
        if not isinstance(upload_url, str) or not upload_url:
            logger.warning("documents: createUploadSession answered without an uploadUrl")
            raise Unavailable()
        try:
            return await self._send_ranges(upload_url, data)
        except Exception:
            await self._cancel(upload_url)
            raise

    async def _send_ranges(self, upload_url: str, data: bytes) -> Any:
        """PUT the bytes in fragments until Graph answers with the driveItem (200/201)."""
        total, start = len(data), 0
        fragments = -(-total // self._chunk)
        for _ in range(fragments * _REQUESTS_PER_FRAGMENT):
            end = min(start + self._chunk, total) - 1
            headers = {"Content-Range": f"bytes {start}-{end}/{total}"}
            response = await self._transfer("PUT", upload_url, data[start : end + 1], headers)
            if response.status_code in (200, 201):
                return _response_json(response)
            if response.status_code == 202:
                start = _next_start(_response_json(response), total)
            elif response.status_code == 416:  # a resend of a fragment Graph already has
                status = await self._transfer("GET", upload_url)
                if status.status_code != 200:
                    raise self._refused(status)
                start = _next_start(_response_json(status), total)
            elif response.status_code == 409:
                raise _NameTaken()
            else:
                raise self._refused(response)
        logger.warning("documents upload session made no progress")
        raise Unavailable()

    async def _transfer(
        self,
        method: str,
        url: str,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """A request to a pre-authenticated URL: the shared middleware, no bearer token."""
        request = self._http.build_request(
            method, url, content=content, headers=headers, extensions={REQUEST_OPTIONS_KEY: {}}
        )
        return await self._http.send(request)

    def _refused(self, response: httpx.Response) -> Exception:
        if response.status_code == 404:  # the session expired or was cancelled
            logger.warning("documents upload session is gone")
            return Unavailable()
        return APIError(
            "upload session refused a request", response.status_code, dict(response.headers)
        )

    async def _cancel(self, upload_url: str) -> None:
        """Drop the bytes already sent; best effort (Graph expires sessions anyway)."""
        try:
            await self._transfer("DELETE", upload_url)
        except Exception:
            logger.info("documents upload session could not be cancelled")

    async def _download(self, item_id: str) -> bytes:
        """GET .../items/{id}/content: Graph answers 302 to the download URL, followed here
        without the bearer token."""
        info = self._items.by_drive_item_id(item_id).content.to_get_request_information()
        info.add_request_options([RedirectHandlerOption(scrub_sensitive_headers=_drop_credentials)])
        raw: bytes | None = await self._adapter.send_primitive_async(info, "bytes", ERROR_MAPPING)
        return raw or b""

    async def _ours(self, path: str, digest: str, size: int) -> Any:
        """The file already at `path` when it holds exactly these bytes (an earlier attempt of
        this upload), else None."""
        info = RequestInformation(Method.GET)
        info.url = f"{self._address(path)}?$select=id,size"
        info.headers.try_add("Accept", "application/json")
        try:
            item = await self._send(info)
        except APIError as exc:
            if exc.response_status_code == 404:  # gone again meanwhile: not ours to adopt
                return None
            raise
        if not isinstance(item, dict) or item.get("size") != size:
            return None
        existing = await self._download(self._key(item))
        if hashlib.sha256(existing).hexdigest() != digest:
            return None
        logger.info("documents.put: adopted item %s from an earlier attempt", item.get("id"))
        return item
