"""Graph routes for drives (SharePoint document libraries, OneDrive): files kept in memory.

What a document store needs, with Graph's rules:
- PUT  drives/{d}/root:/{path}:/content          simple upload, at most 4 MiB; missing folders
  are made. ?@microsoft.graph.conflictBehavior=fail|replace|rename (default replace): with
  fail, an existing name is 409 nameAlreadyExists and the file there is left as it was.
- POST drives/{d}/root:/{path}:/createUploadSession  body {"item": {"@microsoft.graph.
  conflictBehavior": ...}}: an uploadUrl on this listener, outside /v1.0.
- PUT  {uploadUrl} with Content-Range "bytes a-b/total": fragments in order, each a multiple of
  320 KiB (the last excepted) and under 60 MiB. 202 with nextExpectedRanges; the last fragment
  201 (200 when it replaced a file) with the driveItem, or 409 on a name taken meanwhile. A
  fragment already received is 416. GET {uploadUrl} tells the status, DELETE cancels.
- GET  drives/{d}/items/{id}/content              302 to a pre-authenticated download URL.
- GET  drives/{d}, drives/{d}/root, drives/{d}/items/{id}, drives/{d}/root:/{path}
- DELETE drives/{d}/items/{id} (or by path)       204; 404 itemNotFound when gone.
A path may also start at a folder: drives/{d}/items/{id}:/{path}: (and items/root:).

Upload and download URLs carry their own authorisation (an unguessable token in the path), as
Graph's do. Graph documents that sending the Authorization header to an upload URL can get 401;
this listener always answers 401 to a bearer token on either kind of URL, so a client that leaks
its Graph token there fails in tests. Both go through the listener's middleware: they are in the
request log and faults can target them (paths /_uploads/..., /_downloads/...).

One drive exists: DEMO_DRIVE_ID. Names are compared case-insensitively, as SharePoint does.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import mimetypes
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from aiohttp import web

from devtools.graph_emulator.odata import GraphCall, Record, empty_response, json_response
from devtools.graph_emulator.odata import odata_error as _odata_error
from devtools.graph_emulator.router import Handler, Route
from devtools.graph_emulator.tenant import DirectoryError

DEMO_DRIVE_ID = "b!V2Vya3BsZWstZGVtby1wb3N0LWxpYnJhcnk"
SIMPLE_UPLOAD_MAX_BYTES = 4 * 1024 * 1024
FRAGMENT_MULTIPLE = 320 * 1024
FRAGMENT_MAX_BYTES = 60 * 1024 * 1024
# What the listener must accept in one request body (a fragment, a simple upload).
MAX_REQUEST_BYTES = FRAGMENT_MAX_BYTES + 1024 * 1024
SESSION_LIFETIME = dt.timedelta(hours=1)
DOWNLOAD_LIFETIME = dt.timedelta(hours=1)
UPLOADS_PREFIX = "/_uploads/"
DOWNLOADS_PREFIX = "/_downloads/"
CONFLICT_QUERY = "@microsoft.graph.conflictBehavior"
_CONFLICT_BEHAVIOURS = ("fail", "replace", "rename")
_WEB_ROOT = "https://werkplekdemo.sharepoint.com/sites/post/Shared%20Documents"
# drives/{d}/root:/{path}[:[/{action}]] and drives/{d}/items/{id}:/{path}[:[/{action}]]
_PATH_ADDRESS = re.compile(
    r"^drives/(?P<drive>[^/]+)/(?:root|items/(?P<item>[^/:]+)):/(?P<path>[^:]+?)"
    r"(?::(?:/(?P<action>[^/]+))?)?/?$"
)
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
# Characters SharePoint refuses in file and folder names.
_BAD_NAME = re.compile(r'["*:<>?/\\|]')


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _new_item_id() -> str:
    """What SharePoint item ids look like: "01" and 32 base32 characters."""
    return "01" + base64.b32encode(secrets.token_bytes(20)).decode()


def _not_found(what: str = "item") -> DirectoryError:
    return DirectoryError(404, "itemNotFound", f"The resource could not be found ({what}).")


def _bad_request(message: str) -> DirectoryError:
    return DirectoryError(400, "invalidRequest", message)


@dataclass
class DriveItem:
    id: str
    name: str
    parent_id: str | None  # None: the root folder
    created: dt.datetime
    modified: dt.datetime
    content: bytes | None = None  # None: a folder
    version: int = 1

    @property
    def is_folder(self) -> bool:
        return self.content is None


class Drive:
    def __init__(self, drive_id: str) -> None:
        self.id = drive_id
        now = _now()
        self.root = DriveItem(_new_item_id(), "root", None, now, now)
        self.items: dict[str, DriveItem] = {self.root.id: self.root}

    def item(self, item_id: str) -> DriveItem:
        if item_id.lower() == "root":
            return self.root
        found = self.items.get(item_id)
        if found is None:
            raise _not_found()
        return found

    def children(self, folder: DriveItem) -> Iterator[DriveItem]:
        return (item for item in self.items.values() if item.parent_id == folder.id)

    def child(self, folder: DriveItem, name: str) -> DriveItem | None:
        wanted = name.casefold()
        return next((c for c in self.children(folder) if c.name.casefold() == wanted), None)

    def resolve(self, start: DriveItem, parts: list[str]) -> DriveItem:
        current = start
        for part in parts:
            found = self.child(current, part) if current.is_folder else None
            if found is None:
                raise _not_found()
            current = found
        return current

    def folder(self, start: DriveItem, parts: list[str]) -> DriveItem:
        """The folder at `parts` below `start`, made where missing (Graph does that on upload)."""
        current = start
        for part in parts:
            found = self.child(current, part)
            if found is None:
                now = _now()
                found = DriveItem(_new_item_id(), part, current.id, now, now)
                self.items[found.id] = found
            elif not found.is_folder:
                raise DirectoryError(409, "nameAlreadyExists", "A file is in the way of a folder.")
            current = found
        return current

    def write(
        self, folder: DriveItem, name: str, data: bytes, conflict: str
    ) -> tuple[DriveItem, bool]:
        """Store a file; (item, created). Never touches an existing file under "fail"."""
        existing = self.child(folder, name)
        now = _now()
        if existing is not None:
            if conflict == "fail" or existing.is_folder:
                raise DirectoryError(
                    409, "nameAlreadyExists", "The specified item name already exists."
                )
            if conflict == "replace":
                existing.content, existing.modified = data, now
                existing.version += 1
                return existing, False
            name = self._free_name(folder, name)
        item = DriveItem(_new_item_id(), name, folder.id, now, now, content=data)
        self.items[item.id] = item
        return item, True

    def _free_name(self, folder: DriveItem, name: str) -> str:
        stem, dot, suffix = name.rpartition(".")
        if not dot:
            stem, suffix = name, ""
        for number in itertools.count(1):
            candidate = f"{stem} {number}{dot}{suffix}"
            if self.child(folder, candidate) is None:
                return candidate
        raise AssertionError("unreachable")

    def delete(self, item: DriveItem) -> None:
        if item is self.root:
            raise DirectoryError(403, "accessDenied", "The root folder cannot be deleted.")
        for child in list(self.children(item)):
            self.delete(child)
        self.items.pop(item.id, None)

    def path_parts(self, item: DriveItem) -> list[str]:
        parts: list[str] = []
        current: DriveItem | None = item
        while current is not None and current.parent_id is not None:
            parts.append(current.name)
            current = self.items.get(current.parent_id)
        return parts[::-1]


@dataclass
class UploadSession:
    drive_id: str
    folder_start: str  # the item the path starts at
    parts: list[str]  # folders, then the file name
    conflict: str
    expires: dt.datetime
    total: int | None = None
    received: bytearray = field(default_factory=bytearray)


@dataclass
class Download:
    drive_id: str
    item_id: str
    expires: dt.datetime


class DriveState:
    """Drives, upload sessions and download links of one emulator."""

    def __init__(self) -> None:
        self.drives: dict[str, Drive] = {DEMO_DRIVE_ID: Drive(DEMO_DRIVE_ID)}
        self.sessions: dict[str, UploadSession] = {}
        self.downloads: dict[str, Download] = {}

    def drive(self, drive_id: str) -> Drive:
        found = self.drives.get(drive_id)
        if found is None:
            raise DirectoryError(
                404,
                "itemNotFound",
                "The provided drive id appears to be malformed, or does not represent a valid "
                "drive.",
            )
        return found

    def session(self, token: str) -> UploadSession:
        session = self.sessions.get(token)
        if session is None or session.expires < _now():
            self.sessions.pop(token, None)
            raise _not_found("upload session")
        return session


DRIVES = web.AppKey("drives", DriveState)


def _state(call: GraphCall) -> DriveState:
    return call.request.app[DRIVES]


def _origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _split(path: str) -> list[str]:
    parts = [part for part in path.strip("/").split("/") if part]
    if not parts:
        raise _bad_request("The path is empty.")
    for part in parts:
        if part in (".", "..") or _BAD_NAME.search(part) or part != part.strip():
            raise _bad_request(f"The name '{part}' is not valid.")
    return parts


def _conflict(value: object) -> str:
    behaviour = str(value or "replace").lower()
    if behaviour not in _CONFLICT_BEHAVIOURS:
        raise _bad_request(f"Invalid conflict behavior '{value}'.")
    return behaviour


def item_view(request: web.Request, drive: Drive, item: DriveItem) -> Record:
    parts = drive.path_parts(item)
    body: Record = {
        "@odata.context": f"{_origin(request)}/v1.0/$metadata#drives('{drive.id}')/items/$entity",
        "id": item.id,
        "name": item.name,
        "eTag": f'"{{{item.id}}},{item.version}"',
        "cTag": f'"c:{{{item.id}}},{item.version}"',
        "createdDateTime": _stamp(item.created),
        "lastModifiedDateTime": _stamp(item.modified),
        "size": len(item.content or b""),
        "webUrl": "/".join([_WEB_ROOT, *(quote(part) for part in parts)]),
    }
    if item.parent_id is not None:
        parent_parts = parts[:-1]
        body["parentReference"] = {
            "driveType": "documentLibrary",
            "driveId": drive.id,
            "id": item.parent_id,
            "path": f"/drives/{drive.id}/root:" + "".join(f"/{p}" for p in parent_parts),
        }
    if item.is_folder:
        body["folder"] = {"childCount": sum(1 for _ in drive.children(item))}
    else:
        mime = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
        body["file"] = {"mimeType": mime}
    return body


# --- Graph routes (below /v1.0, bearer token checked by the listener) --------------------------
async def get_drive(call: GraphCall) -> web.StreamResponse:
    drive = _state(call).drive(call.params["drive"])
    return call.ok(
        {
            "@odata.context": call.context("drives/$entity"),
            "id": drive.id,
            "driveType": "documentLibrary",
            "name": "Documents",
            "webUrl": _WEB_ROOT,
        }
    )


def _addressed(call: GraphCall) -> tuple[Drive, DriveItem, list[str]]:
    """The drive, the item a path starts at, and the path's parts ([] for an id address)."""
    drive = _state(call).drive(call.params["drive"])
    start = drive.item(call.params.get("item") or "root")
    path = call.params.get("path")
    return drive, start, _split(path) if path is not None else []


