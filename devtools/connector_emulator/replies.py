"""Teams-style answers and request details for the connector emulator."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

from aiohttp import web

from devtools.connector_emulator.records import Conversation


class EmulatorReply(Exception):
    """Stop handling a request and answer with a Teams-style error body."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


DEFAULT_FAULT_CODES = {
    412: "PreconditionFailed",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
    403: "MessageWritesBlocked",
    404: "ConversationNotFound",
}


async def read_json(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise EmulatorReply(400, "BadSyntax", "The body is not valid JSON.") from error
    if not isinstance(data, dict):
        raise EmulatorReply(400, "BadSyntax", "The body must be a JSON object.")
    return data


def app_of(request: web.Request) -> str:
    """The calling app, from the bearer token's claims (read, never verified)."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return "anonymous"
    parts = header[7:].strip().split(".")
    if len(parts) != 3:
        return "token"
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError):
        return "token"
    return str(claims.get("appid") or claims.get("azp") or claims.get("aud") or "token")


def members_page(conversation: Conversation) -> dict[str, Any]:
    members = [{"id": member, "aadObjectId": member} for member in conversation.member_ids]
    return {"members": members, "continuationToken": None}


def retry_after_header(seconds: float | None) -> str:
    # HTTP delta-seconds are whole seconds: round up so a client that obeys is never early.
    return "" if seconds is None else str(max(1, math.ceil(seconds)))


def error_response(reply: EmulatorReply) -> web.Response:
    headers = {}
    retry_after = retry_after_header(reply.retry_after)
    if retry_after:
        headers["Retry-After"] = retry_after
    body = {"error": {"code": reply.code, "message": reply.message}}
    return web.json_response(body, status=reply.status, headers=headers)
