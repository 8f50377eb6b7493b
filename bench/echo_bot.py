"""The baseline: a bare Microsoft 365 Agents SDK echo bot, built the way the SDK samples build one.

Werkplek's throughput and cold-start targets are ratios against this bot measured in the same
run, so it must carry the same protocol cost as Werkplek (aiohttp host, CloudAdapter, JWT
middleware on `/api/messages`, TurnState loaded from storage, a reply POSTed to `serviceUrl`) and
nothing else. It exposes `GET /readyz` so both bots are probed for readiness the same way.

    python -m bench.echo_bot --port 3979 [--host 127.0.0.1]
"""

from __future__ import annotations

import argparse
import ipaddress
import logging

from aiohttp import web
from microsoft_agents.activity import load_configuration_from_env
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import (
    CloudAdapter,
    jwt_authorization_decorator,
    start_agent_process,
)
from microsoft_agents.hosting.core import (
    AgentApplication,
    MemoryStorage,
    TurnContext,
    TurnState,
)

logger = logging.getLogger(__name__)

# The SDK's own env-style keys: no client id and anonymous allowed is its local, unauthenticated
# mode. Given as a literal so the baseline never picks up a real bot identity from the shell.
_ANONYMOUS_SDK_CONFIG = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}

_AGENT_APP_KEY = web.AppKey("agent_app", AgentApplication)
_ADAPTER_KEY = web.AppKey("adapter", CloudAdapter)


def build_agent() -> tuple[AgentApplication[TurnState], CloudAdapter, MsalConnectionManager]:
    """The SDK-sample wiring: storage, connection manager, adapter, application, one route."""
    sdk_config = load_configuration_from_env(_ANONYMOUS_SDK_CONFIG)
    storage = MemoryStorage()
    connections = MsalConnectionManager(**sdk_config)
    adapter = CloudAdapter(connection_manager=connections)
    agent_app = AgentApplication[TurnState](
        storage=storage, connection_manager=connections, **sdk_config
    )

    @agent_app.activity("message")
    async def echo(context: TurnContext, _state: TurnState) -> None:
        await context.send_activity(f"echo: {context.activity.text}")

    return agent_app, adapter, connections


async def _messages(request: web.Request) -> web.StreamResponse:
    response = await start_agent_process(
        request, request.app[_AGENT_APP_KEY], request.app[_ADAPTER_KEY]
    )
    return response if response is not None else web.Response(status=202)


async def _readyz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ready"})


def create_app() -> web.Application:
    agent_app, adapter, connections = build_agent()
    app = web.Application()
    # The JWT decorator reads this key; with ANONYMOUS_ALLOWED an absent token is accepted.
    app["agent_configuration"] = connections.get_default_connection_configuration()
    app[_AGENT_APP_KEY] = agent_app
    app[_ADAPTER_KEY] = adapter
    # The SDK's JWT middleware, applied to this route only (on the whole app it would guard
    # /readyz too).
    guarded = jwt_authorization_decorator(_messages)  # type: ignore[no-untyped-call]
    app.router.add_post("/api/messages", guarded)
    app.router.add_get("/readyz", _readyz)
    return app


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=3979)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    # Anonymous traffic is only acceptable on loopback, as for Werkplek itself.
    if not _is_loopback(args.host):
        parser.error("the echo bot is anonymous and listens on loopback only")
    logging.basicConfig(level=logging.WARNING)
    web.run_app(create_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