async def get_item(call: GraphCall) -> web.StreamResponse:
    drive, start, parts = _addressed(call)
    item = drive.resolve(start, parts)
    body = item_view(call.request, drive, item)
    if not item.is_folder:
        body["@microsoft.graph.downloadUrl"] = _download_url(call, drive, item)
    return call.ok(body)


async def delete_item(call: GraphCall) -> web.StreamResponse:
    drive, start, parts = _addressed(call)
    drive.delete(drive.resolve(start, parts))
    return empty_response(call.request)


async def get_content(call: GraphCall) -> web.StreamResponse:
    drive, start, parts = _addressed(call)
    item = drive.resolve(start, parts)
    if item.is_folder:
        raise _not_found("content")
    response = empty_response(call.request, 302)
    response.headers["Location"] = _download_url(call, drive, item)
    return response


async def put_content(call: GraphCall) -> web.StreamResponse:
    drive, start, parts = _addressed(call)
    if not parts:  # replacing a file's content by id
        item = drive.item(call.params["item"])
        if item.is_folder:
            raise _bad_request("A folder has no content.")
        parts = drive.path_parts(item)
        start = drive.root
    conflict = _conflict(call.request.query.get(CONFLICT_QUERY))
    data = await call.request.read()
    if len(data) > SIMPLE_UPLOAD_MAX_BYTES:
        raise DirectoryError(
            413, "invalidRequest", "Simple uploads take up to 4 MB: use an upload session."
        )
    folder = drive.folder(start, parts[:-1])
    item, created = drive.write(folder, parts[-1], data, conflict)
    return call.ok(item_view(call.request, drive, item), 201 if created else 200)


