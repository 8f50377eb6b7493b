"""The emulator's Graph contract over raw HTTP: the shapes other code and tests rely on."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import pytest

from devtools.graph_emulator import GraphEmulator
from tests.support.graph import JEF_ID, LOTTE_ID, SERVICEDESK_GROUP_ID, TEST_PAGE_SIZE

POWER_APPS = "b30411f5-fea1-4a59-9ad9-3db7c7ead579"
POWER_BI_PRO = "f8a1db68-be16-40ed-86d5-cb42ce701560"


class Graph:
    """A bare HTTP client for the emulator's Graph listener, authenticated like the bot."""

    def __init__(self, session: aiohttp.ClientSession, emulator: GraphEmulator) -> None:
        self.session = session
        self.base = emulator.graph_url
        self.root = emulator.graph_url.removesuffix("/v1.0")
        self.headers = {"Authorization": f"Bearer {emulator.issue_token()}"}

    async def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, Mapping[str, str]]:
        url = path if path.startswith("http") else f"{self.base}/{path}"
        async with self.session.request(
            method, url, json=body, headers={**self.headers, **(headers or {})}
        ) as reply:
            text = await reply.text()
            payload = json.loads(text) if text.startswith(("{", "[")) else text
            return reply.status, payload, reply.headers

    async def get(self, path: str, **headers: str) -> tuple[int, Any]:
        status, body, _ = await self.call("GET", path, headers=headers)
        return status, body


@pytest.fixture
async def graph(graph_emulator: GraphEmulator) -> AsyncIterator[Graph]:
    async with aiohttp.ClientSession() as session:
        yield Graph(session, graph_emulator)


async def test_user_default_projection_and_select(graph: Graph) -> None:
    status, default = await graph.get(f"users/{LOTTE_ID}")
    _, selected = await graph.get(f"users/{LOTTE_ID}?$select=id,usageLocation,accountEnabled")

    assert status == 200
    assert default["@odata.context"].endswith("/$metadata#users/$entity")
    assert default["displayName"] == "Lotte Janssens"
    assert "usageLocation" not in default and "accountEnabled" not in default
    assert selected["@odata.context"].endswith("#users(id,usageLocation,accountEnabled)/$entity")
    assert {k: v for k, v in selected.items() if not k.startswith("@")} == {
        "id": LOTTE_ID,
        "usageLocation": "BE",
        "accountEnabled": True,
    }


async def test_errors_are_odata_errors(graph: Graph) -> None:
    status, missing = await graph.get("users/nobody@demo.werkplek.be")
    bad_status, bad_select = await graph.get(f"users/{LOTTE_ID}?$select=shoeSize")
    top_status, _ = await graph.get("users?$top=1000")

    assert status == 404
    assert missing["error"]["code"] == "Request_ResourceNotFound"
    assert set(missing["error"]["innerError"]) == {"date", "request-id", "client-request-id"}
    assert (bad_status, bad_select["error"]["code"]) == (400, "BadRequest")
    assert top_status == 400


async def test_memberships_page_with_next_links(graph: Graph) -> None:
    url = f"users/{LOTTE_ID}/transitiveMemberOf"
    seen: list[dict[str, Any]] = []
    while url:
        status, page = await graph.get(url)
        assert status == 200
        assert len(page["value"]) <= TEST_PAGE_SIZE
        seen += page["value"]
        url = page.get("@odata.nextLink", "")

    assert len(seen) > TEST_PAGE_SIZE
    assert len({item["id"] for item in seen}) == len(seen)
    assert {item["@odata.type"] for item in seen} == {"#microsoft.graph.group"}
    assert SERVICEDESK_GROUP_ID in {item["id"] for item in seen}


async def test_memberships_include_roles_unless_cast(graph: Graph) -> None:
    _, everything = await graph.get(f"users/{JEF_ID}/memberOf?$top=5")
    _, cast = await graph.get(f"users/{JEF_ID}/memberOf/microsoft.graph.group?$select=id")

    types = {item["@odata.type"] for item in everything["value"]}
    assert "#microsoft.graph.directoryRole" in types
    assert cast["@odata.context"].endswith("#groups(id)")
    assert all(set(item) == {"id"} for item in cast["value"])


