"""The Directory port on Microsoft Graph: people, managers, transitive group memberships and a
group's people.

Requests are built with the SDK's typed request builders but responses are read as plain JSON
(bot.graph.json_reads says why); the mappers take both.
"""

from __future__ import annotations

import logging
import re
import time

from kiota_abstractions.api_error import APIError
from msgraph.generated.groups.item.transitive_members.graph_user import (
    graph_user_request_builder as user_cast,
)
from msgraph.generated.users.item.manager.manager_request_builder import ManagerRequestBuilder
from msgraph.generated.users.item.transitive_member_of.graph_group import (
    graph_group_request_builder as group_cast,
)
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph.graph_service_client import GraphServiceClient

from bot.domain.platform.directory import DirectoryUser, GroupRef
from bot.domain.platform.errors import NotFound
from bot.graph.cache import Clock, TtlCache
from bot.graph.errors import graph_errors
from bot.graph.json_reads import configuration, get_all, get_json, get_up_to
from bot.graph.mapping import (
    GROUP_FIELDS,
    USER_FIELDS,
    people_filter,
    to_directory_user,
    to_group_ref,
)

logger = logging.getLogger(__name__)

# Graph's largest page for directory objects: fewer round trips for people in many groups.
MAX_PAGE_SIZE = 999
# A nextLink chain longer than this is a server bug, not a membership list.
MAX_PAGES = 200
# What a pick list of a group's people needs: who, and whether the account still works.
_MEMBER_FIELDS = ("id", "displayName", "userPrincipalName", "accountEnabled")
# The longest query a name or address can start with, in UTF-8 bytes: Entra ID keeps display
# names and mail addresses to 256 characters, and the five clauses of people_filter, each with
# the query percent-encoded, must keep the URL within what servers take (a few kilobytes).
# Longer is no name (a fuzzed envelope, a pasted letter) and asks Graph nothing.
_LONGEST_QUERY_BYTES = 256
# Casts and $count are "advanced queries" on directory objects; Graph wants this header for them.
_ADVANCED_QUERY = ("ConsistencyLevel", "eventual")


def _names_user(error: APIError, user_id: str) -> bool:
    """Does this 404 say the user itself is missing (rather than their manager)?"""
    message = str(getattr(getattr(error, "error", None), "message", "") or "")
    return re.search(rf"'{re.escape(user_id)}'", message, re.IGNORECASE) is not None


class GraphDirectory:
    """Implements bot.ports.platform.Directory. get_user, get_manager and member_of are cached."""

    def __init__(
        self,
        client: GraphServiceClient,
        *,
        cache_seconds: float,
        clock: Clock = time.monotonic,
    ) -> None:
        self._client = client
        self._users: TtlCache[str, DirectoryUser] = TtlCache(cache_seconds, clock)
        self._managers: TtlCache[str, DirectoryUser | None] = TtlCache(cache_seconds, clock)
        self._groups: TtlCache[str, list[GroupRef]] = TtlCache(cache_seconds, clock)

    async def get_user(self, user_id: str) -> DirectoryUser:
        return await self._users.get_or_load(user_id.lower(), lambda: self._fetch_user(user_id))

    async def get_manager(self, user_id: str) -> DirectoryUser | None:
        return await self._managers.get_or_load(
            user_id.lower(), lambda: self._fetch_manager(user_id)
        )

    async def member_of(self, user_id: str) -> list[GroupRef]:
        groups = await self._groups.get_or_load(
            user_id.lower(), lambda: self._fetch_groups(user_id)
        )
        return list(groups)  # callers may mutate their copy; the cached list stays intact

    async def find_users(self, query: str, limit: int = 10) -> list[DirectoryUser]:
        text = query.strip()
        if not text or limit < 1 or len(text.encode()) > _LONGEST_QUERY_BYTES:
            return []
        parameters = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            filter=people_filter(text), select=list(USER_FIELDS), top=min(limit, MAX_PAGE_SIZE)
        )
        with graph_errors("find_users"):
            # One page: $top already asks for no more than the caller wants.
            page = await get_json(self._client.users, configuration(parameters))
        users = [user for user in page.get("value") or [] if isinstance(user, dict)]
        return [to_directory_user(user) for user in users[:limit]]

    async def group_members(self, group_id: str, limit: int = 500) -> list[DirectoryUser]:
        """GET /groups/{group}/transitiveMembers/microsoft.graph.user, the first pages up to
        `limit` users (not cached here: its callers keep what they make of it)."""
        if limit < 1:
            return []
        builder = self._client.groups.by_group_id(group_id).transitive_members.graph_user
        parameters = user_cast.GraphUserRequestBuilder.GraphUserRequestBuilderGetQueryParameters(
            select=list(_MEMBER_FIELDS), top=min(limit, MAX_PAGE_SIZE), count=True
        )
        config = configuration(parameters, _ADVANCED_QUERY)
        with graph_errors("group_members"):
            users = await get_up_to(
                builder, config, "group_members", limit=limit, max_pages=MAX_PAGES
            )
        return [to_directory_user(user) for user in users]

    def forget(self, user_id: str) -> None:
        """Drop what is cached about one user (e.g. after changing their group memberships)."""
        key = user_id.lower()
        self._users.invalidate(key)
        self._managers.invalidate(key)
        self._groups.invalidate(key)

    async def _fetch_user(self, user_id: str) -> DirectoryUser:
        parameters = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
            select=list(USER_FIELDS)
        )
        builder = self._client.users.by_user_id(user_id)
        with graph_errors("get_user"):
            user = await get_json(builder, configuration(parameters))
        if not user:
            raise NotFound()
        return to_directory_user(user)

    async def _fetch_manager(self, user_id: str) -> DirectoryUser | None:
        parameters = ManagerRequestBuilder.ManagerRequestBuilderGetQueryParameters(
            select=list(USER_FIELDS)
        )
        builder = self._client.users.by_user_id(user_id).manager
        with graph_errors("get_manager"):
            try:
                manager = await get_json(builder, configuration(parameters))
            except APIError as exc:
                # Graph answers 404 both for "no manager" and for an unknown user; only the
                # latter names the user in its message.
                if exc.response_status_code == 404 and not _names_user(exc, user_id):
                    return None
                raise
        return to_directory_user(manager) if manager else None

    async def _fetch_groups(self, user_id: str) -> list[GroupRef]:
        builder = self._client.users.by_user_id(user_id).transitive_member_of.graph_group
        parameters = group_cast.GraphGroupRequestBuilder.GraphGroupRequestBuilderGetQueryParameters(
            select=list(GROUP_FIELDS), top=MAX_PAGE_SIZE, count=True
        )
        config = configuration(parameters, _ADVANCED_QUERY)
        with graph_errors("member_of"):
            groups = await get_all(builder, config, "member_of", max_pages=MAX_PAGES)
        return [to_group_ref(group) for group in groups]
