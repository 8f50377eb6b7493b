"""Access status: one card that says whether a person's account is in order."""

from __future__ import annotations

from dataclasses import dataclass

from bot.composition.platform import Platform
from bot.graph import DeferredGraph
from bot.services.access.status import AccessStatus, access_policy
from bot.settings import Settings


@dataclass(frozen=True, slots=True)
class Access:
    status: AccessStatus


def build_access(settings: Settings, graph: DeferredGraph, platform: Platform) -> Access:
    return Access(
        AccessStatus(graph.directory, graph.access, platform.clock, access_policy(settings))
    )
