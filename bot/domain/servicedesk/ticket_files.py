"""Files a person sends in their chat while it goes to their ticket: which are taken, under
which name, and what a stored one is.

Decisions (and why):
- The types are the ones a service desk asks for: documents (pdf, txt, docx, xlsx, pptx),
  screenshots (png, jpg/jpeg, gif), a mail that went wrong (msg, eml) and a zip of logs. Not
  taken: what a browser runs or shows as a page (html, svg, js), programs and scripts (exe, msi,
  ps1, bat, …), macro-enabled Office files (docm, xlsm, …) and anything without an extension.
  The list is short on purpose: an agent opens what is served, and what is served is always an
  attachment, never shown inline (bot/http/ticket_files.py).
- The type is told by the name's extension, before anything is fetched, and the content must
  then look like that type (a pdf starts with "%PDF-", a docx is a zip, …): an .exe renamed
  .pdf is refused. Werkplek never opens a file otherwise (a zip stays closed).
- The name is only ever a label: the last part of what was sent ("../../etc/passwd" is
  "passwd"), without control or format characters, at most MAX_NAME characters with its
  extension kept. The store keeps the bytes under a key of its own, never under this name.
- At most MAX_FILES_PER_MESSAGE files of one message are taken; the others are refused by
  name, so the person knows which to send again.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

MAX_FILES_PER_MESSAGE = 5
MAX_NAME = 120
# What a name with nothing left of it is called (its extension then decides: none, refused).
NAMELESS = "bijlage"

_ZIP = "application/zip"
# Extension -> the content type it is served with.
ALLOWED_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "txt": "text/plain",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "msg": "application/vnd.ms-outlook",
    "eml": "message/rfc822",
    "zip": _ZIP,
}
# How each type's bytes start (Office Open XML files are zips; an Outlook .msg is an OLE
# compound file). Text types have no signature: they must hold no NUL byte instead.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/vnd.ms-outlook": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    _ZIP: (b"PK\x03\x04", b"PK\x05\x06"),
}
_TEXT_TYPES = frozenset({"text/plain", "message/rfc822"})
# A text file is checked for NUL bytes this far (a binary file has them early).
_TEXT_SNIFF = 64 * 1024
_MAX_EXTENSION = 10


@dataclass(frozen=True, slots=True)
class NewTicketFile:
    """A file the person sent, stored (`document_key` is the document store's) and checked."""

    ticket_id: int
    at: datetime
    author_id: str  # an Entra object id
    name: str  # safe_name: a label, never a path
    content_type: str
    size: int
    sha256: str
    document_key: str


@dataclass(frozen=True, slots=True)
class TicketFile:
    id: int
    ticket_id: int
    at: datetime
    author_id: str
    name: str
    content_type: str
    size: int
    sha256: str
    document_key: str


def safe_name(sent: str) -> str:
    """The name to show and serve a file under: its last path part, no control or format
    characters, no leading dots or spaces, at most MAX_NAME characters (extension kept)."""
    cleaned = "".join(
        c for c in unicodedata.normalize("NFC", sent) if unicodedata.category(c)[0] != "C"
    )
    name = cleaned.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(". ").rstrip(". ")
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= _MAX_EXTENSION:
            name = stem[: MAX_NAME - len(extension) - 1].rstrip(". ") + "." + extension
        else:
            name = name[:MAX_NAME]
    return name or NAMELESS


def content_type_of(name: str) -> str | None:
    """The content type a file of this (safe) name is served with; None: not taken."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return None
    return ALLOWED_TYPES.get(extension.casefold())


def looks_like(content_type: str, data: bytes) -> bool:
    """Whether the bytes are what the type says (see the module's decisions)."""
    if content_type in _TEXT_TYPES:
        return b"\x00" not in data[:_TEXT_SNIFF]
    office = content_type.startswith("application/vnd.openxmlformats-officedocument.")
    signatures = _SIGNATURES.get(_ZIP if office else content_type, ())
    return any(data.startswith(signature) for signature in signatures)
