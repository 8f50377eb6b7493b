"""The AccessDirectory port on Microsoft Graph: sign-in methods, licences and devices of a person.

Per-person facts are never cached: the card's refresh button must show the state of now. Only
tenant-wide facts are kept for a while: the subscribed SKUs, and the knowledge that the tenant
does not let us call an endpoint (so every card does not pay a refused round trip before its
fallback). Every call goes through the shared Graph client, so it gets the retry handler and is
metered like any other.

Requests are built with the SDK's typed request builders but responses are read as plain JSON
(bot.graph.json_reads says why); the mappers take both.
"""

from __future__ import annotations

import asyncio
import logging
import time

from kiota_abstractions.api_error import APIError
from msgraph.generated.subscribed_skus.subscribed_skus_request_builder import (
    SubscribedSkusRequestBuilder,
)
from msgraph.generated.users.item.license_details.license_details_request_builder import (
    LicenseDetailsRequestBuilder,
)
from msgraph.generated.users.item.managed_devices.managed_devices_request_builder import (
    ManagedDevicesRequestBuilder,
)
from msgraph.generated.users.item.registered_devices.graph_device.graph_device_request_builder import (  # noqa: E501
    GraphDeviceRequestBuilder,
)
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.graph_service_client import GraphServiceClient

from bot.domain.access.facts import AuthMethod, Device, Licence, Sku
from bot.domain.platform.errors import AppNotPermitted, DomainError, InvalidInput, NotFound
from bot.graph.cache import Clock, TtlCache
from bot.graph.errors import graph_errors
from bot.graph.json_reads import configuration, get_all, get_json
from bot.graph.mapping import (
    LICENCE_FIELDS,
    MANAGED_DEVICE_FIELDS,
    REGISTERED_DEVICE_FIELDS,
    SKU_FIELDS,
    to_auth_method,
    to_licence,
    to_managed_device,
    to_registered_device,
    to_sku,
)

logger = logging.getLogger(__name__)

# Graph's largest page for these collections: one round trip in practice.
MAX_PAGE_SIZE = 999
_SKUS = "subscribedSkus"
_LICENCE_DETAILS = "licenseDetails"
_MANAGED_DEVICES = "managedDevices"
# What Intune answers (400) in a tenant without an Intune licence.
_INTUNE_NOT_IN_TENANT = "not applicable to target tenant"
# A cast on a directory-object collection is an advanced query: Graph wants this header.
_ADVANCED_QUERY = ("ConsistencyLevel", "eventual")


class _Refusals:
    """Endpoints this tenant refused (no permission, no licence), remembered for a while."""

    def __init__(self, seconds: float, clock: Clock) -> None:
        self._seconds = seconds
        self._clock = clock
        self._until: dict[str, float] = {}

    def refused(self, endpoint: str) -> bool:
        return self._until.get(endpoint, 0.0) > self._clock()

    def remember(self, endpoint: str) -> None:
        if self._seconds > 0:
            self._until[endpoint] = self._clock() + self._seconds


def _intune_not_in_tenant(error: InvalidInput) -> bool:
    cause = error.__cause__
    if not isinstance(cause, APIError):
        return False
    message = str(getattr(getattr(cause, "error", None), "message", "") or cause.message or "")
    return _INTUNE_NOT_IN_TENANT in message.lower()


