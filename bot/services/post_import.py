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

Only regular files in DIR itself are read. Whoever may drop files in the folder must not reach
files elsewhere through it, so nothing is followed: a symbolic link, a folder, a pipe or a
device named x.pdf or x.json is refused on sight (with its partner), and so is a file with a
second name (a hard link) or one larger than the intake takes, before a byte of it is read.
Refused entries are renamed into geweigerd/ (a link as a link, never its target). Everything is
done relative to DIR opened once without following links (and verwerkt/ and geweigerd/ likewise),
so a name swapped while the import runs cannot lead it elsewhere. DIR itself must not be a link.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import stat
from collections.abc import Iterator
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
# The intake API's cap on the metadata part (bot/http/intake.py): OCR text included, it is
# generous, and small next to a scan.
MAX_SIDECAR_BYTES = 2 * 1024 * 1024
_SUFFIXES = (".pdf", ".json")
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: opening a pipe for reading would otherwise wait for a writer forever.
_READ_FILE = _READ | os.O_NONBLOCK
_READ_FOLDER = _READ | os.O_DIRECTORY
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafeFolder(Exception):
    """DIR, verwerkt/ or geweigerd/ is a link or not a folder: nothing is read or moved."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


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
    with _Folder.open(Path(folder)) as inbox:
        entries = await asyncio.to_thread(inbox.listing)
        pdfs = {e.stem: e for e in entries if e.suffix == ".pdf"}
        sidecars = {e.stem: e for e in entries if e.suffix == ".json"}
        lines = []
        for name in sorted(pdfs.keys() | sidecars.keys()):
            pair = _Pair(name, pdfs.get(name), sidecars.get(name))
            lines.append(await _import_pair(intake, inbox, pair, tenant_id, scanner, max_pdf_bytes))
        return lines


@dataclass(frozen=True, slots=True)
class _Entry:
    """A name in DIR ending in .pdf or .json; `refusal` is why it is no file to read ("" when
    it is a regular file)."""

    name: str
    stem: str
    suffix: str
    refusal: str = ""


@dataclass(frozen=True, slots=True)
class _Pair:
    name: str
    pdf: _Entry | None
    sidecar: _Entry | None

    @property
    def entries(self) -> tuple[_Entry, ...]:
        return tuple(entry for entry in (self.pdf, self.sidecar) if entry is not None)


class _Refused(Exception):
    """A file of the pair is refused before it is read: message key and its params."""

    def __init__(self, message_key: str, **params: str) -> None:
        super().__init__(message_key)
        self.message_key = message_key
        self.params = params


async def _import_pair(
    intake: PostIntake,
    inbox: _Folder,
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
    except _Refused as refused:
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


def _refuse(inbox: _Folder, pair: _Pair, line: ImportLine) -> None:
    try:
        stem = inbox.move_all(pair.entries, REFUSED_FOLDER)
        inbox.write_new(REFUSED_FOLDER, f"{stem}{REASON_SUFFIX}", reason_text(line))
    except OSError as error:  # e.g. a mount point named x.pdf: it stays, reported again
        logger.warning("post import could not set a refused pair aside: %s", type(error).__name__)


class _Folder:
    """DIR opened once, without following a link; every name is looked up relative to it."""

    def __init__(self, path: Path, descriptor: int) -> None:
        self._path = path
        self._fd = descriptor
        self._subfolders: dict[str, int] = {}

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path) -> Iterator[_Folder]:
        try:
            descriptor = os.open(path, _READ_FOLDER)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise UnsafeFolder(str(path)) from None
            raise NotADirectoryError(str(path)) from None
        folder = cls(path, descriptor)
        try:
            for name in (PROCESSED_FOLDER, REFUSED_FOLDER):
                folder._check_subfolder(name)
            yield folder
        finally:
            for descriptor in (*folder._subfolders.values(), folder._fd):
                os.close(descriptor)

    def _check_subfolder(self, name: str) -> None:
        """verwerkt/ and geweigerd/, when there, must be folders of DIR's own."""
        try:
            found = os.stat(name, dir_fd=self._fd, follow_symlinks=False)
        except FileNotFoundError:
            return
        if not stat.S_ISDIR(found.st_mode):
            raise UnsafeFolder(str(self._path / name))

    def listing(self) -> list[_Entry]:
        entries = []
        with os.scandir(self._fd) as found:
            for entry in found:
                stem, suffix = _split(entry.name)
                if suffix not in _SUFFIXES:
                    continue
                if entry.is_symlink():
                    refusal = "post.import.symlink"
                elif entry.is_file(follow_symlinks=False):
                    refusal = ""
                else:
                    refusal = "post.import.not_a_file"
                entries.append(_Entry(entry.name, stem, suffix, refusal))
        return entries

    def read(self, name: str, max_bytes: int) -> bytes:
        """A regular file's bytes; raises _Refused (a link, not a regular file, a second name,
        too large) before reading any of them, or OSError."""
        try:
            descriptor = os.open(name, _READ_FILE, dir_fd=self._fd)
        except OSError as error:
            if error.errno == errno.ELOOP:  # swapped for a link since the listing
                raise _Refused("post.import.symlink", file=name) from None
            raise
        with os.fdopen(descriptor, "rb") as file:
            found = os.fstat(descriptor)
            if not stat.S_ISREG(found.st_mode):
                raise _Refused("post.import.not_a_file", file=name)
            if found.st_nlink > 1:  # the same file under a name outside DIR, perhaps
                raise _Refused("post.import.linked", file=name)
            if found.st_size > max_bytes:
                raise _Refused("post.import.too_large", file=name, max=_megabytes(max_bytes))
            os.set_blocking(descriptor, True)
            data = file.read(max_bytes + 1)  # it may have grown since fstat
        if len(data) > max_bytes:
            raise _Refused("post.import.too_large", file=name, max=_megabytes(max_bytes))
        return data

    def move_all(self, entries: tuple[_Entry, ...], subfolder: str) -> str:
        """Rename the entries (a link as a link) into the subfolder under one stem, never over
        a name already there (a name used before gets -1, -2, ... for the whole pair)."""
        target = self._subfolder(subfolder)
        stem = entries[0].stem
        for attempt in range(10_000):
            candidate = stem if attempt == 0 else f"{stem}-{attempt}"
            names = [f"{candidate}{entry.suffix}" for entry in entries]
            if not any(self._exists(target, n) for n in (*names, f"{candidate}{REASON_SUFFIX}")):
                break
        else:  # pragma: no cover - ten thousand imports of one name
            raise FileExistsError(stem)
        for entry, name in zip(entries, names, strict=True):
            os.rename(entry.name, name, src_dir_fd=self._fd, dst_dir_fd=target)
        return candidate

    def write_new(self, subfolder: str, name: str, text: str) -> None:
        """A new file (never over one, never through a link)."""
        descriptor = os.open(name, _NEW_FILE, 0o666, dir_fd=self._subfolder(subfolder))
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)

    def _subfolder(self, name: str) -> int:
        if name not in self._subfolders:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, dir_fd=self._fd)
            try:
                self._subfolders[name] = os.open(name, _READ_FOLDER, dir_fd=self._fd)
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafeFolder(str(self._path / name)) from None
                raise
        return self._subfolders[name]

    @staticmethod
    def _exists(folder: int, name: str) -> bool:
        try:
            os.stat(name, dir_fd=folder, follow_symlinks=False)
        except FileNotFoundError:
            return False
        return True


def _split(name: str) -> tuple[str, str]:
    """("x", ".pdf") for "x.PDF"; a name that is only a suffix (".pdf") has none."""
    path = Path(name)
    return path.stem, path.suffix.lower()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


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
