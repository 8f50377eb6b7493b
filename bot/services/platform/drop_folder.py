"""A folder others drop files in (a scanner's share), read without following anything.

Whoever may write in the folder must not reach files elsewhere through it, so only regular
files of the folder itself are read: a symbolic link, a folder, a pipe or a device is refused on
sight, and so is a file with a second name (a hard link: the same file may be elsewhere) or one
larger than the reader takes, before a byte of it is read. Everything is looked up relative to
the folder opened once without following a link (its subfolders likewise), so a name swapped
while a run goes on cannot lead it elsewhere; files are moved by renaming them, a link as a
link, never its target; new files are created, never written through a name already there.

Used by `werkplek post import DIR` (bot/services/post/folder_import.py).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: opening a pipe for reading would otherwise wait for a writer forever.
_READ_FILE = _READ | os.O_NONBLOCK
_READ_FOLDER = _READ | os.O_DIRECTORY
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafeFolder(Exception):
    """The folder or one of its subfolders is a link or not a folder: nothing is read or
    moved."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


@dataclass(frozen=True, slots=True)
class DropEntry:
    """A name in the folder; `refusal` is the message key of why it is no file to read ("" when
    it is a regular file)."""

    name: str
    stem: str
    suffix: str
    refusal: str = ""


class RefusedFile(Exception):
    """A file refused before it is read: a message key (post.import.*) and its params."""

    def __init__(self, message_key: str, **params: str) -> None:
        super().__init__(message_key)
        self.message_key = message_key
        self.params = params


class DropFolder:
    """A folder opened once, without following a link; every name is looked up relative to
    it, and so are its subfolders."""

    def __init__(self, path: Path, descriptor: int) -> None:
        self._path = path
        self._fd = descriptor
        self._subfolders: dict[str, int] = {}

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path, subfolders: Sequence[str]) -> Iterator[DropFolder]:
        """Raises UnsafeFolder (the folder or one of `subfolders` is a link or no folder) or
        NotADirectoryError (there is no folder)."""
        try:
            descriptor = os.open(path, _READ_FOLDER)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise UnsafeFolder(str(path)) from None
            raise NotADirectoryError(str(path)) from None
        folder = cls(path, descriptor)
        try:
            for name in subfolders:
                folder._check_subfolder(name)
            yield folder
        finally:
            for descriptor in (*folder._subfolders.values(), folder._fd):
                os.close(descriptor)

    def _check_subfolder(self, name: str) -> None:
        """A subfolder, when there, must be a folder of this folder's own."""
        try:
            found = os.stat(name, dir_fd=self._fd, follow_symlinks=False)
        except FileNotFoundError:
            return
        if not stat.S_ISDIR(found.st_mode):
            raise UnsafeFolder(str(self._path / name))

    def listing(self, suffixes: Collection[str]) -> list[DropEntry]:
        """The names with one of these suffixes (compared in lower case), each with why it
        is no file to read, if it is not."""
        entries = []
        with os.scandir(self._fd) as found:
            for entry in found:
                stem, suffix = _split(entry.name)
                if suffix not in suffixes:
                    continue
                if entry.is_symlink():
                    refusal = "post.import.symlink"
                elif entry.is_file(follow_symlinks=False):
                    refusal = ""
                else:
                    refusal = "post.import.not_a_file"
                entries.append(DropEntry(entry.name, stem, suffix, refusal))
        return entries

    def read(self, name: str, max_bytes: int) -> bytes:
        """A regular file's bytes; raises RefusedFile (a link, not a regular file, a second
        name, too large) before reading any of them, or OSError."""
        try:
            descriptor = os.open(name, _READ_FILE, dir_fd=self._fd)
        except OSError as error:
            if error.errno == errno.ELOOP:  # swapped for a link since the listing
                raise RefusedFile("post.import.symlink", file=name) from None
            raise
        with os.fdopen(descriptor, "rb") as file:
            found = os.fstat(descriptor)
            if not stat.S_ISREG(found.st_mode):
                raise RefusedFile("post.import.not_a_file", file=name)
            if found.st_nlink > 1:  # the same file under a name outside DIR, perhaps
                raise RefusedFile("post.import.linked", file=name)
            if found.st_size > max_bytes:
                raise RefusedFile("post.import.too_large", file=name, max=_megabytes(max_bytes))
            os.set_blocking(descriptor, True)
            data = file.read(max_bytes + 1)  # it may have grown since fstat
        if len(data) > max_bytes:
            raise RefusedFile("post.import.too_large", file=name, max=_megabytes(max_bytes))
        return data

    def move_all(self, entries: Sequence[DropEntry], subfolder: str, *, companion: str = "") -> str:
        """Rename the entries (a link as a link) into the subfolder under one stem, never over
        a name already there, nor over `<stem><companion>` (a name used before gets -1, -2, ...
        for them all); the stem used."""
        target = self._subfolder(subfolder)
        stem = entries[0].stem
        for attempt in range(10_000):
            candidate = stem if attempt == 0 else f"{stem}-{attempt}"
            names = tuple(f"{candidate}{entry.suffix}" for entry in entries)
            taken = (*names, f"{candidate}{companion}") if companion else names
            if not any(self._exists(target, name) for name in taken):
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
