"""OData plumbing of the Graph listener: query options, responses, paging and ODataError bodies."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from aiohttp import web

from devtools.graph_emulator import views
from devtools.graph_emulator.licensing import Allocation
from devtools.graph_emulator.odata_filter import UnsupportedQuery, parse_filter, parse_search
from devtools.graph_emulator.tenant import DirectoryError, TenantState

Record = dict[str, Any]

# What Graph sends for JSON payloads; kiota only looks at the media type before the ';'.
JSON_CONTENT_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;"
    "charset=utf-8"
)
MAX_TOP = 999  # Graph rejects a larger $top for directory objects

# Per-request ids echoed in headers and ODataError bodies. aiohttp >= 3.13 wants typed keys for
# request storage; older versions only know plain strings.
_RequestKey = getattr(web, "RequestKey", None)
REQUEST_ID: Any = _RequestKey("request_id", str) if _RequestKey else "request_id"
CLIENT_REQUEST_ID: Any = (
    _RequestKey("client_request_id", str) if _RequestKey else "client_request_id"
)


def _option(request: web.Request, name: str) -> str | None:
    # v1.0 accepts query options with or without the '$' prefix.
    return request.query.get(f"${name}", request.query.get(name))


@dataclass(frozen=True, slots=True)
class QueryOptions:
    select: list[str] | None
    filter: str | None
    search: str | None
    orderby: str | None
    top: int | None
    skiptoken: str | None
    count: bool

    @classmethod
    def from_request(cls, request: web.Request) -> QueryOptions:
        select = _option(request, "select")
        top = _option(request, "top")
        if top is not None and (not top.isdigit() or not 1 <= int(top) <= MAX_TOP):
            raise DirectoryError(
                400,
                "Request_BadRequest",
                f"Invalid page size specified: '{top}'. Must be between 1 and {MAX_TOP} inclusive.",
            )
        search = _option(request, "search")
        if search is not None and request.headers.get("ConsistencyLevel", "").lower() != "eventual":
            raise DirectoryError(
                400,
                "Request_UnsupportedQuery",
                "Request with $search query parameter only works through MSGraph with a special "
                "request header: 'ConsistencyLevel: eventual'",
            )
        return cls(
            select=[s.strip() for s in select.split(",") if s.strip()] if select else None,
            filter=_option(request, "filter"),
            search=search,
            orderby=_option(request, "orderby"),
            top=int(top) if top is not None else None,
            skiptoken=_option(request, "skiptoken"),
            count=(_option(request, "count") or "").lower() == "true",
        )


def json_response(request: web.Request, body: Any, status: int = 200) -> web.Response:
    response = web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json"
    )
    response.headers["Content-Type"] = JSON_CONTENT_TYPE
    _trace_headers(request, response)
    return response


def empty_response(request: web.Request, status: int = 204) -> web.Response:
    response = web.Response(status=status)
    _trace_headers(request, response)
    return response


def _trace_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["request-id"] = request.get(REQUEST_ID, str(uuid.uuid4()))
    response.headers["client-request-id"] = request.get(
        CLIENT_REQUEST_ID, response.headers["request-id"]
    )


def odata_error(
    request: web.Request,
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """The ODataError body Graph returns for every failure."""
    request_id = request.setdefault(REQUEST_ID, str(uuid.uuid4()))
    body = {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": request.get(CLIENT_REQUEST_ID, request_id),
            },
        }
    }
    response = json_response(request, body, status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@dataclass
class GraphCall:
    """One Graph request as the route handlers see it."""

    request: web.Request
    tenant: TenantState
    params: dict[str, str]
    page_size: int
    max_page_size: int

    @cached_property
    def query(self) -> QueryOptions:
        return QueryOptions.from_request(self.request)

    @cached_property
    def allocation(self) -> Allocation:
        """The tenant's licences as they stand for this request, computed once (it reads every
        user: once per user listed would make a page of 999 in a big tenant take minutes)."""
        return self.tenant.allocation()

    @cached_property
    def reads_licences(self) -> bool:
        """Whether this request selects, filters, searches or orders on a licence property
        (assignedLicenses, licenseAssignmentStates): only then are they computed."""
        query = self.query
        said = [",".join(query.select or ()), query.filter, query.search, query.orderby]
        return "license" in " ".join(part for part in said if part).lower()

    def user_view(self, user: Record) -> Record:
        """The user as this request reads them (views.user_view)."""
        if not self.reads_licences:
            return views.user_view(self.tenant, user, licences=False)
        return views.user_view(self.tenant, user, self.allocation)

    def object_view(self, kind: str, record: Record) -> Record:
        """A directory object as this request reads it (views.object_view)."""
        if kind == "user":
            return self.user_view(record)
        return views.object_view(self.tenant, kind, record)

    @property
    def base_url(self) -> str:
        return f"{self.request.scheme}://{self.request.host}/v1.0"

    def context(self, fragment: str) -> str:
        return f"{self.base_url}/$metadata#{fragment}"

    def selected(self, entity_set: str, suffix: str = "") -> str:
        """The context URL naming the $select list, as Graph does: users(displayName,id)."""
        fields = f"({','.join(self.query.select)})" if self.query.select else ""
        return self.context(f"{entity_set}{fields}{suffix}")

    async def json_body(self) -> Any:
        try:
            return await self.request.json()
        except (ValueError, UnicodeDecodeError) as exc:
            raise DirectoryError(400, "BadRequest", "Unable to read JSON request payload.") from exc

    def ok(self, body: Any, status: int = 200) -> web.Response:
        return json_response(self.request, body, status)

    def entity(self, body: Record, context_fragment: str) -> web.Response:
        return self.ok({"@odata.context": self.context(context_fragment), **body})

    def collection(
        self,
        records: Iterable[Record],
        context: str,
        project: Callable[[Record], Record],
        searchable: Callable[[Record], Record] | None = None,
    ) -> web.Response:
        """Filter, search, order, page and project a collection the way Graph does.

        `searchable` gives the view $filter/$search/$orderby look at (defaults to the record).
        """
        view = searchable or (lambda record: record)
        items = list(records)
        query = self.query
        try:
            if query.filter:
                predicate = parse_filter(query.filter)
                items = [item for item in items if predicate(view(item))]
            if query.search:
                matches = parse_search(query.search)
                items = [item for item in items if matches(view(item))]
        except UnsupportedQuery as exc:
            raise DirectoryError(400, "Request_UnsupportedQuery", str(exc)) from exc
        if query.orderby:
            items = _ordered(items, query.orderby, view)
        size = min(query.top or self.page_size, self.max_page_size)
        offset = _decode_skiptoken(query.skiptoken)
        page = items[offset : offset + size]
        body: Record = {"@odata.context": context}
        if query.count:
            body["@odata.count"] = len(items)
        if offset + size < len(items):
            next_url = self.request.url.update_query(
                {"$skiptoken": _encode_skiptoken(offset + size)}
            )
            body["@odata.nextLink"] = str(next_url)
        body["value"] = [project(item) for item in page]
        return self.ok(body)


def check_select(select: list[str] | None, known: frozenset[str], type_name: str) -> None:
    """Graph's 400 for a $select naming a property the type does not have."""
    for name in select or ():
        if name not in known:
            raise DirectoryError(
                400,
                "BadRequest",
                f"Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'.",
            )


def project(
    view: Record,
    select: list[str] | None,
    defaults: Iterable[str] | None,
    odata_type: str | None = None,
) -> Record:
    """Keep the selected (or default) properties; a selected property without a value is null."""
    fields = select or (list(defaults) if defaults is not None else list(view))
    body: Record = {"@odata.type": odata_type} if odata_type else {}
    for name in fields:
        body[name] = view.get(name)
    return body


def _ordered(items: list[Record], orderby: str, view: Callable[[Record], Record]) -> list[Record]:
    prop, _, direction = orderby.strip().partition(" ")

    def key(item: Record) -> tuple[bool, Any]:
        value = view(item).get(prop)
        return (value is None, value.casefold() if isinstance(value, str) else value)

    return sorted(items, key=key, reverse=direction.strip().lower() == "desc")


def _encode_skiptoken(offset: int) -> str:
    return "RFNwdA" + base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _decode_skiptoken(token: str | None) -> int:
    if not token:
        return 0
    try:
        raw = token.removeprefix("RFNwdA")
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        return int(text.removeprefix("offset:"))
    except ValueError as exc:
        raise DirectoryError(400, "Request_BadRequest", "Invalid skip token.") from exc
