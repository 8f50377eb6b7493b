"""What the commands take from the person running them: days, files read (bounded before they
are read) and files written."""

from __future__ import annotations

import argparse
import os
import stat
from datetime import date
from pathlib import Path

from bot.cli.context import say_error
from bot.i18n import Translator

# A workbook the importers would refuse anyway (bot/excel/package.py) is not read whole first.
MAX_IMPORT_FILE_BYTES = 20 * 1024 * 1024


def read_file(path: Path, t: Translator) -> bytes | None:
    """A regular file of at most MAX_IMPORT_FILE_BYTES, read through one descriptor (what was
    checked is what is read); None with the reason printed otherwise."""
    try:
        # O_NONBLOCK: opening a fifo named like a workbook must not hang the command.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                say_error(t("cli.file_unreadable", path=str(path)))
                return None
            data = handle.read(MAX_IMPORT_FILE_BYTES + 1)
    except OSError:
        say_error(t("cli.file_unreadable", path=str(path)))
        return None
    if len(data) > MAX_IMPORT_FILE_BYTES:
        say_error(t("cli.file_too_large", path=str(path), mb=MAX_IMPORT_FILE_BYTES // 2**20))
        return None
    return data


def day(text: str) -> date:
    """An argparse type: a day as YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: YYYY-MM-DD") from None


def write_file(path: Path, data: bytes) -> None:
    """`data` at `path`, its folder made when missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
