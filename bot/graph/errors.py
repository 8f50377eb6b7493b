"""Graph and Entra failures translated into domain errors, so services never see SDK types.

404 -> NotFound, 403 -> AppNotPermitted (Microsoft 365 refused Werkplek itself: the app lacks a
permission; never a Forbidden, which means a person's own missing right), 429 (after the retry
handler gave up) -> Throttled,
401 / refused app credentials -> GraphAuthenticationError (a kind of Unavailable: the bot is
misconfigured, the user can only wait), 400 -> InvalidInput, 5xx / timeouts / connection
errors (also from Entra's token endpoint) -> Unavailable.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx
from azure.core.exceptions import (
    ClientAuthenticationError,
    ServiceRequestError,
    ServiceResponseError,
)
from kiota_abstractions.api_error import APIError

from bot.domain.platform.errors import (
    AppNotPermitted,
    DomainError,
    InvalidInput,
    NotFound,
    Throttled,
    Unavailable,
)

logger = logging.getLogger(__name__)

_AADSTS = re.compile(r"AADSTS\d+")
_OAUTH_ERROR = re.compile(
    r"\b(invalid_client|unauthorized_client|invalid_request|invalid_scope|"
    r"unsupported_grant_type|invalid_grant|temporarily_unavailable)\b"
)


class GraphAuthenticationError(Unavailable):
    """Entra refused the app's credentials, or Graph refused the app's token.

    `reason` is the Entra error code (e.g. "AADSTS7000215" for a wrong client secret) or the
    OAuth error name, or "graph_401"; never the secret or the token.
    """

    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self.reason = reason

    def __str__(self) -> str:
        return f"Microsoft Graph authentication failed ({self.reason or 'unknown reason'})"


def header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    """A response header, whatever the case of the stored key."""
    if not headers:
        return None
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value[0] if isinstance(value, list | tuple) and value else value)
    return None


def parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: the retry handler dealt with it already


def graph_message(exc: BaseException) -> str:
    """The ODataError message of a Graph failure ("" when there is none), to recognise the answers
    Graph gives only as text (a duplicate member, a missing usage location). It may name people
    (UPNs, display names): match on it, never log it."""
    if not isinstance(exc, APIError):
        return ""
    error = getattr(exc, "error", None)
    return str(getattr(error, "message", "") or exc.message or "")


def graph_code(exc: BaseException) -> str:
    """The ODataError code of a Graph failure ("" when there is none); safe to log."""
    return str(getattr(getattr(exc, "error", None), "code", "") or "")


def error_for_status(status: int, retry_after: float | None = None) -> DomainError:
    if status == 404:
        return NotFound()
    if status == 403:
        # Graph is called with the app's own token, never on a person's behalf: a 403 is a
        # permission (or consent) the app registration lacks, whoever asked.
        return AppNotPermitted()
    if status == 401:
        return GraphAuthenticationError("graph_401")
    if status == 429:
        return Throttled(retry_after=retry_after)
    if status in (400, 409, 422):
        return InvalidInput()
    return Unavailable()


def _authentication_reason(exc: ClientAuthenticationError) -> str:
    text = str(exc.message or exc)
    found = _AADSTS.search(text) or _OAUTH_ERROR.search(text)
    if found:
        return found.group(0)
    status = getattr(exc.response, "status_code", None)
    return f"entra_{status}" if status else "entra"


def translate(exc: BaseException) -> DomainError | None:
    """The domain error for a Graph/Entra/transport failure; None for anything else."""
    if isinstance(exc, APIError):
        status = exc.response_status_code or 0
        retry_after = parse_retry_after(header(exc.response_headers, "Retry-After"))
        return error_for_status(status, retry_after) if status else Unavailable()
    if isinstance(exc, ClientAuthenticationError):
        status = getattr(exc.response, "status_code", None) or 0
        if status == 429 or status >= 500:  # Entra itself is struggling, not our credentials
            return Throttled() if status == 429 else Unavailable()
        return GraphAuthenticationError(_authentication_reason(exc))
    if isinstance(
        exc,
        ServiceRequestError | ServiceResponseError | httpx.TransportError | TimeoutError,
    ):
        return Unavailable()
    return None


def _describe(exc: BaseException) -> tuple[int | str, str]:
    if isinstance(exc, APIError):
        return exc.response_status_code or "?", graph_code(exc)
    return type(exc).__name__, ""


@contextmanager
def graph_errors(operation: str) -> Iterator[None]:
    """Re-raise Graph/Entra failures inside the block as domain errors (logged once, ids only)."""
    try:
        yield
    except DomainError:
        raise
    except Exception as exc:
        mapped = translate(exc)
        if mapped is None:
            raise
        status, code = _describe(exc)
        if isinstance(mapped, GraphAuthenticationError):
            logger.error("graph %s: authentication failed (%s)", operation, mapped.reason)
        elif isinstance(mapped, AppNotPermitted):
            logger.warning(
                "graph %s: Microsoft 365 refused Werkplek (status=%s code=%s): a permission is "
                "missing; reference %s",
                operation,
                status,
                code,
                mapped.reference,
            )
        elif isinstance(mapped, NotFound):
            logger.debug("graph %s: not found", operation)
        else:
            logger.warning("graph %s failed: status=%s code=%s", operation, status, code)
        raise mapped from exc
