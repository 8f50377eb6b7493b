"""Graph GETs built with the SDK's typed request builders, read back as plain JSON.

Why not the typed models: msgraph-sdk 1.65 spends about 4 ms of CPU per deserialized object
(every Entity subclass runs Entity.get_field_deserializers, which executes some 2,000
function-local imports). A person's user, manager, groups and access facts are dozens of
objects, so 20 people asking at once queue for over a second on two cores. Reading the body as
JSON costs next to nothing; the mappers in bot.graph.mapping read both shapes.

The request still goes through the shared client's adapter (token, retry handler, metering), and
failures still go through kiota's error mapping (ODataError -> APIError), so graph_errors maps
them as for any other call.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator
from typing import Any, Protocol

from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.request_adapter import RequestAdapter
from kiota_abstractions.request_information import RequestInformation
from kiota_abstractions.serialization import ParsableFactory
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

logger = logging.getLogger(__name__)

Json = dict[str, Any]

# A nextLink chain longer than this is a server bug, not a real collection.
DEFAULT_MAX_PAGES = 50
# What the generated builders use: any 4xx/5xx body is an ODataError.
ERROR_MAPPING: dict[str, type[ParsableFactory[Any]]] = {"XXX": ODataError}


class GetBuilder(Protocol):
    """What every generated request builder with a GET has."""

    request_adapter: RequestAdapter

    def to_get_request_information(
        self, request_configuration: RequestConfiguration[Any] | None = None
    ) -> RequestInformation: ...


class ListBuilder(GetBuilder, Protocol):
    """A collection's builder: it can be pointed at an @odata.nextLink."""

    def with_url(self, raw_url: str) -> ListBuilder: ...


def configuration(parameters: Any = None, *headers: tuple[str, str]) -> RequestConfiguration[Any]:
    """A request configuration with the builder's query parameters and extra headers."""
    config: RequestConfiguration[Any] = RequestConfiguration(query_parameters=parameters)
    for name, value in headers:
        config.headers.add(name, value)
    return config


async def get_json(builder: GetBuilder, config: RequestConfiguration[Any]) -> Json:
    """GET through the shared client (auth, retry, metering); the body as plain JSON ({} for an
    empty body)."""
    info = builder.to_get_request_information(config)
    # kiota types the result with an unbound TypeVar; for "bytes" it is the response body.
    adapter: Any = builder.request_adapter
    raw: bytes | None = await adapter.send_primitive_async(info, "bytes", ERROR_MAPPING)
    body: Any = json.loads(raw) if raw else {}
    return body if isinstance(body, dict) else {}


async def get_all(
    builder: ListBuilder,
    config: RequestConfiguration[Any],
    operation: str,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> list[Json]:
    """Every item of a collection, following @odata.nextLink (it carries the query options;
    the headers of `config` are sent again). Stops after `max_pages` pages."""
    page = await get_json(builder, config)
    items = _items(page)
    for _ in range(max_pages - 1):
        link = _next_link(page)
        if link is None:
            return items
        next_config: RequestConfiguration[Any] = RequestConfiguration()
        next_config.headers.add_all(config.headers)
        page = await get_json(builder.with_url(link), next_config)
        items.extend(_items(page))
    if _next_link(page) is not None:
        logger.warning("graph %s stopped after %s pages", operation, max_pages)
    return items


async def get_up_to(
    builder: ListBuilder,
    config: RequestConfiguration[Any],
    operation: str,
    *,
    limit: int,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> list[Json]:
    """The first `limit` items of a collection, following @odata.nextLink only while fewer
    have come (as get_all, which reads them all); at most `max_pages` pages."""
    page = await get_json(builder, config)
    items = _items(page)
    for _ in range(max_pages - 1):
        link = _next_link(page)
        if link is None or len(items) >= limit:
            return items[:limit]
        next_config: RequestConfiguration[Any] = RequestConfiguration()
        next_config.headers.add_all(config.headers)
        page = await get_json(builder.with_url(link), next_config)
        items.extend(_items(page))
    if len(items) < limit and _next_link(page) is not None:
        logger.warning("graph %s stopped after %s pages", operation, max_pages)
    return items[:limit]


async def get_pages(
    builder: ListBuilder,
    config: RequestConfiguration[Any],
    operation: str,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> AsyncGenerator[list[Json], None]:
    """The items of a collection one page at a time, following @odata.nextLink (as get_all,
    without holding more than one page): for collections too large to read into one list."""
    page = await get_json(builder, config)
    yield _items(page)
    for _ in range(max_pages - 1):
        link = _next_link(page)
        if link is None:
            return
        next_config: RequestConfiguration[Any] = RequestConfiguration()
        next_config.headers.add_all(config.headers)
        page = await get_json(builder.with_url(link), next_config)
        yield _items(page)
    if _next_link(page) is not None:
        logger.warning("graph %s stopped after %s pages", operation, max_pages)


def _items(page: Json) -> list[Json]:
    return [item for item in page.get("value") or [] if isinstance(item, dict)]


def _next_link(page: Json) -> str | None:
    link = page.get("@odata.nextLink")
    return link if isinstance(link, str) and link else None
