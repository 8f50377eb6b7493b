"""A bare Agents SDK bot that validates the Playground harness without the Werkplek bot.

It speaks just enough of Werkplek's surface for the harness test: a welcome card with an
`Action.Execute` button on install, an echo for text, a refreshed card for the button, and
`GET /readyz`. Run it as `python -m tests.e2e.echo_bot --port 3978` (anonymous, loopback only).
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from aiohttp import web
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    Attachment,
    load_configuration_from_env,
)
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_agent_process
from microsoft_agents.hosting.core import (
    AgentApplication,
    MemoryStorage,
    TurnContext,
    TurnState,
)

logger = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
COUNT_VERB = "echo.count"

# No CLIENTID plus ANONYMOUS_ALLOWED is the SDK's local (unauthenticated) mode.
_ANONYMOUS_ENV = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}


def counter_card(count: int, locale: str | None) -> dict[str, Any]:
    """A card whose button increments a counter; the count shows which version is on screen."""
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": "Welkom bij de echo-bot", "weight": "Bolder"},
            {"type": "TextBlock", "text": f"Teller: {count}", "wrap": True},
            {"type": "TextBlock", "text": f"Locale: {locale or '-'}", "isSubtle": True},
        ],
        "actions": [
            {
                "type": "Action.Execute",
                "title": "Tel op",
                "verb": COUNT_VERB,
                "data": {"count": count},
            }
        ],
    }


def build_agent() -> tuple[AgentApplication[TurnState], CloudAdapter]:
    config = load_configuration_from_env(_ANONYMOUS_ENV)
    connections = MsalConnectionManager(**config)
    adapter = CloudAdapter(connection_manager=connections)
    agent: AgentApplication[TurnState] = AgentApplication[TurnState](
        storage=MemoryStorage(), adapter=adapter, connection_manager=connections, **config
    )

    async def welcome(context: TurnContext, _state: TurnState) -> None:
        await context.send_activity(_card_activity(counter_card(0, context.activity.locale)))

    async def echo(context: TurnContext, _state: TurnState) -> None:
        await context.send_activity(f"echo: {context.activity.text}")

    async def count(
        context: TurnContext, _state: TurnState, data: Any
    ) -> AdaptiveCardInvokeResponse:
        current = int((data or {}).get("count", 0)) + 1
        return AdaptiveCardInvokeResponse(
            status_code=200,
            type=CARD_CONTENT_TYPE,
            value=counter_card(current, context.activity.locale),
        )

    agent.activity(ActivityTypes.installation_update)(welcome)
    agent.activity(ActivityTypes.message)(echo)
    agent.adaptive_card.action_execute(COUNT_VERB)(count)
    return agent, adapter


def _card_activity(card: dict[str, Any]) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
    )


def create_app() -> web.Application:
    agent, adapter = build_agent()

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await start_agent_process(request, agent, adapter)
        return response or web.Response(status=202)

    async def ready(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/readyz", ready)
    app.router.add_get("/healthz", ready)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3978)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    web.run_app(create_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
