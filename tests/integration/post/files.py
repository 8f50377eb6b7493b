"""Files the scanner might send: real PDFs (made with pypdf), and what only looks like one."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter

A4 = (595, 842)


def tiny_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=A4[0], height=A4[1])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=A4[0], height=A4[1])
    writer.encrypt("geheim")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def truncated_pdf() -> bytes:
    """A PDF cut off half-way (the upload or the scan did not finish)."""
    whole = tiny_pdf(2)
    return whole[: len(whole) // 2]


def garbled_pdf() -> bytes:
    """Header and end marker in place, nothing readable in between."""
    return b"%PDF-1.7\n" + b"\x00garbage\x01" * 50 + b"\nstartxref\n9\n%%EOF\n"
