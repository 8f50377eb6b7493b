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
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from bot.domain.errors import DomainError
from bot.i18n import Translator
from bot.services.post_intake import PostIntake
from bot.services.post_metadata import InvalidMetadata, parse_metadata

logger = logging.getLogger(__name__)

PROCESSED_FOLDER = "verwerkt"
REFUSED_FOLDER = "geweigerd"
REASON_SUFFIX = ".reden.txt"
# The scanner a folder import speaks for unless told otherwise: external ids are unique per
# scanner, so a scanner's folder import catching up after an API outage passes that scanner's
# token name instead (`--scanner`), and a pair it also uploaded is recognised, not doubled.
IMPORT_TOKEN = "import"  # the audit trail shows "intake:import"


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
    intake: PostIntake, folder: Path, tenant_id: str, scanner: str = IMPORT_TOKEN
) -> list[ImportLine]:
    """Import every pair in `folder` (not its subfolders), in name order, as delivered by
    `scanner`; one line each."""
    folder = Path(folder)
    files = await asyncio.to_thread(_listing, folder)
    pdfs = {path.stem: path for path in files if path.suffix.lower() == ".pdf"}
    sidecars = {path.stem: path for path in files if path.suffix.lower() == ".json"}
    lines = []
    for name in sorted(pdfs.keys() | sidecars.keys()):
        pdf, sidecar = pdfs.get(name), sidecars.get(name)
        if pdf is None:
            lines.append(ImportLine(name, ImportOutcome.SKIPPED, "post.import.no_pdf"))
        elif sidecar is None:
            lines.append(ImportLine(name, ImportOutcome.SKIPPED, "post.import.no_sidecar"))
        else:
            lines.append(await _import_pair(intake, folder, name, pdf, sidecar, tenant_id, scanner))
    return lines


async def _import_pair(
    intake: PostIntake,
    folder: Path,
    name: str,
    pdf: Path,
    sidecar: Path,
    tenant_id: str,
    scanner: str,
) -> ImportLine:
    pair = (pdf, sidecar)
    try:
        raw, data = await asyncio.to_thread(lambda: (sidecar.read_bytes(), pdf.read_bytes()))
        metadata = parse_metadata(raw)
        item, created = await intake.receive(tenant_id, metadata, data, scanner)
    except InvalidMetadata as invalid:
        errors = tuple(str(error) for error in invalid.errors)
        line = ImportLine(name, ImportOutcome.REFUSED, invalid.message_key, errors=errors)
        await asyncio.to_thread(_refuse, folder, pair, line)
        return line
    except DomainError as error:
        if not error.message_key.startswith("post.intake."):
            logger.exception("post import of one pair failed; it stays for the next run")
            return ImportLine(name, ImportOutcome.FAILED, "post.import.failed")
        params = {key: str(value) for key, value in error.params.items()}
        line = ImportLine(name, ImportOutcome.REFUSED, error.message_key, params)
        await asyncio.to_thread(_refuse, folder, pair, line)
        return line
    except OSError as error:
        logger.warning("post import could not read a pair: %s", type(error).__name__)
        return ImportLine(name, ImportOutcome.FAILED, "post.import.failed")
    except Exception:
        logger.exception("post import of one pair failed; it stays for the next run")
        return ImportLine(name, ImportOutcome.FAILED, "post.import.failed")
    outcome = ImportOutcome.STORED if created else ImportOutcome.REPEATED
    key = "post.import.stored" if created else "post.import.repeated"
    await asyncio.to_thread(_move_all, pair, folder / PROCESSED_FOLDER)
    return ImportLine(name, outcome, key, {"reference": item.reference}, item.reference)


def _listing(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise NotADirectoryError(str(folder))
    return [path for path in folder.iterdir() if path.is_file()]


def _refuse(folder: Path, pair: tuple[Path, ...], line: ImportLine) -> None:
    target = folder / REFUSED_FOLDER
    moved = _move_all(pair, target)
    reason = target / f"{moved[0].stem}{REASON_SUFFIX}"
    reason.write_text(reason_text(line), encoding="utf-8")


def reason_text(line: ImportLine) -> str:
    """Why a pair was refused, in Dutch then English, one invalid field per line."""
    parts = [Translator(locale)(line.message_key, **line.params) for locale in ("nl", "en")]
    parts += [f"- {error}" for error in line.errors]
    return "\n".join(parts) + "\n"


def _move_all(paths: tuple[Path, ...], target: Path) -> list[Path]:
    """Move the files into `target` under the same stem, never over a file already there (a
    name used before gets -1, -2, ... for the whole pair)."""
    target.mkdir(exist_ok=True)
    stem = paths[0].stem
    for attempt in range(10_000):
        candidate = stem if attempt == 0 else f"{stem}-{attempt}"
        names = [target / f"{candidate}{path.suffix}" for path in paths]
        if (
            not any(name.exists() for name in names)
            and not (target / f"{candidate}{REASON_SUFFIX}").exists()
        ):
            break
    else:  # pragma: no cover - ten thousand imports of one name
        raise FileExistsError(str(target / stem))
    for path, name in zip(paths, names, strict=True):
        shutil.move(path, name)
    return names


def describe(line: ImportLine, translator: Translator) -> str:
    """One report line in the reader's language (for the CLI)."""
    text = translator(line.message_key, **line.params)
    if line.errors:
        text += ": " + "; ".join(line.errors)
    return f"{line.name}: {text}"
