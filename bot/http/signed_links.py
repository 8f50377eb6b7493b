"""Signed, single-use links on aiohttp: make a link under the bot's public base URL, check one,
and record its one use.

The signing scheme is bot/domain/platform/signing.py; this module reads and writes URLs. Every link
carries a random nonce (signed with the rest). A check either returns the link's verified
parameters or raises `LinkRefused` with why (invalid, expired, used); the handler shows the
person a small page with the next step, and the precise reason goes to the log and the audit
trail, never to the caller.

Decisions (and why):
- A link is used by the first GET that would serve the file: the nonce is inserted in the
  database (unique key) before the body is made, so a second click, a second replica or a
  restart all see it used. Fetching or making the file happens after the claim, so a double
  click never builds a report twice.
- A download that breaks off midway has used its link. The page for a used link says what to
  do: click "Openen" (or ask for the export) again in Teams, which makes a new link at once.
  Giving the link back on a broken transfer would need to tell a broken transfer from a copied
  link that an attacker cut short, and a new link is one click.
- HEAD never uses a link: it answers the headers the GET would, nothing else, not audited.
- GETs from known link previewers (their User-Agent) are answered like HEAD, without the file
  and without using the link. The links are only sent as buttons in the 1:1 chat, which Teams
  does not unfurl, so this is a safety net. Trusting the User-Agent is safe here only because
  such an answer holds nothing: claiming to be a previewer never gets anyone the file.
- A link without a nonce (made by a release before single use) is refused as invalid: such
  links lived minutes, and a new one is one click away.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlencode

from aiohttp import web

from bot.domain.platform.audit import Outcome
from bot.domain.platform.signing import EXPIRES, SIGNATURE, signed_params, verify
from bot.http.link_pages import (
    LinkTopic,
    Refusal,
    Trouble,
    content_disposition,
    link_page,
    page_locale,
    prefers_html,
    trouble_page,
)
from bot.http.problems import problem
from bot.observability import correlation_id
from bot.ports.platform import Clock, LinkUses
from bot.services.platform.audit import Auditor

logger = logging.getLogger(__name__)

EXPORTS_PATH = "/api/exports"
# Before the store is open, ask back after this: a start takes seconds.
_RETRY_SOON = {"Retry-After": "5"}
# Who asked for the link (Entra object id); signed, so the download is audited in their name.
BY = "by"
# The link's random nonce: what the database records when the link is used.
NONCE = "n"

# Shorter configured secrets still work, with a warning: 32 random bytes is the usual strength.
_STRONG_SECRET = 32
# 16 random bytes: unguessable, and 22 URL-safe characters in the link.
_NONCE_BYTES = 16
# What a nonce may look like on the way in (the column holds 64): anything else is not ours.
_NONCE_LENGTHS = range(16, 65)
_NONCE_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# User-Agent fragments of link previewers (Teams/Skype, Bing/Office, other chat apps): they get
# the headers only. Lower case; matched as substrings.
_PREVIEWERS = (
    "skypeuripreview",
    "bingpreview",
    "microsoftpreview",
    "office existence discovery",
    "slackbot",
    "facebookexternalhit",
    "twitterbot",
    "linkedinbot",
    "whatsapp",
    "telegrambot",
    "discordbot",
)
# Headers of every answer to a link, file or page: nothing cached, sniffed or sent on as Referer
# (the link is a credential for a few minutes).
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# The page is static text: nothing may load or run; the inline <style> is all it needs.
_PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


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


class Why(StrEnum):
    """Why a link was refused: for the log and the audit trail (the page shows a Refusal)."""

    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    NO_NONCE = "no_nonce"
    EXPIRED = "expired"
    USED = "used"

    @property
    def refusal(self) -> Refusal:
        if self is Why.EXPIRED:
            return Refusal.EXPIRED
        if self is Why.USED:
            return Refusal.USED
        return Refusal.INVALID

    @property
    def is_genuine(self) -> bool:
        """The link was made by the bot (its signature holds), so its `by` can be believed."""
        return self in (Why.EXPIRED, Why.USED)


class LinkRefused(Exception):
    """The link is not one the bot made, or no longer valid."""

    def __init__(self, why: Why, params: Mapping[str, str] | None = None) -> None:
        super().__init__(why.value)
        self.why = why
        # The verified parameters, for a genuine link only: who it was made for, in the audit.
        self.params: dict[str, str] = dict(params or {})


@dataclass(frozen=True, slots=True)
class VerifiedLink:
    params: dict[str, str]  # without exp, sig and the nonce
    nonce: str
    expires_at: datetime

    @property
    def by(self) -> str:
        return self.params.get(BY, "")


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
        """An absolute URL for path (e.g. "/api/exports/catalogue") that works once, for a while."""
        expires = int((self._clock.now() + self._lifetime).timestamp())
        fresh = {**params, NONCE: secrets.token_urlsafe(_NONCE_BYTES)}
        query = signed_params(self._secret, path, fresh, expires)
        return f"{self._base}{path}?{urlencode(query)}"

    def export_link(self, kind: str, params: Mapping[str, str], by: str) -> str:
        """A download of export `kind`, on behalf of user `by`."""
        return self.link(f"{EXPORTS_PATH}/{kind}", {**params, BY: by})

    def check(self, request: web.Request) -> VerifiedLink:
        """The link's verified parameters; raises LinkRefused (invalid or expired)."""
        query = request.rel_url.query
        if any(len(query.getall(name)) > 1 for name in query):
            raise LinkRefused(Why.MALFORMED)
        params = {name: query[name] for name in query}
        signature = params.pop(SIGNATURE, "")
        try:
            expires = int(params.pop(EXPIRES, ""))
            expires_at = datetime.fromtimestamp(expires, UTC)
        except (ValueError, OverflowError, OSError):
            raise LinkRefused(Why.MALFORMED) from None
        now = int(self._clock.now().timestamp())
        path = request.rel_url.path
        if not verify(self._secret, path, params, expires, signature, now):
            genuine = verify(self._secret, path, params, expires, signature, expires - 1)
            raise LinkRefused(Why.EXPIRED if genuine else Why.BAD_SIGNATURE, _kept(params))
        nonce = params.pop(NONCE, "")
        if len(nonce) not in _NONCE_LENGTHS or not _NONCE_ALPHABET.issuperset(nonce):
            raise LinkRefused(Why.NO_NONCE, params)
        return VerifiedLink(params, nonce, expires_at)


