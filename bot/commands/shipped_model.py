"""The model of the corpus shipped with the code (bot/commands/corpus/): trained in a process
of its own, and kept between starts in the user's cache directory as a model file
(bot/commands/model_file.py).

Training takes some four seconds of CPU and some 20 MB of working memory at its peak. In a
child process, that memory never stays with the long-lived bot; kept in a file, a start whose
corpus and code are unchanged reads the model in a few milliseconds instead, and a test run
that starts dozens of bot processes trains once.

A kept model is used only when it was trained from the same corpus files, the same source of
every project module the training process loaded and the same versions of the libraries that
read the words (its fingerprint). Anything else, a damaged file or a cache directory that
cannot be written (a read-only container) makes the bot train as before: the file only saves
time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path

from platformdirs import user_cache_dir

from bot.commands.examples import CORPUS_DIR, ExampleModel
from bot.commands.model_file import Provenance, loaded, provenance_of

logger = logging.getLogger(__name__)

# Where `bot` is a package: the training process runs from there, and the sources are named
# relative to it.
_ROOT = Path(__file__).resolve().parents[2]
# Training takes a few seconds; one that hangs must not keep start-up waiting for ever (the
# process then stops loading, app.py).
_TRAINING_SECONDS = 300
# A model file is a few megabytes: a larger one is no file of ours, and is not read whole.
_MOST_BYTES = 64 << 20


@cache
def corpus_model() -> ExampleModel:
    """The model of the shipped corpus: the kept one if it still fits, else trained now (start-up
    makes it ready off the event loop, see app.py) and kept for the next start."""
    file = cache_file()
    kept = kept_model(file, CORPUS_DIR)
    if kept is not None:
        return kept
    data = _trained_in_a_child()
    model = loaded(data)
    keep(file, data)
    return model


def cache_file() -> Path:
    """Where the model is kept: the per-user cache directory (XDG_CACHE_HOME on Linux)."""
    return Path(user_cache_dir("werkplek", appauthor=False)) / "examples-model.bin"


def kept_model(file: Path, corpus: Path) -> ExampleModel | None:
    """The model kept in `file` if it was trained from `corpus` and today's code; None if there
    is none, or it is stale or damaged."""
    try:
        with file.open("rb") as stream:
            data = stream.read(_MOST_BYTES + 1)
        if len(data) > _MOST_BYTES:
            raise ValueError("larger than a model file")
        trained_by = provenance_of(data)
        if fingerprint(corpus, trained_by.sources, trained_by.distributions) != (
            trained_by.fingerprint
        ):
            logger.info("The kept understanding model is stale: training it again")
            return None
        return loaded(data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, metadata.PackageNotFoundError) as error:
        logger.warning("The kept understanding model cannot be read (%s): training it again", error)
        return None


def keep(file: Path, data: bytes) -> None:
    """Write a model file for the next start: whole or not at all (another process may read it
    meanwhile, or write its own), and never at the cost of this start."""
    try:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=file.parent, prefix=".model-")
    except OSError as error:
        _not_kept(error)
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(name, file)
    except OSError as error:
        Path(name).unlink(missing_ok=True)
        _not_kept(error)


def _not_kept(error: OSError) -> None:
    logger.warning("The understanding model could not be kept (%s): each start trains it", error)


def provenance(corpus: Path) -> Provenance:
    """What a model trained in this process, from `corpus`, was trained by: the project modules
    this process loaded and the libraries they use (call it after training)."""
    sources = sorted(
        {
            file.relative_to(_ROOT).as_posix()
            for module in list(sys.modules.values())
            if (file := _source_of(module)) is not None
        }
    )
    tops = {name.partition(".")[0] for name in sys.modules} - set(sys.stdlib_module_names)
    by_top = metadata.packages_distributions()
    distributions = sorted({dist for top in tops for dist in by_top.get(top, ())})
    return Provenance(
        fingerprint=fingerprint(corpus, sources, distributions),
        sources=tuple(sources),
        distributions=tuple(distributions),
    )


def fingerprint(corpus: Path, sources: Iterable[str], distributions: Iterable[str]) -> str:
    """A digest of the corpus files, the sources (paths under the repository) and the
    distributions' versions; OSError when a source is gone, ValueError when one is outside the
    repository, PackageNotFoundError when a distribution is gone."""
    digest = hashlib.sha256()
    for name in sorted(distributions):
        digest.update(f"{name}=={metadata.version(name)}\n".encode())
    for path in sorted(sources):
        file = (_ROOT / path).resolve()
        if not file.is_relative_to(_ROOT):
            raise ValueError(f"{path} is outside the repository")
        digest.update(_named(path, file))
    for file in sorted(corpus.glob("*.json")):
        digest.update(_named(file.name, file))
    return digest.hexdigest()


def _named(name: str, file: Path) -> bytes:
    """A file's content after its name and length: no two files' parts run together."""
    content = file.read_bytes()
    return f"{name} {len(content)}\n".encode() + content


def _source_of(module: object) -> Path | None:
    """A project module's source file (under the repository, not in the environment's
    libraries); None for any other module."""
    name = getattr(module, "__file__", None)
    if not name:
        return None
    file = Path(name).resolve()
    if not file.is_relative_to(_ROOT) or file.is_relative_to(Path(sys.prefix).resolve()):
        return None
    return file


def _trained_in_a_child() -> bytes:
    """A model file's bytes, trained by `python -m bot.commands.training`."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.commands.training"],
        cwd=_ROOT,
        capture_output=True,
        timeout=_TRAINING_SECONDS,
    )
    if done.returncode != 0:
        raise RuntimeError(f"training the examples' model failed: {done.stderr.decode()[-2000:]}")
    return done.stdout