class GraphAccess:
    """Implements bot.ports.access.AccessDirectory.

    `tenant_cache_seconds` bounds how long the subscribed SKUs and a refused endpoint are
    remembered; 0 remembers nothing (every call goes to Graph).
    """

    def __init__(
        self,
        client: GraphServiceClient,
        *,
        tenant_cache_seconds: float,
        clock: Clock = time.monotonic,
    ) -> None:
        self._client = client
        self._skus: TtlCache[str, list[Sku]] = TtlCache(tenant_cache_seconds, clock)
        self._refusals = _Refusals(tenant_cache_seconds, clock)

    async def auth_methods(self, user_id: str) -> list[AuthMethod]:
        # This API takes no query options at all ($select, $top...): ask for the plain list.
        builder = self._client.users.by_user_id(user_id).authentication.methods
        with graph_errors("auth_methods"):
            methods = await get_all(builder, configuration(), "auth_methods")
        return [to_auth_method(method) for method in methods]

    async def licences(self, user_id: str) -> list[Licence]:
        """licenseDetails (direct and group-based licences); when the tenant refuses it, the
        user's assignedLicenses named through subscribedSkus (needs only User.Read.All)."""
        if not self._refusals.refused(_LICENCE_DETAILS):
            try:
                return await self._licence_details(user_id)
            except AppNotPermitted:
                self._refusals.remember(_LICENCE_DETAILS)
                logger.info("licenseDetails refused: reading assignedLicenses instead")
        return await self._assigned_licences(user_id)

    async def subscribed_skus(self) -> list[Sku]:
        skus = await self._skus.get_or_load(_SKUS, self._fetch_skus)
        return list(skus)  # callers may mutate their copy; the cached list stays intact

    async def devices(self, user_id: str) -> list[Device]:
        """Intune managedDevices; Entra registeredDevices when Intune refuses (no permission, or
        no Intune in the tenant). Any other failure is raised as its domain error."""
        if not self._refusals.refused(_MANAGED_DEVICES):
            try:
                return await self._managed_devices(user_id)
            except AppNotPermitted:
                pass
            except InvalidInput as error:
                if not _intune_not_in_tenant(error):
                    raise
            self._refusals.remember(_MANAGED_DEVICES)
            logger.info("managedDevices refused: reading registeredDevices instead")
        return await self._registered_devices(user_id)

    async def _licence_details(self, user_id: str) -> list[Licence]:
        builder = self._client.users.by_user_id(user_id).license_details
        parameters = LicenseDetailsRequestBuilder.LicenseDetailsRequestBuilderGetQueryParameters(
            select=list(LICENCE_FIELDS)
        )
        with graph_errors("licence_details"):
            details = await get_all(builder, configuration(parameters), "licence_details")
        return [to_licence(detail) for detail in details]

    async def _assigned_licences(self, user_id: str) -> list[Licence]:
        builder = self._client.users.by_user_id(user_id)
        parameters = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
            select=["id", "assignedLicenses"]
        )
        with graph_errors("assigned_licences"):
            user, names = await asyncio.gather(
                get_json(builder, configuration(parameters)), self._sku_names()
            )
        if not user:
            raise NotFound()
        sku_ids = [
            str(item.get("skuId")).lower()
            for item in user.get("assignedLicenses") or []
            if isinstance(item, dict) and item.get("skuId")
        ]
        return [Licence(sku_id=sku_id, sku_part_number=names.get(sku_id, "")) for sku_id in sku_ids]

    async def _sku_names(self) -> dict[str, str]:
        """SKU id -> part number; empty when the SKUs cannot be read (ids still tell something)."""
        try:
            return {sku.sku_id: sku.sku_part_number for sku in await self.subscribed_skus()}
        except DomainError:
            return {}

    async def _fetch_skus(self) -> list[Sku]:
        # subscribedSkus supports $select only: no $top, no paging in practice (followed anyway).
        parameters = SubscribedSkusRequestBuilder.SubscribedSkusRequestBuilderGetQueryParameters(
            select=list(SKU_FIELDS)
        )
        builder = self._client.subscribed_skus
        with graph_errors("subscribed_skus"):
            skus = await get_all(builder, configuration(parameters), "subscribed_skus")
        return [to_sku(sku) for sku in skus]

    async def _managed_devices(self, user_id: str) -> list[Device]:
        builder = self._client.users.by_user_id(user_id).managed_devices
        parameters = ManagedDevicesRequestBuilder.ManagedDevicesRequestBuilderGetQueryParameters(
            select=list(MANAGED_DEVICE_FIELDS), top=MAX_PAGE_SIZE
        )
        with graph_errors("managed_devices"):
            devices = await get_all(builder, configuration(parameters), "managed_devices")
        return [to_managed_device(device) for device in devices]

    async def _registered_devices(self, user_id: str) -> list[Device]:
        # The cast keeps other directory objects out and types the items as devices.
        builder = self._client.users.by_user_id(user_id).registered_devices.graph_device
        parameters = GraphDeviceRequestBuilder.GraphDeviceRequestBuilderGetQueryParameters(
            select=list(REGISTERED_DEVICE_FIELDS), top=MAX_PAGE_SIZE
        )
        config = configuration(parameters, _ADVANCED_QUERY)
        with graph_errors("registered_devices"):
            devices = await get_all(builder, config, "registered_devices")
        return [to_registered_device(device) for device in devices]
