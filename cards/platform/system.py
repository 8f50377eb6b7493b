"""Cards the dispatcher itself sends: welcome, not understood, refused, failed."""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.registry import CommandSpec
from bot.domain.platform.errors import DomainError
from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator
from cards.base import MAX_NAME, Card, card, escaped_params, execute, heading, open_url, text
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


def not_understood_card(suggestions: Sequence[CommandSpec], t: Translator) -> Card:
    body = [text(t("unknown.title"), weight="Bolder")]
    if suggestions:
        body.append(text(t("unknown.suggest")))
        lines = [f"- **{spec.keywords[t.locale][0]}**: {t(spec.help_key)}" for spec in suggestions]
        body.append(text("\n".join(lines)))
    else:
        body.append(text(t("unknown.no_suggestion")))
    actions = [_command_button(spec, t) for spec in suggestions]
    actions.append(execute(t("unknown.show_help"), Verb.RUN_COMMAND, {"command": "help"}))
    return card(body, actions)


def denied_card(role_label: str, t: Translator) -> Card:
    return card([text(t("denied.title"), weight="Bolder"), text(t("denied.body", role=role_label))])


def failure_card(reference: str, servicedesk_url: str, t: Translator) -> Card:
    body = [
        text(t("error.title"), weight="Bolder"),
        text(t("error.body", reference=reference)),
        text(t("error.reference", reference=reference), subtle=True),
    ]
    return card(body, [open_url(t("error.contact"), servicedesk_url)])


def notice_card(message: str, t: Translator) -> Card:
    """A short business answer (a DomainError explained), no reference needed. `message` is
    card text: anything a person typed in it was escaped (see `explained`)."""
    return card([text(message)])


def explained(error: DomainError, t: Translator) -> str:
    """A DomainError in words for a card. Its params may echo what a person typed (a date, a
    name), so they are escaped; the message itself is ours."""
    return t(error.message_key, **escaped_params(error.params))
