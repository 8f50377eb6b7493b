"""Cards the dispatcher itself sends: welcome, refused, failed (cards/platform/understanding.py
holds those for what a sentence was understood as)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.registry import CommandSpec
from bot.domain.platform.errors import DomainError, NextCommand
from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator
from cards.base import (
    MAX_NAME,
    Card,
    Element,
    card,
    execute,
    heading,
    open_url,
    run_button,
    text,
    worded,
)
from cards.verbs import Verb


def _command_button(spec: CommandSpec, t: Translator) -> dict[str, object]:
    return execute(t(spec.title_key), Verb.RUN_COMMAND, {"command": spec.name})


def welcome_card(name: str, featured: Sequence[CommandSpec], t: Translator) -> Card:
    """`name`: the Teams display name the activity carries (whatever the sender put there)."""
    shown = escape_text(name, limit=MAX_NAME)
    greeting = t("welcome.greeting", name=shown) if shown else t("welcome.greeting_anonymous")
    body = [heading(t("welcome.title")), text(greeting), text(t("welcome.body"))]
    body.append(text(t("welcome.hint"), subtle=True))
    return card(body, [_command_button(spec, t) for spec in featured])


# A command to run again: (command name, the words it read), as a "Opnieuw proberen" button.
Retry = tuple[str, str]


def help_button(t: Translator) -> Element:
    """The way out of any answer that has no better next step: what Werkplek can do."""
    return run_button(t("system.show_help"), "help")


def retry_button(retry: Retry, t: Translator) -> Element:
    command, args = retry
    return run_button(t("system.retry"), command, args)


def next_button(next_command: NextCommand, t: Translator) -> Element:
    command, title_key = next_command
    return run_button(t(title_key), command)


def denied_card(role_label: str, t: Translator) -> Card:
    body = [heading(t("denied.title")), text(t("denied.body", role=role_label))]
    return card(body, [help_button(t)])


def failure_card(
    reference: str,
    servicedesk_url: str,
    t: Translator,
    *,
    retry: Retry | None = None,
    ticket: bool = False,
) -> Card:
    """Something broke on our side: the WP-... reference to quote, the service desk, and
    "Opnieuw proberen" when running the command again is safe (`retry`: command and words).
    `ticket`: the service desk takes tickets, so its button opens the form with the reference
    filled in (else its page)."""
    body = [
        heading(t("error.title")),
        text(t("error.body", reference=reference)),
        text(t("error.reference", reference=reference), subtle=True),
    ]
    actions = [retry_button(retry, t)] if retry is not None else []
    if ticket:
        ask = {"reference": reference}
        actions.append(execute(t("error.contact"), Verb.TICKET_FORM, ask))
    else:
        actions.append(open_url(t("error.contact"), servicedesk_url))
    return card(body, actions)


def notice_card(
    message: str,
    t: Translator,
    *,
    retry: Retry | None = None,
    next_command: NextCommand | None = None,
) -> Card:
    """A short business answer (a DomainError explained), no reference needed. `message` is
    card text: anything a person typed in it was escaped (see `explained`).

    It always ends in a step: `retry` (command, words) runs the same command again,
    `next_command` (command, title key) opens the one that helps next (a DomainError's own
    `next_command`); without either, the help button."""
    actions: list[Element] = []
    if retry is not None:
        actions.append(retry_button(retry, t))
    if next_command is not None:
        actions.append(next_button(next_command, t))
    return card([text(message)], actions or [help_button(t)])


def explained(error: DomainError, t: Translator) -> str:
    """A DomainError in words for a card. Its params may echo what a person typed (a date, a
    name), so they are escaped; the message itself is ours."""
    return worded(error.message_key, error.params, t)
