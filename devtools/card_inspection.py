"""Reading Adaptive Card JSON out of bot messages: the cards, their actions, their words."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def adaptive_cards(attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        a["content"]
        for a in attachments
        if a.get("contentType") == ADAPTIVE_CARD and isinstance(a.get("content"), dict)
    ]


def card_nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a card (elements, actions, facts, sub-cards), depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from card_nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from card_nodes(item)


def card_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action of a card: top-level, in ActionSets, selectActions and ShowCard sub-cards."""
    return [node for node in card_nodes(card) if str(node.get("type", "")).startswith("Action.")]


def find_action(card: dict[str, Any], title_or_verb: str) -> dict[str, Any]:
    for action in card_actions(card):
        if title_or_verb in (action.get("verb"), action.get("title"), action.get("id")):
            return action
    names = [a.get("title") or a.get("verb") for a in card_actions(card)]
    raise LookupError(f"no action {title_or_verb!r} on the card; it has {names}")


def card_text(card: dict[str, Any]) -> str:
    """The visible words of a card: TextBlock/RichText texts, facts, titles of actions."""
    parts: list[str] = []
    for node in card_nodes(card):
        kind = node.get("type")
        if kind in ("TextBlock", "TextRun") and isinstance(node.get("text"), str):
            parts.append(node["text"])
        elif "title" in node and "value" in node and kind is None:  # a FactSet fact
            parts.append(f"{node['title']} {node['value']}")
        elif str(kind).startswith("Action.") and isinstance(node.get("title"), str):
            parts.append(node["title"])
    return "\n".join(parts)
