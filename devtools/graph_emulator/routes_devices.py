"""Graph routes for sign-in security: authentication methods, Intune managed devices and
Entra-registered devices of a user."""

from __future__ import annotations

from aiohttp import web

from devtools.graph_emulator.odata import GraphCall, Record, project
from devtools.graph_emulator.router import Route


def _plain(call: GraphCall, record: Record) -> Record:
    return project(record, call.query.select, None)


def _typed(call: GraphCall, record: Record) -> Record:
    """Polymorphic items keep their @odata.type whatever the $select."""
    body = project(record, call.query.select, None)
    body.pop("@odata.type", None)
    return {"@odata.type": record.get("@odata.type"), **body}


async def authentication_methods(call: GraphCall) -> web.StreamResponse:
    user = call.tenant.user(call.params["user"])
    return call.collection(
        user.get("authenticationMethods", []),
        call.context(f"users('{user['id']}')/authentication/methods"),
        project=lambda method: _typed(call, method),
    )


async def user_managed_devices(call: GraphCall) -> web.StreamResponse:
    user = call.tenant.user(call.params["user"])
    return call.collection(
        user.get("managedDevices", []),
        call.context(f"users('{user['id']}')/managedDevices"),
        project=lambda device: _plain(call, device),
    )


async def all_managed_devices(call: GraphCall) -> web.StreamResponse:
    """GET /deviceManagement/managedDevices, usually with $filter=userId eq '{id}'."""
    devices = [d for user in call.tenant.users.values() for d in user.get("managedDevices", [])]
    return call.collection(
        devices,
        call.context("deviceManagement/managedDevices"),
        project=lambda device: _plain(call, device),
    )


async def registered_devices(call: GraphCall) -> web.StreamResponse:
    user = call.tenant.user(call.params["user"])
    return call.collection(
        user.get("registeredDevices", []),
        call.selected("directoryObjects"),
        project=lambda device: _typed(call, device),
    )


ROUTES = [
    Route("GET", "users/{user}/authentication/methods", authentication_methods),
    Route("GET", "users/{user}/manageddevices", user_managed_devices),
    Route("GET", "users/{user}/registereddevices", registered_devices),
    Route("GET", "devicemanagement/manageddevices", all_managed_devices),
]
