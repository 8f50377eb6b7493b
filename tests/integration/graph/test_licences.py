"""The LicenceManager port over real HTTP against the Graph emulator, with a real token: seats,
group memberships, direct assignments, group-based licensing running out of seats and
recovering, and writes under injected throttling and outages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.domain.licences.grants import GrantRefused, LicenceState, NoFreeSeats, UsageLocationMissing
from bot.domain.platform.errors import NotFound, Throttled, Unavailable
from bot.graph import DeferredGraph, GraphGateway, open_graph
from bot.graph.licences import GraphLicences
from bot.ports.licences import LicenceManager
from devtools.graph_emulator import GraphEmulator
from tests.support.graph import (
    JEF_ID,
    LOTTE_ID,
    SERVICEDESK_GROUP_ID,
    TEST_PAGE_SIZE,
    settings_for,
)

# devtools/demo_tenant.json
PPU = "c1d032e0-5619-4761-9b5c-75b6831e1711"  # 5 seats, all in use
POWER_APPS = "b30411f5-fea1-4a59-9ad9-3db7c7ead579"  # 3 seats, 2 in use (direct assignments)
POWER_AUTOMATE = "4a51bf65-409c-4a91-b845-1121b571cc9d"  # 10 seats, 3 in use
E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"
POWER_BI_PRO = "f8a1db68-be16-40ed-86d5-cb42ce701560"
PPU_GROUP = "b8c35992-de75-4bbb-b376-43f16c34d535"
PRO_GROUP = "45051185-e7a1-43b1-a23e-15b0763768d2"
E3_GROUP = "2ed640c6-e6b9-4940-8931-5a5a6ca694da"
ALL_STAFF_GROUP = "1c249bcb-187a-43b0-9047-d1640293e648"  # entity groups, not people
CONTRIBUTORS_GROUP = "89def168-a197-44b7-a004-6a0cc2b792dc"  # PBI-WS-...-Bijdragers
ADV_ADMINS_GROUP = "a4b9ba24-f076-44df-99b4-1c511b008d71"  # ADV-ICT-Beheer
AN_ID = "08c483c0-e05f-4da4-9567-595928862476"
THOMAS_ID = "8e31cd68-aab2-4cbf-b980-00e773e52b18"  # Power Apps, directly
NORA_ID = "9bc27e58-cefb-4a47-9a5a-7e8919747217"
TINE_ID = "4c8a26ed-d13d-4e46-a12b-ab59a6f77d9f"  # PPU through the group, the first to get it
DRIES_ID = "16d9e97b-282a-4941-8e55-0156fb84f33e"  # PPU directly
BRAM_ID = "f21edbe9-4cdd-4a55-905f-e4ac59e923ec"  # no usageLocation
YUSUF_ID = "88194ccf-609f-446e-a344-86ec715948af"  # no usageLocation
MAARTEN_ID = "3c3423b2-3021-41c1-9ff4-1aa2de4ef902"  # the guest
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"

ADD_MEMBER_PATH = r"/groups/[^/]+/members/\$ref$"
ASSIGN_PATH = r"/users/[^/]+/assignLicense$"


class Calls:
    """What the gateway reported through on_call: (target, status) per HTTP attempt."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int]] = []

    def __call__(self, target: str, status: int, seconds: float) -> None:
        self.seen.append((target, status))

    def graph(self) -> list[int]:
        return [status for target, status in self.seen if target == "graph"]


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
async def gateway(graph_emulator: GraphEmulator, calls: Calls) -> AsyncIterator[GraphGateway]:
    """Two retries and a short Retry-After cap, metered: the fault tests stay quick."""
    settings = settings_for(graph_emulator, graph_max_retries=2, graph_max_retry_after=5)
    opened = await open_graph(settings, on_call=calls)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def licences(gateway: GraphGateway) -> GraphLicences:
    manager: GraphLicences = gateway.licences
    return manager


