"""Entra ID app tokens for Werkplek's own APIs: is `Authorization: Bearer <jwt>` an app-only
access token for Werkplek's API, issued in our tenant to a configured client app that holds the
app role `Announcements.Send`?

Checked: RS256 only, signed by a key of the tenant's JWKS; `exp`/`nbf` (with a minute's
leeway); `iss` the tenant's v2 issuer (or the v1 `https://sts.windows.net/{tenant}/` at the
public authority, where Entra still issues v1 tokens to APIs that ask none other); `aud` one of
the configured audiences; `tid` the tenant; app-only (`idtyp` "app", or neither `idtyp` nor
`scp`); the caller (`azp` in v2, `appid` in v1) a configured app; `roles` holding the role.

Decisions (and why):
- Three outcomes: not a valid token (the API's 401, as an unknown key), a valid token of a
  caller that may not (403 with the reason: the app's administrator can act on it), and an
  allowed app (its configured name). A token is only valid once its signature is: before that
  nothing it says is believed, logged or answered.
- The signing keys come over aiohttp with a short timeout (never a blocking fetch in the event
  loop, so not PyJWKClient), cached for a day, fetched again at most once a minute when a token
  names an unknown key (Entra rolls keys over), and a failed fetch is not retried by every
  request. Keys that cannot be fetched raise SigningKeysUnavailable (the API's 503): a caller
  with a good token should retry, not be told it is unknown. Stale keys are kept when a refresh
  fails: the keys Entra signs with change rarely, the authority's outage more often.
- TLS: the default context (it honours SSL_CERT_FILE) plus, when set, the CA file the Graph
  credential trusts for the same authority (WERKPLEK_GRAPH_CA_FILE, the local emulator's).
- Logged: the check that failed and, once the signature holds, the client app id. Never the
  token or its other claims.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import ssl
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt

logger = logging.getLogger(__name__)

SEND_ROLE = "Announcements.Send"
PUBLIC_AUTHORITY = "https://login.microsoftonline.com"
# Clocks of Entra and of this host may differ a little; Microsoft's own middleware allows 5 min.
_LEEWAY_SECONDS = 60
# Entra publishes new signing keys weeks before it uses them; a day old is fresh enough.
_REFRESH_SECONDS = 24 * 3600
# A token naming an unknown key may be a rollover or a forgery: look once a minute at most.
_UNKNOWN_KEY_SECONDS = 60
# After a failed fetch, requests meanwhile get the 503 at once instead of each waiting a timeout.
_FAILED_FETCH_SECONDS = 5
# A JWKS is a few kB; a larger answer is not one.
_MAX_JWKS_BYTES = 256 * 1024
# Three base64url parts (a forged unsigned token has an empty third).
_JWT_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


class SigningKeysUnavailable(Exception):
    """The tenant's signing keys cannot be fetched now: whether the token is valid is unknown."""


@dataclass(frozen=True, slots=True)
class AppAllowed:
    """A valid token of a configured app with the role: it acts as `name`."""

    name: str


@dataclass(frozen=True, slots=True)
class AppRefused:
    """A valid token whose caller may not call the API; `message_key` says why."""

    message_key: str


AppTokenVerdict = AppAllowed | AppRefused | None  # None: not a valid token (401)


