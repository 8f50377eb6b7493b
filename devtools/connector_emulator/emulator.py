"""The `serviceUrl` side of Teams (Bot Framework Connector REST v3), for tests and benchmarks.

Serves conversation creation, activity send / reply / update / delete and the member roster,
enforces the Teams rate limits (per app per tenant, per conversation) with 429 + Retry-After,
simulates people who blocked the bot and conversations that are gone, injects faults, and
records everything it receives. Any bearer token (or none) is accepted; its presence is noted.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import math
import time
import uuid
from typing import Any

from aiohttp import web

from devtools.connector_emulator.limits import (
    CONVERSATION_READ_LIMITS,
    CONVERSATION_WRITE_LIMITS,
    SlidingWindow,
    tenant_window,
)
from devtools.connector_emulator.records import (
    DEDUPE_KEY_FIELD,
    Conversation,
    Fault,
    ReceivedActivity,
    ReceivedRequest,
    Stats,
)
from devtools.connector_emulator.routes import Route, match_route

logger = logging.getLogger(__name__)

UNKNOWN_TENANT = "unknown"
_ACTIVITY_ID_BASE = 1_700_000_000_000


class EmulatorReply(Exception):
    """Stop handling a request and answer with a Teams-style error body."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


class ConnectorEmulator:
    def __init__(
        self,
        *,
        tenant_rate_per_second: float | None = 50.0,
        enforce_conversation_limits: bool = True,
        strict_conversations: bool = False,
    ) -> None:
        """strict_conversations: answer 404 for conversation ids it never created or was told
        about (by default any id is accepted, as if it existed in Teams)."""
        self.tenant_rate_per_second = tenant_rate_per_second
        self.enforce_conversation_limits = enforce_conversation_limits
        self.strict_conversations = strict_conversations
        self.service_url = ""
        self._runner: web.AppRunner | None = None
        self.reset()

    # --- lifecycle ----------------------------------------------------------------------------
    def build_app(self) -> web.Application:
        from devtools.connector_emulator.control import add_control_routes

        app = web.Application(client_max_size=8 * 1024 * 1024)
        add_control_routes(app, self)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.build_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.service_url = f"http://{bound_host}:{bound_port}/"
        return self.service_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- state --------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything received and all simulated state (limits settings are kept)."""
        self.conversations: dict[str, Conversation] = {}
        self._by_member: dict[tuple[str, str], str] = {}
        self.activities: list[ReceivedActivity] = []
        self.requests: list[ReceivedRequest] = []
        self.stats = Stats()
        self.blocked_users: dict[str, str] = {}
        self.faults: list[Fault] = []
        self._tenant_windows: dict[str, SlidingWindow] = {}
        self._conversation_windows: dict[tuple[str, str], SlidingWindow] = {}
        self._seen_dedupe_keys: set[str] = set()
        self._activity_ids = itertools.count(1)

    def configure(
        self,
        *,
        tenant_rate_per_second: float | None,
        enforce_conversation_limits: bool | None = None,
    ) -> None:
        self.tenant_rate_per_second = tenant_rate_per_second
        if enforce_conversation_limits is not None:
            self.enforce_conversation_limits = enforce_conversation_limits
        self._tenant_windows.clear()

    def add_conversation(
        self, conversation_id: str, tenant_id: str, member_id: str = "", bot_id: str = ""
    ) -> None:
        """Make a conversation known (as if the person had installed the app earlier)."""
        members = (member_id,) if member_id else ()
        self.conversations[conversation_id] = Conversation(
            conversation_id, tenant_id, members, bot_id
        )
        if member_id:
            self._by_member[(tenant_id, member_id)] = conversation_id

    def block_user(self, user_id: str, code: str = "MessageWritesBlocked") -> None:
        """Sends to this person answer 403 with `code`; with BotNotInConversationRoster even
        opening the 1:1 chat does."""
        self.blocked_users[user_id] = code

    def unblock_user(self, user_id: str) -> None:
        self.blocked_users.pop(user_id, None)

    def drop_conversation(self, conversation_id: str) -> None:
        """The conversation is gone: everything addressed to it answers 404."""
        conversation = self.conversations.get(conversation_id)
        if conversation is None:
            conversation = Conversation(conversation_id, UNKNOWN_TENANT)
            self.conversations[conversation_id] = conversation
        conversation.gone = True

    def inject(
        self,
        status: int,
        times: int,
        retry_after: float | None = None,
        *,
        code: str = "",
        conversation_id: str = "",
        user_id: str = "",
    ) -> None:
        """Answer the next `times` requests (to that conversation / person, if given) with
        `status` instead of serving them."""
        self.faults.append(Fault(status, times, retry_after, code, conversation_id, user_id))

    # --- convenience for assertions ------------------------------------------------------------
    @property
    def accepted(self) -> int:
        return self.stats.accepted

    @property
    def throttled(self) -> int:
        return self.stats.throttled

    @property
    def max_per_second_window(self) -> int:
        return self.stats.max_per_second_window

    @property
    def duplicates(self) -> int:
        return self.stats.duplicates

    def sends(self) -> list[ReceivedActivity]:
        """Accepted new messages (sends and replies, not updates)."""
        return [a for a in self.activities if a.operation in ("send", "reply")]

    # --- request handling ----------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        route = match_route(request.method, request.rel_url.raw_path)
        had_token = request.headers.get("Authorization", "").lower().startswith("bearer ")
        if had_token:
            self.stats.with_token += 1
        else:
            self.stats.without_token += 1
        now = time.monotonic()
        body: dict[str, Any] = {}
        tenant_id = UNKNOWN_TENANT
        try:
            if route is None:
                raise EmulatorReply(404, "NotFound", "No such connector operation.")
            body = await _read_json(request) if request.method in ("POST", "PUT") else {}
            conversation = self.conversations.get(route.conversation_id)
            tenant_id = self._tenant_of(route, conversation, body)
            self._apply_faults(conversation, route.conversation_id)
            self._admit(route, tenant_id, _app_of(request), now)
            status, payload = self._serve(route, conversation, tenant_id, body, now, had_token)
        except EmulatorReply as reply:
            self._count(reply.status)
            self._remember(request, route, reply.status, now, tenant_id, had_token, body, reply)
            return _error_response(reply)
        self._count(status)
        self._remember(request, route, status, now, tenant_id, had_token, body, None)
        return web.json_response(payload, status=status)

    def _tenant_of(
        self, route: Route, conversation: Conversation | None, body: dict[str, Any]
    ) -> str:
        if conversation is not None and conversation.tenant_id != UNKNOWN_TENANT:
            return conversation.tenant_id
        channel_tenant = ((body.get("channelData") or {}).get("tenant") or {}).get("id")
        conversation_tenant = (body.get("conversation") or {}).get("tenantId")
        return str(channel_tenant or conversation_tenant or UNKNOWN_TENANT)

    def _apply_faults(self, conversation: Conversation | None, conversation_id: str) -> None:
        for fault in self.faults:
            if fault.remaining > 0 and fault.matches(conversation, conversation_id):
                fault.remaining -= 1
                self.stats.injected += 1
                code = fault.code or _DEFAULT_FAULT_CODES.get(fault.status, "ServiceError")
                raise EmulatorReply(fault.status, code, "Injected fault.", fault.retry_after)
        self.faults = [fault for fault in self.faults if fault.remaining > 0]

    def _admit(self, route: Route, tenant_id: str, app_id: str, now: float) -> None:
        """Apply the rate limits; record the request in every window it counts against."""
        tenant_key = f"{app_id}|{tenant_id}"
        window = self._tenant_windows.get(tenant_key)
        if window is None:
            window = self._tenant_windows[tenant_key] = tenant_window(self.tenant_rate_per_second)
        wait = window.wait_needed(now)
        conversation_window = None
        if self.enforce_conversation_limits and route.conversation_id:
            limits = CONVERSATION_READ_LIMITS if route.is_read else CONVERSATION_WRITE_LIMITS
            key = (route.conversation_id, "read" if route.is_read else "write")
            conversation_window = self._conversation_windows.get(key)
            if conversation_window is None:
                conversation_window = SlidingWindow(limits=limits)
                self._conversation_windows[key] = conversation_window
            wait = max(wait, conversation_window.wait_needed(now))
        if wait > 0:
            self.stats.throttled += 1
            raise EmulatorReply(
                429, "TooManyRequests", "Too many requests. Retry after the indicated time.", wait
            )
        in_last_second = window.admit(now)
        if conversation_window is not None:
            conversation_window.admit(now)
        stats = self.stats
        if in_last_second > stats.peak_per_tenant.get(tenant_key, 0):
            stats.peak_per_tenant[tenant_key] = in_last_second
            stats.max_per_second_window = max(stats.max_per_second_window, in_last_second)

    def _serve(
        self,
        route: Route,
        conversation: Conversation | None,
        tenant_id: str,
        body: dict[str, Any],
        now: float,
        had_token: bool,
    ) -> tuple[int, dict[str, Any]]:
        if route.operation == "create":
            return self._create_conversation(body, tenant_id)
        conversation = self._existing(route.conversation_id, conversation)
        if route.operation == "members":
            return 200, _members_page(conversation)
        self._check_reachable(conversation)
        if route.operation == "delete":
            return 200, {}
        activity_id = route.activity_id if route.operation == "update" else self._next_id()
        received = ReceivedActivity(
            conversation_id=route.conversation_id,
            activity_id=activity_id,
            activity=body,
            operation=route.operation,
            at=now,
            wall=time.time(),
            tenant_id=tenant_id,
            had_token=had_token,
            reply_to_id=route.activity_id if route.operation == "reply" else "",
        )
        self.activities.append(received)
        key = received.dedupe_key
        if key and route.operation != "update":
            if key in self._seen_dedupe_keys:
                self.stats.duplicates += 1
            self._seen_dedupe_keys.add(key)
        return (200 if route.operation == "update" else 201), {"id": activity_id}

    def _create_conversation(self, body: dict[str, Any], tenant_id: str) -> tuple[int, Any]:
        members = body.get("members") or []
        if not isinstance(members, list) or not members or not isinstance(members[0], dict):
            raise EmulatorReply(400, "BadArgument", "members must list at least one member.")
        member_id = str(members[0].get("id") or "")
        if not member_id or tenant_id == UNKNOWN_TENANT:
            raise EmulatorReply(400, "BadArgument", "Member id and channelData.tenant.id needed.")
        if self.blocked_users.get(member_id) == "BotNotInConversationRoster":
            raise EmulatorReply(403, "BotNotInConversationRoster", "The app is not installed.")
        existing = self._by_member.get((tenant_id, member_id))
        if existing and not self.conversations[existing].gone:
            return 201, {"id": existing}
        conversation_id = "a:1" + uuid.uuid4().hex
        bot_id = str((body.get("bot") or {}).get("id") or "")
        self.add_conversation(conversation_id, tenant_id, member_id, bot_id)
        self.conversations[conversation_id].is_group = bool(body.get("isGroup"))
        self.stats.created_conversations += 1
        return 201, {"id": conversation_id, "serviceUrl": self.service_url}

    def _existing(self, conversation_id: str, conversation: Conversation | None) -> Conversation:
        if conversation is None and self.strict_conversations:
            raise EmulatorReply(404, "ConversationNotFound", "Conversation not found.")
        if conversation is None:
            return Conversation(conversation_id, UNKNOWN_TENANT)
        if conversation.gone:
            raise EmulatorReply(404, "ConversationNotFound", "Conversation not found.")
        return conversation

    def _check_reachable(self, conversation: Conversation) -> None:
        for member_id in conversation.member_ids:
            code = self.blocked_users.get(member_id)
            if code:
                raise EmulatorReply(403, code, "The bot cannot write to this conversation.")

    def _next_id(self) -> str:
        return str(_ACTIVITY_ID_BASE + next(self._activity_ids))

    def _count(self, status: int) -> None:
        stats = self.stats
        stats.statuses[status] += 1
        if 200 <= status < 300:
            stats.accepted += 1
        elif status == 403:
            stats.blocked += 1
        elif status == 404:
            stats.not_found += 1
        elif status == 400:
            stats.bad_requests += 1

    def _remember(
        self,
        request: web.Request,
        route: Route | None,
        status: int,
        now: float,
        tenant_id: str,
        had_token: bool,
        body: dict[str, Any],
        reply: EmulatorReply | None,
    ) -> None:
        channel_data = body.get("channelData") if isinstance(body, dict) else None
        key = channel_data.get(DEDUPE_KEY_FIELD, "") if isinstance(channel_data, dict) else ""
        self.requests.append(
            ReceivedRequest(
                method=request.method,
                path=request.path,
                status=status,
                at=now,
                wall=time.time(),
                tenant_id=tenant_id,
                conversation_id=route.conversation_id if route else "",
                had_token=had_token,
                dedupe_key=str(key or ""),
                error_code=reply.code if reply else "",
                retry_after=_retry_after_header(reply.retry_after) if reply else "",
            )
        )


_DEFAULT_FAULT_CODES = {
    412: "PreconditionFailed",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
    403: "MessageWritesBlocked",
    404: "ConversationNotFound",
}


async def _read_json(request: web.Request) -> dict[str, Any]:
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


def _app_of(request: web.Request) -> str:
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


def _members_page(conversation: Conversation) -> dict[str, Any]:
    members = [{"id": member, "aadObjectId": member} for member in conversation.member_ids]
    return {"members": members, "continuationToken": None}


def _retry_after_header(seconds: float | None) -> str:
    # HTTP delta-seconds are whole seconds: round up so a client that obeys is never early.
    return "" if seconds is None else str(max(1, math.ceil(seconds)))


def _error_response(reply: EmulatorReply) -> web.Response:
    headers = {}
    retry_after = _retry_after_header(reply.retry_after)
    if retry_after:
        headers["Retry-After"] = retry_after
    body = {"error": {"code": reply.code, "message": reply.message}}
    return web.json_response(body, status=reply.status, headers=headers)
