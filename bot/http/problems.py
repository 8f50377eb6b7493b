"""RFC 9457 problem details for every non-bot endpoint, in Dutch and English."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

PROBLEM_TYPE = "application/problem+json"

# Titles per status, nl first; the English text follows so an operator reading logs or a
# scanner vendor reading the response understands it either way.
_TITLES: dict[int, tuple[str, str]] = {
    400: ("Ongeldige aanvraag", "Bad request"),
    401: ("Niet aangemeld of ongeldig token", "Missing or invalid credentials"),
    403: ("Geen toegang", "Forbidden"),
    404: ("Niet gevonden", "Not found"),
    405: ("Methode niet toegestaan", "Method not allowed"),
    409: ("Conflict", "Conflict"),
    413: ("Bestand te groot", "Payload too large"),
    415: ("Niet-ondersteund formaat", "Unsupported media type"),
    422: ("Gegevens niet geldig", "Unprocessable content"),
    429: ("Te veel aanvragen", "Too many requests"),
    500: ("Interne fout", "Internal server error"),
    503: ("Dienst niet beschikbaar", "Service unavailable"),
}


def problem(
    status: int,
    detail: str = "",
    *,
    detail_en: str = "",
    reference: str = "",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> web.Response:
    title_nl, title_en = _TITLES.get(status, ("Fout", "Error"))
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": f"{title_nl} / {title_en}",
        "status": status,
    }
    if detail or detail_en:
        body["detail"] = " / ".join(part for part in (detail, detail_en) if part)
    if reference:
        body["reference"] = reference
    body.update(extra)
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False),
        content_type=PROBLEM_TYPE,
        headers=headers,
    )


def unavailable(reason: str, *, retry_after_seconds: int = 30) -> web.Response:
    """503 with Retry-After: the store or a service behind the endpoint cannot be reached now
    (nothing was stored). `reason` is the message id of the Dutch and English detail."""
    from bot.i18n import Translator  # the catalogs load with the first refusal, not at start
    from bot.observability import correlation_id

    return problem(
        503,
        Translator("nl")(reason),
        detail_en=Translator("en")(reason),
        reason=reason,
        reference=correlation_id.get(),  # the request id, also in the log line
        headers={"Retry-After": str(retry_after_seconds)},
    )