async def test_find_people_with_filter_and_search(graph: Graph) -> None:
    query = "startswith(displayName,'jef') or startswith(userPrincipalName,'jef')"
    _, filtered = await graph.get(f"users?$filter={query}&$select=displayName")
    refused, _ = await graph.get('users?$search="displayName:janssens"')
    _, searched = await graph.get(
        'users?$search="displayName:janssens"&$count=true', ConsistencyLevel="eventual"
    )

    assert [u["displayName"] for u in filtered["value"]] == ["Jef Peeters"]
    assert refused == 400  # $search needs ConsistencyLevel: eventual, as in Graph
    assert searched["@odata.count"] == 1
    assert searched["value"][0]["id"] == LOTTE_ID


async def test_adding_a_member_twice_is_refused(graph: Graph) -> None:
    reference = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{JEF_ID}"}
    path = "groups/4a6c8e0b-3d5f-47a9-92b4-d6f8a0c2e4b1/members/$ref"

    first, _, _ = await graph.call("POST", path, reference)
    second, duplicate, _ = await graph.call("POST", path, reference)
    _, members = await graph.get("groups/4a6c8e0b-3d5f-47a9-92b4-d6f8a0c2e4b1/members?$top=50")

    assert first == 204
    assert second == 400
    assert "already exist" in duplicate["error"]["message"]
    assert JEF_ID in {member["id"] for member in members["value"]}


async def test_licence_assignment_and_consumed_units(graph: Graph) -> None:
    def units(skus: dict[str, Any]) -> int:
        return next(s["consumedUnits"] for s in skus["value"] if s["skuId"] == POWER_APPS)

    _, before = await graph.get("subscribedSkus")
    body = {"addLicenses": [{"skuId": POWER_APPS, "disabledPlans": []}], "removeLicenses": []}
    ok, user, _ = await graph.call("POST", f"users/{LOTTE_ID}/assignLicense", body)
    _, after = await graph.get("subscribedSkus")
    full, exhausted, _ = await graph.call("POST", f"users/{JEF_ID}/assignLicense", body)
    no_location, refused, _ = await graph.call(
        "POST", "users/bram.willems@demo.werkplek.be/assignLicense", body
    )
    _, details = await graph.get(f"users/{LOTTE_ID}/licenseDetails")

    assert ok == 200 and user["id"] == LOTTE_ID
    assert units(after) == units(before) + 1
    assert full == 400 and "does not have any available licenses" in exhausted["error"]["message"]
    assert no_location == 400 and "usage location" in refused["error"]["message"]
    assert {POWER_APPS, POWER_BI_PRO} <= {d["skuId"] for d in details["value"]}


async def test_security_endpoints(graph: Graph) -> None:
    _, methods = await graph.get(f"users/{LOTTE_ID}/authentication/methods")
    _, devices = await graph.get(f"users/{LOTTE_ID}/managedDevices")
    _, by_filter = await graph.get(
        f"deviceManagement/managedDevices?$filter=userId eq '{LOTTE_ID}'&$select=deviceName"
    )
    _, registered = await graph.get(f"users/{LOTTE_ID}/registeredDevices")

    assert "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod" in {
        m["@odata.type"] for m in methods["value"]
    }
    assert devices["value"][0]["complianceState"] == "compliant"
    assert [d["deviceName"] for d in by_filter["value"]] == [
        d["deviceName"] for d in devices["value"]
    ]
    assert registered["value"][0]["@odata.type"] == "#microsoft.graph.device"


async def test_control_endpoints(graph: Graph) -> None:
    root = f"{graph.root}/_emulator"
    rule = {"path": "/subscribedSkus", "status": 429, "count": 1, "retry_after": 7}

    created, fault, _ = await graph.call("POST", f"{root}/faults", rule)
    throttled, body, headers = await graph.call("GET", f"{graph.base}/subscribedSkus")
    passed, _ = await graph.get("subscribedSkus")
    _, log, _ = await graph.call("GET", f"{root}/requests?path=/subscribedSkus")
    latency, set_to, _ = await graph.call("POST", f"{root}/latency", {"ms": 5})
    reset, _, _ = await graph.call("POST", f"{root}/reset")
    _, after_reset, _ = await graph.call("GET", f"{root}/requests")

    assert created == 201 and fault["remaining"] == 1
    assert throttled == 429 and headers["Retry-After"] == "7"
    assert body["error"]["code"] == "TooManyRequests"
    assert passed == 200
    assert log["matching"] == 2
    assert (latency, set_to["ms"]) == (200, 5.0)
    assert reset == 204 and after_reset["total"] == 0
