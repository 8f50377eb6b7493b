"""Graph routes for Teams: a team and its channels (what the routing rules' names need).

A team is a group whose resourceProvisioningOptions holds "Team"; its channels live on the group
record in the tenant file ("channels"). /teams/{id} of any other group is 404, as in Graph.
"""

from __future__ import annotations

from aiohttp import web

from devtools.graph_emulator.odata import GraphCall, Record, project
from devtools.graph_emulator.router import Route

CHANNEL_DEFAULT_FIELDS = (
    "id",
    "createdDateTime",
    "displayName",
    "description",
    "email",
    "membershipType",
    "webUrl",
)
TEAM_DEFAULT_FIELDS = ("id", "createdDateTime", "displayName", "description", "visibility")


def channel_view(channel: Record) -> Record:
    view = dict(channel)
    view.setdefault("email", "")
    view.setdefault("webUrl", f"https://teams.microsoft.com/l/channel/{channel['id']}")
    return view


async def get_team(call: GraphCall) -> web.StreamResponse:
    team = call.tenant.team(call.params["team"])
    body = project(team, call.query.select, TEAM_DEFAULT_FIELDS)
    return call.ok({"@odata.context": call.selected("teams", "/$entity"), **body})


async def list_channels(call: GraphCall) -> web.StreamResponse:
    team = call.tenant.team(call.params["team"])
    return call.collection(
        list(team.get("channels") or []),
        call.context(f"teams('{team['id']}')/channels"),
        project=lambda c: project(channel_view(c), call.query.select, CHANNEL_DEFAULT_FIELDS),
        searchable=channel_view,
    )


ROUTES = [
    Route("GET", "teams/{team}", get_team),
    Route("GET", "teams/{team}/channels", list_channels),
]
