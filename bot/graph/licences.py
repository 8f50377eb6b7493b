"""The LicenceManager port on Microsoft Graph: group memberships and licence assignments.

Every call goes through the shared Graph client, writes included, so each one gets the token,
the retry handler (429/503/504, POST and DELETE too: their JSON bodies can be sent again) and
the call meter. Nothing is cached: the fulfilment worker decides on what Graph says now.

Graph tells some outcomes only in the text of a 400 (a member who is one already, a person
without usageLocation, a subscription without free seats). Those texts are matched here and
never logged: they may name people.

Reads go out through the SDK's request builders and come back as plain JSON (json_reads says
why); writes that answer with an object (assignLicense answers with the whole user) are sent
without reading the answer.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from kiota_abstractions.api_error import APIError
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.groups.item.transitive_members.graph_user import (
    graph_user_request_builder as user_cast,
)
from msgraph.generated.models.assigned_license import AssignedLicense
from msgraph.generated.models.reference_create import ReferenceCreate
from msgraph.generated.subscribed_skus.subscribed_skus_request_builder import (
    SubscribedSkusRequestBuilder,
)
from msgraph.generated.users.item.assign_license.assign_license_post_request_body import (
    AssignLicensePostRequestBody,
)
from msgraph.generated.users.item.member_of.item.directory_object_item_request_builder import (
    DirectoryObjectItemRequestBuilder,
)
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.graph_service_client import GraphServiceClient

from bot.domain.access.facts import Sku
from bot.domain.licences.grants import GrantRefused, LicenceState, NoFreeSeats, UsageLocationMissing
from bot.domain.platform.errors import NotFound
from bot.graph.errors import graph_code, graph_errors, graph_message
from bot.graph.json_reads import ERROR_MAPPING, configuration, get_all, get_json
from bot.graph.mapping import SKU_FIELDS, to_sku

logger = logging.getLogger(__name__)

# Graph's largest page for directory objects: one round trip for most groups.
MAX_PAGE_SIZE = 999
# A nextLink chain longer than this is a server bug, not a group.
MAX_PAGES = 200
# A cast on a directory-object collection is an advanced query: Graph wants this header.
_ADVANCED_QUERY = ("ConsistencyLevel", "eventual")

# What Graph says (400) when... (lower case; matched inside the message)
_ALREADY_MEMBER = "added object references already exist"  # ...the member is one already
_NO_USAGE_LOCATION = "invalid usage location"  # ...a direct licence needs a usageLocation
_NO_FREE_SEATS = "does not have any available licenses"  # ...the subscription is used up
_NO_SUCH_LICENCE = "does not have a corresponding license"  # ...removing what is not there
_INHERITED_LICENCE = "inherited from a group membership"  # ...removing a group-based licence


def _status(exc: APIError) -> int:
    return exc.response_status_code or 0


def _says(exc: APIError, text: str) -> bool:
    return text in graph_message(exc).lower()


def _refused(operation: str, exc: APIError) -> GrantRefused:
    logger.warning("graph %s refused: status=%s code=%s", operation, _status(exc), graph_code(exc))
    return GrantRefused()


def _sku_uuid(sku_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(sku_id)
    except ValueError:
        logger.warning("licence sku id is not a GUID; the grant cannot be made")
        raise GrantRefused() from None


class GraphLicences:
    """Implements bot.ports.licences.LicenceManager."""

    def __init__(self, client: GraphServiceClient) -> None:
        self._client = client

    async def subscribed_sku(self, sku_id: str) -> Sku | None:
        # subscribedSkus has no $filter: read them all (a tenant has a handful).
        parameters = SubscribedSkusRequestBuilder.SubscribedSkusRequestBuilderGetQueryParameters(
            select=list(SKU_FIELDS)
        )
        with graph_errors("subscribed_sku"):
            skus = await get_all(
                self._client.subscribed_skus, configuration(parameters), "subscribed_sku"
            )
        wanted = sku_id.lower()
        return next((sku for sku in map(to_sku, skus) if sku.sku_id == wanted), None)

    async def is_member(self, group_id: str, user_id: str) -> bool:
        """GET /users/{user}/memberOf/{group}: the group if the user is a direct member, else
        404. Read from the directory itself, not the eventually consistent index behind
        $filter/$count queries, so a membership just added is seen at once. A user or group
        that does not exist is "not a member" too (Graph's 404 does not tell them apart); the
        add that follows reports it."""
        builder = self._client.users.by_user_id(user_id).member_of.by_directory_object_id(group_id)
        parameters = (
            DirectoryObjectItemRequestBuilder.DirectoryObjectItemRequestBuilderGetQueryParameters(
                select=["id"]
            )
        )
        with graph_errors("is_member"):
            try:
                found = await get_json(builder, configuration(parameters))
            except APIError as exc:
                if _status(exc) == 404:
                    return False
                raise
        return str(found.get("id") or "").lower() == group_id.lower()

    async def add_member(self, group_id: str, user_id: str) -> bool:
        """POST /groups/{group}/members/$ref. A user who is a member already is success (False);
        an unknown group or user is NotFound; any other refusal (a dynamic group, a group
        synced from on-premises) is GrantRefused."""
        reference = ReferenceCreate(odata_id=f"{self._base_url}/directoryObjects/{user_id}")
        builder = self._client.groups.by_group_id(group_id).members.ref
        with graph_errors("add_member"):
            try:
                await builder.post(reference)
            except APIError as exc:
                if _status(exc) == 400 and _says(exc, _ALREADY_MEMBER):
                    return False
                if _status(exc) == 400:
                    raise _refused("add_member", exc) from exc
                raise
        return True

    async def remove_member(self, group_id: str, user_id: str) -> bool:
        """DELETE /groups/{group}/members/{user}/$ref; False when they were not a member."""
        builder = self._client.groups.by_group_id(group_id).members.by_directory_object_id(user_id)
        with graph_errors("remove_member"):
            try:
                await builder.ref.delete()
            except APIError as exc:
                if _status(exc) == 404:
                    return False
                if _status(exc) == 400:
                    raise _refused("remove_member", exc) from exc
                raise
        return True

    async def assign_licence(self, user_id: str, sku_id: str) -> None:
        body = AssignLicensePostRequestBody(
            add_licenses=[AssignedLicense(sku_id=_sku_uuid(sku_id), disabled_plans=[])],
            remove_licenses=[],
        )
        with graph_errors("assign_licence"):
            try:
                await self._assign(user_id, body)
            except APIError as exc:
                if _status(exc) == 400 and _says(exc, _NO_USAGE_LOCATION):
                    raise UsageLocationMissing() from exc
                if _status(exc) == 400 and _says(exc, _NO_FREE_SEATS):
                    raise NoFreeSeats() from exc
                if _status(exc) in (400, 404):
                    raise _refused("assign_licence", exc) from exc
                raise

    async def remove_licence(self, user_id: str, sku_id: str) -> bool:
        """False when the user has no direct assignment of the SKU (none at all, only one
        through a group, or the user is gone)."""
        body = AssignLicensePostRequestBody(add_licenses=[], remove_licenses=[_sku_uuid(sku_id)])
        with graph_errors("remove_licence"):
            try:
                await self._assign(user_id, body)
            except APIError as exc:
                if _status(exc) == 404:
                    return False
                if _status(exc) == 400 and (
                    _says(exc, _NO_SUCH_LICENCE) or _says(exc, _INHERITED_LICENCE)
                ):
                    return False
                if _status(exc) == 400:
                    raise _refused("remove_licence", exc) from exc
                raise
        return True

    async def licence_states(self, user_id: str) -> list[LicenceState]:
        user = await self._user(user_id, "licenseAssignmentStates", "licence_states")
        return [
            to_licence_state(state)
            for state in user.get("licenseAssignmentStates") or []
            if isinstance(state, dict)
        ]

    async def usage_location(self, user_id: str) -> str | None:
        user = await self._user(user_id, "usageLocation", "usage_location")
        location = user.get("usageLocation")
        return location if isinstance(location, str) and location else None

    async def group_member_ids(self, group_id: str) -> list[str]:
        """GET /groups/{group}/transitiveMembers/microsoft.graph.user?$select=id, all pages:
        the users only, however deeply nested."""
        builder = self._client.groups.by_group_id(group_id).transitive_members.graph_user
        parameters = user_cast.GraphUserRequestBuilder.GraphUserRequestBuilderGetQueryParameters(
            select=["id"], top=MAX_PAGE_SIZE, count=True
        )
        config = configuration(parameters, _ADVANCED_QUERY)
        with graph_errors("group_member_ids"):
            users = await get_all(builder, config, "group_member_ids", max_pages=MAX_PAGES)
        ids = (str(user.get("id") or "") for user in users)
        return list(dict.fromkeys(user_id for user_id in ids if user_id))

    @property
    def _base_url(self) -> str:
        """Graph's root as the client calls it: an @odata.id must point into the same cloud."""
        adapter: Any = self._client.request_adapter
        return str(adapter.base_url).rstrip("/")

    async def _assign(self, user_id: str, body: AssignLicensePostRequestBody) -> None:
        """POST /users/{id}/assignLicense, without parsing the user Graph answers with."""
        builder = self._client.users.by_user_id(user_id).assign_license
        info: RequestInformation = builder.to_post_request_information(body)
        await builder.request_adapter.send_no_response_content_async(info, ERROR_MAPPING)

    async def _user(self, user_id: str, field: str, operation: str) -> dict[str, Any]:
        parameters = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
            select=["id", field]
        )
        builder = self._client.users.by_user_id(user_id)
        with graph_errors(operation):
            user = await get_json(builder, configuration(parameters))
        if not user:
            raise NotFound()
        return user


def to_licence_state(state: dict[str, Any]) -> LicenceState:
    """One licenseAssignmentState (plain JSON) as the domain reads it."""
    group = state.get("assignedByGroup")
    return LicenceState(
        sku_id=str(state.get("skuId") or "").lower(),
        assigned_by_group=str(group).lower() if group else None,
        state=str(state.get("state") or ""),
        error=str(state.get("error") or ""),
    )
