"""The RuleNames port on Microsoft Graph: people by e-mail address or UPN and Teams channels by
"Team / Kanaal", for the routing-rules workbook; and the names of ids for its export.

Requests (responses read as plain JSON, bot.graph.json_reads says why):
- People: GET /users?$filter=mail in (...) or userPrincipalName in (...). Graph takes at most
  15 values in the `in` lists of one filter, so PEOPLE_PER_REQUEST addresses a request (each
  appears in both lists). mail and userPrincipalName filter in a basic query: no
  ConsistencyLevel header.
- Teams: GET /groups?$filter=displayName in (...) with resourceProvisioningOptions selected;
  a group that is not provisioned as a team is no team. Then GET /teams/{id}/channels once per
  team found, the channel matched by name here (case and spaces ignored, as Teams does).
- The export: GET /users?$filter=id in (...), GET /groups?$filter=id in (...) and the teams'
  channels.

Every request goes through the shared client (token, retry handler, metering); at most
`in_flight` of one call are under way at once, so a workbook's 300 addresses are some 43
requests, 4 at a time, never 300 one after the other. A failure is the port's domain error
(graph_errors); the other requests of the call are cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TypeVar

from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder
from msgraph.generated.teams.item.channels.channels_request_builder import ChannelsRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph.graph_service_client import GraphServiceClient

from bot.domain.platform.errors import NotFound
from bot.domain.post.rule_names import (
    NAME_SEPARATOR,
    TEAM_SEPARATOR,
    ChannelLookup,
    ChannelName,
    NameMatch,
    is_guid,
    person_key,
)
from bot.graph.errors import graph_errors
from bot.graph.json_reads import Json, configuration, get_all
from bot.graph.mapping import odata_string

T = TypeVar("T")
R = TypeVar("R")

FILTER_VALUES = 15  # Graph's limit on the values of `in` lists in one $filter
PEOPLE_PER_REQUEST = FILTER_VALUES // 2  # each address is asked as mail and as UPN
MAX_IN_FLIGHT = 4
PAGE_SIZE = 999
MAX_PAGES = 10  # per request: 15 names hardly fill one page
PERSON_FIELDS = ("id", "displayName", "mail", "userPrincipalName")
TEAM_FIELDS = ("id", "displayName", "resourceProvisioningOptions")
CHANNEL_FIELDS = ("id", "displayName")
TEAM_OPTION = "Team"  # resourceProvisioningOptions of a group that is a team


class GraphRuleNames:
    """Implements bot.ports.post.RuleNames."""

    def __init__(self, client: GraphServiceClient, *, in_flight: int = MAX_IN_FLIGHT) -> None:
        self._client = client
        self._in_flight = max(1, in_flight)

    # --- names -> ids ------------------------------------------------------------------------
    async def people(self, addresses: Sequence[str]) -> dict[str, tuple[NameMatch, ...]]:
        wanted = {person_key(address): address.strip() for address in addresses}
        pages = await self._each(_chunks(list(wanted.values()), PEOPLE_PER_REQUEST), self._users)
        found: dict[str, dict[str, NameMatch]] = {}
        for user in _flat(pages):
            match = _person(user)
            if match is None:
                continue
            for field in ("mail", "userPrincipalName"):
                value = user.get(field)
                key = person_key(value) if isinstance(value, str) else ""
                if key in wanted:
                    found.setdefault(key, {})[match.id] = match
        return {key: tuple(matches.values()) for key, matches in found.items()}

    async def channels(self, names: Sequence[ChannelName]) -> dict[str, ChannelLookup]:
        team_names = {_same(name.team): name.team for name in names}
        pages = await self._each(_chunks(list(team_names.values()), FILTER_VALUES), self._teams)
        teams: dict[str, list[Json]] = {}
        for group in _flat(pages):
            if _is_team(group):
                teams.setdefault(_same(_text(group, "displayName")), []).append(group)
        team_ids = list(dict.fromkeys(_text(g, "id") for found in teams.values() for g in found))
        channels = dict(zip(team_ids, await self._each(team_ids, self._channels), strict=True))
        result: dict[str, ChannelLookup] = {}
        for name in names:
            found = teams.get(_same(name.team), [])
            matches = tuple(
                _channel(team, channel)
                for team in found
                for channel in channels.get(_text(team, "id"), [])
                if _same(_text(channel, "displayName")) == _same(name.channel)
            )
            result[name.key] = ChannelLookup(len(found), matches)
        return result

    # --- ids -> names (the export) -----------------------------------------------------------
    async def person_names(self, person_ids: Sequence[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(i.casefold() for i in person_ids if is_guid(i)))
        pages = await self._each(_chunks(ids, FILTER_VALUES), self._users_by_id)
        return {
            _text(user, "id").casefold(): _text(user, "displayName")
            for user in _flat(pages)
            if _text(user, "id") and _text(user, "displayName")
        }

    async def channel_names(self, targets: Sequence[str]) -> dict[str, str]:
        by_team: dict[str, set[str]] = {}
        for target in targets:
            group, _, channel = target.partition(TEAM_SEPARATOR)
            if is_guid(group) and channel:
                by_team.setdefault(group.casefold(), set()).add(channel)
        pages = await self._each(_chunks(list(by_team), FILTER_VALUES), self._groups_by_id)
        team_names = {_text(g, "id").casefold(): _text(g, "displayName") for g in _flat(pages)}
        team_ids = [team for team in by_team if team_names.get(team)]
        listed = dict(zip(team_ids, await self._each(team_ids, self._channels), strict=True))
        names: dict[str, str] = {}
        for team, found in listed.items():
            for record in found:
                channel_id = _text(record, "id")
                if channel_id in by_team[team]:
                    names[f"{team}{TEAM_SEPARATOR}{channel_id}"] = _channel_name(
                        team_names[team], _text(record, "displayName")
                    )
        return {target: names[key] for target in targets if (key := _key(target)) in names}

    # --- requests ------------------------------------------------------------------------------
    async def _users(self, addresses: Sequence[str]) -> list[Json]:
        values = _in_list(addresses)
        return await self._list_users(f"mail in ({values}) or userPrincipalName in ({values})")

    async def _users_by_id(self, ids: Sequence[str]) -> list[Json]:
        return await self._list_users(f"id in ({_in_list(ids)})")

    async def _list_users(self, expression: str) -> list[Json]:
        parameters = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            filter=expression, select=list(PERSON_FIELDS), top=PAGE_SIZE
        )
        with graph_errors("rule_names.users"):
            return await get_all(
                self._client.users, configuration(parameters), "rule_names.users",
                max_pages=MAX_PAGES,
            )  # fmt: skip

    async def _teams(self, names: Sequence[str]) -> list[Json]:
        return await self._list_groups(f"displayName in ({_in_list(names)})")

    async def _groups_by_id(self, ids: Sequence[str]) -> list[Json]:
        return await self._list_groups(f"id in ({_in_list(ids)})")

    async def _list_groups(self, expression: str) -> list[Json]:
        parameters = GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(
            filter=expression, select=list(TEAM_FIELDS), top=PAGE_SIZE
        )
        with graph_errors("rule_names.groups"):
            return await get_all(
                self._client.groups, configuration(parameters), "rule_names.groups",
                max_pages=MAX_PAGES,
            )  # fmt: skip

    async def _channels(self, team_id: str) -> list[Json]:
        builder = self._client.teams.by_team_id(team_id).channels
        parameters = ChannelsRequestBuilder.ChannelsRequestBuilderGetQueryParameters(
            select=list(CHANNEL_FIELDS)
        )
        try:
            with graph_errors("rule_names.channels"):
                return await get_all(
                    builder, configuration(parameters), "rule_names.channels", max_pages=MAX_PAGES
                )
        except NotFound:  # a group marked as a team whose team is gone: no channels
            return []

    async def _each(self, items: Iterable[T], fetch: Callable[[T], Awaitable[R]]) -> list[R]:
        """fetch(item) for every item, at most `in_flight` at once, results in order; the first
        failure cancels the rest and is raised."""
        gate = asyncio.Semaphore(self._in_flight)

        async def one(item: T) -> R:
            async with gate:
                return await fetch(item)

        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(item)) for item in items]
        except BaseExceptionGroup as failed:  # the first failure, as the port promises it
            raise failed.exceptions[0] from None
        return [task.result() for task in tasks]


# --- helpers ----------------------------------------------------------------------------------
def _chunks(values: Sequence[str], size: int) -> list[list[str]]:
    return [list(values[start : start + size]) for start in range(0, len(values), size)]


def _flat(pages: Iterable[list[Json]]) -> list[Json]:
    return [item for page in pages for item in page]


def _in_list(values: Iterable[str]) -> str:
    return ",".join(f"'{odata_string(value)}'" for value in values)


def _text(record: Json, field: str) -> str:
    value = record.get(field)
    return value if isinstance(value, str) else ""


def _same(name: str) -> str:
    """A display name as Teams compares it: case and runs of spaces ignored."""
    return " ".join(name.split()).casefold()


def _is_team(group: Json) -> bool:
    options = group.get("resourceProvisioningOptions")
    return isinstance(options, list) and TEAM_OPTION in options


def _person(user: Json) -> NameMatch | None:
    user_id = _text(user, "id").casefold()
    if not user_id:
        return None
    shown = _text(user, "displayName") or _text(user, "userPrincipalName")
    return NameMatch(user_id, shown)


def _channel(team: Json, channel: Json) -> NameMatch:
    target = f"{_text(team, 'id').casefold()}{TEAM_SEPARATOR}{_text(channel, 'id')}"
    return NameMatch(
        target, _channel_name(_text(team, "displayName"), _text(channel, "displayName"))
    )


def _channel_name(team: str, channel: str) -> str:
    return f"{team} {NAME_SEPARATOR} {channel}"


def _key(target: str) -> str:
    group, _, channel = target.partition(TEAM_SEPARATOR)
    return f"{group.casefold()}{TEAM_SEPARATOR}{channel}"
