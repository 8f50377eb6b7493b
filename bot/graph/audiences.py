"""The AudienceDirectory port on Microsoft Graph: an announcement's audience.

- A group's people: the users among its transitive members, a page of up to 999 at a time,
  following @odata.nextLink to the end; never read into one list (an audience can be a whole
  administration of tens of thousands).
- How many there are: Graph's `$count` on the same cast, an advanced query (eventually
  consistent: a person added a moment ago may be missing from the count, not from the pages).
- One person by address (an uploaded list): the user whose userPrincipalName or mail is it.
- Installing the Teams app for someone who never had it
  (POST /users/{id}/teamwork/installedApps), so that their 1:1 chat can be opened.

Reads go through the SDK's request builders and come back as plain JSON (json_reads says why);
every call goes through the shared client (token, retry handler, call meter). Addresses are
never logged: they name people.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from kiota_abstractions.api_error import APIError
from msgraph.generated.groups.item.transitive_members.graph_user import (
    graph_user_request_builder as user_cast,
)
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph.graph_service_client import GraphServiceClient

from bot.graph.errors import graph_code, graph_errors
from bot.graph.json_reads import ERROR_MAPPING, Json, configuration, get_json, get_pages
from bot.ports.announcements import AudienceMember

logger = logging.getLogger(__name__)

# Graph's largest page for directory objects.
MAX_PAGE_SIZE = 999
# A nextLink chain longer than this (a million people) is a server bug, not an audience.
MAX_PAGES = 1_000
# What an audience needs of a person: who, where to reach them, whether the account works.
MEMBER_FIELDS = ("id", "userPrincipalName", "mail", "accountEnabled")
# Casts and $count are advanced queries on directory objects; Graph wants this header for them.
_ADVANCED_QUERY = ("ConsistencyLevel", "eventual")
# A person listed under both their UPN and their mail would be two rows; one is enough.
_FIND_TOP = 2
_ALREADY_INSTALLED = 409
_CANNOT_HAVE_IT = frozenset({403, 404})


class GraphAudiences:
    """Implements bot.ports.announcements.AudienceDirectory."""

    def __init__(self, client: GraphServiceClient) -> None:
        self._client = client

    async def group_members(self, group_id: str) -> AsyncIterator[Sequence[AudienceMember]]:
        """GET /groups/{group}/transitiveMembers/microsoft.graph.user, page by page."""
        builder = self._client.groups.by_group_id(group_id).transitive_members.graph_user
        parameters = user_cast.GraphUserRequestBuilder.GraphUserRequestBuilderGetQueryParameters(
            select=list(MEMBER_FIELDS), top=MAX_PAGE_SIZE, count=True
        )
        config = configuration(parameters, _ADVANCED_QUERY)
        pages = get_pages(builder, config, "audience_members", max_pages=MAX_PAGES)
        try:
            while True:
                # Only the fetch is translated: what the caller throws in at a yield is its own.
                with graph_errors("audience_members"):
                    try:
                        page = await anext(pages)
                    except StopAsyncIteration:
                        return
                yield [member for member in map(to_member, page) if member is not None]
        finally:
            await pages.aclose()

    async def count_members(self, group_id: str) -> int:
        """GET /groups/{group}/transitiveMembers/microsoft.graph.user/$count."""
        builder = self._client.groups.by_group_id(group_id).transitive_members.graph_user.count
        with graph_errors("audience_count"):
            counted = await builder.get(configuration(None, _ADVANCED_QUERY))
        return int(counted or 0)

    async def find_person(self, address: str) -> AudienceMember | None:
        """GET /users?$filter=userPrincipalName eq '...' or mail eq '...'; the UPN wins when
        one person's UPN and another's mail are the same address."""
        wanted = address.strip()
        if not wanted:
            return None
        literal = wanted.replace("'", "''")  # OData's escape of a quote inside a string
        parameters = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            filter=f"userPrincipalName eq '{literal}' or mail eq '{literal}'",
            select=list(MEMBER_FIELDS),
            top=_FIND_TOP,
        )
        with graph_errors("find_person"):
            page = await get_json(self._client.users, configuration(parameters))
        found = [user for user in page.get("value") or [] if isinstance(user, dict)]
        key = wanted.casefold()
        for field in ("userPrincipalName", "mail"):
            for user in found:
                if str(user.get(field) or "").casefold() == key:
                    return to_member(user)
        return None

    async def install_app(self, user_id: str, teams_app_id: str) -> bool:
        """POST /users/{id}/teamwork/installedApps binding the app from the catalogue. 201, and
        409 (it is installed already), are True; 403 and 404 (the person cannot have it: no
        Teams, the app blocked for them, or no such person) are False."""
        # Loaded with the first install, not with Graph: a model chain few replicas ever need.
        from msgraph.generated.models.user_scope_teams_app_installation import (
            UserScopeTeamsAppInstallation,
        )

        body = UserScopeTeamsAppInstallation(
            additional_data={
                "teamsApp@odata.bind": f"{self._base_url}/appCatalogs/teamsApps/{teams_app_id}"
            }
        )
        builder = self._client.users.by_user_id(user_id).teamwork.installed_apps
        with graph_errors("install_app"):
            try:
                # Graph answers 201 without a body: nothing to read.
                info = builder.to_post_request_information(body)
                await builder.request_adapter.send_no_response_content_async(info, ERROR_MAPPING)
            except APIError as exc:
                status = exc.response_status_code or 0
                if status == _ALREADY_INSTALLED:
                    return True
                if status in _CANNOT_HAVE_IT:
                    logger.warning(
                        "graph install_app refused: status=%s code=%s", status, graph_code(exc)
                    )
                    return False
                raise
        return True

    @property
    def _base_url(self) -> str:
        """Graph's root as the client calls it: an @odata.bind must point into the same cloud."""
        adapter: Any = self._client.request_adapter
        return str(adapter.base_url).rstrip("/")


def to_member(user: Json) -> AudienceMember | None:
    """One user (plain JSON, MEMBER_FIELDS selected) as an audience member; None without id."""
    user_id = str(user.get("id") or "")
    if not user_id:
        return None
    return AudienceMember(
        user_id=user_id,
        user_principal_name=str(user.get("userPrincipalName") or ""),
        mail=str(user.get("mail") or ""),
        # Selected, so Graph says true or false; only an explicit false is a disabled account.
        enabled=user.get("accountEnabled") is not False,
    )
