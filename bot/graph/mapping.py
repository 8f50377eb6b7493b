"""Graph objects -> domain objects. Reads attributes only, so services never see msgraph types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import Enum
from typing import Any

from bot.domain.access.facts import AuthMethod, Device, Licence, Sku
from bot.domain.platform.directory import DirectoryUser, GroupRef

# Every user property DirectoryUser carries; Graph returns most of them only when selected.
USER_FIELDS = (
    "id",
    "displayName",
    "userPrincipalName",
    "mail",
    "givenName",
    "surname",
    "jobTitle",
    "department",
    "companyName",
    "officeLocation",
    "preferredLanguage",
    "usageLocation",
    "userType",
    "accountEnabled",
    "onPremisesSyncEnabled",
    "onPremisesLastSyncDateTime",
)
GROUP_FIELDS = ("id", "displayName")
# What the access card reads. (authentication/methods accepts no query options: nothing to select.)
LICENCE_FIELDS = ("skuId", "skuPartNumber")
SKU_FIELDS = ("skuId", "skuPartNumber", "prepaidUnits", "consumedUnits")
MANAGED_DEVICE_FIELDS = (
    "id",
    "deviceName",
    "operatingSystem",
    "complianceState",
    "lastSyncDateTime",
)
REGISTERED_DEVICE_FIELDS = (
    "id",
    "displayName",
    "operatingSystem",
    "isCompliant",
    "isManaged",
    "approximateLastSignInDateTime",
)

_GRAPH_TYPE_PREFIX = "#microsoft.graph."
_METHOD_TYPE_SUFFIX = "AuthenticationMethod"
# Intune writes 0001-01-01T00:00:00Z for "never"; anything before this is not a real moment.
_EARLIEST_REAL_MOMENT = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _attr(obj: Any, name: str, wire_name: str) -> Any:
    """A typed attribute, or the raw JSON value kiota keeps in additional_data for objects it
    did not deserialize as the expected type (e.g. a manager that is an org contact). Plain JSON
    objects (dicts) are read by their wire names."""
    if isinstance(obj, Mapping):
        return obj.get(wire_name)
    value = getattr(obj, name, None)
    if value is None:
        extra = getattr(obj, "additional_data", None) or {}
        value = extra.get(wire_name)
    return value


def _aware(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def to_directory_user(user: Any) -> DirectoryUser:
    return DirectoryUser(
        id=str(_attr(user, "id", "id") or ""),
        display_name=str(_attr(user, "display_name", "displayName") or ""),
        user_principal_name=str(_attr(user, "user_principal_name", "userPrincipalName") or ""),
        mail=_attr(user, "mail", "mail"),
        given_name=_attr(user, "given_name", "givenName"),
        surname=_attr(user, "surname", "surname"),
        job_title=_attr(user, "job_title", "jobTitle"),
        department=_attr(user, "department", "department"),
        company_name=_attr(user, "company_name", "companyName"),
        office_location=_attr(user, "office_location", "officeLocation"),
        preferred_language=_attr(user, "preferred_language", "preferredLanguage"),
        usage_location=_attr(user, "usage_location", "usageLocation"),
        user_type=_attr(user, "user_type", "userType"),
        account_enabled=_attr(user, "account_enabled", "accountEnabled"),
        on_premises_sync_enabled=_attr(user, "on_premises_sync_enabled", "onPremisesSyncEnabled"),
        on_premises_last_sync=_aware(
            _attr(user, "on_premises_last_sync_date_time", "onPremisesLastSyncDateTime")
        ),
    )


def to_group_ref(group: Any) -> GroupRef:
    return GroupRef(
        id=str(_attr(group, "id", "id") or ""),
        display_name=str(_attr(group, "display_name", "displayName") or ""),
    )


def odata_string(value: str) -> str:
    """A value for inside '...' in an OData filter (quotes are doubled)."""
    return value.replace("'", "''")


# Person properties Graph filters with startswith in a basic query (no ConsistencyLevel needed):
# the name as shown, first name, family name ("Van den Broeck"), mail and UPN.
PEOPLE_SEARCH_FIELDS = ("displayName", "givenName", "surname", "mail", "userPrincipalName")


def people_filter(query: str) -> str:
    """One of the person's names, their mail or UPN starts with the query."""
    text = odata_string(query)
    return " or ".join(f"startswith({field},'{text}')" for field in PEOPLE_SEARCH_FIELDS)


