"""The `serviceUrl` side of Teams (Bot Framework Connector REST v3), for tests and benchmarks.

Serves conversation creation, activity send / reply / update / delete and the member roster,
enforces the Teams rate limits (per app per tenant, per conversation) with 429 + Retry-After,
simulates people who blocked the bot and conversations that are gone, injects faults, and
records everything it receives. Any bearer token (or none) is accepted; its presence is noted.

An update (PUT .../activities/{id}) replaces the whole message, as in Teams: `posted` keeps each
message as it looks now. It counts against the same per-app-per-tenant and per-conversation
limits as a send (Teams applies one policy to every bot request). A delete (DELETE
.../activities/{id}) marks the message deleted and is recorded in `deleted` (deletions()). An
update or delete of an id never sent in that conversation (or deleted) answers 404
ActivityNotFound.

Batch operations (v3/batch/conversation/...) are batches.py's; the per-app-per-tenant window
counts their requests (the tenant is the body's `tenantId`, or the operation's), not their
entries, and faults injected without a conversation or person apply to them too.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web

from devtools.connector_emulator.batches import BATCH_CREATES
from devtools.connector_emulator.limits import (
    CONVERSATION_READ_LIMITS,
    CONVERSATION_WRITE_LIMITS,
    SlidingWindow,
    tenant_window,
)
from devtools.connector_emulator.records import (
    DEDUPE_KEY_FIELD,
    Conversation,
    Deletion,
    PostedMessage,
    ReceivedActivity,
    ReceivedRequest,
)
from devtools.connector_emulator.replies import (
    DEFAULT_FAULT_CODES,
    EmulatorReply,
    app_of,
    error_response,
    members_page,
    read_json,
    retry_after_header,
)
from devtools.connector_emulator.routes import Route, match_route
from devtools.connector_emulator.state import UNKNOWN_TENANT, EmulatorState

logger = logging.getLogger(__name__)


class ConnectorEmulator(EmulatorState):
    """See the package docstring; the steering API (block_user, inject, ...) is EmulatorState's."""

    _runner: web.AppRunner | None = None

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
        await self.batches.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- request handling ----------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        route = match_route(request.method, request.rel_url.raw_path_qs)
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
            body = await read_json(request) if request.method in ("POST", "PUT") else {}
            conversation = self.conversations.get(route.conversation_id)
            tenant_id = self._tenant_of(route, conversation, body)
            self._apply_faults(conversation, route.conversation_id)
            self._admit(route, tenant_id, app_of(request), now)
            status, payload = self._serve(route, tenant_id, body, now, had_token)
        except EmulatorReply as reply:
            self._count(reply.status)
            self._remember(request, route, reply.status, now, tenant_id, had_token, body, reply)
            return error_response(reply)
        self._count(status)
        self._remember(request, route, status, now, tenant_id, had_token, body, None)
        return web.json_response(payload, status=status)

    def _tenant_of(
        self, route: Route, conversation: Conversation | None, body: dict[str, Any]
    ) -> str:
        if conversation is not None and conversation.tenant_id != UNKNOWN_TENANT:
            return conversation.tenant_id
        if route.is_batch:
            operation = self.batches.operations.get(route.operation_id)
            return operation.tenant_id if operation else str(body.get("tenantId") or UNKNOWN_TENANT)
        channel_tenant = ((body.get("channelData") or {}).get("tenant") or {}).get("id")
        conversation_tenant = (body.get("conversation") or {}).get("tenantId")
        return str(channel_tenant or conversation_tenant or UNKNOWN_TENANT)

    def _apply_faults(self, conversation: Conversation | None, conversation_id: str) -> None:
        for fault in self.faults:
            if fault.remaining > 0 and fault.matches(conversation, conversation_id):
                fault.remaining -= 1
                self.stats.injected += 1
                code = fault.code or DEFAULT_FAULT_CODES.get(fault.status, "ServiceError")
                raise EmulatorReply(fault.status, code, "Injected fault.", fault.retry_after)
        self.faults = [fault for fault in self.faults if fault.remaining > 0]

    def _admit(self, route: Route, tenant_id: str, app_id: str, now: float) -> None:
        """Apply the rate limits; record the request in every window it counts against."""
        tenant_key = f"{app_id}|{tenant_id}"
        window = self._tenant_windows.get(tenant_key)
        if window is None:
            window = self._tenant_windows[tenant_key] = tenant_window(self.tenant_rate_per_second)
        others: list[SlidingWindow] = []
        if self.enforce_conversation_limits and route.conversation_id:
            limits = CONVERSATION_READ_LIMITS if route.is_read else CONVERSATION_WRITE_LIMITS
            key = (route.conversation_id, "read" if route.is_read else "write")
            conversation_window = self._conversation_windows.get(key)
            if conversation_window is None:
                conversation_window = SlidingWindow(limits=limits)
                self._conversation_windows[key] = conversation_window
            others.append(conversation_window)
        if route.operation in BATCH_CREATES:
            create_window = self.batches.create_window(tenant_key)
            others.extend([create_window] if create_window else [])
        wait = max([window.wait_needed(now)] + [other.wait_needed(now) for other in others])
        if wait > 0:
            self.stats.throttled += 1
            raise EmulatorReply(
                429, "TooManyRequests", "Too many requests. Retry after the indicated time.", wait
            )
        in_last_second = window.admit(now)
        for other in others:
            other.admit(now)
        stats = self.stats
        if in_last_second > stats.peak_per_tenant.get(tenant_key, 0):
            stats.peak_per_tenant[tenant_key] = in_last_second
            stats.max_per_second_window = max(stats.max_per_second_window, in_last_second)

    def _serve(
        self,
        route: Route,
        tenant_id: str,
        body: dict[str, Any],
        now: float,
        had_token: bool,
    ) -> tuple[int, dict[str, Any]]:
        if route.operation == "create":
            return self._create_conversation(body, tenant_id)
        if route.is_batch:
            return self.batches.serve(route, body, tenant_id, now, had_token)
        if route.operation == "members":
            return 200, members_page(self.known_conversation(route.conversation_id))
        self.reachable_conversation(route.conversation_id)
        if route.operation == "delete":
            self._posted_in(route.conversation_id, route.activity_id).deleted = True
            self.deleted.append(
                Deletion(
                    route.conversation_id, route.activity_id, now, time.time(), tenant_id, had_token
                )
            )
            self.stats.deleted += 1
            return 200, {}
        received = ReceivedActivity(
            conversation_id=route.conversation_id,
            activity_id=(
                route.activity_id if route.operation == "update" else self.next_activity_id()
            ),
            activity=body,
            operation=route.operation,
            at=now,
            wall=time.time(),
            tenant_id=tenant_id,
            had_token=had_token,
            reply_to_id=route.activity_id if route.operation == "reply" else "",
        )
        if route.operation == "update":
            posted = self._posted_in(route.conversation_id, route.activity_id)
            self.activities.append(received)
            posted.activity = body
            posted.versions.append(body)
            self.stats.updated += 1
            return 200, {"id": received.activity_id}
        self.record_message(received)
        return 201, {"id": received.activity_id}

    def _posted_in(self, conversation_id: str, activity_id: str) -> PostedMessage:
        posted = self.posted.get(activity_id)
        if posted is None or posted.deleted or posted.conversation_id != conversation_id:
            raise EmulatorReply(404, "ActivityNotFound", "The activity was not found.")
        return posted

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
        bot_id = str((body.get("bot") or {}).get("id") or "")
        conversation_id = self.open_personal_chat(tenant_id, member_id, bot_id)
        self.conversations[conversation_id].is_group = bool(body.get("isGroup"))
        return 201, {"id": conversation_id, "serviceUrl": self.service_url}

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
        # A batch's key is on the activity it carries.
        activity = body.get("activity") if route is not None and route.is_batch else body
        channel_data = activity.get("channelData") if isinstance(activity, dict) else None
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
                retry_after=retry_after_header(reply.retry_after) if reply else "",
            )
        )
