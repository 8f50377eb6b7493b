"""Graph routes for sign-in security: authentication methods, Intune managed devices and
Entra-registered devices of a user."""

from __future__ import annotations

from aiohttp import web

from devtools.graph_emulator.odata import GraphCall, Record, check_select, project
from devtools.graph_emulator.router import Route

# Properties of microsoft.graph.managedDevice (v1.0) a $select may name; others get a 400.
MANAGED_DEVICE_PROPERTIES = frozenset(
    [
        "activationLockBypassCode",
        "androidSecurityPatchLevel",
        "azureADDeviceId",
        "azureADRegistered",
        "complianceGracePeriodExpirationDateTime",
        "complianceState",
        "configurationManagerClientEnabledFeatures",
        "deviceActionResults",
        "deviceCategoryDisplayName",
        "deviceEnrollmentType",
        "deviceHealthAttestationState",
        "deviceName",
        "deviceRegistrationState",
        "easActivated",
        "easActivationDateTime",
        "easDeviceId",
        "emailAddress",
        "enrolledDateTime",
        "enrollmentProfileName",
        "ethernetMacAddress",
        "exchangeAccessState",
        "exchangeAccessStateReason",
        "exchangeLastSuccessfulSyncDateTime",
        "freeStorageSpaceInBytes",
        "iccid",
        "id",
        "imei",
        "isEncrypted",
        "isSupervised",
        "jailBroken",
        "lastSyncDateTime",
        "managedDeviceName",
        "managedDeviceOwnerType",
        "managementAgent",
        "managementCertificateExpirationDate",
        "managementState",
        "manufacturer",
        "meid",
        "model",
        "notes",
        "operatingSystem",
        "osVersion",
        "partnerReportedThreatState",
        "phoneNumber",
        "physicalMemoryInBytes",
        "remoteAssistanceSessionErrorDetails",
        "remoteAssistanceSessionUrl",
        "requireUserEnrollmentApproval",
        "serialNumber",
        "subscriberCarrier",
        "totalStorageSpaceInBytes",
        "udid",
        "userDisplayName",
        "userId",
        "userPrincipalName",
        "wiFiMacAddress",
    ]
)

# Properties of microsoft.graph.device (v1.0).
DEVICE_PROPERTIES = frozenset(
    [
        "accountEnabled",
        "alternativeSecurityIds",
        "approximateLastSignInDateTime",
        "complianceExpirationDateTime",
        "deletedDateTime",
        "deviceCategory",
        "deviceId",
        "deviceMetadata",
        "deviceOwnership",
        "deviceVersion",
        "displayName",
        "enrollmentProfileName",
        "enrollmentType",
        "id",
        "isCompliant",
        "isManaged",
        "isManagementRestricted",
        "isRooted",
        "managementType",
        "manufacturer",
        "mdmAppId",
        "model",
        "onPremisesLastSyncDateTime",
        "onPremisesSecurityIdentifier",
        "onPremisesSyncEnabled",
        "operatingSystem",
        "operatingSystemVersion",
        "physicalIds",
        "profileType",
        "registrationDateTime",
        "systemLabels",
        "trustType",
    ]
)


def _managed(call: GraphCall, record: Record) -> Record:
    return project(record, call.query.select, None)


def _typed(call: GraphCall, record: Record) -> Record:
    """Polymorphic items keep their @odata.type whatever the $select."""
    body = project(record, call.query.select, None)
    body.pop("@odata.type", None)
    return {"@odata.type": record.get("@odata.type"), **body}


def _untyped(call: GraphCall, record: Record) -> Record:
    """Items of a cast collection: one type, so Graph leaves @odata.type out."""
    body = project(record, call.query.select, None)
    body.pop("@odata.type", None)
    return body


async def authentication_methods(call: GraphCall) -> web.StreamResponse:
    """Each method in full with its @odata.type. The real API documents no query options, so a
    $select is not applied (paging after the page size still is, for clients' paging tests)."""
    user = call.tenant.user(call.params["user"])
    return call.collection(
        user.get("authenticationMethods", []),
        call.context(f"users('{user['id']}')/authentication/methods"),
        project=lambda method: dict(method),
    )


async def user_managed_devices(call: GraphCall) -> web.StreamResponse:
    check_select(call.query.select, MANAGED_DEVICE_PROPERTIES, "managedDevice")
    user = call.tenant.user(call.params["user"])
    return call.collection(
        user.get("managedDevices", []),
        call.context(f"users('{user['id']}')/managedDevices"),
        project=lambda device: _managed(call, device),
    )


async def all_managed_devices(call: GraphCall) -> web.StreamResponse:
    """GET /deviceManagement/managedDevices, usually with $filter=userId eq '{id}'."""
    check_select(call.query.select, MANAGED_DEVICE_PROPERTIES, "managedDevice")
    devices = [d for user in call.tenant.users.values() for d in user.get("managedDevices", [])]
    return call.collection(
        devices,
        call.context("deviceManagement/managedDevices"),
        project=lambda device: _managed(call, device),
    )


async def registered_devices(call: GraphCall) -> web.StreamResponse:
    check_select(call.query.select, DEVICE_PROPERTIES, "device")
    user = call.tenant.user(call.params["user"])
    return call.collection(
        user.get("registeredDevices", []),
        call.selected("directoryObjects"),
        project=lambda device: _typed(call, device),
    )


async def registered_devices_cast(call: GraphCall) -> web.StreamResponse:
    """GET /users/{id}/registeredDevices/microsoft.graph.device (the SDK sends graph.device)."""
    check_select(call.query.select, DEVICE_PROPERTIES, "device")
    user = call.tenant.user(call.params["user"])
    devices = [
        d
        for d in user.get("registeredDevices", [])
        if d.get("@odata.type") == "#microsoft.graph.device"
    ]
    return call.collection(
        devices,
        call.selected("devices"),
        project=lambda device: _untyped(call, device),
    )


ROUTES = [
    Route("GET", "users/{user}/authentication/methods", authentication_methods),
    Route("GET", "users/{user}/manageddevices", user_managed_devices),
    Route("GET", "users/{user}/registereddevices", registered_devices),
    Route("GET", "users/{user}/registereddevices/graph.device", registered_devices_cast),
    Route("GET", "devicemanagement/manageddevices", all_managed_devices),
]
