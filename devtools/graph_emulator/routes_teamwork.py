"""Graph routes for a user's Teams apps: install one (what announcements do for people who never
had Werkplek) and list them.

POST /users/{id}/teamwork/installedApps {"teamsApp@odata.bind": ".../appCatalogs/teamsApps/{app}"}
answers 201 without a body, 409 when the app is installed already, 404 for an unknown user.
GET lists the installations; with $expand=teamsApp each carries {"id": app}; $filter on
teamsApp/id works either way.
"""

from __future__ import annotations

import base64

from aiohttp import web

from devtools.graph_emulator.odata import GraphCall, Record, empty_response
from devtools.graph_emulator.router import Route
from devtools.graph_emulator.tenant import DirectoryError

_BIND = "teamsApp@odata.bind"
_CATALOGUE = "/appcatalogs/teamsapps/"


def installation_id(user_id: str, teams_app_id: str) -> str:
    """Graph's installation ids are opaque base64; this one is stable per user and app."""
    return base64.urlsafe_b64encode(f"{user_id}##{teams_app_id}".encode()).decode()


async def install(call: GraphCall) -> web.StreamResponse:
    user = call.tenant.user(call.params["user"])  # 404 for an unknown user before the body
    body = await call.json_body()
    bound = body.get(_BIND) if isinstance(body, dict) else None
    if not isinstance(bound, str) or _CATALOGUE not in bound.lower():
        raise DirectoryError(
            400, "BadRequest", f"'{_BIND}' must name an app in the catalogue (appCatalogs)."
        )
    teams_app_id = bound.rstrip("/").rsplit("/", 1)[-1]
    if not teams_app_id:
        raise DirectoryError(400, "BadRequest", "The teams app id is missing.")
    call.tenant.install_app(user["id"], teams_app_id)
    return empty_response(call.request, 201)


async def list_installed(call: GraphCall) -> web.StreamResponse:
    user = call.tenant.user(call.params["user"])
    expand = (call.request.query.get("$expand") or call.request.query.get("expand") or "").lower()
    records: list[Record] = [
        {"id": installation_id(user["id"], app), "teamsApp": {"id": app}}
        for app in call.tenant.apps_of(user["id"])
    ]

    def view(record: Record) -> Record:
        return record if "teamsapp" in expand else {"id": record["id"]}

    return call.collection(
        records,
        call.context(f"users('{user['id']}')/teamwork/installedApps"),
        project=view,
    )


ROUTES = [
    Route("POST", "users/{user}/teamwork/installedapps", install),
    Route("GET", "users/{user}/teamwork/installedapps", list_installed),
]
