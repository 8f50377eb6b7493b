"""How directory records look on the wire: properties, default projections, derived fields."""

from __future__ import annotations

from typing import Any

from devtools.graph_emulator.licensing import Allocation
from devtools.graph_emulator.tenant import (
    GROUP_RELATIONS,
    ROLE_RELATIONS,
    USER_RELATIONS,
    TenantState,
)

Record = dict[str, Any]

# What GET /users/{id} returns without $select (Graph's default user projection).
USER_DEFAULT_FIELDS = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
)

# Properties of microsoft.graph.user (v1.0) a $select may name; others get Graph's 400.
USER_PROPERTIES = frozenset(
    [
        "aboutMe",
        "accountEnabled",
        "ageGroup",
        "assignedLicenses",
        "assignedPlans",
        "birthday",
        "businessPhones",
        "city",
        "companyName",
        "consentProvidedForMinor",
        "country",
        "createdDateTime",
        "creationType",
        "deletedDateTime",
        "department",
        "displayName",
        "employeeHireDate",
        "employeeId",
        "employeeLeaveDateTime",
        "employeeOrgData",
        "employeeType",
        "externalUserState",
        "externalUserStateChangeDateTime",
        "faxNumber",
        "givenName",
        "hireDate",
        "id",
        "identities",
        "imAddresses",
        "interests",
        "isResourceAccount",
        "jobTitle",
        "lastPasswordChangeDateTime",
        "legalAgeGroupClassification",
        "licenseAssignmentStates",
        "mail",
        "mailboxSettings",
        "mailNickname",
        "mobilePhone",
        "mySite",
        "officeLocation",
        "onPremisesDistinguishedName",
        "onPremisesDomainName",
        "onPremisesExtensionAttributes",
        "onPremisesImmutableId",
        "onPremisesLastSyncDateTime",
        "onPremisesProvisioningErrors",
        "onPremisesSamAccountName",
        "onPremisesSecurityIdentifier",
        "onPremisesSyncEnabled",
        "onPremisesUserPrincipalName",
        "otherMails",
        "passwordPolicies",
        "passwordProfile",
        "pastProjects",
        "postalCode",
        "preferredDataLocation",
        "preferredLanguage",
        "preferredName",
        "provisionedPlans",
        "proxyAddresses",
        "responsibilities",
        "schools",
        "securityIdentifier",
        "showInAddressList",
        "signInActivity",
        "signInSessionsValidFromDateTime",
        "skills",
        "state",
        "streetAddress",
        "surname",
        "usageLocation",
        "userPrincipalName",
        "userType",
    ]
)

GROUP_DEFAULT_FIELDS = (
    "id",
    "deletedDateTime",
    "classification",
    "createdDateTime",
    "description",
    "displayName",
    "expirationDateTime",
    "groupTypes",
    "isAssignableToRole",
    "mail",
    "mailEnabled",
    "mailNickname",
    "membershipRule",
    "membershipRuleProcessingState",
    "onPremisesLastSyncDateTime",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "preferredDataLocation",
    "preferredLanguage",
    "proxyAddresses",
    "renewedDateTime",
    "securityEnabled",
    "securityIdentifier",
    "theme",
    "visibility",
)

ROLE_DEFAULT_FIELDS = ("id", "deletedDateTime", "description", "displayName", "roleTemplateId")

ODATA_TYPES = {
    "user": "#microsoft.graph.user",
    "group": "#microsoft.graph.group",
    "directoryRole": "#microsoft.graph.directoryRole",
}


def user_view(
    tenant: TenantState,
    user: Record,
    allocation: Allocation | None = None,
    *,
    licences: bool = True,
) -> Record:
    """Every property of the user as Graph computes it (licences include group-based ones).

    The licences need the tenant's allocation, which reads every user and every licensed
    group: a page of many users shares one (`allocation`, GraphCall.allocation), and a request
    that reads no licence property skips them (`licences=False`, GraphCall.user_view);
    otherwise listing a group of 60,000 took minutes."""
    view = {key: value for key, value in user.items() if key not in USER_RELATIONS}
    if licences:
        if allocation is None:
            allocation = tenant.allocation()
        view["assignedLicenses"] = tenant.effective_licences(user, allocation)
        view["licenseAssignmentStates"] = tenant.licence_states(user, allocation)
    view.setdefault("proxyAddresses", [f"SMTP:{user['mail']}"] if user.get("mail") else [])
    return view


def group_view(group: Record) -> Record:
    view = {key: value for key, value in group.items() if key not in GROUP_RELATIONS}
    view["assignedLicenses"] = list(group.get("assignedLicenses", []))
    view.setdefault("resourceProvisioningOptions", [])
    view.setdefault("proxyAddresses", [f"SMTP:{group['mail']}"] if group.get("mail") else [])
    return view


def role_view(role: Record) -> Record:
    return {key: value for key, value in role.items() if key not in ROLE_RELATIONS}


def object_view(tenant: TenantState, kind: str, record: Record) -> Record:
    if kind == "user":
        return user_view(tenant, record)
    if kind == "group":
        return group_view(record)
    return role_view(record)


def default_fields(kind: str) -> tuple[str, ...]:
    return {
        "user": USER_DEFAULT_FIELDS,
        "group": GROUP_DEFAULT_FIELDS,
        "directoryRole": ROLE_DEFAULT_FIELDS,
    }[kind]
