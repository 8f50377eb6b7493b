"""HTTP control endpoints under /_emulator/ for out-of-process tests and benchmarks.

POST   /_emulator/faults     {"path": regex, "status": 429, "count": 2 | null,
                              "retry_after": 1, "method": "GET", "code": ..., "message": ...}
GET    /_emulator/faults     DELETE /_emulator/faults     DELETE /_emulator/faults/{id}
GET    /_emulator/latency    POST /_emulator/latency {"ms": 50}
GET    /_emulator/requests   (?path=regex&method=GET)   DELETE /_emulator/requests
POST   /_emulator/reset      reload the tenant file; clear faults, latency and the log
GET    /_emulator/skus       every SKU's seats: [{"skuId", "skuPartNumber", "enabled", "consumed"}]
POST   /_emulator/skus/{skuId}/seats  {"enabled": 6}: buy or cancel seats (prepaidUnits.enabled)
POST   /_emulator/users/{id}/usage-location  {"usageLocation": "BE" | null}
POST   /_emulator/groups/{id}/synthetic-members  {"count": 60000, "prefix": "bench"}: that many
                              new plain users as members (benchmarks) -> {"added", "first", "last"}
GET    /_emulator/app-installs  every Teams app installed through Graph: [{"userId", "teamsAppId"}]
POST   /_emulator/token      {"audience": ...} -> a Graph access token (for raw HTTP clients)
GET    /_emulator/jwks       the token signing keys over plain HTTP
GET    /_emulator/info       URLs, tenant id, CA file
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from devtools.graph_emulator.authority import GRAPH_RESOURCE
from devtools.graph_emulator.tenant import DirectoryError, TenantState

if TYPE_CHECKING:
    from devtools.graph_emulator.runtime import Runtime


def _problem(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def seat_summary(tenant: TenantState) -> list[dict[str, Any]]:
    """Seats per SKU, as the admin centre's licence page shows them."""
    allocation = tenant.allocation()
    return [
        {
            "skuId": sku["skuId"],
            "skuPartNumber": sku["skuPartNumber"],
            "enabled": sku["prepaidUnits"]["enabled"],
            "consumed": tenant.consumed_units(sku["skuId"], allocation),
        }
        for sku in tenant.skus
    ]


def _directory_problem(error: DirectoryError) -> web.Response:
    return web.json_response({"error": error.message}, status=error.status)


