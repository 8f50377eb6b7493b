"""Scanned post for the demo: what a scanning service would deliver on a Monday morning.

`python -m devtools.demo_post --bot URL --token T` posts the sample items to the running bot's
intake API (`POST /api/post/items`, multipart `file` + `metadata`, bearer token), exactly as a
scanner would. Every sample has a fixed external id, so a second run (every `make demo` start)
stores nothing new: the API answers 200 with the item it already has.

The demo stack puts the hash of `DEMO_INTAKE_TOKEN` in the bot's WERKPLEK_INTAKE_TOKENS. The
token is a fixed, public demo value: it opens the intake of a bot on 127.0.0.1 and nothing else.

The scans are small real PDFs (pypdf): one A4 page with the letter's heading and a few lines, in
Helvetica, which every PDF reader has without embedding it.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from pypdf import PdfWriter
from pypdf.generic import ContentStream, DictionaryObject, NameObject

INTAKE_PATH = "/api/post/items"
DEMO_INTAKE_TOKEN_NAME = "demo-scanner"
# Public on purpose (see above): never use it for a bot that listens beyond this machine.
DEMO_INTAKE_TOKEN = "werkplek-demo-scanner"

_A4 = (595, 842)  # points
_MARGIN = 72
_LINE_HEIGHT = 16
_TIMEOUT_SECONDS = 30.0
# The intake's answer to an externalId it stored before with other metadata (409).
_TAKEN = "post.intake.external_id_taken"


def token_hash(token: str) -> str:
    """The sha256 hex of a token, as WERKPLEK_INTAKE_TOKENS wants it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def intake_tokens_setting(
    name: str = DEMO_INTAKE_TOKEN_NAME, token: str = DEMO_INTAKE_TOKEN
) -> str:
    """The WERKPLEK_INTAKE_TOKENS value that lets `token` in under `name`."""
    return f"{name}:{token_hash(token)}"


