"""The announcement API, for Power Automate and other systems: create one (and send it), and
follow it.

    POST /api/announcements        Authorization: Bearer <API key or Entra app token>,
                                   Content-Type: application/json
    GET  /api/announcements/{id}   Authorization: Bearer <API key or Entra app token>

Callers: API keys (WERKPLEK_ANNOUNCEMENT_API_KEYS: each key's sha256, its scope, the author it
shows) and Entra apps (WERKPLEK_ANNOUNCEMENT_API_APPS: client app id -> its name, scope and
author) presenting an app-only access token for Werkplek's API with the app role
Announcements.Send (bot/http/entra_tokens.py checks it).

A key or an app acts as an author of its own, `api:<name>`, with the comms role and its scope
(the composition adds it to the authoring rules' scopes), so the service's guardrails are the
ones chat authors meet: the same checks of the texts, the same scope, and never "everyone"
(which needs the admin role, which a caller never has).

POST body (bot/http/announcement_body.py): `client_key` (the client's idempotency key), the
Dutch `title`, `summary`, `image_url`, `image_alt`, `link_title`, `link_url`, an optional
`english` object with the same texts, `importance` ("normal" | "urgent"), `audience`
({"kind": "entities" | "groups" | "channels" | "everyone", "entities": [...], "groups": [...],
"channels": [{"id", "name"}]}), an optional `send_at` (ISO 8601 with its offset), `send`
(false: a draft only; true: it is submitted, and waits for approval when approval is required:
the answer's `state` says which) and `delivery` ("auto" | "per_recipient" | "batch": Teams
batch operations, faster past 50 a second, but never edited or recalled afterwards).

Answers: 201 with the announcement (and Location) when it was made; 200 with the stored one
when this key sent that client key before (nothing is made or sent again); GET answers the
same representation with its figures. Every refusal is problem+json in Dutch and English with a
machine-readable `reason` (a message id); 422 (a field or a text to fix) and 403 (an audience
outside the key's scope) list every problem in `errors`. 401 without a known key, 404 for an
announcement another key made (the same as for none), 413 past the body limit, 415 for a body
that is not JSON. For an Entra token: 401 when it is not valid (signature, lifetime, issuer,
audience, tenant), as for an unknown key; 403 with its `reason` when it is valid but its caller
may not (a user's delegated token, an app not configured, the app role missing); 503 when the
tenant's signing keys cannot be fetched.

Decisions (and why):
- The caller first (before a byte of the body is read), then the declared size and the
  content type, then the body, read with a cap, then its fields, then the service: the order
  of their cost, as the post intake (bot/http/intake.py). Among callers the keys first (a hash
  compare), an Entra token only when no key matches and the secret is shaped like a JWT.
- Without an app configured no token is checked: a JWT is then an unknown key (401).
- A refused request stores nothing: a draft whose submit is refused (its image cannot be
  fetched, no approver) is deleted again, so a corrected retry with the same client key is made
  anew rather than answered with the refused draft.
- Representations use the body's snake_case field names, so a flow reads what it wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.domain.announcements.announcements import API_AUTHOR_PREFIX, Announcement
from bot.domain.announcements.audiences import AudienceProblem
from bot.domain.announcements.recipients import Progress
from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import DomainError, Forbidden, NotFound, Throttled, Unavailable
from bot.domain.platform.roles import Role
from bot.http.announcement_routes import ROUTE
from bot.http.bearer import bearer_challenge, bearer_name
from bot.http.entra_tokens import AppRefused, EntraAppTokens, SigningKeysUnavailable, jwt_of
from bot.http.problems import problem, unavailable
from bot.i18n import Translator
from bot.observability import correlation_id
from bot.ports.announcements import AnnouncementRepository
from bot.services.announcements.authoring import AnnouncementAuthoring
from bot.services.announcements.changes import AnnouncementChanges
from bot.services.announcements.checks import AnnouncementProblems, Problem

if TYPE_CHECKING:
    from bot.http.announcement_body import AnnouncementIn, FieldProblem

logger = logging.getLogger(__name__)

# The author (and source) an API key acts as: "api:<key name>".
# An announcement's texts are at most a few kB (bot/domain/announcements/content.py); this
# leaves room for an English text and fifty targets, and bounds what is parsed.
MAX_BODY_BYTES = 64 * 1024
_CHUNK_BYTES = 16 * 1024
# Audience problems that mean "this key may not reach that": 403, not 422.
_SCOPE_REFUSALS = frozenset(
    f"announcements.audience.{problem.value}"
    for problem in (
        AudienceProblem.EVERYONE_NEEDS_ADMIN,
        AudienceProblem.ENTITY_NOT_ALLOWED,
        AudienceProblem.GROUP_NOT_ALLOWED,
        AudienceProblem.CHANNELS_NOT_ALLOWED,
        AudienceProblem.LISTS_NOT_ALLOWED,
    )
)
_ROLES = frozenset({Role.STAFF, Role.COMMS})

_NL, _EN = Translator("nl"), Translator("en")


# --- the handler ----------------------------------------------------------------------------------
class _Refused(Exception):
    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


class AnnouncementsApi:
    """The handler of POST /api/announcements and GET /api/announcements/{id}.

    `key_hashes`: key name -> sha256 hex of the key (settings.announcement_key_hashes);
    `key_authors`: key name -> the author shown (settings.announcement_key_authors);
    `announcements`: the repository, only to find what a client key made before;
    `tenant_id`: the tenant the announcements belong to (the bot's own);
    `app_tokens`: the Entra app tokens' check (None: no app configured, keys only);
    `app_authors`: app name -> the author shown (settings.announcement_app_authors).
    """

    def __init__(
        self,
        authoring: AnnouncementAuthoring,
        changes: AnnouncementChanges,
        announcements: AnnouncementRepository,
        *,
        key_hashes: Mapping[str, str],
        key_authors: Mapping[str, str],
        tenant_id: str,
        app_tokens: EntraAppTokens | None = None,
        app_authors: Mapping[str, str] | None = None,
        max_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self._authoring = authoring
        self._changes = changes
        self._announcements = announcements
        self._hashes = {name: digest.lower() for name, digest in key_hashes.items()}
        # Names are unique across keys and apps (the settings refuse a repeated one).
        self._authors = {**key_authors, **(app_authors or {})}
        self._app_tokens = app_tokens
        self._tenant_id = tenant_id
        self._max_bytes = max_bytes

    async def create(self, request: web.Request) -> web.StreamResponse:
        try:
            actor = self._actor(await self._caller(request))
            wanted = _parsed(await self._read(request))
            stored = await self._announcements.by_client_key(actor.user_id, wanted.client_key)
            if stored is not None and stored.author_id == actor.user_id:
                logger.info("api announcement %s repeated", stored.id)
                return web.json_response(await self._answer(actor, stored))
            draft = await self._authoring.save(
                actor,
                None,
                wanted.form(),
                None,
                source=actor.user_id,
                client_key=wanted.client_key,
            )
            made = await self._submitted(actor, draft) if wanted.send else draft
            body = await self._answer(actor, made)
        except _Refused as refused:
            return refused.response
        except DomainError as error:
            return _domain_problem(error)
        logger.info("api announcement %s made, %s", made.id, made.state.value)
        return web.json_response(body, status=201, headers={"Location": f"{ROUTE}/{made.id}"})

    async def status(self, request: web.Request) -> web.StreamResponse:
        try:
            name = await self._caller(request)
        except _Refused as refused:
            return refused.response
        raw = request.match_info.get("announcement_id", "")
        # ASCII digits only ("²" is a digit to str.isdigit), and no int64 overflow in the store.
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            return _problem(404, "announcements.api.not_found")
        actor = self._actor(name)
        try:
            announcement = await self._authoring.get(actor, int(raw))
            body = await self._answer(actor, announcement)
        except DomainError as error:
            return _domain_problem(error)
        return web.json_response(body)

    async def _caller(self, request: web.Request) -> str:
        """The name of the key or app calling; raises _Refused (401, 403, 503) otherwise."""
        header = request.headers.get("Authorization", "")
        name = bearer_name(header, self._hashes)
        if name is not None:
            return name
        token = jwt_of(header)
        if token is None or self._app_tokens is None:
            raise _Refused(_unauthorized(header))
        try:
            verdict = await self._app_tokens.check(token)
        except SigningKeysUnavailable:
            raise _Refused(_unavailable()) from None
        if verdict is None:
            raise _Refused(_unauthorized(header))
        if isinstance(verdict, AppRefused):
            raise _Refused(_problem(403, verdict.message_key))
        return verdict.name

    def _actor(self, name: str) -> Actor:
        return Actor(
            user_id=API_AUTHOR_PREFIX + name,
            tenant_id=self._tenant_id,
            name=self._authors.get(name) or name,
            roles=_ROLES,
            correlation_id=correlation_id.get(),
        )

    async def _submitted(self, actor: Actor, draft: Announcement) -> Announcement:
        """The draft submitted; a refused submit deletes the draft again (nothing is kept of
        a refused request)."""
        try:
            return await self._authoring.submit(actor, draft.id, draft.version)
        except Exception:
            await self._withdraw(actor, draft)
            raise

    async def _withdraw(self, actor: Actor, draft: Announcement) -> None:
        try:
            await self._authoring.delete(actor, draft.id, draft.version)
        except Exception:
            # Submitted after all (a retry racing this one) or the store gone: the draft
            # stays, and a retry with the same client key is answered with it.
            logger.warning("api announcement %s: refused draft not deleted", draft.id)

    async def _answer(self, actor: Actor, announcement: Announcement) -> dict[str, Any]:
        return representation(announcement, await self._changes.figures(actor, announcement.id))

    async def _read(self, request: web.Request) -> bytes:
        """The body, never more than the cap: a larger one is abandoned unread."""
        if request.content_length is not None and request.content_length > self._max_bytes:
            raise _Refused(self._too_large())
        if request.content_type != "application/json":
            raise _Refused(_problem(415, "announcements.api.not_json"))
        body = bytearray()
        while chunk := await request.content.read(_CHUNK_BYTES):
            body += chunk
            if len(body) > self._max_bytes:
                raise _Refused(self._too_large())
        return bytes(body)

    def _too_large(self) -> web.Response:
        return _problem(413, "announcements.api.too_large", max_kb=str(self._max_bytes // 1024))


def _parsed(body: bytes) -> AnnouncementIn:
    # The body's models load with the first request, not with the capabilities.
    from bot.http.announcement_body import InvalidBody, MalformedBody, parse_body

    try:
        return parse_body(body)
    except MalformedBody:
        raise _Refused(_problem(400, "announcements.api.malformed")) from None
    except InvalidBody as invalid:
        problems = [_field_problem(found) for found in invalid.problems]
        raise _Refused(_listed(422, "announcements.api.invalid", problems)) from None


def representation(announcement: Announcement, progress: Progress) -> dict[str, Any]:
    """What the API answers about an announcement: where it stands and its figures."""
    figures = progress.figures
    return {
        "id": announcement.id,
        "reference": announcement.reference,
        "state": announcement.state.value,
        "client_key": announcement.client_key,
        "importance": announcement.importance.value,
        "delivery": announcement.delivery.value,
        "created_at": _when(announcement.created_at),
        "send_at": _when(announcement.send_at),
        "started_at": _when(announcement.started_at),
        "finished_at": _when(announcement.finished_at),
        "approval_required": announcement.approval_required,
        "audience_size": announcement.audience_size,
        "figures": {
            "audience": figures.audience,
            "sent": figures.sent,
            "throttled_sent": figures.throttled_sent,
            "failed": figures.failed,
            "blocked": figures.blocked,
            "not_found": figures.not_found,
            "not_reached": figures.not_reached,
            "read": figures.read,
            "acknowledged": figures.acknowledged,
        },
        "progress": {
            "per_second": round(progress.per_second, 3),
            "expected_end": _when(progress.expected_end),
        },
    }


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


# --- problems -------------------------------------------------------------------------------------
def _problem(status: int, key: str, **params: object) -> web.Response:
    return problem(status, _NL(key, **params), detail_en=_EN(key, **params), reason=key)


def _unauthorized(header: str) -> web.Response:
    response = _problem(401, "announcements.api.unauthorized")
    response.headers["WWW-Authenticate"] = bearer_challenge(header)
    return response


def _unavailable() -> web.Response:
    return unavailable("announcements.api.unavailable")


def _listed(status: int, key: str, errors: Sequence[dict[str, Any]]) -> web.Response:
    return problem(status, _NL(key), detail_en=_EN(key), reason=key, errors=list(errors))


def _field_problem(found: FieldProblem) -> dict[str, Any]:
    return {"path": found.path, **_said(found.message_key, found.values)}


def _service_problem(found: Problem) -> dict[str, Any]:
    entry = _said(found.message_key, found.values)
    if found.values:
        entry["values"] = found.values  # e.g. the entity code refused
    return entry


def _said(key: str, values: Mapping[str, str]) -> dict[str, Any]:
    return {"reason": key, "detail": _NL(key, **values), "detail_en": _EN(key, **values)}


def _domain_problem(error: DomainError) -> web.Response:
    if isinstance(error, AnnouncementProblems):
        problems = [_service_problem(found) for found in error.problems]
        if any(found.message_key in _SCOPE_REFUSALS for found in error.problems):
            return _listed(403, "announcements.api.refused", problems)
        return _listed(422, "announcements.api.invalid", problems)
    if isinstance(error, NotFound):
        return _problem(404, "announcements.api.not_found")
    if isinstance(error, Unavailable | Throttled):
        logger.warning("announcement api: a dependency did not answer (%s)", type(error).__name__)
        return _unavailable()
    # Known refusals of the service (no approver configured, changed meanwhile): said in its
    # own words, as a conflict with what is configured or stored.
    status = 403 if isinstance(error, Forbidden) else 409
    return _problem(status, error.message_key, **error.params)
