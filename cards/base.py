"""Small pure helpers every card builder uses. Adaptive Cards 1.5, Teams flavour."""

from __future__ import annotations

from typing import Any

from cards.verbs import Verb

SCHEMA_VERSION = "1.5"
_SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"

Element = dict[str, Any]
Card = dict[str, Any]


def card(body: list[Element], actions: list[Element] | None = None) -> Card:
    built: Card = {
        "type": "AdaptiveCard",
        "$schema": _SCHEMA_URL,
        "version": SCHEMA_VERSION,
        "body": body,
        # Teams renders cards narrow by default; full width reads better for lists.
        "msteams": {"width": "Full"},
    }
    if actions:
        built["actions"] = actions
    return built


def heading(text: str) -> Element:
    return {"type": "TextBlock", "text": text, "size": "Large", "weight": "Bolder", "wrap": True}


def text(value: str, *, subtle: bool = False, weight: str | None = None) -> Element:
    block: Element = {"type": "TextBlock", "text": value, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    if weight:
        block["weight"] = weight
    return block


def facts(pairs: list[tuple[str, str]]) -> Element:
    return {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in pairs]}


def execute(title: str, verb: Verb, data: dict[str, Any] | None = None) -> Element:
    return {"type": "Action.Execute", "title": title, "verb": str(verb), "data": data or {}}


def open_url(title: str, url: str) -> Element:
    return {"type": "Action.OpenUrl", "title": title, "url": url}
