"""Graph routes for users: get, list/search, manager and (transitive) memberships."""

from __future__ import annotations

from aiohttp import web

from devtools.graph_emulator.odata import GraphCall, Record, check_select, project
from devtools.graph_emulator.router import Route
from devtools.graph_emulator.routes_groups import directory_objects
from devtools.graph_emulator.tenant import not_found
from devtools.graph_emulator.views import (
    GROUP_DEFAULT_FIELDS,
    ODATA_TYPES,
    USER_DEFAULT_FIELDS,
    USER_PROPERTIES,
    default_fields,
    group_view,
)


def project_user(call: GraphCall, user: Record, odata_type: str | None = None) -> Record:
    return project(call.user_view(user), call.query.select, USER_DEFAULT_FIELDS, odata_type)


async def list_users(call: GraphCall) -> web.StreamResponse:
    check_select(call.query.select, USER_PROPERTIES, "user")
    return call.collection(
        call.tenant.users.values(),
        call.selected("users"),
        project=lambda user: project_user(call, user),
        searchable=call.user_view,
    )


async def get_user(call: GraphCall) -> web.StreamResponse:
    check_select(call.query.select, USER_PROPERTIES, "user")
    user = call.tenant.user(call.params["user"])
    return call.ok(
        {"@odata.context": call.selected("users", "/$entity"), **project_user(call, user)}
    )


async def get_manager(call: GraphCall) -> web.StreamResponse:
    check_select(call.query.select, USER_PROPERTIES, "user")
    user = call.tenant.user(call.params["user"])
    manager = call.tenant.find_user(user["manager"]) if user.get("manager") else None
    if manager is None:
        raise not_found("manager")
    body = project_user(call, manager, ODATA_TYPES["user"])
    return call.ok({"@odata.context": call.context("directoryObjects/$entity"), **body})


async def _memberships(call: GraphCall, *, transitive: bool, cast: bool) -> web.StreamResponse:
    user = call.tenant.user(call.params["user"])
    tenant = call.tenant
    parents = (
        tenant.transitive_parents(user["id"]) if transitive else tenant.direct_parents(user["id"])
    )
    if cast:
        groups = [record for kind, record in parents if kind == "group"]
        return call.collection(
            groups,
            call.selected("groups"),
            project=lambda g: project(group_view(g), call.query.select, GROUP_DEFAULT_FIELDS),
            searchable=group_view,
        )
    return directory_objects(call, parents)


async def member_of_item(call: GraphCall) -> web.StreamResponse:
    """GET /users/{id}/memberOf/{id}: the group (or role) when the user is a direct member.

    For anything else, the user included, Graph answers 404 naming the user, not the missing
    member: the navigation found nothing under that user."""
    user = call.tenant.user(call.params["user"])
    wanted = call.params["object"].lower()
    parents = call.tenant.direct_parents(user["id"])
    found = next((item for item in parents if item[1]["id"].lower() == wanted), None)
    if found is None:
        raise not_found(call.params["user"])
    kind, record = found
    body = project(
        call.object_view(kind, record),
        call.query.select,
        default_fields(kind),
        ODATA_TYPES[kind],
    )
    return call.ok({"@odata.context": call.context("directoryObjects/$entity"), **body})


async def _count(call: GraphCall, *, cast: bool) -> web.StreamResponse:
    user = call.tenant.user(call.params["user"])
    parents = call.tenant.transitive_parents(user["id"])
    total = sum(1 for kind, _ in parents if kind == "group" or not cast)
    return web.Response(text=str(total), content_type="text/plain")


async def member_of(call: GraphCall) -> web.StreamResponse:
    return await _memberships(call, transitive=False, cast=False)


async def member_of_groups(call: GraphCall) -> web.StreamResponse:
    return await _memberships(call, transitive=False, cast=True)


async def transitive_member_of(call: GraphCall) -> web.StreamResponse:
    return await _memberships(call, transitive=True, cast=False)


async def transitive_member_of_groups(call: GraphCall) -> web.StreamResponse:
    return await _memberships(call, transitive=True, cast=True)


async def transitive_count(call: GraphCall) -> web.StreamResponse:
    return await _count(call, cast=False)


async def transitive_group_count(call: GraphCall) -> web.StreamResponse:
    return await _count(call, cast=True)


ROUTES = [
    Route("GET", "users", list_users),
    Route("GET", "users/{user}", get_user),
    Route("GET", "users/{user}/manager", get_manager),
    Route("GET", "users/{user}/memberof", member_of),
    Route("GET", "users/{user}/memberof/graph.group", member_of_groups),
    Route("GET", "users/{user}/memberof/{object}", member_of_item),  # after the cast: first wins
    Route("GET", "users/{user}/transitivememberof", transitive_member_of),
    Route("GET", "users/{user}/transitivememberof/graph.group", transitive_member_of_groups),
    Route("GET", "users/{user}/transitivememberof/$count", transitive_count),
    Route("GET", "users/{user}/transitivememberof/graph.group/$count", transitive_group_count),
]
