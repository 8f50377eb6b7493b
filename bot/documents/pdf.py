"""Is this upload a PDF a person can open? Checked by content, never by the file name.

The checks run cheapest first, so a wrong upload costs no parsing: size, then the `%PDF-`
header, then the end-of-file marker a complete file carries (a cut-off upload lacks it), then
the structure itself, parsed by pypdf (cross-reference table, trailer, page tree). Each refusal
carries its own message id, so the scanner's operator reads what is wrong with the file.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain.platform.errors import DomainError

if TYPE_CHECKING:
    from pypdf import PdfReader

# Readers look for the header in the first kilobyte (ISO 32000-1 7.5.2, Acrobat tolerance) and
# for %%EOF in the last one (trailing bytes after it are common: padding, a newline).
_HEADER = b"%PDF-"
_EOF_MARKER = b"%%EOF"
_HEADER_WINDOW = 1024
_EOF_WINDOW = 1024


class PdfRejected(DomainError):
    """The upload is no usable PDF; `message_key` says why (post.intake.*)."""

    message_key = "post.intake.corrupt"

    @property
    def reason(self) -> str:
        """The last part of the message id ("not_pdf", "empty", ...): for logs and metrics."""
        return self.message_key.rsplit(".", 1)[-1]


class EmptyPdf(PdfRejected):
    message_key = "post.intake.empty"


class NotPdf(PdfRejected):
    message_key = "post.intake.not_pdf"


class CorruptPdf(PdfRejected):
    message_key = "post.intake.corrupt"


class PdfTooLarge(PdfRejected):
    message_key = "post.intake.too_large"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_mb=_megabytes(max_bytes))
        self.max_bytes = max_bytes


class EncryptedPdf(PdfRejected):
    """Opening it needs a password: nobody in Teams could read the scan."""

    message_key = "post.intake.encrypted"


@dataclass(frozen=True, slots=True)
class PdfInfo:
    pages: int


def check_pdf(data: bytes, max_bytes: int) -> PdfInfo:
    """The page count of a readable PDF; raises a PdfRejected subclass otherwise.

    CPU-bound (pypdf walks the page tree): call it in a thread for large files.
    """
    if not data or data.isspace():
        raise EmptyPdf()
    if len(data) > max_bytes:
        raise PdfTooLarge(max_bytes)
    if _HEADER not in data[:_HEADER_WINDOW]:
        raise NotPdf()
    if _EOF_MARKER not in data[-_EOF_WINDOW:]:
        raise CorruptPdf()  # cut off: the upload or the scan did not finish
    pages = _count_pages(data)
    if pages < 1:
        raise CorruptPdf()
    return PdfInfo(pages=pages)


def _count_pages(data: bytes) -> int:
    from pypdf import PdfReader  # loaded on first use: start-up does not pay for it

    try:
        # strict=False: tolerate what every viewer tolerates (a wrong xref offset, stray bytes);
        # what pypdf cannot recover is what no viewer shows either.
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not _opens_without_password(reader):
            raise EncryptedPdf()
        return len(reader.pages)
    except PdfRejected:
        raise
    except Exception as error:  # pypdf raises a zoo (PdfReadError, ValueError, KeyError, ...)
        raise CorruptPdf() from error


def _opens_without_password(reader: PdfReader) -> bool:
    """An owner password only restricts printing or copying; an empty user password opens it."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # an unsupported cipher counts as "cannot open"
        return False


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


# Below this size the check runs on the event loop: a thread hand-off costs more than parsing.
_INLINE_CHECK_BYTES = 256 * 1024


class PdfCheck:
    """check_pdf as the intake service takes it: async, large files parsed in a thread."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    async def __call__(self, data: bytes) -> int:
        """The page count; raises a PdfRejected subclass."""
        if len(data) <= _INLINE_CHECK_BYTES:
            return check_pdf(data, self.max_bytes).pages
        info = await asyncio.to_thread(check_pdf, data, self.max_bytes)
        return info.pages
