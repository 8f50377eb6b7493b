"""The help card: the commands this caller may run, in the caller's language.

One fact per command (title, then what it does and the words to type) keeps the card short to
read and small to send; the toggle adds an example sentence to each.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.registry import CommandSpec
from bot.i18n import Translator
from cards.base import Card, Element, card, execute, facts, heading, text
from cards.verbs import Verb


def _keywords(spec: CommandSpec, locale: str) -> str:
    return ", ".join(spec.keywords.get(locale) or spec.keywords["nl"])


def _explanation(spec: CommandSpec, t: Translator, with_example: bool) -> str:
    lines = [t(spec.help_key), t("help.keywords", keywords=_keywords(spec, t.locale))]
    if with_example and spec.example_key:
        lines.append(t("help.example", example=t(spec.example_key)))
    return " ".join(lines)


def help_card(commands: Sequence[CommandSpec], t: Translator, *, with_examples: bool) -> Card:
    body: list[Element] = [heading(t("help.title")), text(t("help.summary"))]
    if commands:
        body.append(
            facts([(t(spec.title_key), _explanation(spec, t, with_examples)) for spec in commands])
        )
    else:
        body.append(text(t("help.none")))
    toggle = (
        execute(t("help.hide_examples"), Verb.HELP_DETAILS, {"examples": False})
        if with_examples
        else execute(t("help.show_examples"), Verb.HELP_DETAILS, {"examples": True})
    )
    return card(body, [toggle])
