"""Random uploads to the intake API (POST /api/post/items) of the whole app, with a valid
scanner token.

Bodies: well-formed multipart with metadata mutated field by field (junk of every JSON type,
hostile text, odd dates, external ids reused with other files), files that are real PDFs, PDFs
cut short, encrypted, merely starting with %PDF, or random bytes; missing, doubled and unknown
parts, odd part headers; and raw bytes under a multipart content type. Properties, per example:

- never a 5xx, no ERROR in the log;
- a refusal stores nothing: no item, no file, no outbox message;
- an acceptance stores exactly what it says: 201 one new item and one new file, 200 nothing new.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from hypothesis import strategies as st

from bot.store.platform.tables import outbox
from bot.store.post.tables import post_items
from devtools.demo_post import SAMPLES
from tests.fuzz.conftest import INTAKE_TOKEN, Bot, ErrorLog, count, fuzz, fuzz_settings
from tests.fuzz.strategies import hostile_text, json_junk, json_scalars
from tests.fuzz.world import seed
from tests.integration.post.files import encrypted_pdf, garbled_pdf, tiny_pdf, truncated_pdf

BOUNDARY = "fuzzboundary7c1e"
PDFS = [tiny_pdf(), tiny_pdf(3), SAMPLES[2].pdf()]
FILES = [*PDFS, encrypted_pdf(), garbled_pdf(), truncated_pdf(), b"", b"%PDF-"]
PDF_FILES = st.sampled_from(PDFS)
EXTERNAL_IDS = ["fuzz-0001", "fuzz-0002", " fuzz-0001 ", "FUZZ-0001"]


def base_metadata() -> dict[str, Any]:
    return {
        "externalId": "fuzz-0001",
        "receivedAt": "2026-11-30T07:45:00+01:00",
        "scannedAt": "2026-11-30T08:10:00+01:00",
        "sender": {"name": "Sarah Wuyts", "organisation": "Stad Leuven"},
        "addressee": "Dhr. J. Peeters",
        "subject": "Uitnodiging overleg",
        "documentType": "letter",
    }


FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "externalId": st.sampled_from(EXTERNAL_IDS) | st.text(max_size=300),
    "receivedAt": st.sampled_from(
        ["2026-11-30T07:45:00Z", "2026-11-30T07:45:00", "2026-02-30T07:45:00Z", "9999-12-31T23:59Z"]
    ),
    "scannedAt": st.sampled_from(["2026-11-30T08:10:00+01:00", "0001-01-01T00:00:00+14:00"]),
    "sender": st.fixed_dictionaries({"name": hostile_text(60), "organisation": hostile_text(60)}),
    "addressee": hostile_text(200),
    "subject": hostile_text(200),
    "entity": st.sampled_from(["ADV", "DOMG", "*", "", "x" * 200]),
    "documentType": st.sampled_from(["letter", "invoice", "registered", "legal", "parcel", ""]),
    "registered": st.booleans(),
    "trackingNumber": st.text(max_size=200),
    "pages": st.integers(min_value=-5, max_value=200_000),
    "confidential": st.booleans(),
    "ocrText": hostile_text(500),
}


BENIGN = ("externalId", "sender", "addressee", "subject", "ocrText", "documentType", "entity")


@st.composite
def metadata_parts(draw: st.DrawFn, *, broken: bool) -> bytes:
    """The metadata part: a valid document with hostile text in its text fields, or (broken)
    one with fields junked, dropped or mistyped, or no JSON object at all."""
    document: Any = base_metadata()
    fields = sorted(FIELD_VALUES) if broken else BENIGN
    for key in draw(st.lists(st.sampled_from(fields), max_size=5, unique=True)):
        how = draw(st.sampled_from(["value", "value", "junk", "drop"])) if broken else "value"
        if how == "drop":
            document.pop(key, None)
        else:
            document[key] = draw(FIELD_VALUES[key] if how == "value" else json_junk(6))
    document.update(draw(st.dictionaries(st.text(max_size=10), json_scalars(), max_size=2)))
    if broken and draw(st.integers(0, 4)) == 0:
        document = draw(json_junk())
    raw = json.dumps(document, ensure_ascii=draw(st.booleans())).encode()
    if not broken:
        return raw
    return draw(st.sampled_from([raw, raw, raw[: len(raw) // 2], b"\xff\xfe" + raw]))


@st.composite
def uploads(draw: st.DrawFn) -> tuple[bytes, str]:
    """(body, content type) of one request: one thing broken at a time (or nothing), so that
    every check of the intake is reached, the last ones too."""
    broken = draw(st.sampled_from(["nothing", "nothing", "metadata", "file", "parts", "raw"]))
    multipart = f"multipart/form-data; boundary={BOUNDARY}"
    if broken == "raw":
        return draw(st.binary(max_size=2000)), draw(st.sampled_from([multipart, ""]))
    files = st.sampled_from(FILES) | st.binary(max_size=3000) if broken == "file" else PDF_FILES
    parts: list[tuple[str, bytes, str]] = [
        ("metadata", draw(metadata_parts(broken=broken == "metadata")), "application/json"),
        ("file", draw(files), "application/pdf"),
    ]
    if broken == "parts":
        for _ in range(draw(st.integers(0, 2))):
            name = draw(st.sampled_from(["file", "metadata", "extra", ""]) | st.text(max_size=8))
            parts.append((name, draw(st.binary(max_size=100)), "text/plain"))
        parts = draw(st.permutations(parts))
        parts = parts[: draw(st.integers(0, len(parts)))]
    body = b"".join(_part(name, data, kind) for name, data, kind in parts)
    return body + f"--{BOUNDARY}--\r\n".encode(), multipart


def _upload(fields: dict[str, Any]) -> bytes:
    """A well-formed upload of a valid PDF with the base metadata and these fields."""
    meta = json.dumps({**base_metadata(), **fields}).encode()
    parts = _part("metadata", meta, "application/json") + _part("file", PDFS[0], "application/pdf")
    return parts + f"--{BOUNDARY}--\r\n".encode()


def _part(name: str, data: bytes, content_type: str) -> bytes:
    filename = '; filename="scan.pdf"' if name == "file" else ""
    head = (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="{name}"{filename}\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    )
    return head.encode() + data + b"\r\n"


async def stored(bot: Bot) -> tuple[int, int, int]:
    """(items, outbox messages, files) in the store and the documents folder."""
    async with bot.database.connect() as connection:
        items = (await connection.execute(sa.select(sa.func.count()).select_from(post_items))).one()
        queued = (await connection.execute(sa.select(sa.func.count()).select_from(outbox))).one()
    return items[0], queued[0], _files(bot.documents)


def _files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file()) if folder.exists() else 0


async def test_random_uploads_never_crash_the_intake_nor_store_half_an_item(
    bot: Bot, error_log: ErrorLog
) -> None:
    await seed(bot)
    last = {"stored": await stored(bot)}

    async def check(upload: tuple[bytes, str]) -> None:
        count("intake uploads")
        body, content_type = upload
        headers = {"Authorization": f"Bearer {INTAKE_TOKEN}"}
        if content_type:
            headers["Content-Type"] = content_type
        response = await bot.client.post("/api/post/items", data=body, headers=headers)
        answer = await response.text()
        error_log.check(answer)
        assert response.status < 500, (response.status, answer)
        (items, queued, files), before = await stored(bot), last["stored"]
        last["stored"] = (items, queued, files)
        if response.status == 201:
            assert (items, files) == (before[0] + 1, before[2] + 1), answer
        else:
            assert (items, queued, files) == before, (response.status, answer)

    multipart = f"multipart/form-data; boundary={BOUNDARY}"
    closing = f"--{BOUNDARY}--\r\n".encode()
    regressions = [
        # A part header with a control character: aiohttp's InvalidHeader was a 500.
        {"upload": (_part("eh\x05", b"x", "text/plain") + closing, multipart)},
        # U+0000 in the texts (removed) and in the external id (refused): a 500 on PostgreSQL.
        {
            "upload": (
                _upload({"subject": "a\x00b", "ocrText": "\x00", "externalId": "nul"}),
                multipart,
            )
        },
        {"upload": (_upload({"externalId": "fuzz\x00"}), multipart)},
    ]
    await fuzz(check, fuzz_settings(600), regressions, upload=uploads())