def states_for(states: list[LicenceState], sku_id: str) -> list[LicenceState]:
    return [state for state in states if state.sku_id == sku_id]


# --- seats -----------------------------------------------------------------------------------


async def test_seats_are_read_fresh(licences: GraphLicences, graph_emulator: GraphEmulator) -> None:
    ppu = await licences.subscribed_sku(PPU.upper())  # ids compare without regard to case
    graph_emulator.set_seats(PPU, 8)
    raised = await licences.subscribed_sku(PPU)

    assert ppu is not None and raised is not None
    assert (ppu.sku_part_number, ppu.enabled_units, ppu.consumed_units) == (
        "PBI_PREMIUM_PER_USER",
        5,
        5,
    )
    assert (raised.enabled_units, raised.consumed_units) == (8, 5)
    assert graph_emulator.request_count("/subscribedSkus$") == 2  # never cached
    assert await licences.subscribed_sku(UNKNOWN_ID) is None


# --- group membership ------------------------------------------------------------------------


async def test_add_member_then_is_member(
    licences: GraphLicences, graph_emulator: GraphEmulator
) -> None:
    before = await licences.is_member(CONTRIBUTORS_GROUP, LOTTE_ID)
    added = await licences.add_member(CONTRIBUTORS_GROUP, LOTTE_ID)
    after = await licences.is_member(CONTRIBUTORS_GROUP, LOTTE_ID)
    again = await licences.add_member(CONTRIBUTORS_GROUP, LOTTE_ID)

    assert (before, added, after) == (False, True, True)
    assert again is False  # a member already: success, nothing changed
    group = graph_emulator.tenant.group(CONTRIBUTORS_GROUP)
    assert [m for m in group["members"] if m == LOTTE_ID] == [LOTTE_ID]
    assert graph_emulator.request_count(ADD_MEMBER_PATH, method="POST") == 2


async def test_is_member_means_direct_membership(licences: GraphLicences) -> None:
    # Lotte reaches Werkplek-ServiceDesk only through two nested groups: not a direct member.
    assert await licences.is_member(SERVICEDESK_GROUP_ID, LOTTE_ID) is False
    assert await licences.is_member(SERVICEDESK_GROUP_ID, JEF_ID) is True
    assert await licences.is_member(ADV_ADMINS_GROUP, AN_ID) is True
    # Graph's 404 does not say which is missing: an unknown group or user is "not a member".
    assert await licences.is_member(UNKNOWN_ID, LOTTE_ID) is False
    assert await licences.is_member(CONTRIBUTORS_GROUP, UNKNOWN_ID) is False


async def test_remove_member(licences: GraphLicences) -> None:
    removed = await licences.remove_member(PPU_GROUP, TINE_ID)
    still = await licences.is_member(PPU_GROUP, TINE_ID)
    again = await licences.remove_member(PPU_GROUP, TINE_ID)

    assert (removed, still, again) == (True, False, False)


async def test_adding_to_an_unknown_group_or_user_is_refused(licences: GraphLicences) -> None:
    with pytest.raises(NotFound):
        await licences.add_member(UNKNOWN_ID, LOTTE_ID)
    with pytest.raises(NotFound):
        await licences.add_member(CONTRIBUTORS_GROUP, UNKNOWN_ID)


