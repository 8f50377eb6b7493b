"""Business failures. Each carries a catalogue message id so only the edge localises it."""

from __future__ import annotations

import secrets
from typing import Any

# A command a refusal can point to: (command name, title message id of its button).
NextCommand = tuple[str, str]


class DomainError(Exception):
    """A known failure with a user-facing explanation (message_key is a gettext msgid).

    `next_command` names the command that helps next (("requests", "cmd.requests.title") after
    "that is not your request"): the answer then carries a button for it instead of the generic
    help button. A class may set a default; a raise may name another."""

    message_key = "error.generic"
    next_command: NextCommand | None = None

    def __init__(
        self,
        message_key: str | None = None,
        *,
        next_command: NextCommand | None = None,
        **params: Any,
    ) -> None:
        self.message_key = message_key or type(self).message_key
        self.params = params
        if next_command is not None:
            self.next_command = next_command
        super().__init__(self.message_key)


class NotFound(DomainError):
    message_key = "error.not_found"


class Forbidden(DomainError):
    message_key = "error.forbidden"


class InvalidInput(DomainError):
    message_key = "error.invalid_input"


class Throttled(DomainError):
    """The remote side kept answering 429 after our retries."""

    message_key = "error.throttled"

    def __init__(self, message_key: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message_key)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency (Graph, database) did not answer usefully."""

    message_key = "error.unavailable"


class AppNotPermitted(DomainError):
    """Microsoft 365 refused Werkplek itself (Graph answered 403 to the app's own token): the
    app registration lacks a permission or a consent. Nothing the person did or may do explains
    it, so it is deliberately not a Forbidden (a person's own missing right, which the dialogs
    audit as a refusal): the person reads that Werkplek lacks a permission and that the service
    desk must be told, with `reference` (WP-...), which is also in the log next to the Graph
    operation and code."""

    message_key = "error.app_not_permitted"

    def __init__(self, reference: str | None = None) -> None:
        self.reference = reference or new_reference()
        super().__init__(reference=self.reference)


def new_reference() -> str:
    """A failure's reference for the log and the person: short enough to read over the phone
    (WP- and 8 hex digits), random enough to find one log line."""
    return "WP-" + secrets.token_hex(4).upper()


class StoreUnavailable(Exception):
    """The database cannot be reached or cannot work (down, refused, out of connections, read
    only, disk trouble). Raised by bot.store in place of the driver's error, so the edges can
    answer "try again in a moment" (HTTP 503, a chat card with a reference) without knowing
    SQLAlchemy. Deliberately not a DomainError: nothing a person did explains it, and code that
    catches DomainError to degrade gracefully (a Graph call that failed) must not swallow it."""
