"""The routes of the announcement API: POST /api/announcements, GET /api/announcements/{id}.

Kept apart from the API itself (bot/http/announcements.py), which the app makes once the
capabilities have loaded: adding the routes when the application is made then loads neither
the announcement services nor the request body's models before the bot answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.http.problems import unavailable

if TYPE_CHECKING:
    from bot.http.announcements import AnnouncementsApi

ROUTE = "/api/announcements"
ITEM_ROUTE = "/api/announcements/{announcement_id}"
ANNOUNCEMENTS_API: web.AppKey[AnnouncementsApi] = web.AppKey("announcements_api")


def add_announcement_routes(app: web.Application, api: AnnouncementsApi | None = None) -> None:
    """POST /api/announcements, GET /api/announcements/{id}. The handler may be given now or
    set as app[ANNOUNCEMENTS_API] later (once the capabilities have loaded)."""
    if api is not None:
        app[ANNOUNCEMENTS_API] = api
    app.router.add_post(ROUTE, _create)
    app.router.add_get(ITEM_ROUTE, _status)


async def _create(request: web.Request) -> web.StreamResponse:
    api = request.app.get(ANNOUNCEMENTS_API)
    if api is None:
        return unavailable("announcements.api.unavailable")
    return await api.create(request)


async def _status(request: web.Request) -> web.StreamResponse:
    api = request.app.get(ANNOUNCEMENTS_API)
    if api is None:
        return unavailable("announcements.api.unavailable")
    return await api.status(request)
