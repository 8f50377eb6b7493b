"""Path matching for the Graph listener.

Graph treats path segments case-insensitively (transitiveMemberOf == transitivememberof) and
accepts both cast spellings (graph.group and microsoft.graph.group); aiohttp's router does
neither, so the Graph listener routes with this table instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from devtools.graph_emulator.odata import GraphCall

Handler = Callable[[GraphCall], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: str  # e.g. "users/{user}/transitivememberof/graph.group"
    handler: Handler

    @property
    def segments(self) -> list[str]:
        return self.pattern.split("/")


def _normal(segment: str) -> str:
    lowered = segment.lower()
    return (
        "graph." + lowered[len("microsoft.graph.") :]
        if lowered.startswith("microsoft.graph.")
        else lowered
    )


def match(
    routes: list[Route], method: str, path: str
) -> tuple[Handler, dict[str, str]] | str | None:
    """(handler, params) for the path below /v1.0/; None if no route; "method" if only the
    method is wrong (Graph answers 405 then)."""
    parts = [part for part in path.strip("/").split("/") if part]
    wrong_method = False
    for route in routes:
        segments = route.segments
        if len(segments) != len(parts):
            continue
        params: dict[str, str] = {}
        for expected, actual in zip(segments, parts, strict=True):
            if expected.startswith("{") and expected.endswith("}"):
                params[expected[1:-1]] = actual
            elif expected != _normal(actual):
                break
        else:
            if route.method == method.upper():
                return route.handler, params
            wrong_method = True
    return "method" if wrong_method else None
