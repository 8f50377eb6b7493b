"""The help card: the commands this caller may run, in the caller's language."""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands import CommandSpec
from bot.i18n import Translator
from cards.base import Card, Element, card, execute, heading, text
from cards.verbs import Verb


def _keywords(spec: CommandSpec, locale: str) -> str:
    words = spec.keywords.get(locale) or spec.keywords["nl"]
    return ", ".join(f"**{w}**" for w in words)


def _entry(spec: CommandSpec, t: Translator, with_example: bool) -> Element:
    lines = [
        text(t(spec.title_key), weight="Bolder"),
        text(t(spec.help_key)),
        text(t("help.keywords", keywords=_keywords(spec, t.locale)), subtle=True),
    ]
    if with_example and spec.example_key:
        lines.append(text(f"{t('help.examples')}: _{t(spec.example_key)}_", subtle=True))
    return {"type": "Container", "separator": True, "items": lines}


def help_card(commands: Sequence[CommandSpec], t: Translator, *, with_examples: bool) -> Card:
    body: list[Element] = [heading(t("help.title")), text(t("help.summary"))]
    body += [_entry(spec, t, with_examples) for spec in commands] or [text(t("help.none"))]
    toggle = (
        execute(t("help.hide_examples"), Verb.HELP_DETAILS, {"examples": False})
        if with_examples
        else execute(t("help.show_examples"), Verb.HELP_DETAILS, {"examples": True})
    )
    return card(body, [toggle])
