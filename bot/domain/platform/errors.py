"""Business failures. Each carries a catalogue message id so only the edge localises it."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A known failure with a user-facing explanation (message_key is a gettext msgid)."""

    message_key = "error.generic"

    def __init__(self, message_key: str | None = None, **params: Any) -> None:
        self.message_key = message_key or type(self).message_key
        self.params = params
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


class StoreUnavailable(Exception):
    """The database cannot be reached or cannot work (down, refused, out of connections, read
    only, disk trouble). Raised by bot.store in place of the driver's error, so the edges can
    answer "try again in a moment" (HTTP 503, a chat card with a reference) without knowing
    SQLAlchemy. Deliberately not a DomainError: nothing a person did explains it, and code that
    catches DomainError to degrade gracefully (a Graph call that failed) must not swallow it."""
