"""Cards for what a sentence was understood as: a question between two readings, a greeting or
thanks, or nothing (with the closest commands as buttons). Every one ends in a next step."""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.registry import CommandSpec
from bot.i18n import Translator
from cards.base import MAX_COMMAND_ARGS, Card, card, execute, heading, open_url, run_button, text
from cards.verbs import Verb


def _command_button(spec: CommandSpec, t: Translator, args: str = "") -> dict[str, object]:
    return run_button(t(spec.title_key), spec.name, args)


def _help_button(t: Translator) -> dict[str, object]:
    return run_button(t("unknown.show_help"), "help")


def ask_card(choices: Sequence[tuple[CommandSpec, str]], t: Translator) -> Card:
    """Two commands read the sentence about as well: one button each, with the words each one
    read from it (so the click does what the sentence asked, not only opens the command)."""
    titles = [t(spec.title_key) for spec, _ in choices]
    body = [
        heading(t("understanding.ask.title")),
        text(t("understanding.ask.body", first=titles[0], second=titles[-1])),
    ]
    actions = [_command_button(spec, t, args) for spec, args in choices]
    actions.append(_help_button(t))
    return card(body, actions)


def thanks_card(featured: Sequence[CommandSpec], t: Translator) -> Card:
    body = [heading(t("understanding.thanks.title")), text(t("understanding.thanks.body"))]
    return card(body, [_command_button(spec, t) for spec in featured])


def not_understood_card(
    suggestions: Sequence[CommandSpec],
    t: Translator,
    servicedesk_url: str = "",
    ticket: bool = False,
    question: str = "",
) -> Card:
    """Nothing fits well enough (no command, no article of the knowledge base): the commands
    that came closest (or the main ones) as buttons, help, and the service desk's people: its
    ticket form when it takes tickets (`ticket`, with what they typed as the question), else
    its page."""
    body = [heading(t("unknown.title"))]
    if suggestions:
        body.append(text(t("unknown.suggest")))
        lines = [f"- **{t(spec.title_key)}**: {t(spec.help_key)}" for spec in suggestions]
        body.append(text("\n".join(lines)))
    else:
        body.append(text(t("unknown.no_suggestion")))
    actions = [_command_button(spec, t) for spec in suggestions]
    actions.append(_help_button(t))
    if ticket:
        ask = {"question": question[:MAX_COMMAND_ARGS]} if question else {}
        actions.append(execute(t("servicedesk.ask_a_person"), Verb.TICKET_FORM, ask))
    elif servicedesk_url:
        actions.append(open_url(t("servicedesk.contact"), servicedesk_url))
    return card(body, actions)
