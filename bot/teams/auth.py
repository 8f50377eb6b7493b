"""Bot Framework token checks for /api/messages only (health and intake have their own rules).

The SDK validates the JWT (signature against the channel's signing keys, audience, expiry).
We bound the wait: fetching signing keys runs in a thread and can hang on a dead network, and a
channel waiting on us must get a quick 401 rather than a timeout.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, ClaimsIdentity
from microsoft_agents.hosting.core.authorization.jwt import _authorize_request

from bot.http.problems import problem

logger = logging.getLogger(__name__)


def _bearer(header: str | None) -> str | None:
    """Normalise the Authorization header; None when absent, "" when malformed."""
    if header is None:
        return None
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return ""
    return f"Bearer {parts[1]}"


def unauthorized(reason_en: str) -> web.Response:
    return problem(
        401,
        "Het token ontbreekt of is ongeldig.",
        detail_en=reason_en,
        headers={"WWW-Authenticate": "Bearer"},
    )


async def authenticate(
    request: web.Request, config: AgentAuthConfiguration, limit_seconds: float
) -> ClaimsIdentity | web.Response:
    header = _bearer(request.headers.get("Authorization"))
    if header == "":
        return unauthorized("Malformed Authorization header.")
    if header is None:
        # No token: allowed only in anonymous local mode, and nothing to fetch or wait for.
        anonymous = await _authorize_request(None, config)
        return (
            anonymous if isinstance(anonymous, ClaimsIdentity) else unauthorized("Missing token.")
        )
    try:
        result = await asyncio.wait_for(_authorize_request(header, config), limit_seconds)
    except TimeoutError:
        logger.warning("token validation timed out after %.1fs", limit_seconds)
        return unauthorized("Token could not be validated in time.")
    except Exception as error:  # any validator failure is the caller's 401, never our 500
        logger.warning("token validation failed: %s", type(error).__name__)
        return unauthorized("Invalid token.")
    if isinstance(result, ClaimsIdentity):
        return result
    return unauthorized("Invalid or missing token.")
