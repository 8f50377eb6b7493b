"""Microsoft Graph adapter: the only package that imports msgraph, kiota and azure.identity."""

from bot.graph.errors import GraphAuthenticationError
from bot.graph.gateway import GraphGateway, open_graph
from bot.graph.identity import open_bot_credential

__all__ = ["GraphAuthenticationError", "GraphGateway", "open_bot_credential", "open_graph"]