def _text(value: Any) -> str:
    """A string property, or the wire value of an SDK enum (ComplianceState.Compliant ->
    "compliant"); "" for none."""
    if value is None:
        return ""
    return str(value.value) if isinstance(value, Enum) else str(value)


def _moment(value: Any) -> dt.datetime | None:
    moment = _aware(value)
    return moment if moment is not None and moment >= _EARLIEST_REAL_MOMENT else None


def auth_method_kind(odata_type: str | None) -> str:
    """The method's @odata.type without "#microsoft.graph." and "AuthenticationMethod", e.g.
    "fido2". Unknown future types are named the same way, so the rules can still count them as a
    second factor."""
    name = (odata_type or "").strip()
    if name.lower().startswith(_GRAPH_TYPE_PREFIX.lower()):
        name = name[len(_GRAPH_TYPE_PREFIX) :]
    name = name.lstrip("#")
    if name.endswith(_METHOD_TYPE_SUFFIX) and len(name) > len(_METHOD_TYPE_SUFFIX):
        name = name[: -len(_METHOD_TYPE_SUFFIX)]
    return name


def to_auth_method(method: Any) -> AuthMethod:
    # Phone methods have no display name; their type (mobile, office...) names them well
    # enough, and the number itself is not ours to show around.
    label = _attr(method, "display_name", "displayName") or _attr(method, "phone_type", "phoneType")
    return AuthMethod(
        kind=auth_method_kind(_attr(method, "odata_type", "@odata.type")),
        display_name=_text(label),
        created=_moment(_attr(method, "created_date_time", "createdDateTime")),
    )


def to_licence(detail: Any) -> Licence:
    return Licence(
        sku_id=_text(_attr(detail, "sku_id", "skuId")).lower(),
        sku_part_number=_text(_attr(detail, "sku_part_number", "skuPartNumber")),
    )


def to_sku(sku: Any) -> Sku:
    prepaid = _attr(sku, "prepaid_units", "prepaidUnits")
    enabled = _attr(prepaid, "enabled", "enabled") if prepaid is not None else None
    return Sku(
        sku_id=_text(_attr(sku, "sku_id", "skuId")).lower(),
        sku_part_number=_text(_attr(sku, "sku_part_number", "skuPartNumber")),
        enabled_units=int(enabled or 0),
        consumed_units=int(_attr(sku, "consumed_units", "consumedUnits") or 0),
    )


def to_managed_device(device: Any) -> Device:
    """An Intune managedDevice: complianceState as Intune states it."""
    return Device(
        name=_text(_attr(device, "device_name", "deviceName")),
        operating_system=_text(_attr(device, "operating_system", "operatingSystem")),
        managed=True,
        compliance=_text(_attr(device, "compliance_state", "complianceState")) or "unknown",
        last_seen=_moment(_attr(device, "last_sync_date_time", "lastSyncDateTime")),
    )


def to_registered_device(device: Any) -> Device:
    """An Entra device object. Without Device.Read.All Graph returns only its id, so every
    field may be missing; compliance is then "unknown", never "noncompliant"."""
    compliant = _attr(device, "is_compliant", "isCompliant")
    return Device(
        name=_text(_attr(device, "display_name", "displayName")),
        operating_system=_text(_attr(device, "operating_system", "operatingSystem")),
        managed=_attr(device, "is_managed", "isManaged") is True,
        compliance="unknown" if compliant is None else "compliant" if compliant else "noncompliant",
        last_seen=_moment(
            _attr(device, "approximate_last_sign_in_date_time", "approximateLastSignInDateTime")
        ),
    )
