"""Graph routes for licences: subscribedSkus, a user's licenseDetails and assignLicense."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from aiohttp import web

from devtools.graph_emulator.licensing import Allocation
from devtools.graph_emulator.odata import GraphCall, Record, check_select, project
from devtools.graph_emulator.router import Route
from devtools.graph_emulator.tenant import DirectoryError, TenantState
from devtools.graph_emulator.views import USER_DEFAULT_FIELDS, user_view

SKU_PROPERTIES = frozenset(
    [
        "accountId",
        "accountName",
        "appliesTo",
        "capabilityStatus",
        "consumedUnits",
        "id",
        "prepaidUnits",
        "servicePlans",
        "skuId",
        "skuPartNumber",
        "subscriptionIds",
    ]
)
LICENCE_DETAIL_PROPERTIES = frozenset(["id", "servicePlans", "skuId", "skuPartNumber"])


def sku_view(tenant: TenantState, sku: Record, allocation: Allocation | None = None) -> Record:
    """A subscribedSku as Graph shows it; consumedUnits counts the seats in use now."""
    return {
        "accountName": tenant.display_name,
        "accountId": tenant.tenant_id,
        "appliesTo": sku.get("appliesTo", "User"),
        "capabilityStatus": sku.get("capabilityStatus", "Enabled"),
        "consumedUnits": tenant.consumed_units(sku["skuId"], allocation),
        "id": f"{tenant.tenant_id}_{sku['skuId']}",
        "prepaidUnits": dict(sku["prepaidUnits"]),
        "servicePlans": [dict(plan) for plan in sku["servicePlans"]],
        "skuId": sku["skuId"],
        "skuPartNumber": sku["skuPartNumber"],
        "subscriptionIds": list(sku.get("subscriptionIds", [])),
    }


async def subscribed_skus(call: GraphCall) -> web.StreamResponse:
    """Every SKU in one response: the real API supports only $select (no $filter, no paging)."""
    check_select(call.query.select, SKU_PROPERTIES, "subscribedSku")
    if call.query.filter:
        raise DirectoryError(
            400, "Request_UnsupportedQuery", "Unsupported query: $filter on subscribedSkus."
        )
    allocation = call.tenant.allocation()
    skus = [
        project(sku_view(call.tenant, sku, allocation), call.query.select, None)
        for sku in call.tenant.skus
    ]
    return call.ok({"@odata.context": call.selected("subscribedSkus"), "value": skus})


def _licence_detail_id(user_id: str, sku_id: str) -> str:
    # Graph's ids here are opaque base64url strings built from the user and the SKU.
    raw = uuid.UUID(user_id).bytes + uuid.UUID(sku_id).bytes
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


async def licence_details(call: GraphCall) -> web.StreamResponse:
    check_select(call.query.select, LICENCE_DETAIL_PROPERTIES, "licenseDetails")
    user = call.tenant.user(call.params["user"])
    details: list[Record] = []
    for licence in call.tenant.effective_licences(user):
        sku = call.tenant.sku(licence["skuId"])
        if sku is None:
            continue
        disabled = {plan.lower() for plan in licence["disabledPlans"]}
        plans = [
            {
                **plan,
                "provisioningStatus": (
                    "Disabled" if plan["servicePlanId"].lower() in disabled else "Success"
                ),
            }
            for plan in sku["servicePlans"]
        ]
        details.append(
            {
                "id": _licence_detail_id(user["id"], sku["skuId"]),
                "skuId": sku["skuId"],
                "skuPartNumber": sku["skuPartNumber"],
                "servicePlans": plans,
            }
        )
    return call.collection(
        details,
        call.context(f"users('{user['id']}')/licenseDetails"),
        project=lambda detail: project(detail, call.query.select, None),
    )


def _licence_list(body: dict[str, Any], name: str) -> list[Any]:
    value = body.get(name)
    if not isinstance(value, list):
        raise DirectoryError(
            400, "Request_BadRequest", f"Invalid value specified for property '{name}'."
        )
    return value


async def assign_licence(call: GraphCall) -> web.StreamResponse:
    call.tenant.user(call.params["user"])  # 404 before reading the body, as Graph does
    body = await call.json_body()
    if not isinstance(body, dict):
        raise DirectoryError(400, "Request_BadRequest", "Invalid request body.")
    add = [item for item in _licence_list(body, "addLicenses") if isinstance(item, dict)]
    remove = [str(item) for item in _licence_list(body, "removeLicenses")]
    user = call.tenant.assign_licences(call.params["user"], add, remove)
    view = project(user_view(call.tenant, user), None, USER_DEFAULT_FIELDS)
    return call.ok({"@odata.context": call.context("users/$entity"), **view})


ROUTES = [
    Route("GET", "subscribedskus", subscribed_skus),
    Route("GET", "users/{user}/licensedetails", licence_details),
    Route("POST", "users/{user}/assignlicense", assign_licence),
]