def add_control_routes(app: web.Application, runtime: Runtime) -> None:
    async def add_fault(request: web.Request) -> web.Response:
        body = await _json(request)
        try:
            rule = runtime.faults.add(
                str(body["path"]),
                int(body["status"]),
                count=None if body.get("count", 1) is None else int(body.get("count", 1)),
                retry_after=None if body.get("retry_after") is None else int(body["retry_after"]),
                method=body.get("method"),
                code=body.get("code"),
                message=body.get("message"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            return _problem(f"invalid fault rule: {exc}")
        return web.json_response(rule.to_dict(), status=201)

    async def list_faults(request: web.Request) -> web.Response:
        return web.json_response([rule.to_dict() for rule in runtime.faults.rules])

    async def clear_faults(request: web.Request) -> web.Response:
        runtime.faults.clear()
        return web.Response(status=204)

    async def remove_fault(request: web.Request) -> web.Response:
        removed = runtime.faults.remove(int(request.match_info["rule_id"]))
        return web.Response(status=204 if removed else 404)

    async def get_latency(request: web.Request) -> web.Response:
        return web.json_response({"ms": runtime.faults.latency_ms})

    async def set_latency(request: web.Request) -> web.Response:
        body = await _json(request)
        try:
            latency = float(body["ms"])
        except (KeyError, TypeError, ValueError):
            return _problem('expected {"ms": <milliseconds>}')
        if latency < 0:
            return _problem("latency cannot be negative")
        runtime.faults.latency_ms = latency
        return web.json_response({"ms": latency})

    async def get_requests(request: web.Request) -> web.Response:
        path, method = request.query.get("path"), request.query.get("method")
        entries = runtime.log.entries
        return web.json_response(
            {
                "total": runtime.log.total,
                "matching": runtime.log.count(path, method=method, listener=None),
                "counts": runtime.log.counts(),
                "requests": [entry.to_dict() for entry in entries[-1000:]],
            }
        )

    async def clear_requests(request: web.Request) -> web.Response:
        runtime.log.clear()
        return web.Response(status=204)

    async def reset(request: web.Request) -> web.Response:
        runtime.reset_tenant()
        runtime.faults.clear()
        runtime.faults.latency_ms = 0
        runtime.log.clear()
        return web.Response(status=204)

    async def list_skus(request: web.Request) -> web.Response:
        return web.json_response(seat_summary(runtime.tenant))

    async def set_seats(request: web.Request) -> web.Response:
        body = await _json(request)
        enabled = body.get("enabled")
        if not isinstance(enabled, int) or isinstance(enabled, bool):
            return _problem('expected {"enabled": <number of seats>}')
        sku_id = request.match_info["sku_id"]
        try:
            runtime.tenant.set_prepaid_units(sku_id, enabled)
        except DirectoryError as error:
            return _directory_problem(error)
        summary = seat_summary(runtime.tenant)
        return web.json_response(next(s for s in summary if s["skuId"].lower() == sku_id.lower()))

    async def set_usage_location(request: web.Request) -> web.Response:
        body = await _json(request)
        location = body.get("usageLocation", ...)
        if location is not None and not isinstance(location, str):
            return _problem('expected {"usageLocation": "BE"} or {"usageLocation": null}')
        try:
            user = runtime.tenant.set_usage_location(request.match_info["user_id"], location)
        except DirectoryError as error:
            return _directory_problem(error)
        return web.json_response({"id": user["id"], "usageLocation": user["usageLocation"]})

    async def synthetic_members(request: web.Request) -> web.Response:
        body = await _json(request)
        count, prefix = body.get("count"), body.get("prefix", "bench")
        if not isinstance(count, int) or isinstance(count, bool) or not isinstance(prefix, str):
            return _problem('expected {"count": <number of users>, "prefix"?: "bench"}')
        try:
            made = runtime.tenant.add_synthetic_members(
                request.match_info["group_id"], count, prefix=prefix
            )
        except DirectoryError as error:
            return _directory_problem(error)
        users = [runtime.tenant.users[user_id]["userPrincipalName"] for user_id in made[:1]]
        last = [runtime.tenant.users[user_id]["userPrincipalName"] for user_id in made[-1:]]
        return web.json_response(
            {"added": len(made), "first": (users or [None])[0], "last": (last or [None])[0]}
        )

    async def app_installs(request: web.Request) -> web.Response:
        return web.json_response(
            [
                {"userId": user_id, "teamsAppId": app}
                for user_id, apps in runtime.tenant.installed_apps.items()
                for app in apps
            ]
        )

    async def token(request: web.Request) -> web.Response:
        body = await _json(request)
        audience = str(body.get("audience", GRAPH_RESOURCE))
        return web.json_response({"access_token": runtime.authority.issue(audience=audience)})

    async def jwks(request: web.Request) -> web.Response:
        return web.json_response(runtime.authority.jwks())

    async def info(request: web.Request) -> web.Response:
        return web.json_response(runtime.info)

    app.router.add_post("/_emulator/faults", add_fault)
    app.router.add_get("/_emulator/faults", list_faults)
    app.router.add_delete("/_emulator/faults", clear_faults)
    app.router.add_delete("/_emulator/faults/{rule_id:\\d+}", remove_fault)
    app.router.add_get("/_emulator/latency", get_latency)
    app.router.add_post("/_emulator/latency", set_latency)
    app.router.add_get("/_emulator/requests", get_requests)
    app.router.add_delete("/_emulator/requests", clear_requests)
    app.router.add_post("/_emulator/reset", reset)
    app.router.add_get("/_emulator/skus", list_skus)
    app.router.add_post("/_emulator/skus/{sku_id}/seats", set_seats)
    app.router.add_post("/_emulator/users/{user_id}/usage-location", set_usage_location)
    app.router.add_post("/_emulator/groups/{group_id}/synthetic-members", synthetic_members)
    app.router.add_get("/_emulator/app-installs", app_installs)
    app.router.add_post("/_emulator/token", token)
    app.router.add_get("/_emulator/jwks", jwks)
    app.router.add_get("/_emulator/info", info)
