"""Reading Graph collections as plain JSON: paging, resent headers and the page cap."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kiota_abstractions.base_request_configuration import RequestConfiguration

from bot.graph.json_reads import configuration, get_all, get_json


@dataclass
class Sent:
    url: str
    headers: dict[str, set[str]]


@dataclass
class FakeAdapter:
    """Answers each URL with its page; a page links to the next while pages remain."""

    pages: dict[str, Any]
    sent: list[Sent] = field(default_factory=list)

    async def send_primitive_async(self, info: Sent, kind: str, errors: Any) -> bytes | None:
        assert kind == "bytes"
        self.sent.append(info)
        body = self.pages.get(info.url)
        return None if body is None else json.dumps(body).encode()


@dataclass
class FakeBuilder:
    request_adapter: Any
    url: str = "first"

    def to_get_request_information(
        self, request_configuration: RequestConfiguration[Any] | None = None
    ) -> Any:
        headers = request_configuration.headers.get_all() if request_configuration else {}
        return Sent(self.url, {name: set(values) for name, values in headers.items()})

    def with_url(self, raw_url: str) -> FakeBuilder:
        return FakeBuilder(self.request_adapter, raw_url)


def chain(count: int) -> dict[str, Any]:
    """`count` pages of one item each, "first" -> "p1" -> ... ."""
    names = ["first", *(f"p{n}" for n in range(1, count))]
    pages: dict[str, Any] = {}
    for index, name in enumerate(names):
        page: dict[str, Any] = {"value": [{"id": str(index)}, "not an object"]}
        if index + 1 < len(names):
            page["@odata.nextLink"] = names[index + 1]
        pages[name] = page
    return pages


async def test_get_all_follows_next_links_and_resends_headers() -> None:
    adapter = FakeAdapter(chain(3))

    items = await get_all(
        FakeBuilder(adapter), configuration(None, ("ConsistencyLevel", "eventual")), "test"
    )

    assert items == [{"id": "0"}, {"id": "1"}, {"id": "2"}]
    assert [sent.url for sent in adapter.sent] == ["first", "p1", "p2"]
    assert all(sent.headers.get("consistencylevel") == {"eventual"} for sent in adapter.sent)


async def test_get_all_stops_at_the_page_cap_without_a_wasted_request() -> None:
    adapter = FakeAdapter(chain(10))

    items = await get_all(FakeBuilder(adapter), configuration(), "test", max_pages=4)

    assert [item["id"] for item in items] == ["0", "1", "2", "3"]
    assert len(adapter.sent) == 4


async def test_get_json_reads_an_empty_body_as_an_empty_object() -> None:
    assert await get_json(FakeBuilder(FakeAdapter({})), configuration()) == {}
