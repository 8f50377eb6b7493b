"""A workbook an admin sent in chat: fetched within the upload limit, its kind told by its sheets.

Admins send edited workbooks (the licence catalogue, the routing rules of incoming post) in the
chat without saying what they are. The chat's inbox (dialogs/platform/workbooks.py) fetches the
file here and asks what it is, then hands it to the importer of that kind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.ports.platform import FileDownloads

# (workbook bytes) -> its kind, "" when unknown (bot/excel/workbook_kind.py).
KindOf = Callable[[bytes], str]


class WorkbookFiles:
    def __init__(self, downloads: FileDownloads, kind_of: KindOf, max_bytes: int) -> None:
        self._downloads = downloads
        self._kind_of = kind_of
        self._max_bytes = max_bytes

    async def fetch(self, url: str) -> bytes:
        """The file's bytes; raises InvalidInput (a host not allowed, too large) or Unavailable,
        as FileDownloads does."""
        return await self._downloads.fetch(url, self._max_bytes)

    async def kind(self, data: bytes) -> str:
        """Which workbook this is ("" when unsure): its package's index is read, never a cell."""
        return await asyncio.to_thread(self._kind_of, data)  # zip and XML: CPU, off the loop
