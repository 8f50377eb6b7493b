"""Who may speak for a user on /api/messages (health and intake have their own rules).

The SDK verifies a channel token's signature, audience, lifetime and the `tid`-to-issuer binding,
but accepts any issuer whose key it can find: Entra ID signs tokens of every tenant with the same
keys, so a token minted for our app id by another tenant, or by any other app registration of our
own tenant, verifies just as well. What we add, on the signature-verified claims:

Decisions (and why):
- Issuers: the Bot Framework issuer (what the Teams channel uses, multi- and single-tenant), plus
  the v1 and v2 Entra issuers of the bot's own tenant when the bot is single-tenant (a bot tenant
  is configured) and `WERKPLEK_BOT_TENANT_ISSUERS` is on. Never another tenant, never the
  Microsoft first-party tenants the SDK trusts by default: nothing of theirs talks to Werkplek.
- Callers: an Entra-issued token proves only that *some* app of the tenant asked for it, so its
  caller (`appid` in v1 tokens, `azp` in v2) must be on `WERKPLEK_BOT_ENTRA_CALLERS`. A Bot
  Framework token needs no caller check: only the channel holds the Bot Framework signing keys.
- `serviceurl`: the channel binds the connector URL to the token; replies and stored conversation
  references go to the activity's `serviceUrl`, so both must be the same URL (scheme and host
  case-insensitive, path without its trailing slash). A Bot Framework token must carry the claim
  (Teams always sends it, the Bot Framework SDKs refuse channel tokens without it). Entra callers
  of the agents platform do not send it: present, it must match; absent, the outbound connector
  allow-list still bounds where a reply can go.
- An `exp` claim is required: PyJWT does not require one, and a token without it never expires.
- Local anonymous mode (no bot identity, loopback only) has no token to check, so it refuses what
  only a browser sends: an `Origin` or `Sec-Fetch-Site` header (403), and any body that is not
  `application/json` (415), which a cross-site page cannot send without a CORS preflight we never
  answer. The Playground posts JSON server-to-server, without either header.

We also bound the wait: fetching signing keys runs in a thread and can hang on a dead network, and
a channel waiting on us must get a quick 401 rather than a timeout.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, ClaimsIdentity
from microsoft_agents.hosting.core.authorization.authentication_constants import (
    AuthenticationConstants,
)
from microsoft_agents.hosting.core.authorization.jwt import _authorize_request

from bot.http.problems import problem
from bot.settings import Settings

logger = logging.getLogger(__name__)

BOT_FRAMEWORK_ISSUER = AuthenticationConstants.AGENTS_SDK_TOKEN_ISSUER
_V1_ISSUER = AuthenticationConstants.VALID_TOKEN_ISSUER_URL_TEMPLATE_V1
_V2_ISSUER = AuthenticationConstants.VALID_TOKEN_ISSUER_URL_TEMPLATE_V2
_SERVICE_URL_CLAIM = AuthenticationConstants.SERVICE_URL_CLAIM
_JSON = "application/json"
# Headers only a browser sets on a request a web page makes (Fetch standard).
_BROWSER_HEADERS = ("Origin", "Sec-Fetch-Site")
# Enough of a refused issuer to recognise it in a log line, not a place to store an essay.
_LOGGED_ISSUER_CHARS = 120


@dataclass(frozen=True, slots=True)
class InboundPolicy:
    """The issuers and Entra callers /api/messages believes; everything compared case-folded."""

    bot_framework_issuers: frozenset[str]
    tenant_issuers: frozenset[str]
    entra_callers: frozenset[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> InboundPolicy:
        tenant = settings.bot_tenant_id.strip().casefold()
        own = (
            frozenset({_V1_ISSUER.format(tenant).casefold(), _V2_ISSUER.format(tenant).casefold()})
            if tenant and settings.bot_tenant_issuers
            else frozenset()
        )
        callers = settings.bot_entra_callers
        return cls(
            bot_framework_issuers=frozenset({BOT_FRAMEWORK_ISSUER.casefold()}),
            tenant_issuers=own,
            entra_callers=frozenset(c.strip().casefold() for c in callers if c.strip()),
        )

    @property
    def issuers(self) -> list[str]:
        """Every accepted issuer, for the SDK's own (laxer, but second) issuer check."""
        return sorted(self.bot_framework_issuers | self.tenant_issuers)

    def refusal(self, claims: dict[str, Any]) -> str | None:
        """Why these signature-verified claims may not speak to us (English), or None."""
        issuer = claims.get("iss")
        if not isinstance(claims.get("exp"), int | float):
            return "Token without expiry."
        if not isinstance(issuer, str):
            return "Token issuer not accepted."
        if issuer.casefold() in self.bot_framework_issuers:
            return None
        if issuer.casefold() not in self.tenant_issuers:
            logger.warning("token refused: issuer %.*s", _LOGGED_ISSUER_CHARS, issuer)
            return "Token issuer not accepted."
        caller = entra_caller(claims)
        if caller is None or caller.casefold() not in self.entra_callers:
            # An app id is no personal data, and the operator needs it to allow a real caller.
            logger.warning("token refused: Entra caller %.64s not allowed", caller)
            return "Token caller not accepted."
        return None

    def is_bot_framework(self, identity: ClaimsIdentity) -> bool:
        issuer = identity.claims.get("iss")
        return isinstance(issuer, str) and issuer.casefold() in self.bot_framework_issuers