async def create_upload_session(call: GraphCall) -> web.StreamResponse:
    drive, start, parts = _addressed(call)
    body = await call.json_body() if call.request.can_read_body else {}
    item = body.get("item") if isinstance(body, dict) else None
    conflict = _conflict(item.get(CONFLICT_QUERY) if isinstance(item, dict) else None)
    if conflict == "fail":
        try:
            drive.resolve(start, parts)
        except DirectoryError:
            pass
        else:
            raise DirectoryError(
                409, "nameAlreadyExists", "The specified item name already exists."
            )
    token = secrets.token_urlsafe(24)
    expires = _now() + SESSION_LIFETIME
    _state(call).sessions[token] = UploadSession(drive.id, start.id, parts, conflict, expires)
    return call.ok(
        {
            "@odata.context": call.context("microsoft.graph.uploadSession"),
            "uploadUrl": f"{_origin(call.request)}{UPLOADS_PREFIX}{token}",
            "expirationDateTime": _stamp(expires),
            "nextExpectedRanges": ["0-"],
        }
    )


def _download_url(call: GraphCall, drive: Drive, item: DriveItem) -> str:
    token = secrets.token_urlsafe(24)
    _state(call).downloads[token] = Download(drive.id, item.id, _now() + DOWNLOAD_LIFETIME)
    return f"{_origin(call.request)}{DOWNLOADS_PREFIX}{token}"


