"""The people a service-desk ticket can be given to (bot/services/servicedesk/agents.py finds
them; the desk checks the one chosen again)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DeskAgent:
    """An agent of a ticket's desk, as its card lists them."""

    id: str  # an Entra object id
    name: str
