"""Microsoft Graph adapter: the only package that imports msgraph, kiota and azure.identity."""

from bot.graph.errors import GraphAuthenticationError
from bot.graph.gateway import GraphGateway, open_graph

__all__ = ["GraphAuthenticationError", "GraphGateway", "open_graph"]
