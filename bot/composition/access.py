"""Access status: one card that says whether a person's account is in order, and what work is
still open for them (their licence requests and post, told by those capabilities through the
access ports: bot.composition builds them and hands them in)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.composition.platform import Platform
from bot.graph import DeferredGraph
from bot.ports.access import OpenPostItems, OpenRequests
from bot.services.access.status import AccessStatus, access_policy
from bot.settings import Settings


@dataclass(frozen=True, slots=True)
class Access:
    status: AccessStatus


def build_access(
    settings: Settings,
    graph: DeferredGraph,
    platform: Platform,
    *,
    open_requests: OpenRequests | None = None,
    open_post: OpenPostItems | None = None,
) -> Access:
    """Without `open_requests` and `open_post` the card has no open-work line."""
    return Access(
        AccessStatus(
            graph.directory,
            graph.access,
            platform.clock,
            access_policy(settings),
            open_requests=open_requests,
            open_post=open_post,
        )
    )
