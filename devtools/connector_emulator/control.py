"""HTTP control endpoints under /_emulator/, for benchmarks that run the emulator (or the bot)
as a separate process. They mirror the Python API of ConnectorEmulator.

    GET  /_emulator/stats                  counters (see records.Stats; batch_* for batch
                                           operations), and batch_entries_waiting
    GET  /_emulator/activities?since=N     accepted activities from index N on
    GET  /_emulator/requests?since=N       every request from index N on
    GET  /_emulator/deletions?since=N      accepted deletions from index N on
    GET  /_emulator/messages/{activity_id} a sent message as it looks now (edits applied)
    POST /_emulator/reset                  forget everything; optional {"tenant_rate_per_second",
                                           "enforce_conversation_limits",
                                           "batch_entries_per_second",
                                           "batch_create_per_second"} to reconfigure (a rate
                                           of null: unlimited)
    POST /_emulator/block                  {"user_id", "code"?}
    POST /_emulator/drop                   {"conversation_id"}
    POST /_emulator/inject                 {"status", "times", "retry_after"?, "code"?,
                                            "conversation_id"?, "user_id"?}
    POST /_emulator/conversations          {"conversations": [{"id", "tenant_id", "member_id"}]}
    POST /_emulator/batch_fail             {"member_id", "status"?, "code"?}: that member's next
                                           batch entry fails (default 500 ServiceError), once
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from devtools.connector_emulator.emulator import ConnectorEmulator

_UNSET = object()


def add_control_routes(app: web.Application, emulator: ConnectorEmulator) -> None:
    async def stats(_: web.Request) -> web.Response:
        data = emulator.stats.to_json()
        data["tenant_rate_per_second"] = emulator.tenant_rate_per_second
        data["activities"] = len(emulator.activities)
        data["requests"] = len(emulator.requests)
        data["batch_entries_waiting"] = emulator.batches.waiting
        return web.json_response(data)

    async def activities(request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return web.json_response([a.to_json() for a in emulator.activities[since:]])

    async def requests(request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return web.json_response([r.to_json() for r in emulator.requests[since:]])

    async def deletions(request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return web.json_response([d.to_json() for d in emulator.deleted[since:]])

    async def message(request: web.Request) -> web.Response:
        posted = emulator.message(request.match_info["activity_id"])
        if posted is None:
            raise web.HTTPNotFound(text="no such message")
        return web.json_response(posted.to_json())

    async def reset(request: web.Request) -> web.Response:
        body = await _body(request)
        emulator.reset()
        rate = body.get("tenant_rate_per_second", _UNSET)
        if rate is not _UNSET:
            emulator.configure(
                tenant_rate_per_second=None if rate is None else float(rate),
                enforce_conversation_limits=body.get("enforce_conversation_limits"),
            )
        if "batch_entries_per_second" in body or "batch_create_per_second" in body:
            emulator.configure_batches(
                entries_per_second=_rate(
                    body.get("batch_entries_per_second", emulator.batch_entries_per_second)
                ),
                create_per_second=_rate(
                    body.get("batch_create_per_second", emulator.batch_create_per_second)
                ),
            )
        return web.json_response({"ok": True})

    async def block(request: web.Request) -> web.Response:
        body = await _body(request)
        emulator.block_user(str(body["user_id"]), str(body.get("code") or "MessageWritesBlocked"))
        return web.json_response({"ok": True})

    async def drop(request: web.Request) -> web.Response:
        body = await _body(request)
        emulator.drop_conversation(str(body["conversation_id"]))
        return web.json_response({"ok": True})

    async def inject(request: web.Request) -> web.Response:
        body = await _body(request)
        retry_after = body.get("retry_after")
        emulator.inject(
            int(body["status"]),
            int(body.get("times", 1)),
            None if retry_after is None else float(retry_after),
            code=str(body.get("code") or ""),
            conversation_id=str(body.get("conversation_id") or ""),
            user_id=str(body.get("user_id") or ""),
        )
        return web.json_response({"ok": True})

    async def conversations(request: web.Request) -> web.Response:
        body = await _body(request)
        items = body.get("conversations") or []
        for item in items:
            emulator.add_conversation(
                str(item["id"]), str(item["tenant_id"]), str(item.get("member_id") or "")
            )
        return web.json_response({"ok": True, "added": len(items)})

    async def batch_fail(request: web.Request) -> web.Response:
        body = await _body(request)
        emulator.fail_in_batch(
            str(body["member_id"]),
            int(body.get("status") or 500),
            str(body.get("code") or "ServiceError"),
        )
        return web.json_response({"ok": True})

    app.router.add_get("/_emulator/stats", stats)
    app.router.add_get("/_emulator/activities", activities)
    app.router.add_get("/_emulator/requests", requests)
    app.router.add_get("/_emulator/deletions", deletions)
    app.router.add_get("/_emulator/messages/{activity_id}", message)
    app.router.add_post("/_emulator/reset", reset)
    app.router.add_post("/_emulator/block", block)
    app.router.add_post("/_emulator/drop", drop)
    app.router.add_post("/_emulator/inject", inject)
    app.router.add_post("/_emulator/conversations", conversations)
    app.router.add_post("/_emulator/batch_fail", batch_fail)


def _rate(value: Any) -> float | None:
    return None if value is None else float(value)


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    data = await request.json()
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="expected a JSON object")
    return data