async def test_group_member_ids_are_transitive_users_across_pages(
    licences: GraphLicences, graph_emulator: GraphEmulator
) -> None:
    everyone = await licences.group_member_ids(ALL_STAFF_GROUP)
    servicedesk = await licences.group_member_ids(SERVICEDESK_GROUP_ID)
    admins = await licences.group_member_ids(ADV_ADMINS_GROUP)

    # Five entity groups, 24 people, no groups; the guest belongs to no entity.
    assert len(everyone) == len(set(everyone)) == 24
    assert LOTTE_ID in everyone and MAARTEN_ID not in everyone
    pages = graph_emulator.request_count(
        rf"/groups/{ALL_STAFF_GROUP}/transitiveMembers/(microsoft\.)?graph\.user$"
    )
    assert pages == -(-24 // TEST_PAGE_SIZE)
    assert set(servicedesk) == {JEF_ID, LOTTE_ID, NORA_ID}  # through two nested groups
    assert set(admins) == {AN_ID, THOMAS_ID}


# --- direct assignment -----------------------------------------------------------------------


async def test_assign_licence_uses_a_seat(
    licences: GraphLicences, graph_emulator: GraphEmulator
) -> None:
    await licences.assign_licence(LOTTE_ID, POWER_APPS)

    states = states_for(await licences.licence_states(LOTTE_ID), POWER_APPS)
    assert states == [LicenceState(POWER_APPS, None, "Active", "None")]
    assert graph_emulator.seats(POWER_APPS) == (3, 3)


async def test_assign_licence_without_usage_location(
    licences: GraphLicences, graph_emulator: GraphEmulator
) -> None:
    assert await licences.usage_location(BRAM_ID) is None
    assert await licences.usage_location(YUSUF_ID) is None
    assert await licences.usage_location(LOTTE_ID) == "BE"

    with pytest.raises(UsageLocationMissing):
        await licences.assign_licence(BRAM_ID, POWER_AUTOMATE)

    graph_emulator.set_usage_location(BRAM_ID, "BE")
    assert await licences.usage_location(BRAM_ID) == "BE"
    await licences.assign_licence(BRAM_ID, POWER_AUTOMATE)
    assert states_for(await licences.licence_states(BRAM_ID), POWER_AUTOMATE)[0].ok


async def test_assign_licence_without_free_seats(
    licences: GraphLicences, graph_emulator: GraphEmulator
) -> None:
    with pytest.raises(NoFreeSeats):
        await licences.assign_licence(LOTTE_ID, PPU)
    assert graph_emulator.seats(PPU) == (5, 5)

    graph_emulator.set_seats(PPU, 6)
    await licences.assign_licence(LOTTE_ID, PPU)
    assert graph_emulator.seats(PPU) == (6, 6)


async def test_assign_licence_refusals(licences: GraphLicences) -> None:
    with pytest.raises(GrantRefused):  # not a subscription of the tenant
        await licences.assign_licence(LOTTE_ID, UNKNOWN_ID)
    with pytest.raises(GrantRefused):  # nobody to assign it to
        await licences.assign_licence(UNKNOWN_ID, POWER_APPS)
    with pytest.raises(GrantRefused):  # not even a GUID: never sent
        await licences.assign_licence(LOTTE_ID, "power-apps")


async def test_remove_licence(licences: GraphLicences, graph_emulator: GraphEmulator) -> None:
    removed = await licences.remove_licence(THOMAS_ID, POWER_APPS)
    again = await licences.remove_licence(THOMAS_ID, POWER_APPS)
    through_group = await licences.remove_licence(LOTTE_ID, E3)  # only group-based: not direct
    nobody = await licences.remove_licence(UNKNOWN_ID, POWER_APPS)

    assert (removed, again, through_group, nobody) == (True, False, False, False)
    assert graph_emulator.seats(POWER_APPS) == (3, 1)
    assert states_for(await licences.licence_states(LOTTE_ID), E3)[0].ok


# --- group-based licensing -------------------------------------------------------------------


async def test_licence_states_map_direct_and_group_assignments(licences: GraphLicences) -> None:
    tine = await licences.licence_states(TINE_ID)
    dries = await licences.licence_states(DRIES_ID)

    assert {(s.sku_id, s.assigned_by_group) for s in tine} == {
        (E3, E3_GROUP),
        (POWER_BI_PRO, PRO_GROUP),
        (PPU, PPU_GROUP),
        (POWER_AUTOMATE, None),
        (POWER_APPS, None),
    }
    assert all(s.ok and (s.state, s.error) == ("Active", "None") for s in tine)
    assert states_for(dries, PPU) == [LicenceState(PPU, None, "Active", "None")]


async def test_group_licensing_waits_for_a_seat(
    licences: GraphLicences, graph_emulator: GraphEmulator
) -> None:
    assert await licences.add_member(PPU_GROUP, LOTTE_ID) is True
    waiting = states_for(await licences.licence_states(LOTTE_ID), PPU)
    full = await licences.subscribed_sku(PPU)

    assert waiting == [LicenceState(PPU, PPU_GROUP, "Error", "CountViolation")]
    assert not waiting[0].ok
    assert full is not None and (full.enabled_units, full.consumed_units) == (5, 5)
    assert await licences.is_member(PPU_GROUP, LOTTE_ID) is True  # in the group, no licence

    graph_emulator.set_seats(PPU, 6)  # Entra processes the group again
    served = states_for(await licences.licence_states(LOTTE_ID), PPU)
    after = await licences.subscribed_sku(PPU)

    assert served == [LicenceState(PPU, PPU_GROUP, "Active", "None")]
    assert after is not None and (after.enabled_units, after.consumed_units) == (6, 6)


async def test_a_seat_given_back_goes_to_who_waits(licences: GraphLicences) -> None:
    await licences.add_member(PPU_GROUP, LOTTE_ID)
    await licences.add_member(PPU_GROUP, JEF_ID)
    await licences.remove_member(PPU_GROUP, TINE_ID)  # Tine's seat comes free

    lotte = states_for(await licences.licence_states(LOTTE_ID), PPU)
    jef = states_for(await licences.licence_states(JEF_ID), PPU)
    tine = states_for(await licences.licence_states(TINE_ID), PPU)

    assert [(s.state, s.error) for s in lotte] == [("Active", "None")]  # first in the queue
    assert [(s.state, s.error) for s in jef] == [("Error", "CountViolation")]
    assert tine == []


async def test_seats_are_freed_over_the_control_api(
    licences: GraphLicences, graph_emulator: GraphEmulator
) -> None:
    """What a bench or an out-of-process test does: change seats and locations over HTTP."""
    root = graph_emulator.graph_url.removesuffix("/v1.0") + "/_emulator"
    await licences.add_member(PPU_GROUP, LOTTE_ID)

    async with aiohttp.ClientSession() as session:

        async def post(path: str, body: dict[str, Any]) -> tuple[int, Any]:
            async with session.post(f"{root}/{path}", json=body) as reply:
                return reply.status, await reply.json()

        seats = await post(f"skus/{PPU}/seats", {"enabled": 6})
        location = await post(f"users/{YUSUF_ID}/usage-location", {"usageLocation": "be"})
        cleared = await post(f"users/{LOTTE_ID}/usage-location", {"usageLocation": None})
        unknown = await post(f"skus/{UNKNOWN_ID}/seats", {"enabled": 1})
        invalid = await post(f"skus/{PPU}/seats", {"enabled": "many"})
        async with session.get(f"{root}/skus") as reply:
            summary = {sku["skuPartNumber"]: sku for sku in await reply.json()}

    assert seats == (
        200,
        {"skuId": PPU, "skuPartNumber": "PBI_PREMIUM_PER_USER", "enabled": 6, "consumed": 6},
    )
    assert location == (200, {"id": YUSUF_ID, "usageLocation": "BE"})
    assert cleared == (200, {"id": LOTTE_ID, "usageLocation": None})
    assert unknown[0] == 404 and invalid[0] == 400
    assert (summary["PBI_PREMIUM_PER_USER"]["enabled"], summary["SPE_E3"]["consumed"]) == (6, 24)
    assert states_for(await licences.licence_states(LOTTE_ID), PPU)[0].ok
    assert await licences.usage_location(YUSUF_ID) == "BE"
    assert await licences.usage_location(LOTTE_ID) is None


# --- writes under throttling and outages ------------------------------------------------------


async def test_throttled_add_member_is_retried(
    licences: GraphLicences, graph_emulator: GraphEmulator, calls: Calls
) -> None:
    graph_emulator.add_fault(ADD_MEMBER_PATH, 429, count=2, retry_after=0, method="POST")

    added = await licences.add_member(CONTRIBUTORS_GROUP, LOTTE_ID)

    assert added is True
    assert await licences.is_member(CONTRIBUTORS_GROUP, LOTTE_ID)
    assert graph_emulator.request_count(ADD_MEMBER_PATH, method="POST") == 3
    assert calls.graph()[:3] == [429, 429, 204]  # every attempt metered


async def test_endless_throttling_of_a_write_is_throttled(
    licences: GraphLicences, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(ADD_MEMBER_PATH, 429, count=None, retry_after=0, method="POST")
    graph_emulator.add_fault(ASSIGN_PATH, 429, count=None, retry_after=0, method="POST")

    with pytest.raises(Throttled) as caught:
        await licences.add_member(CONTRIBUTORS_GROUP, LOTTE_ID)
    with pytest.raises(Throttled):
        await licences.assign_licence(LOTTE_ID, POWER_APPS)

    assert caught.value.retry_after == 0  # Graph's Retry-After, for the worker's next attempt
    assert graph_emulator.request_count(ADD_MEMBER_PATH) == 1 + 2  # first try + max retries
    assert graph_emulator.request_count(ASSIGN_PATH) == 1 + 2
    assert graph_emulator.tenant.user(LOTTE_ID)["assignedLicenses"] == []


async def test_assign_licence_survives_a_short_outage(
    licences: GraphLicences, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(ASSIGN_PATH, 503, count=1, method="POST")  # no Retry-After
    graph_emulator.add_fault(ASSIGN_PATH, 429, count=1, retry_after=0, method="POST")

    await licences.assign_licence(LOTTE_ID, POWER_APPS)

    assert graph_emulator.request_count(ASSIGN_PATH) == 3
    assert graph_emulator.seats(POWER_APPS) == (3, 3)


async def test_persistent_outage_is_unavailable(
    licences: GraphLicences, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(ASSIGN_PATH, 503, count=None, retry_after=0)
    graph_emulator.add_fault(r"/members/[^/]+/\$ref$", 500, count=None, method="DELETE")
    graph_emulator.add_fault("/subscribedSkus$", 504, count=None, retry_after=0)

    with pytest.raises(Unavailable):
        await licences.assign_licence(LOTTE_ID, POWER_APPS)
    with pytest.raises(Unavailable):
        await licences.remove_member(PPU_GROUP, TINE_ID)
    with pytest.raises(Unavailable):
        await licences.subscribed_sku(PPU)

    assert graph_emulator.request_count(ASSIGN_PATH) == 1 + 2
    assert graph_emulator.request_count(r"/members/[^/]+/\$ref$", method="DELETE") == 1  # 500
    assert graph_emulator.seats(POWER_APPS) == (3, 2)


# --- wiring -----------------------------------------------------------------------------------


async def test_deferred_graph_forwards_the_licence_port(graph_emulator: GraphEmulator) -> None:
    graph = DeferredGraph(settings_for(graph_emulator))
    port: LicenceManager = graph.licences
    try:
        assert await port.add_member(CONTRIBUTORS_GROUP, LOTTE_ID) is True
        assert await port.is_member(CONTRIBUTORS_GROUP, LOTTE_ID) is True
        assert await port.remove_member(CONTRIBUTORS_GROUP, LOTTE_ID) is True
        assert await port.usage_location(BRAM_ID) is None
        await port.assign_licence(LOTTE_ID, POWER_APPS)
        assert states_for(await port.licence_states(LOTTE_ID), POWER_APPS)[0].ok
        assert await port.remove_licence(LOTTE_ID, POWER_APPS) is True
        sku = await port.subscribed_sku(POWER_APPS)
        assert sku is not None and sku.consumed_units == 2
        assert set(await port.group_member_ids(ADV_ADMINS_GROUP)) == {AN_ID, THOMAS_ID}
    finally:
        await graph.close()
