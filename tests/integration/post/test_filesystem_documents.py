"""Scans on the local filesystem: keys by month, private files, never an overwrite, and keys
that are not ours never reach outside the folder."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.documents.filesystem import FilesystemDocumentStore
from bot.domain.platform.errors import NotFound


async def test_a_scan_is_kept_under_its_month_privately_and_read_back(tmp_path: Path) -> None:
    store = FilesystemDocumentStore(
        tmp_path / "documents", now=lambda: datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    )
    data = b"%PDF-1.7 scan"

    stored = await store.put("POST-2026-000001 Jef Peeters.PDF", data)

    assert stored.key.startswith("2026/03/") and stored.key.endswith(".pdf")
    assert "Peeters" not in stored.key  # the name lends its suffix only
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    path = tmp_path / "documents" / stored.key
    assert path.read_bytes() == data
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "documents" / "2026").stat().st_mode & 0o777 == 0o700
    assert await store.get(stored.key) == data
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


async def test_the_same_bytes_twice_are_two_scans(tmp_path: Path) -> None:
    store = FilesystemDocumentStore(tmp_path)
    keys = await asyncio.gather(*(store.put("scan.pdf", b"same") for _ in range(5)))
    assert len({document.key for document in keys}) == 5


async def test_delete_and_what_is_gone(tmp_path: Path) -> None:
    store = FilesystemDocumentStore(tmp_path)
    stored = await store.put("scan.pdf", b"data")

    assert await store.delete(stored.key)
    assert not await store.delete(stored.key)
    with pytest.raises(NotFound):
        await store.get(stored.key)


@pytest.mark.parametrize(
    "key", ["../secret.txt", "/etc/passwd", "2026/01/../../x", "2026/1/abc.pdf", ""]
)
async def test_a_key_that_is_not_ours_is_simply_not_found(tmp_path: Path, key: str) -> None:
    store = FilesystemDocumentStore(tmp_path / "documents")
    (tmp_path / "secret.txt").write_text("no")
    with pytest.raises(NotFound):
        await store.get(key)
    assert not await store.delete(key)
    assert (tmp_path / "secret.txt").exists()
