"""`werkplek post import DIR`: scans dropped in a folder, for scanners without the intake API
(or to catch up after an outage).

Each item is a pair: `x.pdf` and its metadata `x.json` (the intake API's metadata document).
Every pair goes through the same PostIntake as an upload, so the checks, the storage, the
routing and the idempotency are the API's own. Afterwards:
- stored, or received before (same externalId): both files move to DIR/verwerkt/;
- refused (no usable PDF, invalid metadata): both move to DIR/geweigerd/ with `x.reden.txt`
  saying why in Dutch and English;
- a failure on our side (database, storage): the files stay, for the next run;
- half a pair (a scanner may still be copying the other file): the file stays.
Running it again is safe: what moved is gone from DIR, and a pair imported but not moved (a
crash in between) is recognised by its externalId.

Only regular files of DIR itself are read, nothing is followed, and sizes are checked before
reading (bot/services/platform/drop_folder.py): a link, a folder, a pipe or a device named x.pdf or
x.json is refused on sight (with its partner) and set aside as itself, never its target.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from bot.domain.platform.errors import DomainError
from bot.i18n import Translator
from bot.services.platform.drop_folder import DropEntry, DropFolder, RefusedFile
from bot.services.post.intake import PostIntake
from bot.services.post.metadata import InvalidMetadata, parse_metadata

logger = logging.getLogger(__name__)

PROCESSED_FOLDER = "verwerkt"
REFUSED_FOLDER = "geweigerd"
REASON_SUFFIX = ".reden.txt"
# The scanner a folder import speaks for unless told otherwise: external ids are unique per
# scanner, so a scanner's folder import catching up after an API outage passes that scanner's
# token name instead (`--scanner`), and a pair it also uploaded is recognised, not doubled.
IMPORT_TOKEN = "import"  # the audit trail shows "intake:import"
# The intake API's cap on the metadata part (bot/http/intake.py): OCR text included, it is
# generous, and small next to a scan.
MAX_SIDECAR_BYTES = 2 * 1024 * 1024
_SUFFIXES = (".pdf", ".json")


class ImportOutcome(StrEnum):
    STORED = "stored"
    REPEATED = "repeated"  # the externalId was received before: nothing new stored
    REFUSED = "refused"
    SKIPPED = "skipped"  # half a pair: left in place
    FAILED = "failed"  # our side failed: left in place for the next run


@dataclass(frozen=True, slots=True)
class ImportLine:
    """One line of the report: `message_key` (post.import.* or post.intake.*) with `params`
    says what happened in words; `errors` lists invalid metadata fields."""

    name: str  # the pair's file name without its extension
    outcome: ImportOutcome
    message_key: str
    params: dict[str, str] = field(default_factory=dict)
    reference: str = ""
    errors: tuple[str, ...] = ()


async def import_directory(
    intake: PostIntake,
    folder: Path,
    tenant_id: str,
    scanner: str = IMPORT_TOKEN,
    *,
    max_pdf_bytes: int,
) -> list[ImportLine]:
    """Import every pair in `folder` (not its subfolders), in name order, as delivered by
    `scanner`; one line each. A PDF above `max_pdf_bytes` (the intake's WERKPLEK_POST_MAX_MB)
    is refused unread. Raises UnsafeFolder, or NotADirectoryError when there is no folder."""
    with DropFolder.open(Path(folder), (PROCESSED_FOLDER, REFUSED_FOLDER)) as inbox:
        entries = await asyncio.to_thread(inbox.listing, _SUFFIXES)
        pdfs = {e.stem: e for e in entries if e.suffix == ".pdf"}
        sidecars = {e.stem: e for e in entries if e.suffix == ".json"}
        lines = []
        for name in sorted(pdfs.keys() | sidecars.keys()):
            pair = _Pair(name, pdfs.get(name), sidecars.get(name))
            lines.append(await _import_pair(intake, inbox, pair, tenant_id, scanner, max_pdf_bytes))
        return lines


@dataclass(frozen=True, slots=True)
class _Pair:
    name: str
    pdf: DropEntry | None
    sidecar: DropEntry | None

    @property
    def entries(self) -> tuple[DropEntry, ...]:
        return tuple(entry for entry in (self.pdf, self.sidecar) if entry is not None)


async def _import_pair(
    intake: PostIntake,
    inbox: DropFolder,
    pair: _Pair,
    tenant_id: str,
    scanner: str,
    max_pdf_bytes: int,
) -> ImportLine:
    name = pair.name
    bad = next((entry for entry in pair.entries if entry.refusal), None)
    if bad is not None:  # no partner makes it readable: refused now, not left to wait
        line = ImportLine(name, ImportOutcome.REFUSED, bad.refusal, {"file": bad.name})
        await asyncio.to_thread(_refuse, inbox, pair, line)
        return line
    if pair.pdf is None:
        return ImportLine(name, ImportOutcome.SKIPPED, "post.import.no_pdf")
    if pair.sidecar is None:
        return ImportLine(name, ImportOutcome.SKIPPED, "post.import.no_sidecar")
    pdf, sidecar = pair.pdf, pair.sidecar
    try:
        raw = await asyncio.to_thread(inbox.read, sidecar.name, MAX_SIDECAR_BYTES)
        data = await asyncio.to_thread(inbox.read, pdf.name, max_pdf_bytes)
        metadata = parse_metadata(raw)
        item, created = await intake.receive(tenant_id, metadata, data, scanner)
    except RefusedFile as refused:
        line = ImportLine(name, ImportOutcome.REFUSED, refused.message_key, refused.params)
        await asyncio.to_thread(_refuse, inbox, pair, line)
        return line
    except InvalidMetadata as invalid:
        errors = tuple(str(error) for error in invalid.errors)
        line = ImportLine(name, ImportOutcome.REFUSED, invalid.message_key, errors=errors)
        await asyncio.to_thread(_refuse, inbox, pair, line)
        return line
    except DomainError as error:
        if not error.message_key.startswith("post.intake."):
            logger.exception("post import of one pair failed; it stays for the next run")
            return ImportLine(name, ImportOutcome.FAILED, "post.import.failed")
        params = {key: str(value) for key, value in error.params.items()}
        line = ImportLine(name, ImportOutcome.REFUSED, error.message_key, params)
        await asyncio.to_thread(_refuse, inbox, pair, line)
        return line
    except OSError as error:
        logger.warning("post import could not read a pair: %s", type(error).__name__)
        return ImportLine(name, ImportOutcome.FAILED, "post.import.failed")
    except Exception:
        logger.exception("post import of one pair failed; it stays for the next run")
        return ImportLine(name, ImportOutcome.FAILED, "post.import.failed")
    outcome = ImportOutcome.STORED if created else ImportOutcome.REPEATED
    key = "post.import.stored" if created else "post.import.repeated"
    await asyncio.to_thread(inbox.move_all, pair.entries, PROCESSED_FOLDER)
    return ImportLine(name, outcome, key, {"reference": item.reference}, item.reference)


def _refuse(inbox: DropFolder, pair: _Pair, line: ImportLine) -> None:
    try:
        stem = inbox.move_all(pair.entries, REFUSED_FOLDER, companion=REASON_SUFFIX)
        inbox.write_new(REFUSED_FOLDER, f"{stem}{REASON_SUFFIX}", reason_text(line))
    except OSError as error:  # e.g. a mount point named x.pdf: it stays, reported again
        logger.warning("post import could not set a refused pair aside: %s", type(error).__name__)


def reason_text(line: ImportLine) -> str:
    """Why a pair was refused, in Dutch then English, one invalid field per line."""
    parts = [Translator(locale)(line.message_key, **line.params) for locale in ("nl", "en")]
    parts += [f"- {error}" for error in line.errors]
    return "\n".join(parts) + "\n"


def describe(line: ImportLine, translator: Translator) -> str:
    """One report line in the reader's language (for the CLI)."""
    text = translator(line.message_key, **line.params)
    if line.errors:
        text += ": " + "; ".join(line.errors)
    return f"{line.name}: {text}"
