"""Graph objects -> domain objects. Reads attributes only, so services never see msgraph types."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.domain.directory import DirectoryUser, GroupRef

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


def _attr(obj: Any, name: str, wire_name: str) -> Any:
    """A typed attribute, or the raw JSON value kiota keeps in additional_data for objects it
    did not deserialize as the expected type (e.g. a manager that is an org contact)."""
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


def people_filter(query: str) -> str:
    """Name or UPN starts with the query; both are indexed for basic (non-advanced) queries."""
    text = odata_string(query)
    return f"startswith(displayName,'{text}') or startswith(userPrincipalName,'{text}')"
