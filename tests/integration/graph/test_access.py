"""The AccessDirectory port over real HTTP against the Graph emulator, with a real token: the
facts behind the access-status card for people in every state of the demo tenant, paging,
fallbacks and injected failures on single endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.domain.access.facts import AuthMethod, Device, Licence, Sku
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import (
    AppNotPermitted,
    InvalidInput,
    NotFound,
    Throttled,
    Unavailable,
)
from bot.graph import DeferredGraph, GraphGateway, open_graph
from devtools.graph_emulator import GraphEmulator
from tests.support.graph import JEF_ID, LOTTE_ID, settings_for

# People of devtools/demo_tenant.json, one per state the card tells apart.
AN_ID = "08c483c0-e05f-4da4-9567-595928862476"  # five sign-in methods, FIDO2 included
TINE_ID = "4c8a26ed-d13d-4e46-a12b-ab59a6f77d9f"  # cloud-only, five licences
BRAM_ID = "f21edbe9-4cdd-4a55-905f-e4ac59e923ec"  # no usageLocation
HANNE_ID = "faa0fa5f-cac9-4449-acca-8f8b303e5795"  # account disabled
STIJN_ID = "c7ff32d4-5228-4ffd-85cb-1e4718980c31"  # stale sync, non-compliant device
ILSE_ID = "11701624-8395-458e-81ab-fa9c2794cda1"  # only a password, device in grace period
KOBE_ID = "86817837-4e99-4445-bef0-c9b1f8036403"  # only a password, stale sync
LIEN_ID = "b108a149-c477-4e90-ba68-aa559c1386b2"  # cloud-only, no devices
MAARTEN_ID = "3c3423b2-3021-41c1-9ff4-1aa2de4ef902"  # guest: password only, nothing else
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"

E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"
POWER_BI_PRO = "f8a1db68-be16-40ed-86d5-cb42ce701560"

METHODS_PATH = r"/authentication/methods$"
MANAGED_PATH = r"/managedDevices$"
REGISTERED_PATH = r"/registeredDevices/(microsoft\.)?graph\.device$"
LICENCE_DETAILS_PATH = r"/licenseDetails$"
SKUS_PATH = r"/subscribedSkus$"


class Facts:
    """Everything the card needs about one person, gathered the way the service does."""

    def __init__(self, user: DirectoryUser, results: list[Any]) -> None:
        self.user = user
        self.methods: list[AuthMethod] = results[0]
        self.licences: list[Licence] = results[1]
        self.skus: list[Sku] = results[2]
        self.devices: list[Device] = results[3]

    @property
    def kinds(self) -> list[str]:
        return [method.kind for method in self.methods]

    @property
    def licence_names(self) -> set[str]:
        return {licence.sku_part_number for licence in self.licences}


async def gather_facts(gateway: GraphGateway, user_id: str) -> Facts:
    access = gateway.access
    user, *results = await asyncio.gather(
        gateway.directory.get_user(user_id),
        access.auth_methods(user_id),
        access.licences(user_id),
        access.subscribed_skus(),
        access.devices(user_id),
    )
    return Facts(user, results)


@contextlib.asynccontextmanager
async def _gateway(emulator: GraphEmulator, **overrides: Any) -> AsyncIterator[GraphGateway]:
    """A gateway with one retry and a short Retry-After cap: the fault tests stay quick."""
    settings = settings_for(emulator, graph_max_retries=1, graph_max_retry_after=5, **overrides)
    opened = await open_graph(settings)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def gateway(graph_emulator: GraphEmulator) -> AsyncIterator[GraphGateway]:
    async with _gateway(graph_emulator) as opened:
        yield opened


# --- people in every state -----------------------------------------------------------------


async def test_lotte_everything_in_order(graph_gateway: GraphGateway) -> None:
    facts = await gather_facts(graph_gateway, LOTTE_ID)
    now = dt.datetime.now(dt.UTC)

    assert facts.kinds == ["password", "microsoftAuthenticator", "windowsHelloForBusiness"]
    authenticator = facts.methods[1]
    assert authenticator.display_name == "iPhone 13"
    assert authenticator.created is not None and authenticator.created.tzinfo is not None
    assert now - authenticator.created > dt.timedelta(days=200)
    assert {(lic.sku_id, lic.sku_part_number) for lic in facts.licences} == {
        (E3, "SPE_E3"),
        (POWER_BI_PRO, "POWER_BI_PRO"),
    }
    [laptop] = facts.devices
    assert (laptop.name, laptop.operating_system, laptop.managed) == ("VO-LT-4102", "Windows", True)
    assert laptop.compliance == "compliant"
    assert laptop.last_seen is not None and now - laptop.last_seen < dt.timedelta(days=1)


async def test_subscribed_skus_with_units(graph_gateway: GraphGateway) -> None:
    skus = {sku.sku_part_number: sku for sku in await graph_gateway.access.subscribed_skus()}

    assert set(skus) == {
        "POWER_BI_PRO",
        "PBI_PREMIUM_PER_USER",
        "FLOW_PER_USER",
        "POWERAPPS_PER_USER",
        "SPE_E3",
    }
    assert skus["POWER_BI_PRO"].sku_id == POWER_BI_PRO
    assert skus["POWER_BI_PRO"].enabled_units == 25
    assert skus["SPE_E3"].consumed_units == 24  # everyone but the guest, through the E3 group
    assert skus["POWERAPPS_PER_USER"].consumed_units == 2


async def test_every_kind_of_sign_in_method(graph_gateway: GraphGateway) -> None:
    methods = await graph_gateway.access.auth_methods(AN_ID)

    assert [m.kind for m in methods] == [
        "password",
        "microsoftAuthenticator",
        "phone",
        "fido2",
        "windowsHelloForBusiness",
    ]
    labels = {m.kind: m.display_name for m in methods}
    assert labels["fido2"] == "YubiKey 5 NFC"
    assert labels["phone"] == "mobile"  # the phone type, never the number


@pytest.mark.parametrize("user_id", [ILSE_ID, KOBE_ID, MAARTEN_ID])
async def test_only_a_password(graph_gateway: GraphGateway, user_id: str) -> None:
    methods = await graph_gateway.access.auth_methods(user_id)

    assert [m.kind for m in methods] == ["password"]


async def test_non_compliant_device_and_stale_sync(graph_gateway: GraphGateway) -> None:
    facts = await gather_facts(graph_gateway, STIJN_ID)

    [laptop] = facts.devices
    assert laptop.compliance == "noncompliant"
    assert laptop.last_seen is not None
    assert dt.datetime.now(dt.UTC) - laptop.last_seen > dt.timedelta(days=14)
    assert facts.user.on_premises_last_sync is not None
    assert dt.datetime.now(dt.UTC) - facts.user.on_premises_last_sync > dt.timedelta(days=3)


async def test_device_in_grace_period(graph_gateway: GraphGateway) -> None:
    [laptop] = await graph_gateway.access.devices(ILSE_ID)

    assert laptop.compliance == "inGracePeriod"


async def test_several_devices(graph_gateway: GraphGateway) -> None:
    devices = await graph_gateway.access.devices(JEF_ID)

    assert {(d.name, d.operating_system) for d in devices} == {
        ("VO-LT-4101", "Windows"),
        ("iPhone van Jef", "iOS"),
    }
    assert all(d.managed and d.compliance == "compliant" for d in devices)


async def test_no_devices_at_all(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    facts = await gather_facts(graph_gateway, LIEN_ID)

    assert facts.devices == []
    assert facts.user.on_premises_sync_enabled is None  # cloud-only
    # An empty Intune list is the answer: no fallback to Entra for it.
    assert graph_emulator.request_count(REGISTERED_PATH) == 0


async def test_missing_usage_location_still_has_licences(graph_gateway: GraphGateway) -> None:
    facts = await gather_facts(graph_gateway, BRAM_ID)

    assert facts.user.usage_location is None
    assert facts.licence_names == {"SPE_E3"}


async def test_guest_has_nothing_but_a_password(graph_gateway: GraphGateway) -> None:
    facts = await gather_facts(graph_gateway, MAARTEN_ID)

    assert facts.user.user_type == "Guest"
    assert facts.kinds == ["password"]
    assert facts.licences == []
    assert facts.devices == []


async def test_disabled_account_is_still_described(graph_gateway: GraphGateway) -> None:
    facts = await gather_facts(graph_gateway, HANNE_ID)

    assert facts.user.account_enabled is False
    assert facts.kinds == ["password", "microsoftAuthenticator"]
    assert facts.licence_names == {"SPE_E3"}
    assert [d.compliance for d in facts.devices] == ["compliant"]


async def test_unknown_person_is_not_found(graph_gateway: GraphGateway) -> None:
    access = graph_gateway.access
    for call in (access.auth_methods, access.licences, access.devices):
        with pytest.raises(NotFound):
            await call(UNKNOWN_ID)


# --- paging, freshness, caching ---------------------------------------------------------------


async def test_every_page_is_followed(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    unpaged = await gather_facts(graph_gateway, TINE_ID)
    jef_devices = await graph_gateway.access.devices(JEF_ID)
    an_methods = await graph_gateway.access.auth_methods(AN_ID)
    graph_emulator.page_size = graph_emulator.max_page_size = 1
    graph_emulator.reset_requests()

    assert await graph_gateway.access.licences(TINE_ID) == unpaged.licences
    assert await graph_gateway.access.devices(JEF_ID) == jef_devices
    assert await graph_gateway.access.auth_methods(AN_ID) == an_methods
    assert len(unpaged.licences) == 5
    assert graph_emulator.request_count(LICENCE_DETAILS_PATH) == 5
    assert graph_emulator.request_count(MANAGED_PATH) == 2
    assert graph_emulator.request_count(METHODS_PATH) == 5


async def test_registered_devices_are_paged_too(graph_emulator: GraphEmulator) -> None:
    graph_emulator.page_size = graph_emulator.max_page_size = 1
    graph_emulator.add_fault(MANAGED_PATH, 403, count=None)
    async with _gateway(graph_emulator) as opened:
        devices = await opened.access.devices(JEF_ID)

    assert [d.name for d in devices] == ["VO-LT-4101", "iPhone van Jef"]
    assert graph_emulator.request_count(REGISTERED_PATH) == 2


async def test_person_facts_are_fresh_on_every_call(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    before = await graph_gateway.access.auth_methods(ILSE_ID)
    graph_emulator.tenant.user(ILSE_ID)["authenticationMethods"].append(
        {
            "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
            "id": "0f3c1a52-8d3e-4e0b-9a57-2f1c7d9b6e41",
            "displayName": "Pixel 9",
            "createdDateTime": "2026-11-28T09:00:00Z",
        }
    )
    graph_emulator.tenant.user(ILSE_ID)["managedDevices"][0]["complianceState"] = "compliant"

    after = await graph_gateway.access.auth_methods(ILSE_ID)
    [laptop] = await graph_gateway.access.devices(ILSE_ID)

    assert [m.kind for m in before] == ["password"]
    assert [m.kind for m in after] == ["password", "microsoftAuthenticator"]
    assert laptop.compliance == "compliant"
    assert graph_emulator.request_count(METHODS_PATH) == 2


async def test_subscribed_skus_are_read_once_per_cache_period(
    graph_gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    first, second = await asyncio.gather(
        graph_gateway.access.subscribed_skus(), graph_gateway.access.subscribed_skus()
    )
    third = await graph_gateway.access.subscribed_skus()

    assert first == second == third
    assert graph_emulator.request_count(SKUS_PATH) == 1


async def test_without_a_cache_period_skus_are_read_every_time(
    graph_emulator: GraphEmulator,
) -> None:
    async with _gateway(graph_emulator, directory_cache_seconds=0) as opened:
        await opened.access.subscribed_skus()
        await opened.access.subscribed_skus()

    assert graph_emulator.request_count(SKUS_PATH) == 2


# --- refused endpoints and fallbacks ----------------------------------------------------------


async def test_forbidden_methods_fail_only_that_call(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(METHODS_PATH, 403, count=None)

    results = await asyncio.gather(
        gateway.access.auth_methods(LOTTE_ID),
        gateway.access.licences(LOTTE_ID),
        gateway.access.subscribed_skus(),
        gateway.access.devices(LOTTE_ID),
        return_exceptions=True,
    )

    assert isinstance(results[0], AppNotPermitted)
    assert not any(isinstance(result, BaseException) for result in results[1:])
    assert graph_emulator.request_count(METHODS_PATH) == 1  # a 403 is not retried


async def test_forbidden_intune_falls_back_to_entra_devices(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(MANAGED_PATH, 403, count=None)

    [laptop] = await gateway.access.devices(LOTTE_ID)
    again = await gateway.access.devices(LOTTE_ID)

    assert (laptop.name, laptop.operating_system) == ("VO-LT-4102", "Windows")
    assert laptop.compliance == "compliant"  # from isCompliant
    assert laptop.managed is True  # from isManaged
    assert laptop.last_seen is not None
    assert again == [laptop]
    # The refusal is a tenant-wide fact: the second card does not ask Intune again.
    assert graph_emulator.request_count(MANAGED_PATH) == 1
    assert graph_emulator.request_count(REGISTERED_PATH) == 2


async def test_refusal_is_not_remembered_without_a_cache_period(
    graph_emulator: GraphEmulator,
) -> None:
    graph_emulator.add_fault(MANAGED_PATH, 403, count=1)
    async with _gateway(graph_emulator, directory_cache_seconds=0) as opened:
        fallback = await opened.access.devices(STIJN_ID)
        intune = await opened.access.devices(STIJN_ID)

    assert [d.compliance for d in fallback] == ["noncompliant"]  # isCompliant false
    assert [d.compliance for d in intune] == ["noncompliant"]
    assert graph_emulator.request_count(MANAGED_PATH) == 2


async def test_tenant_without_intune_falls_back_to_entra_devices(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(
        MANAGED_PATH,
        400,
        count=None,
        code="BadRequest",
        message="Request not applicable to target tenant.",
    )

    devices = await gateway.access.devices(JEF_ID)

    assert {d.name for d in devices} == {"VO-LT-4101", "iPhone van Jef"}


async def test_other_intune_errors_are_not_hidden_by_the_fallback(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(MANAGED_PATH, 400, count=None)

    with pytest.raises(InvalidInput):
        await gateway.access.devices(LOTTE_ID)
    assert graph_emulator.request_count(REGISTERED_PATH) == 0


async def test_both_device_lists_refused_is_app_not_permitted(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(MANAGED_PATH, 403, count=None)
    graph_emulator.add_fault(REGISTERED_PATH, 403, count=None)

    with pytest.raises(AppNotPermitted):
        await gateway.access.devices(LOTTE_ID)


async def test_forbidden_licence_details_fall_back_to_assigned_licences(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    expected = await gateway.access.licences(TINE_ID)
    graph_emulator.add_fault(LICENCE_DETAILS_PATH, 403, count=None)

    fallback = await gateway.access.licences(TINE_ID)

    assert sorted(fallback, key=lambda lic: lic.sku_id) == sorted(
        expected, key=lambda lic: lic.sku_id
    )
    assert graph_emulator.request_count(rf"/users/{TINE_ID}$") == 1


async def test_assigned_licences_keep_their_ids_when_skus_are_refused(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(LICENCE_DETAILS_PATH, 403, count=None)
    graph_emulator.add_fault(SKUS_PATH, 403, count=None)

    licences = await gateway.access.licences(LOTTE_ID)

    assert {lic.sku_id for lic in licences} == {E3, POWER_BI_PRO}
    assert {lic.sku_part_number for lic in licences} == {""}


# --- throttling, outages, latency -------------------------------------------------------------


async def test_throttled_call_is_retried_after_retry_after(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(METHODS_PATH, 429, count=1, retry_after=1)

    methods = await gateway.access.auth_methods(LOTTE_ID)

    assert len(methods) == 3
    assert graph_emulator.request_count(METHODS_PATH) == 2


async def test_endless_throttling_is_throttled(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.add_fault(LICENCE_DETAILS_PATH, 429, count=None, retry_after=1)

    with pytest.raises(Throttled) as caught:
        await gateway.access.licences(LOTTE_ID)
    assert caught.value.retry_after == 1
    assert graph_emulator.request_count(LICENCE_DETAILS_PATH) == 2  # first try + one retry


@pytest.mark.parametrize("path", [METHODS_PATH, MANAGED_PATH, SKUS_PATH, LICENCE_DETAILS_PATH])
async def test_outage_is_unavailable_after_the_retries(
    gateway: GraphGateway, graph_emulator: GraphEmulator, path: str
) -> None:
    graph_emulator.add_fault(path, 503, count=None)
    calls = {
        METHODS_PATH: lambda: gateway.access.auth_methods(LOTTE_ID),
        MANAGED_PATH: lambda: gateway.access.devices(LOTTE_ID),
        SKUS_PATH: gateway.access.subscribed_skus,
        LICENCE_DETAILS_PATH: lambda: gateway.access.licences(LOTTE_ID),
    }

    with pytest.raises(Unavailable):
        await calls[path]()
    assert graph_emulator.request_count(path) == 2
    assert graph_emulator.request_count(REGISTERED_PATH) == 0  # an outage is no refusal


async def test_slow_graph_still_gives_every_fact(
    gateway: GraphGateway, graph_emulator: GraphEmulator
) -> None:
    graph_emulator.set_latency(50)

    facts = await gather_facts(gateway, LOTTE_ID)

    assert facts.kinds == ["password", "microsoftAuthenticator", "windowsHelloForBusiness"]
    assert facts.licence_names == {"SPE_E3", "POWER_BI_PRO"}
    assert len(facts.skus) == 5
    assert [d.compliance for d in facts.devices] == ["compliant"]


async def test_the_deferred_graph_forwards_access_calls(graph_emulator: GraphEmulator) -> None:
    graph = DeferredGraph(settings_for(graph_emulator))
    try:
        methods = await graph.access.auth_methods(LOTTE_ID)
        licences = await graph.access.licences(LOTTE_ID)
        skus = await graph.access.subscribed_skus()
        devices = await graph.access.devices(LOTTE_ID)
    finally:
        await graph.close()

    assert len(methods) == 3
    assert {lic.sku_part_number for lic in licences} == {"SPE_E3", "POWER_BI_PRO"}
    assert len(skus) == 5
    assert [d.name for d in devices] == ["VO-LT-4102"]
