"""Signed links on aiohttp: make a link under the bot's public base URL, and check one.

The scheme is bot/domain/signing.py; this module only reads and writes URLs. A check either
returns the link's verified parameters or raises `LinkRefused`, whose `response` is the 403
problem+json to answer with. The reason (bad signature, expired) is logged, never told: a
caller learns nothing from trying.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlencode

from aiohttp import web

from bot.domain.signing import EXPIRES, SIGNATURE, signed_params, verify
from bot.http.problems import problem
from bot.ports import Clock

logger = logging.getLogger(__name__)

EXPORTS_PATH = "/api/exports"
# Who asked for the link (Entra object id); signed, so the download is audited in their name.
BY = "by"


# Shorter configured secrets still work, with a warning: 32 random bytes is the usual strength.
_STRONG_SECRET = 32


def signing_secret(configured: str) -> bytes:
    """The configured link secret (WERKPLEK_LINK_SECRET), or a random one for this process."""
    if not configured:
        logger.warning(
            "WERKPLEK_LINK_SECRET is not set: download links are signed with a random secret, "
            "so they stop working after a restart and work on this replica only"
        )
        return secrets.token_bytes(_STRONG_SECRET)
    if len(configured) < _STRONG_SECRET:
        logger.warning("WERKPLEK_LINK_SECRET is short; use at least %d characters", _STRONG_SECRET)
    return configured.encode("utf-8")


class LinkRefused(Exception):
    """The link is not one the bot made, or no longer valid."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def response(self) -> web.Response:
        return problem(
            403,
            "Deze link is niet (meer) geldig. Vraag in de chat een nieuwe aan.",
            detail_en="This link is not valid (any more). Ask for a new one in the chat.",
        )


class SignedLinks:
    """Makes and checks the bot's signed links; one instance per app, shared by replicas'
    configuration (the same secret on every replica, else a link works on one only)."""

    def __init__(self, base_url: str, secret: bytes, lifetime: timedelta, clock: Clock) -> None:
        if not secret:
            raise ValueError("signed links need a secret")
        self._base = base_url.rstrip("/")
        self._secret = secret
        self._lifetime = lifetime
        self._clock = clock

    @property
    def lifetime_minutes(self) -> int:
        return max(1, round(self._lifetime.total_seconds() / 60))

    def link(self, path: str, params: Mapping[str, str]) -> str:
        """An absolute URL for path (e.g. "/api/exports/catalogue") that works for a while."""
        expires = int((self._clock.now() + self._lifetime).timestamp())
        query = signed_params(self._secret, path, params, expires)
        return f"{self._base}{path}?{urlencode(query)}"

    def export_link(self, kind: str, params: Mapping[str, str], by: str) -> str:
        """A download of export `kind`, on behalf of user `by`."""
        return self.link(f"{EXPORTS_PATH}/{kind}", {**params, BY: by})

    def check(self, request: web.Request) -> dict[str, str]:
        """The parameters of a valid link (without exp and sig); raises LinkRefused."""
        query = request.rel_url.query
        if any(len(query.getall(name)) > 1 for name in query):
            raise LinkRefused("repeated parameter")
        params = {name: query[name] for name in query}
        signature = params.pop(SIGNATURE, "")
        try:
            expires = int(params.pop(EXPIRES, ""))
        except ValueError:
            raise LinkRefused("no expiry") from None
        now = int(self._clock.now().timestamp())
        path = request.rel_url.path
        if not verify(self._secret, path, params, expires, signature, now):
            genuine = verify(self._secret, path, params, expires, signature, expires - 1)
            reason = "expired" if genuine else "bad signature"
            logger.info("signed link refused (%s) on %s", reason, path)
            raise LinkRefused(reason)
        return params
