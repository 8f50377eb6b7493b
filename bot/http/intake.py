"""POST /api/post/items: the scanning service delivers one scanned item (PDF + metadata).

    Authorization: Bearer <intake token>
    Content-Type: multipart/form-data; parts `file` (the PDF) and `metadata` (JSON)

201 {id, reference, status, routedTo: {kind, target}} for a new item; 200 with the same body for
an external id this scanner (the token's name) stored before with the same file and metadata (a
retry is never a second item); 409 when the scanner sends that id again with another file or
other metadata (the stored item is kept). Every refusal is problem+json in Dutch and English
with a machine-readable `reason` (a message id) and, for invalid fields, an `errors` list naming
each field by its JSON path. A refused request stores nothing.

The order of the checks is the order of their cost: the token first (before a byte of the body
is read), then the declared size, then the body, read in chunks and abandoned as soon as it
passes the cap, then the metadata, and last the PDF's content (bot.documents.pdf).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.domain.platform.errors import DomainError, StoreUnavailable, Throttled, Unavailable
from bot.domain.post.items import ExternalIdTaken, IntakeMetadata, PostItem
from bot.http.bearer import bearer_challenge, bearer_name
from bot.http.problems import problem, unavailable
from bot.i18n import Translator
from bot.observability import correlation_id
from bot.services.post.intake import PostIntake
from bot.services.post.metadata import FieldError, InvalidMetadata, parse_metadata

logger = logging.getLogger(__name__)

ROUTE = "/api/post/items"
FILE_PART = "file"
METADATA_PART = "metadata"
# Generous for the metadata of a long letter (its OCR text included), small next to a scan.
MAX_METADATA_BYTES = 2 * 1024 * 1024
# Multipart boundaries and part headers on top of the two parts' contents.
_ENVELOPE_BYTES = 64 * 1024
_CHUNK_BYTES = 64 * 1024
# Refusals of the PDF check -> HTTP status; any other post.intake.* refusal is 422.
_PDF_STATUS = {"post.intake.not_pdf": 415, "post.intake.too_large": 413}

_NL, _EN = Translator("nl"), Translator("en")


class _Refused(Exception):
    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


@dataclass(frozen=True, slots=True)
class _Upload:
    data: bytes | None
    metadata: bytes | None


class IntakeHandler:
    """The handler of POST /api/post/items.

    `token_hashes`: token name -> sha256 hex of the token (settings.intake_token_hashes).
    `tenant_id`: the tenant the scanned post belongs to (the bot's own tenant).
    """

    def __init__(
        self,
        intake: PostIntake,
        *,
        token_hashes: Mapping[str, str],
        max_bytes: int,
        tenant_id: str,
    ) -> None:
        self._intake = intake
        self._hashes = {name: digest.lower() for name, digest in token_hashes.items()}
        self._max_bytes = max_bytes
        self._tenant_id = tenant_id

    async def handle(self, request: web.Request) -> web.StreamResponse:
        token_name = self._authenticate(request.headers.get("Authorization", ""))
        if token_name is None:
            return _unauthorized(request)
        try:
            metadata, data = _checked(await self._read(request))
            item, created = await self._intake.receive(
                self._tenant_id,
                metadata,
                data,
                token_name,
                correlation_id=correlation_id.get(),
            )
        except _Refused as refused:
            return refused.response
        except DomainError as error:
            return _domain_problem(error)
        except StoreUnavailable:
            # receive() stored nothing (a scan already written is deleted again): the scanner
            # sends the same upload later and it is taken as new.
            logger.exception("post intake: database unavailable")
            return _unavailable()
        logger.info("post intake %s item %s", "stored" if created else "repeated", item.id)
        return web.json_response(_answer(item), status=201 if created else 200)

    def _authenticate(self, header: str) -> str | None:
        """The name of the token presented, or None (bot/http/bearer.py)."""
        return bearer_name(header, self._hashes)

    async def _read(self, request: web.Request) -> _Upload:
        limit = self._max_bytes + MAX_METADATA_BYTES + _ENVELOPE_BYTES
        if request.content_length is not None and request.content_length > limit:
            raise _Refused(_too_large(self._max_bytes))
        if request.content_type != "multipart/form-data":
            raise _Refused(_problem(415, "post.intake.not_multipart"))
        try:
            reader = await request.multipart()
            parts: dict[str, bytes] = {}
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    raise _Refused(_problem(400, "post.intake.not_multipart"))
                name = part.name or ""
                if name in parts:
                    raise _Refused(_invalid([FieldError(name, "duplicate", "sent twice")]))
                cap = {FILE_PART: self._max_bytes, METADATA_PART: MAX_METADATA_BYTES}.get(name, 0)
                body = await _read_part(part, cap)
                if body is None:
                    if name == FILE_PART:
                        raise _Refused(_too_large(self._max_bytes))
                    if name == METADATA_PART:
                        raise _Refused(_invalid([FieldError(name, "too_long", "too large")]))
                    raise _Refused(_invalid([FieldError(name, "unexpected", "unknown part")]))
                if name in (FILE_PART, METADATA_PART):
                    parts[name] = body
        except (ValueError, RuntimeError, HttpProcessingError) as error:
            # aiohttp's multipart parser refuses a malformed body with these (a part header it
            # cannot read is an HttpProcessingError: InvalidHeader, LineTooLong).
            logger.info("malformed multipart body: %s", type(error).__name__)
            raise _Refused(_problem(400, "post.intake.not_multipart")) from None
        return _Upload(parts.get(FILE_PART), parts.get(METADATA_PART))


async def _read_part(part: BodyPartReader, cap: int) -> bytes | None:
    """The part's bytes, or None as soon as it grows past `cap` (the rest is never read).
    An unknown part has cap 0: any content refuses it."""
    chunks = bytearray()
    while chunk := await part.read_chunk(_CHUNK_BYTES):
        chunks += chunk
        if len(chunks) > cap:
            return None
    return bytes(chunks)


def _checked(upload: _Upload) -> tuple[IntakeMetadata, bytes]:
    """Both parts there and the metadata valid; refuses with every problem listed."""
    errors: list[FieldError] = []
    if upload.data is None:
        errors.append(FieldError(FILE_PART, "missing", "the PDF part is missing"))
    metadata: IntakeMetadata | None = None
    if upload.metadata is None:
        errors.append(FieldError(METADATA_PART, "missing", "the metadata part is missing"))
    else:
        try:
            metadata = parse_metadata(upload.metadata)
        except InvalidMetadata as invalid:
            errors += invalid.errors
    if errors or metadata is None or upload.data is None:
        raise _Refused(_invalid(errors))
    return metadata, upload.data


def _answer(item: PostItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "reference": item.reference,
        "status": item.state.value,
        "routedTo": {"kind": item.destination.kind.value, "target": item.destination.target},
    }


def _problem(status: int, key: str, **params: object) -> web.Response:
    return problem(status, _NL(key, **params), detail_en=_EN(key, **params), reason=key)


def _unauthorized(request: web.Request) -> web.Response:
    response = _problem(401, "post.intake.unauthorized")
    response.headers["WWW-Authenticate"] = bearer_challenge(
        request.headers.get("Authorization", "")
    )
    return response


def _too_large(max_bytes: int) -> web.Response:
    return _problem(413, "post.intake.too_large", max_mb=f"{max_bytes / (1024 * 1024):g}")


def _invalid(errors: list[FieldError]) -> web.Response:
    key = "post.intake.invalid"
    documents = [error.document() for error in errors]
    return problem(422, _NL(key), detail_en=_EN(key), reason=key, errors=documents)


def _unavailable() -> web.Response:
    return unavailable("post.intake.unavailable")


def _domain_problem(error: DomainError) -> web.Response:
    if isinstance(error, Unavailable | Throttled):
        return _unavailable()
    if isinstance(error, ExternalIdTaken):
        return _taken(error)
    key = error.message_key
    if key.startswith("post.intake."):
        return _problem(_PDF_STATUS.get(key, 422), key, **error.params)
    raise error  # not a refusal of the upload: the middleware answers 500 with a reference


def _taken(error: ExternalIdTaken) -> web.Response:
    """409: the scanner's external id names a stored item, and this upload is another one. The
    body says which id, the stored item that is kept (as a 200 would show it), and what
    differs ("file", or the JSON paths of metadata fields)."""
    key = error.message_key
    return problem(
        409,
        _NL(key, **error.params),
        detail_en=_EN(key, **error.params),
        reason=key,
        externalId=error.stored.metadata.external_id,
        storedItem=_answer(error.stored),
        differences=list(error.differences),
    )


INTAKE = web.AppKey("post_intake", IntakeHandler)


def add_intake_routes(app: web.Application, intake: IntakeHandler | None = None) -> None:
    """POST /api/post/items. The handler may be given now or set as app[INTAKE] later (in a
    cleanup context, once the database and the Graph client exist)."""
    if intake is not None:
        app[INTAKE] = intake
    app.router.add_post(ROUTE, _handle)


async def _handle(request: web.Request) -> web.StreamResponse:
    handler = request.app.get(INTAKE)
    if handler is None:
        return _problem(503, "post.intake.unavailable")
    return await handler.handle(request)
