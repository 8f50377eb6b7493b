"""Small pure helpers every card builder uses. Adaptive Cards 1.5, Teams flavour.

Dates are written day first (28/11/2026 14:32), as Flemish readers expect, in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from bot.domain.platform.untrusted import escape_text
from cards.verbs import Verb

if TYPE_CHECKING:
    from bot.i18n import Translator

SCHEMA_VERSION = "1.5"
_SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"

Element = dict[str, Any]
Card = dict[str, Any]

# Caps for text that people or scanners wrote, in characters as shown (escapes included). Every
# such text goes through bot.domain.platform.untrusted.escape_text where it enters a card.
MAX_NAME = 200  # a person, sender, organisation, catalogue item, entity, device or file name
MAX_LINE = 500  # one sentence or listed line that embeds such text (a workbook problem)


# The attachment type of an Adaptive Card in a Bot Framework activity.
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def card_activity(summary: str, content: Card) -> dict[str, Any]:
    """A message activity carrying one card; `summary` is what Teams shows in the notification
    and the chat list."""
    return {
        "type": "message",
        "summary": summary,
        "attachments": [{"contentType": ADAPTIVE_CARD, "content": content}],
    }


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
    """A card's title: `style: heading` is what screen readers announce and jump to; size and
    weight keep its look where a host's heading style is plainer."""
    return {
        "type": "TextBlock",
        "text": text,
        "style": "heading",
        "size": "Large",
        "weight": "Bolder",
        "wrap": True,
    }


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


# What a run-command button carries of the caller's own words (dialogs.platform.start.RunCommand).
MAX_COMMAND_ARGS = 500


def run_button(title: str, command: str, args: str = "") -> Element:
    """A button that runs a registered command as if its words were typed; `args` (the caller's
    own text, already read for that command) is cut to what the payload accepts."""
    data: dict[str, Any] = {"command": command}
    if args:
        data["args"] = args[:MAX_COMMAND_ARGS]
    return execute(title, Verb.RUN_COMMAND, data)


def open_url(title: str, url: str) -> Element:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def banner(message: str, colour: str = "Accent") -> Element:
    """A short line at the top of a card that says what just happened."""
    return {**text(message, weight="Bolder"), "color": colour}


def error_block(message: str) -> Element:
    """A server-side problem with one input, right under it."""
    return {**text(message), "color": "Attention", "spacing": "Small"}


def moment(at: datetime, tz: tzinfo) -> str:
    """28/11/2026 14:32, in the administration's time zone."""
    return at.astimezone(tz).strftime("%d/%m/%Y %H:%M")


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def escaped_params(params: Mapping[str, Any], limit: int = MAX_LINE) -> dict[str, Any]:
    """Message params whose text came from outside (a DomainError's, a problem's), escaped for
    a card; numbers and dates stay as they are."""
    return {
        name: escape_text(value, limit=limit) if isinstance(value, str) else value
        for name, value in params.items()
    }


def worded(key: str, params: Mapping[str, Any], t: Translator) -> str:
    """A message id with params that came with it (a DomainError's, a form problem's) in words
    for a card, the params escaped. A whole `count` among them reads the plural entry in the
    form for it ("1 dag", "30 dagen"); an id that is no plural entry is read as it is."""
    escaped = escaped_params(params)
    count = escaped.get("count")
    if isinstance(count, int) and not isinstance(count, bool):
        others = {name: value for name, value in escaped.items() if name != "count"}
        counted = t.n(key, count, **others)
        if counted != key:  # t.n gives the id back when it has no plural entry
            return counted
    return t(key, **escaped)
