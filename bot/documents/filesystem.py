"""Scans on the local filesystem (the default DocumentStore): var/documents/yyyy/mm/<uuid>.pdf.

A scan is written to a temporary file in its final folder, flushed to disk, then hard-linked to
its name, which fails rather than replace a file already there: a crash leaves at most a stray
temporary file, never a half-written scan under a real key, and no scan is ever overwritten.
Files are 0600 and folders 0700: only the bot's own account reads them; people get a scan
through the bot's signed, audited links, never through a path.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.platform.errors import NotFound
from bot.domain.post.items import StoredDocument

_KEY = re.compile(r"^\d{4}/\d{2}/[0-9a-f]{32}(\.[a-z0-9]{1,8})?$")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")
_FILE_MODE = 0o600
_FOLDER_MODE = 0o700
_TEMP_PREFIX = ".incoming-"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FilesystemDocumentStore:
    """Implements bot.ports.post.DocumentStore under `root`. Keys are "yyyy/mm/<uuid><suffix>"; the
    `name` given to put only lends its suffix (".pdf"), never its words, to the file name."""

    def __init__(self, root: Path, *, now: Callable[[], datetime] = _utc_now) -> None:
        self.root = Path(root)
        self._now = now

    async def put(self, name: str, data: bytes) -> StoredDocument:
        return await asyncio.to_thread(self._put, name, data)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise NotFound() from None

    async def delete(self, key: str) -> bool:
        if not _KEY.match(key):
            return False
        path = self.root / key
        try:
            await asyncio.to_thread(path.unlink)
        except FileNotFoundError:
            return False
        return True

    def _put(self, name: str, data: bytes) -> StoredDocument:
        now = self._now().astimezone(UTC)
        folder = self.root / f"{now.year:04d}" / f"{now.month:02d}"
        _make_folder(folder, self.root)
        suffix = Path(name).suffix.lower()
        suffix = suffix if _SUFFIX.match(suffix) else ""
        descriptor, temporary = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=folder)
        try:
            with os.fdopen(descriptor, "wb") as file:  # mkstemp already made it 0600
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            while True:
                key = f"{now.year:04d}/{now.month:02d}/{uuid.uuid4().hex}{suffix}"
                try:
                    os.link(temporary, self.root / key)  # never replaces an existing file
                    break
                except FileExistsError:  # pragma: no cover - a uuid4 collision
                    continue
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        _sync_folder(folder)
        return StoredDocument(key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data))

    def _path(self, key: str) -> Path:
        """The file of a key; a key that is not one of ours (a path, "..") is simply not found."""
        if not _KEY.match(key):
            raise NotFound()
        return self.root / key


def _make_folder(folder: Path, root: Path) -> None:
    if folder.is_dir():
        return
    root.mkdir(mode=_FOLDER_MODE, parents=True, exist_ok=True)
    for part in (folder.parent, folder):
        part.mkdir(mode=_FOLDER_MODE, exist_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the new directory entry durable (the file's data already is)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