def entra_caller(claims: dict[str, Any]) -> str | None:
    """The app that asked Entra for the token: `appid` in v1 tokens, `azp` in v2 tokens."""
    version = claims.get("ver")
    if version in (None, "1.0"):
        caller = claims.get(AuthenticationConstants.APP_ID_CLAIM)
    elif version == "2.0":
        caller = claims.get(AuthenticationConstants.AUTHORIZED_PARTY)
    else:
        return None
    return caller if isinstance(caller, str) and caller else None


def _bearer(header: str | None) -> str | None:
    """Normalise the Authorization header; None when absent, "" when malformed."""
    if header is None:
        return None
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return ""
    return f"Bearer {parts[1]}"


def unauthorized(reason_en: str) -> web.Response:
    return problem(
        401,
        "Het token ontbreekt of is ongeldig.",
        detail_en=reason_en,
        headers={"WWW-Authenticate": "Bearer"},
    )


async def authenticate(
    request: web.Request,
    config: AgentAuthConfiguration,
    limit_seconds: float,
    policy: InboundPolicy,
) -> ClaimsIdentity | web.Response:
    header = _bearer(request.headers.get("Authorization"))
    if header == "":
        return unauthorized("Malformed Authorization header.")
    if header is None:
        # No token: allowed only in anonymous local mode, and nothing to fetch or wait for.
        anonymous = await _authorize_request(None, config)
        return (
            anonymous if isinstance(anonymous, ClaimsIdentity) else unauthorized("Missing token.")
        )
    try:
        result = await asyncio.wait_for(_authorize_request(header, config), limit_seconds)
    except TimeoutError:
        logger.warning("token validation timed out after %.1fs", limit_seconds)
        return unauthorized("Token could not be validated in time.")
    except Exception as error:  # any validator failure is the caller's 401, never our 500
        logger.warning("token validation failed: %s", type(error).__name__)
        return unauthorized("Invalid token.")
    if not isinstance(result, ClaimsIdentity):
        return unauthorized("Invalid or missing token.")
    reason = policy.refusal(result.claims)
    return unauthorized(reason) if reason else result


async def read_activity(request: web.Request) -> dict[str, Any] | web.Response:
    """The body as a JSON object, read once (the SDK gets the parsed copy), or a 400 problem."""
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurd nesting
        return problem(400, "Geen geldige JSON.", detail_en="Malformed JSON.")
    # Every channel activity names the connector to answer; without one it is no activity.
    if not isinstance(body, dict) or not isinstance(body.get("serviceUrl"), str):
        return problem(400, "Geen geldige activiteit.", detail_en="Not a valid activity.")
    # What a person typed (the message, a card's inputs) may end up in any column; PostgreSQL
    # text cannot hold U+0000, and nobody means one. Ids with it are refused by the host.
    try:
        for field in ("text", "value"):
            if field in body:
                body[field] = without_nul(body[field])
    except RecursionError:
        return problem(400, "Geen geldige activiteit.", detail_en="Not a valid activity.")
    return body


def without_nul(value: Any) -> Any:
    """The JSON value with U+0000 removed from every string in it (keys included)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


def service_url_refusal(
    identity: ClaimsIdentity, policy: InboundPolicy, activity: dict[str, Any]
) -> web.Response | None:
    """401 unless the token's `serviceurl` claim names the activity's `serviceUrl`."""
    if not identity.claims:  # anonymous local mode: no token, nothing to bind
        return None
    claim = identity.claims.get(_SERVICE_URL_CLAIM)
    if claim is None and not policy.is_bot_framework(identity):
        return None
    if claim is None:
        return unauthorized("Token without serviceurl claim.")
    if not same_service_url(claim, activity.get("serviceUrl")):
        logger.warning("token refused: serviceurl claim differs from the activity's serviceUrl")
        return unauthorized("Token serviceurl does not match the activity.")
    return None


def same_service_url(claim: Any, service_url: Any) -> bool:
    left, right = _normalised(claim), _normalised(service_url)
    return left is not None and left == right


def _normalised(url: Any) -> tuple[str, str, int | None, str, str] | None:
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.casefold()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    default_port = 443 if scheme == "https" else 80
    return (
        scheme,
        parts.hostname.casefold(),
        port if port != default_port else None,
        parts.path.rstrip("/"),
        parts.query,
    )


def local_refusal(request: web.Request) -> web.Response | None:
    """Anonymous local mode: refuse what a web page in a browser could send (see module doc)."""
    if any(name in request.headers for name in _BROWSER_HEADERS):
        logger.warning("anonymous request from a browser refused")
        return problem(
            403,
            "Een webpagina mag de lokale bot niet aanspreken.",
            detail_en="Browser requests are refused in local anonymous mode.",
        )
    if request.content_type != _JSON:
        return problem(
            415,
            "Alleen application/json wordt aanvaard.",
            detail_en="Only application/json is accepted.",
        )
    return None