ROUTES = [
    Route("GET", "drives/{drive}", get_drive),
    Route("GET", "drives/{drive}/root", get_item),
    Route("GET", "drives/{drive}/items/{item}", get_item),
    Route("DELETE", "drives/{drive}/items/{item}", delete_item),
    Route("GET", "drives/{drive}/items/{item}/content", get_content),
    Route("PUT", "drives/{drive}/items/{item}/content", put_content),
]
_BY_PATH: dict[tuple[str, str], Handler] = {
    ("GET", ""): get_item,
    ("DELETE", ""): delete_item,
    ("GET", "content"): get_content,
    ("PUT", "content"): put_content,
    ("POST", "createuploadsession"): create_upload_session,
}


def match_path(method: str, tail: str) -> tuple[Handler, dict[str, str]] | str | None:
    """Path-based addresses (root:/a/b.pdf:/content), which the segment router cannot match:
    (handler, params), "method" when only the method is wrong, None when it is no such path."""
    found = _PATH_ADDRESS.match(tail.strip("/"))
    if found is None:
        return None
    action = (found.group("action") or "").lower()
    handler = _BY_PATH.get((method.upper(), action))
    if handler is None:
        known = any(key_action == action for _, key_action in _BY_PATH)
        return "method" if known else None
    params = {"drive": found.group("drive"), "path": found.group("path")}
    if found.group("item"):
        params["item"] = found.group("item")
    return handler, params


# --- pre-authenticated transfer URLs (outside /v1.0, no bearer token) --------------------------
def _transfer_error(request: web.Request, error: DirectoryError) -> web.Response:
    return _odata_error(request, error.status, error.code, error.message)