# --- the scans ---------------------------------------------------------------------------------
def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi (Helvetica's encoding here): é, ë and – included."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def sample_pdf(lines: Sequence[str]) -> bytes:
    """A one-page A4 PDF with these lines (the first in bold), readable by any PDF reader."""
    writer = PdfWriter()
    page = writer.add_blank_page(*_A4)
    fonts = DictionaryObject()
    for key, base in (("/F1", "/Helvetica-Bold"), ("/F2", "/Helvetica")):
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject(base),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
        fonts[NameObject(key)] = font
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    commands = [b"BT", f"{_MARGIN} {_A4[1] - _MARGIN} Td".encode(), f"{_LINE_HEIGHT} TL".encode()]
    for index, line in enumerate(lines):
        face = b"/F1 14 Tf" if index == 0 else b"/F2 11 Tf"
        commands += [face, _pdf_string(line) + b" Tj", b"T*"]
    commands.append(b"ET")
    content = ContentStream(None, writer)
    content.set_data(b"\n".join(commands))
    page.replace_contents(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- the samples -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SampleItem:
    """One scanned item: its metadata (the API's JSON, without the times) and its page."""

    external_id: str
    addressee: str
    sender_name: str
    sender_organisation: str
    subject: str
    document_type: str
    lines: tuple[str, ...]
    registered: bool = False
    tracking_number: str = ""
    # How long before the run the post arrived (the morning's delivery, scanned an hour later).
    received_ago: timedelta = timedelta(hours=2)

    def metadata(self, now: datetime) -> dict[str, Any]:
        received = now - self.received_ago
        return {
            "externalId": self.external_id,
            "receivedAt": received.isoformat(),
            "scannedAt": (received + timedelta(minutes=40)).isoformat(),
            "sender": {"name": self.sender_name, "organisation": self.sender_organisation},
            "addressee": self.addressee,
            "subject": self.subject,
            "documentType": self.document_type,
            "registered": self.registered,
            "trackingNumber": self.tracking_number,
            "pages": 1,
            "confidential": False,
            "ocrText": "\n".join(self.lines),
        }

    def pdf(self) -> bytes:
        return sample_pdf(self.lines)


SAMPLES: tuple[SampleItem, ...] = (
    SampleItem(
        external_id="demo-scan-0001",
        addressee="T.a.v. Mevr. L. Janssens",
        sender_name="",
        sender_organisation="Vlaamse Belastingdienst",
        subject="Aanslagbiljet verkeersbelasting dienstvoertuig 1-WPK-042",
        document_type="registered",
        registered=True,
        tracking_number="RR 2604 1137 5BE",
        lines=(
            "Vlaamse Belastingdienst",
            "Koning Albert II-laan 35 bus 61, 1030 Brussel",
            "",
            "Aangetekend",
            "T.a.v. Mevr. L. Janssens",
            "",
            "Betreft: aanslagbiljet verkeersbelasting dienstvoertuig 1-WPK-042",
            "Bezwaar kan binnen drie maanden na de verzenddatum van dit aanslagbiljet.",
        ),
        received_ago=timedelta(hours=3),
    ),
    SampleItem(
        external_id="demo-scan-0002",
        addressee="Dienst Werkplek – Lotte Janssens",
        sender_name="Boekhouding",
        sender_organisation="Kantoorinrichting Van Hecke bv",
        subject="Factuur 2026-0412: zes bureaustoelen voor de servicedesk",
        document_type="invoice",
        lines=(
            "Kantoorinrichting Van Hecke bv",
            "Industrieweg 12, 9000 Gent - BTW BE 0456.789.123",
            "",
            "Dienst Werkplek – Lotte Janssens",
            "",
            "Factuur 2026-0412",
            "6 x bureaustoel Ergo Plus: 1.854,00 EUR excl. btw",
            "Te betalen binnen 30 dagen op BE71 0961 2345 6769.",
        ),
    ),
    SampleItem(
        external_id="demo-scan-0003",
        addressee="Dhr. J. Peeters",
        sender_name="Sarah Wuyts",
        sender_organisation="Stad Leuven, Dienst Mobiliteit",
        subject="Uitnodiging overleg fietsparking Vlaams Administratief Centrum",
        document_type="letter",
        lines=(
            "Stad Leuven – Dienst Mobiliteit",
            "Professor Van Overstraetenplein 1, 3000 Leuven",
            "",
            "Dhr. J. Peeters",
            "",
            "Betreft: overleg over de nieuwe fietsparking",
            "Graag nodigen wij u uit op dinsdag om 10 uur in het stadskantoor.",
        ),
    ),
    SampleItem(
        external_id="demo-scan-0004",
        addressee="Fam. Peeters",
        sender_name="",
        sender_organisation="Fluvius System Operator",
        subject="Jaarafrekening elektriciteit en aardgas",
        document_type="invoice",
        lines=(
            "Fluvius System Operator cv",
            "Brusselsesteenweg 199, 9090 Melle",
            "",
            "Fam. Peeters",
            "",
            "Jaarafrekening elektriciteit en aardgas",
        ),
        received_ago=timedelta(hours=1),
    ),
)


# --- posting -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class IntakeAnswer:
    status: int
    body: dict[str, Any]
    content_type: str
    headers: dict[str, str]


async def post_item(
    session: aiohttp.ClientSession,
    bot_url: str,
    token: str,
    metadata: dict[str, Any],
    data: bytes,
    *,
    filename: str = "scan.pdf",
    content_type: str = "application/pdf",
) -> IntakeAnswer:
    """POST one item to the intake API, as a scanner does; the status and JSON body back."""
    form = aiohttp.FormData()
    form.add_field("file", data, filename=filename, content_type=content_type)
    form.add_field(
        "metadata", json.dumps(metadata, ensure_ascii=False), content_type="application/json"
    )
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(bot_url.rstrip("/") + INTAKE_PATH, data=form, headers=headers) as r:
        body = await r.json(content_type=None)
        return IntakeAnswer(r.status, dict(body), r.content_type, dict(r.headers))


async def post_samples(
    bot_url: str, token: str, samples: Sequence[SampleItem] = SAMPLES
) -> list[IntakeAnswer]:
    """Post every sample in order; raises RuntimeError on the first refusal."""
    now = datetime.now(UTC).replace(microsecond=0)
    answers = []
    timeout = aiohttp.ClientTimeout(total=_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for sample in samples:
            answer = await post_item(session, bot_url, token, sample.metadata(now), sample.pdf())
            if answer.status == 409 and answer.body.get("reason") == _TAKEN:
                # Posted by an earlier run, whose times the letter keeps: it is there already.
                answer = replace(answer, status=200, body=dict(answer.body["storedItem"]))
            if answer.status not in (200, 201):
                raise RuntimeError(
                    f"{sample.external_id}: {answer.status} {json.dumps(answer.body)[:500]}"
                )
            answers.append(answer)
    return answers


def _describe(sample: SampleItem, answer: IntakeAnswer) -> str:
    routed = answer.body.get("routedTo") or {}
    new = "nieuw" if answer.status == 201 else "al ontvangen"
    return (
        f"{answer.body.get('reference')} ({new}): {sample.addressee!r} -> "
        f"{routed.get('kind')} {routed.get('target')}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.demo_post",
        description="Post the demo's scanned items to a running bot's intake API.",
    )
    parser.add_argument("--bot", default="http://127.0.0.1:3978", help="the bot's base URL")
    parser.add_argument("--token", default=DEMO_INTAKE_TOKEN, help="the intake bearer token")
    args = parser.parse_args(argv)
    try:
        answers = asyncio.run(post_samples(args.bot, args.token))
    except (RuntimeError, aiohttp.ClientError, TimeoutError) as error:
        print(f"demo post failed: {error}", file=sys.stderr)
        return 1
    for sample, answer in zip(SAMPLES, answers, strict=True):
        print(_describe(sample, answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