def jwt_of(header: str) -> str | None:
    """The token of an `Authorization: Bearer <jwt>` header when it is shaped like a JWT."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _JWT_SHAPE.fullmatch(token):
        return None
    return token


def authority_base(host: str) -> str:
    """The authority as an https URL without a trailing slash (azure-identity also accepts a
    bare host name)."""
    host = host.strip().rstrip("/")
    return host if "://" in host else f"https://{host}"


class _Invalid(Exception):
    def __init__(self, check: str) -> None:
        super().__init__(check)
        self.check = check


class EntraAppTokens:
    """Decides what an Entra app token is (see the module's docstring).

    `apps`: client app id -> the name it acts as; `audiences`: the accepted `aud` values;
    `authority`: the authority host (AZURE_AUTHORITY_HOST); `ca_file`: a CA to trust besides
    the default ones; `clock`: monotonic seconds, for the key cache.
    """

    def __init__(
        self,
        *,
        tenant_id: str,
        apps: Mapping[str, str],
        audiences: Collection[str],
        authority: str = PUBLIC_AUTHORITY,
        timeout_seconds: float = 5.0,
        ca_file: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        base = authority_base(authority)
        self._tenant_id = tenant_id.lower()
        self._apps = {app_id.lower(): name for app_id, name in apps.items()}
        self._audiences = list(audiences)
        self._issuers = {f"{base}/{tenant_id}/v2.0"}
        if base.lower() == PUBLIC_AUTHORITY:
            self._issuers.add(f"https://sts.windows.net/{tenant_id}/")
        self._jwks_url = f"{base}/{tenant_id}/discovery/v2.0/keys"
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._ca_file = ca_file
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._tried_at: float | None = None
        self._failed = False
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    async def check(self, token: str) -> AppTokenVerdict:
        """What `token` is. Raises SigningKeysUnavailable when its key cannot be fetched."""
        try:
            claims = await self._verified(token)
        except _Invalid as invalid:
            logger.info("app token refused: %s", invalid.check)
            return None
        # v2 tokens name the client in azp, v1 tokens in appid.
        client = str(claims.get("azp" if claims.get("ver") == "2.0" else "appid") or "")
        refusal = self._refusal(claims, client)
        if refusal is not None:
            check, key = refusal
            logger.warning("app token of %s refused: %s", client, check)
            return AppRefused(message_key=key)
        return AppAllowed(self._apps[client.lower()])

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- the claims ------------------------------------------------------------------------------
    async def _verified(self, token: str) -> dict[str, Any]:
        """The claims of a token signed by the tenant, for us, now; raises _Invalid."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise _Invalid("malformed") from None
        if header.get("alg") != "RS256":
            raise _Invalid("algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _Invalid("key_id")
        key = await self._key(kid)
        if key is None:
            raise _Invalid("unknown_key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self._audiences,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "tid"]},
            )
        except jwt.InvalidTokenError as error:
            raise _Invalid(_check_of(error)) from None
        if claims.get("iss") not in self._issuers:
            raise _Invalid("issuer")
        if str(claims.get("tid", "")).lower() != self._tenant_id:
            raise _Invalid("tenant")
        return claims

    def _refusal(self, claims: Mapping[str, Any], client: str) -> tuple[str, str] | None:
        """(the failed check, its message id) for a valid token that may not call, or None."""
        # A user's (delegated) token carries scp and idtyp "user"; an app's neither scp nor,
        # in v1 without the optional claim, idtyp.
        if "scp" in claims or claims.get("idtyp", "app") != "app":
            return "app_only", "announcements.api.app_only"
        if client.lower() not in self._apps:
            return "app", "announcements.api.app_unknown"
        roles = claims.get("roles")
        if not isinstance(roles, list) or SEND_ROLE not in roles:
            return "role", "announcements.api.app_role"
        return None

    # --- the signing keys ------------------------------------------------------------------------
    async def _key(self, kid: str) -> Any | None:
        if self._due(kid):
            async with self._lock:
                if self._due(kid):  # not fetched meanwhile by a request that waited first
                    await self._fetch()
        key = self._keys.get(kid)
        if key is None and self._failed:
            raise SigningKeysUnavailable
        return key

    def _due(self, kid: str) -> bool:
        if self._tried_at is None:
            return True
        since = self._clock() - self._tried_at
        if self._failed:
            return since >= _FAILED_FETCH_SECONDS
        if since >= _REFRESH_SECONDS:
            return True
        return kid not in self._keys and since >= _UNKNOWN_KEY_SECONDS

    async def _fetch(self) -> None:
        self._tried_at = self._clock()
        try:
            async with self._open().get(self._jwks_url) as response:
                response.raise_for_status()
                raw = await response.content.read(_MAX_JWKS_BYTES + 1)
            keys = _signing_keys(raw)
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as error:
            self._failed = True
            logger.warning(
                "signing keys not fetched (%s); %d cached kept",
                type(error).__name__,
                len(self._keys),
            )
            return
        self._keys, self._failed = keys, False
        logger.info("signing keys fetched: %d", len(keys))

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            context = ssl.create_default_context()
            if self._ca_file:
                context.load_verify_locations(cafile=self._ca_file)
            self._session = aiohttp.ClientSession(
                timeout=self._timeout, connector=aiohttp.TCPConnector(ssl=context, limit=2)
            )
        return self._session


def _signing_keys(raw: bytes) -> dict[str, Any]:
    """kid -> public key of every RSA signing key in a JWKS document; raises ValueError."""
    if len(raw) > _MAX_JWKS_BYTES:
        raise ValueError("JWKS too large")
    document = json.loads(raw)
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("not a JWKS")
    keys: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        if entry.get("use", "sig") != "sig" or not isinstance(entry.get("kid"), str):
            continue
        try:
            keys[entry["kid"]] = jwt.PyJWK(entry, algorithm="RS256").key
        except jwt.PyJWKError:
            continue  # one unusable key does not hide the others
    if not keys:
        raise ValueError("no RSA signing key")
    return keys


def _check_of(error: jwt.InvalidTokenError) -> str:
    """The name of the check a token failed, for the log."""
    checks: tuple[tuple[type[jwt.InvalidTokenError], str], ...] = (
        (jwt.ExpiredSignatureError, "expired"),
        (jwt.ImmatureSignatureError, "not_yet_valid"),
        (jwt.InvalidAudienceError, "audience"),
        (jwt.InvalidSignatureError, "signature"),
        (jwt.InvalidAlgorithmError, "algorithm"),
        (jwt.MissingRequiredClaimError, "claims"),
        (jwt.DecodeError, "malformed"),
    )
    return next((name for kind, name in checks if isinstance(error, kind)), "invalid")
