"""Whether an announcement's image really is one: fetched (at most the configured size) and
recognised by its first bytes before the announcement is submitted.

Decisions (and why):
- The bytes decide, not the server's Content-Type nor the address's extension: both are easy
  to get wrong (a sign-in page served for an expired link is text/html at a .png address), and
  Teams shows nothing, or a broken frame, for what is not an image.
- Only the formats Teams renders in an Adaptive Card: PNG, JPEG, GIF and WebP.
- The fetch goes through the platform's FileDownloads port, which refuses plain http, hosts not
  allowed, and anything larger than the limit while reading (so a huge file is never held).
  Its refusals are told apart by their message ids (download.error.*, bot/http/downloads.py).
"""

from __future__ import annotations

from bot.domain.platform.errors import InvalidInput, Unavailable
from bot.ports.platform import FileDownloads
from bot.services.announcements.checks import Problem

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_GIFS = (b"GIF87a", b"GIF89a")
# The FileDownloads port's refusal of a file over the limit (bot/http/downloads.py TOO_LARGE).
_TOO_LARGE = "download.error.too_large"
_MEGABYTE = 1024 * 1024


def is_image(data: bytes) -> bool:
    """PNG, JPEG, GIF or WebP, by their magic numbers."""
    return (
        data.startswith(_PNG)
        or data.startswith(_JPEG)
        or data.startswith(_GIFS)
        or (len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    )


def _megabytes(size: int) -> str:
    return f"{size / _MEGABYTE:.1f}".removesuffix(".0")


class ImageCheck:
    def __init__(self, downloads: FileDownloads, max_bytes: int) -> None:
        self._downloads = downloads
        self._max_bytes = max_bytes

    async def check(self, url: str) -> Problem | None:
        """None when the address serves an image within the limit, else why not."""
        try:
            data = await self._downloads.fetch(url, self._max_bytes)
        except InvalidInput as refused:
            if refused.message_key == _TOO_LARGE:
                return Problem(
                    "announcements.error.image_too_large",
                    (("max_mb", _megabytes(self._max_bytes)),),
                )
            return Problem("announcements.error.image_not_allowed")
        except Unavailable:
            return Problem("announcements.error.image_unreachable")
        if len(data) > self._max_bytes:  # the port promises it; a second look costs nothing
            return Problem(
                "announcements.error.image_too_large", (("max_mb", _megabytes(self._max_bytes)),)
            )
        if not is_image(data):
            return Problem("announcements.error.image_not_image")
        return None
