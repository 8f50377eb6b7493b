"""Graph routes for groups: get, list, (transitive) members and how many users are among them,
add and remove members."""

from __future__ import annotations

from aiohttp import web

from devtools.graph_emulator.odata import (
    GraphCall,
    Record,
    check_select,
    empty_response,
    project,
)
from devtools.graph_emulator.router import Route
from devtools.graph_emulator.tenant import DirectoryError
from devtools.graph_emulator.views import (
    GROUP_DEFAULT_FIELDS,
    ODATA_TYPES,
    USER_DEFAULT_FIELDS,
    USER_PROPERTIES,
    default_fields,
    group_view,
)


async def list_groups(call: GraphCall) -> web.StreamResponse:
    return call.collection(
        call.tenant.groups.values(),
        call.selected("groups"),
        project=lambda g: project(group_view(g), call.query.select, GROUP_DEFAULT_FIELDS),
        searchable=group_view,
    )


async def get_group(call: GraphCall) -> web.StreamResponse:
    group = call.tenant.group(call.params["group"])
    body = project(group_view(group), call.query.select, GROUP_DEFAULT_FIELDS)
    return call.ok({"@odata.context": call.selected("groups", "/$entity"), **body})


def directory_objects(call: GraphCall, members: list[tuple[str, Record]]) -> web.StreamResponse:
    """A page of mixed directory objects (users, groups, roles), each with its @odata.type."""
    kinds = {id(record): kind for kind, record in members}
    return call.collection(
        [record for _, record in members],
        call.selected("directoryObjects"),
        project=lambda r: project(
            call.object_view(kinds[id(r)], r),
            call.query.select,
            default_fields(kinds[id(r)]),
            ODATA_TYPES[kinds[id(r)]],
        ),
        searchable=lambda r: call.object_view(kinds[id(r)], r),
    )


async def list_members(call: GraphCall) -> web.StreamResponse:
    group = call.tenant.group(call.params["group"])
    return directory_objects(call, call.tenant.members(group))


async def list_transitive_members(call: GraphCall) -> web.StreamResponse:
    group = call.tenant.group(call.params["group"])
    return directory_objects(call, call.tenant.transitive_members(group))


def users_only(call: GraphCall, members: list[tuple[str, Record]]) -> web.StreamResponse:
    """A page of the users among the members (the microsoft.graph.user cast)."""
    check_select(call.query.select, USER_PROPERTIES, "user")
    return call.collection(
        [record for kind, record in members if kind == "user"],
        call.selected("users"),
        project=lambda u: project(call.user_view(u), call.query.select, USER_DEFAULT_FIELDS),
        searchable=call.user_view,
    )


async def list_member_users(call: GraphCall) -> web.StreamResponse:
    group = call.tenant.group(call.params["group"])
    return users_only(call, call.tenant.members(group))


async def list_transitive_member_users(call: GraphCall) -> web.StreamResponse:
    group = call.tenant.group(call.params["group"])
    return users_only(call, call.tenant.transitive_members(group))


async def count_transitive_member_users(call: GraphCall) -> web.StreamResponse:
    """GET /groups/{id}/transitiveMembers/microsoft.graph.user/$count: a number as text/plain.
    Like Graph, only as an advanced query (ConsistencyLevel: eventual)."""
    if call.request.headers.get("ConsistencyLevel", "").lower() != "eventual":
        raise DirectoryError(
            400,
            "Request_BadRequest",
            "Count is only supported with the request header 'ConsistencyLevel: eventual'.",
        )
    group = call.tenant.group(call.params["group"])
    total = sum(1 for kind, _ in call.tenant.transitive_members(group) if kind == "user")
    return web.Response(text=str(total), content_type="text/plain")


async def add_member(call: GraphCall) -> web.StreamResponse:
    call.tenant.group(call.params["group"])  # 404 for an unknown group before reading the body
    body = await call.json_body()
    reference = body.get("@odata.id") if isinstance(body, dict) else None
    if not isinstance(reference, str) or not reference.rstrip("/"):
        raise DirectoryError(400, "Request_BadRequest", "Invalid object identifier ''.")
    # "https://graph.microsoft.com/v1.0/directoryObjects/{id}" (or users/{id}, groups/{id})
    object_id = reference.rstrip("/").rsplit("/", 1)[-1]
    call.tenant.add_member(call.params["group"], object_id)
    return empty_response(call.request)


async def remove_member(call: GraphCall) -> web.StreamResponse:
    call.tenant.remove_member(call.params["group"], call.params["member"])
    return empty_response(call.request)


ROUTES = [
    Route("GET", "groups", list_groups),
    Route("GET", "groups/{group}", get_group),
    Route("GET", "groups/{group}/members", list_members),
    Route("GET", "groups/{group}/transitivemembers", list_transitive_members),
    Route("GET", "groups/{group}/members/graph.user", list_member_users),
    Route("GET", "groups/{group}/transitivemembers/graph.user", list_transitive_member_users),
    Route(
        "GET", "groups/{group}/transitivemembers/graph.user/$count", count_transitive_member_users
    ),
    Route("POST", "groups/{group}/members/$ref", add_member),
    Route("DELETE", "groups/{group}/members/{member}/$ref", remove_member),
]
