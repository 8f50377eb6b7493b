"""Microsoft Graph adapter: the only package that imports msgraph, kiota and azure.identity.

The heavy SDK modules load on first use (see deferred.py); importing this package is cheap. The
names below that need the SDK are imported when first asked for, with plain imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.graph.deferred import DeferredGraph

if TYPE_CHECKING:
    from bot.graph.errors import GraphAuthenticationError
    from bot.graph.gateway import GraphGateway, open_graph
    from bot.graph.identity import open_bot_credential

__all__ = [
    "DeferredGraph",
    "GraphAuthenticationError",
    "GraphGateway",
    "open_bot_credential",
    "open_graph",
]


def __getattr__(name: str) -> Any:
    if name == "GraphAuthenticationError":
        from bot.graph.errors import GraphAuthenticationError

        return GraphAuthenticationError
    if name == "GraphGateway":
        from bot.graph.gateway import GraphGateway

        return GraphGateway
    if name == "open_graph":
        from bot.graph.gateway import open_graph

        return open_graph
    if name == "open_bot_credential":
        from bot.graph.identity import open_bot_credential

        return open_bot_credential
    raise AttributeError(name)