def _refuse_bearer(request: web.Request) -> None:
    if "Authorization" in request.headers:
        raise DirectoryError(
            401,
            "InvalidAuthenticationToken",
            "This URL is pre-authenticated: send it without an Authorization header.",
        )


def _expected_ranges(session: UploadSession) -> list[str]:
    return [f"{len(session.received)}-"]


def _session_status(request: web.Request, session: UploadSession) -> web.Response:
    body = {
        "expirationDateTime": _stamp(session.expires),
        "nextExpectedRanges": _expected_ranges(session),
    }
    return json_response(request, body)


def _fragment(request: web.Request, session: UploadSession, size: int) -> tuple[int, int, int]:
    """(start, end, total) of a fragment, checked against Graph's rules."""
    found = _CONTENT_RANGE.match(request.headers.get("Content-Range", "").strip())
    if found is None:
        raise _bad_request("A fragment needs a Content-Range header: bytes start-end/total.")
    start, end, total = (int(group) for group in found.groups())
    if end < start or end >= total or end - start + 1 != size:
        raise _bad_request("The Content-Range does not match the fragment.")
    if session.total is not None and total != session.total:
        raise _bad_request("The total size changed during the upload session.")
    if size >= FRAGMENT_MAX_BYTES:
        raise DirectoryError(413, "invalidRequest", "A fragment must be smaller than 60 MiB.")
    if end != total - 1 and size % FRAGMENT_MULTIPLE:
        raise _bad_request("A fragment other than the last must be a multiple of 320 KiB.")
    if start < len(session.received):
        raise DirectoryError(
            416, "invalidRange", "The fragment overlaps bytes the session already has."
        )
    if start > len(session.received):
        raise _bad_request(
            f"Fragments go in order: the next one starts at {len(session.received)}."
        )
    return start, end, total


async def _upload(request: web.Request, state: DriveState, token: str) -> web.Response:
    session = state.session(token)
    if request.method == "GET":
        return _session_status(request, session)
    if request.method == "DELETE":
        state.sessions.pop(token, None)
        return empty_response(request)
    if request.method != "PUT":
        raise DirectoryError(405, "invalidRequest", "Upload URLs take PUT, GET and DELETE.")
    data = await request.read()
    _, end, total = _fragment(request, session, len(data))
    session.total = total
    session.received.extend(data)
    session.expires = _now() + SESSION_LIFETIME
    if end != total - 1:
        return json_response(
            request,
            {
                "expirationDateTime": _stamp(session.expires),
                "nextExpectedRanges": _expected_ranges(session),
            },
            202,
        )
    state.sessions.pop(token, None)
    drive = state.drive(session.drive_id)
    folder = drive.folder(drive.item(session.folder_start), session.parts[:-1])
    item, created = drive.write(
        folder, session.parts[-1], bytes(session.received), session.conflict
    )
    return json_response(request, item_view(request, drive, item), 201 if created else 200)


async def serve_upload(request: web.Request) -> web.StreamResponse:
    try:
        _refuse_bearer(request)
        return await _upload(request, request.app[DRIVES], request.match_info["token"])
    except DirectoryError as error:
        return _transfer_error(request, error)


async def serve_download(request: web.Request) -> web.StreamResponse:
    state = request.app[DRIVES]
    try:
        _refuse_bearer(request)
        link = state.downloads.get(request.match_info["token"])
        if link is None or link.expires < _now():
            raise _not_found("download")
        item = state.drive(link.drive_id).item(link.item_id)
    except DirectoryError as error:
        return _transfer_error(request, error)
    mime = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
    return web.Response(body=item.content or b"", content_type=mime)


def install(app: web.Application) -> None:
    """The drive state and the transfer URLs, on the Graph listener's application."""
    app[DRIVES] = DriveState()
    app.router.add_route("*", UPLOADS_PREFIX + "{token}", serve_upload)
    app.router.add_get(DOWNLOADS_PREFIX + "{token}", serve_download)