def _kept(params: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in params.items() if name != NONCE}


class SingleUse:
    """The one use of a verified link, recorded where every replica sees it."""

    def __init__(self, uses: LinkUses, clock: Clock) -> None:
        self._uses = uses
        self._clock = clock

    async def claim(self, link: VerifiedLink) -> None:
        """Use the link now; raises LinkRefused(USED) when it was used before, anywhere."""
        if not await self._uses.first_use(link.nonce, self._clock.now(), link.expires_at):
            raise LinkRefused(Why.USED, link.params)

    async def check_unused(self, link: VerifiedLink) -> None:
        """For HEAD and previewers: refused like a GET would be, without using the link."""
        if await self._uses.was_used(link.nonce):
            raise LinkRefused(Why.USED, link.params)


def only_looks(request: web.Request) -> bool:
    """A request that must not use the link: HEAD, or a GET from a known link previewer."""
    if request.method == "HEAD":
        return True
    agent = request.headers.get("User-Agent", "").casefold()
    return any(previewer in agent for previewer in _PREVIEWERS)


def file_headers(filename: str) -> dict[str, str]:
    """The headers of a file served through a link: an attachment that stays private."""
    return {**PRIVATE_HEADERS, "Content-Disposition": content_disposition(filename)}


def path_id(request: web.Request, name: str) -> int:
    """A positive 64-bit id from the path; 0 for anything else (never a valid id)."""
    try:
        value = int(request.match_info[name])
    except ValueError:
        return 0
    return value if 0 < value < 2**63 else 0


def not_ready(request: web.Request) -> web.Response:
    """The answer to a link followed while the app has just started and its store is not open
    yet: the page for a browser, problem+json for anything else, both asking back soon."""
    if prefers_html(request.headers.get("Accept")):
        return trouble_response(request, Trouble.NOT_READY, headers=_RETRY_SOON)
    return problem(503, "Nog niet klaar.", detail_en="Not ready yet.", headers=_RETRY_SOON)


async def audit_refused(
    auditor: Auditor,
    refused: LinkRefused,
    *,
    action: str,
    object_type: str,
    object_id: str,
    **detail: str,
) -> None:
    """Audit a refused link, durably: in the name of whom it was made for when it is genuine,
    else anonymously (a forged `by` is no one's), with the reason; ids only."""
    await auditor.record(
        actor_id=refused.params.get(BY, "") if refused.why.is_genuine else "",
        action=action,
        outcome=Outcome.DENIED,
        role="link",
        object_type=object_type,
        object_id=object_id,
        correlation_id=correlation_id.get(),
        durable=True,
        reason=refused.why.value,
        **detail,
    )


def refusal_page(
    request: web.Request, topic: LinkTopic, refusal: Refusal, status: int | None = None
) -> web.Response:
    """The small Dutch or English HTML page for a link that cannot be served, with what to do."""
    locale = page_locale(request.headers.get("Accept-Language"))
    page = link_page(topic, refusal, locale, reference=correlation_id.get())
    return _page(request, status or refusal.status, page, locale)


def trouble_response(
    request: web.Request,
    trouble: Trouble,
    *,
    reference: str = "",
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """The Dutch or English page for trouble on our side (not started, database away, a
    failure), for a browser that followed a link; API clients get problem+json instead
    (bot/http/problems.py, chosen by `prefers_html`). `reference`: the request's id, in the log."""
    locale = page_locale(request.headers.get("Accept-Language"))
    page = trouble_page(trouble, locale, reference=reference or correlation_id.get())
    return _page(request, trouble.status, page, locale, headers)


def _page(
    request: web.Request,
    status: int,
    page: str,
    locale: str,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """One of our HTML pages: private, no scripts, in the reader's language."""
    return web.Response(
        status=status,
        text="" if request.method == "HEAD" else page,
        content_type="text/html",
        charset="utf-8",
        headers={
            **PRIVATE_HEADERS,
            "Content-Security-Policy": _PAGE_POLICY,
            "Content-Language": locale,
            **(headers or {}),
        },
    )
