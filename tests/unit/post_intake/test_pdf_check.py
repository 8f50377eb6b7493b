"""The PDF check: each kind of wrong upload gets its own reason, cheapest check first."""

from __future__ import annotations

import pytest

from bot.documents.pdf import (
    CorruptPdf,
    EmptyPdf,
    EncryptedPdf,
    NotPdf,
    PdfCheck,
    PdfRejected,
    PdfTooLarge,
    check_pdf,
)
from tests.integration.post.files import encrypted_pdf, garbled_pdf, png, tiny_pdf, truncated_pdf

MB = 1024 * 1024


def test_a_real_pdf_passes_with_its_page_count() -> None:
    assert check_pdf(tiny_pdf(3), MB).pages == 3


def test_leading_bytes_before_the_header_are_tolerated_as_readers_do() -> None:
    assert check_pdf(b"\xef\xbb\xbf\r\n" + tiny_pdf(), MB).pages == 1


@pytest.mark.parametrize(
    ("data", "error", "key"),
    [
        (b"", EmptyPdf, "post.intake.empty"),
        (b" \n\t", EmptyPdf, "post.intake.empty"),
        (png(), NotPdf, "post.intake.not_pdf"),
        (b"PK\x03\x04 a zip named .pdf", NotPdf, "post.intake.not_pdf"),
        (truncated_pdf(), CorruptPdf, "post.intake.corrupt"),
        (garbled_pdf(), CorruptPdf, "post.intake.corrupt"),
        (b"%PDF-1.7\n%%EOF\n", CorruptPdf, "post.intake.corrupt"),
        (encrypted_pdf(), EncryptedPdf, "post.intake.encrypted"),
    ],
)
def test_each_wrong_upload_has_its_reason(data: bytes, error: type[PdfRejected], key: str) -> None:
    with pytest.raises(error) as refused:
        check_pdf(data, MB)
    assert refused.value.message_key == key
    assert refused.value.reason == key.rsplit(".", 1)[-1]


def test_size_is_checked_before_content() -> None:
    with pytest.raises(PdfTooLarge) as refused:
        check_pdf(png() * 1000, 1000)
    assert refused.value.params == {"max_mb": "0.000953674"}


async def test_the_async_check_parses_large_files_in_a_thread_with_the_same_verdicts() -> None:
    check = PdfCheck(4 * MB)
    big = tiny_pdf() + b"\n" * (512 * 1024) + b"%%EOF\n"  # padding after the end: still fine
    assert await check(big) == 1
    assert await check(tiny_pdf(2)) == 2
    with pytest.raises(NotPdf):
        await check(b"\x89PNG" + b"0" * (512 * 1024))
