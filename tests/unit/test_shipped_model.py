"""The shipped corpus's model, kept between starts: used only while the corpus, the code and
the libraries that trained it are unchanged; anything amiss trains it again, and a cache that
cannot be written costs only time."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.commands.examples import CORPUS_DIR, Example, ExampleModel
from bot.commands.lemmas import tokens
from bot.commands.model_file import Provenance, dumped
from bot.commands.shipped_model import fingerprint, keep, kept_model

ROOT = Path(__file__).resolve().parents[2]
_SOURCES = ("bot/commands/examples.py", "bot/commands/lemmas.py")
_DISTRIBUTIONS = ("simplemma",)
_MODEL = ExampleModel(
    [
        Example("is er post voor mij", "post"),
        Example("is mijn aanvraag al goedgekeurd", "requests"),
    ]
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus of its own: one of the shipped files, copied."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(sorted(CORPUS_DIR.glob("*.json"))[0], folder)
    return folder


def _file_for(corpus: Path, sources: tuple[str, ...] = _SOURCES) -> bytes:
    provenance = Provenance(
        fingerprint=fingerprint(corpus, sources, _DISTRIBUTIONS),
        sources=sources,
        distributions=_DISTRIBUTIONS,
    )
    return dumped(_MODEL, provenance)


def test_a_kept_model_of_this_corpus_and_code_is_read_back(corpus: Path, tmp_path: Path) -> None:
    file = tmp_path / "cache" / "model.bin"
    keep(file, _file_for(corpus))
    model = kept_model(file, corpus)
    assert model is not None
    text = tokens("heb ik post?")
    assert model.guess(text, ["post", "requests"]) == _MODEL.guess(text, ["post", "requests"])


def test_no_kept_model_is_no_model(corpus: Path, tmp_path: Path) -> None:
    assert kept_model(tmp_path / "nothing.bin", corpus) is None


def test_a_changed_corpus_makes_the_kept_model_stale(corpus: Path, tmp_path: Path) -> None:
    file = tmp_path / "model.bin"
    keep(file, _file_for(corpus))
    (corpus / "added.json").write_text('{"tuning": []}', encoding="utf-8")
    assert kept_model(file, corpus) is None


def test_a_changed_library_or_a_source_gone_makes_it_stale(corpus: Path, tmp_path: Path) -> None:
    file = tmp_path / "model.bin"
    for sources, distributions in [
        (("bot/commands/no_such_module.py",), _DISTRIBUTIONS),
        (_SOURCES, ("no-such-distribution",)),
    ]:
        provenance = Provenance(fingerprint="0" * 64, sources=sources, distributions=distributions)
        keep(file, dumped(_MODEL, provenance))
        assert kept_model(file, corpus) is None


def test_the_fingerprint_follows_the_sources_and_reads_nothing_outside_the_repository(
    corpus: Path,
) -> None:
    one = fingerprint(corpus, _SOURCES, _DISTRIBUTIONS)
    assert one == fingerprint(corpus, reversed(_SOURCES), _DISTRIBUTIONS)
    assert one != fingerprint(corpus, _SOURCES[:1], _DISTRIBUTIONS)
    assert one != fingerprint(corpus, _SOURCES, ())
    with pytest.raises(ValueError):
        fingerprint(corpus, ["../../../etc/passwd"], _DISTRIBUTIONS)


def test_a_damaged_or_oversized_file_is_passed_over_with_a_warning(
    corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    file = tmp_path / "model.bin"
    caplog.set_level(logging.WARNING, logger="bot.commands.shipped_model")
    for content in [_file_for(corpus)[:-7], b"\x80\x04pickle", b"x" * ((64 << 20) + 1)]:
        file.write_bytes(content)
        assert kept_model(file, corpus) is None
    assert len(caplog.records) == 3


def test_a_cache_that_cannot_be_written_costs_no_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("x")
    caplog.set_level(logging.WARNING, logger="bot.commands.shipped_model")
    keep(blocked / "model.bin", b"data")
    assert "could not be kept" in caplog.text
    assert not list(tmp_path.glob("**/.model-*"))


def test_a_start_trains_in_a_child_once_and_the_next_start_reads_what_it_kept(
    tmp_path: Path,
) -> None:
    """Two processes in turn, with a cache directory of their own: the first trains and keeps
    the model, the second reads it (the file is not written again) and reads alike."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    code = (
        "import os\n"
        "from bot.commands.lemmas import tokens\n"
        "from bot.commands.shipped_model import cache_file, corpus_model\n"
        "guess = corpus_model().guess(tokens('heb ik post?'), ['post', 'requests'])\n"
        "print(cache_file(), os.stat(cache_file()).st_mtime_ns, guess)\n"
    )

    def start() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return done.stdout.split(" ", 2)

    first, second = start(), start()
    assert Path(first[0]).is_relative_to(tmp_path)
    assert first == second
