"""Microsoft Graph adapter: the only package that imports msgraph, kiota and azure.identity.

The heavy SDK modules load on first use (see deferred.py); importing this package is cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from bot.graph.deferred import DeferredDirectory, DeferredGraph

_LAZY = {
    "GraphAuthenticationError": "bot.graph.errors",
    "GraphGateway": "bot.graph.gateway",
    "open_graph": "bot.graph.gateway",
    "open_bot_credential": "bot.graph.identity",
}

__all__ = ["DeferredDirectory", "DeferredGraph", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
