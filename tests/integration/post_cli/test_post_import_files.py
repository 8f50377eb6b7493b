"""`werkplek post import DIR` reads only regular files of DIR itself: a symbolic link, a pipe,
a folder or a hard link named like a scan is refused unread, with its reason on its line and in
geweigerd/, and never leads the import to a file elsewhere; sizes are checked before reading;
DIR, verwerkt/ and geweigerd/ are never links. Real links, pipes and sparse files on disk."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.store.post.tables import post_items
from tests.integration.post.files import tiny_pdf
from tests.integration.post_cli.conftest import Store


def _sidecar(external_id: str) -> str:
    return json.dumps(
        {
            "externalId": external_id,
            "receivedAt": "2026-11-30T07:45:00+01:00",
            "scannedAt": "2026-11-30T08:10:00+01:00",
            "sender": {"name": "Karel Claes", "organisation": "FOD Financiën"},
            "addressee": "T.a.v. Dhr. J. Peeters",
            "subject": "Aanslagbiljet personenbelasting",
            "documentType": "letter",
        }
    )


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """Files outside DIR that someone who may write in DIR wants the import to reach."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "secret.pdf").write_bytes(tiny_pdf(2))
    (folder / "secret.json").write_text(_sidecar("stolen"), encoding="utf-8")
    return folder


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["post", "import", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _kind(path: Path) -> str:
    mode = path.lstat().st_mode
    for kind, test in (("link", stat.S_ISLNK), ("pipe", stat.S_ISFIFO), ("folder", stat.S_ISDIR)):
        if test(mode):
            return kind
    return "file" if stat.S_ISREG(mode) else "other"


def test_a_link_to_a_scan_elsewhere_is_refused_and_set_aside_as_a_link(
    store: Store, inbox: Path, elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (inbox / "brief.pdf").symlink_to(elsewhere / "secret.pdf")
    (inbox / "brief.json").write_text(_sidecar("imp-1"), encoding="utf-8")
    (inbox / "meta.pdf").write_bytes(tiny_pdf())
    (inbox / "meta.json").symlink_to(elsewhere / "secret.json")

    code, out, err = _run(capsys, str(inbox))

    assert code == 1
    assert "brief: brief.pdf is een symbolische link: Werkplek volgt geen links" in err
    assert "meta: meta.json is een symbolische link" in err
    assert "geweigerd: 2" in out
    assert store.rows(post_items) == [], "nothing reached through a link is stored"
    refused = inbox / "geweigerd"
    assert _kind(refused / "brief.pdf") == "link", "the link moved, not its target"
    assert (refused / "brief.pdf").readlink() == elsewhere / "secret.pdf"
    assert _kind(refused / "brief.json") == "file"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["secret.json", "secret.pdf"]
    assert (elsewhere / "secret.pdf").read_bytes() == tiny_pdf(2)
    reason = (refused / "brief.reden.txt").read_text(encoding="utf-8")
    assert "symbolische link" in reason and "symbolic link" in reason


def test_a_lone_link_is_refused_at_once_not_left_to_wait_for_its_partner(
    store: Store, inbox: Path, elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (inbox / "los.pdf").symlink_to(elsewhere / "secret.pdf")
    (inbox / "map.pdf").symlink_to(elsewhere)  # a link to a folder is a link too

    code, _, err = _run(capsys, str(inbox))

    assert code == 1
    assert "los: los.pdf is een symbolische link" in err
    assert "map: map.pdf is een symbolische link" in err
    assert [p.name for p in inbox.iterdir()] == ["geweigerd"]
    assert sorted(p.name for p in (inbox / "geweigerd").iterdir()) == [
        "los.pdf",
        "los.reden.txt",
        "map.pdf",
        "map.reden.txt",
    ]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["secret.json", "secret.pdf"]


def test_a_pipe_or_a_folder_named_like_a_scan_is_refused_without_waiting(
    store: Store, inbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = inbox / "pijp.pdf"
    os.mkfifo(pipe)
    (inbox / "pijp.json").write_text(_sidecar("imp-1"), encoding="utf-8")
    (inbox / "map.json").mkdir()
    (inbox / "map.pdf").write_bytes(tiny_pdf())
    # Were the pipe opened for reading, this writer would free the import after ten seconds.
    guard = threading.Timer(10, _open_for_writing, [pipe])
    guard.start()
    started = time.monotonic()
    try:
        code, _, err = _run(capsys, str(inbox))
    finally:
        guard.cancel()

    assert time.monotonic() - started < 10, "the import waited on the pipe"
    assert code == 1
    assert "pijp: pijp.pdf is geen gewoon bestand" in err
    assert "map: map.json is geen gewoon bestand" in err
    assert store.rows(post_items) == []
    assert _kind(inbox / "geweigerd" / "pijp.pdf") == "pipe"
    assert _kind(inbox / "geweigerd" / "map.json") == "folder"


def _open_for_writing(pipe: Path) -> None:
    with contextlib.suppress(OSError):
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))


def test_a_second_name_of_a_file_elsewhere_is_refused(
    store: Store, inbox: Path, elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.link(elsewhere / "secret.pdf", inbox / "kopie.pdf")
    (inbox / "kopie.json").write_text(_sidecar("imp-1"), encoding="utf-8")

    code, _, err = _run(capsys, str(inbox))

    assert code == 1
    assert "kopie: kopie.pdf heeft nog een andere naam (een harde link)" in err
    assert store.rows(post_items) == []
    assert (elsewhere / "secret.pdf").read_bytes() == tiny_pdf(2)


def test_sizes_are_checked_before_a_byte_is_read(
    store: Store,
    inbox: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("WERKPLEK_POST_MAX_MB", "0.5")
    with (inbox / "groot.pdf").open("wb") as sparse:  # 64 GiB on paper, nothing on disk
        sparse.truncate(64 * 1024**3)
    (inbox / "groot.json").write_text(_sidecar("imp-1"), encoding="utf-8")
    (inbox / "meta.pdf").write_bytes(tiny_pdf())
    (inbox / "meta.json").write_text(" " * (2 * 1024 * 1024 + 1), encoding="utf-8")
    (inbox / "goed.pdf").write_bytes(tiny_pdf())
    (inbox / "goed.json").write_text(_sidecar("imp-3"), encoding="utf-8")

    started = time.monotonic()
    code, out, err = _run(capsys, str(inbox))

    assert time.monotonic() - started < 30
    assert code == 1
    assert "groot: groot.pdf is groter dan 0.5 MB en is niet gelezen" in err
    assert "meta: meta.json is groter dan 2 MB en is niet gelezen" in err
    assert "goed: opgeslagen als" in out
    assert [r["external_id"] for r in store.rows(post_items)] == ["imp-3"]
    reason = (inbox / "geweigerd" / "groot.reden.txt").read_text(encoding="utf-8")
    assert "larger than 0.5 MB and was not read" in reason


@pytest.mark.parametrize("subfolder", ["geweigerd", "verwerkt"])
def test_a_linked_subfolder_stops_the_import_before_anything_moves(
    store: Store,
    inbox: Path,
    elsewhere: Path,
    subfolder: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (inbox / subfolder).symlink_to(elsewhere)
    (inbox / "brief.pdf").write_bytes(tiny_pdf())
    (inbox / "brief.json").write_text(_sidecar("imp-1"), encoding="utf-8")

    code, _, err = _run(capsys, str(inbox))

    assert code == 2
    assert f"{inbox / subfolder} is geen gewone map" in err
    assert store.rows(post_items) == []
    assert sorted(p.name for p in inbox.iterdir()) == ["brief.json", "brief.pdf", subfolder]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["secret.json", "secret.pdf"]


def test_a_linked_folder_is_not_imported(
    store: Store, inbox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (inbox / "brief.pdf").write_bytes(tiny_pdf())
    (inbox / "brief.json").write_text(_sidecar("imp-1"), encoding="utf-8")
    link = tmp_path / "via-link"
    link.symlink_to(inbox)

    code, _, err = _run(capsys, str(link))

    assert code == 2
    assert f"{link} is geen gewone map" in err
    assert store.rows(post_items) == []
    assert sorted(p.name for p in inbox.iterdir()) == ["brief.json", "brief.pdf"]


def test_a_regular_pair_next_to_refused_files_is_imported_as_before(
    store: Store, inbox: Path, elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (inbox / "a.pdf").write_bytes(tiny_pdf())
    (inbox / "a.json").write_text(_sidecar("imp-1"), encoding="utf-8")
    (inbox / "b.pdf").symlink_to(elsewhere / "secret.pdf")
    (inbox / "b.json").write_text(_sidecar("imp-2"), encoding="utf-8")
    (inbox / "notities.txt").write_text("niet voor de import", encoding="utf-8")

    code, out, _ = _run(capsys, str(inbox))

    assert code == 1
    assert "Opgeslagen: 1, al eerder ontvangen: 0, geweigerd: 1" in out
    rows: list[dict[str, Any]] = store.rows(post_items)
    assert [r["external_id"] for r in rows] == ["imp-1"]
    assert sorted(p.name for p in (inbox / "verwerkt").iterdir()) == ["a.json", "a.pdf"]
    assert sorted(p.name for p in inbox.iterdir()) == ["geweigerd", "notities.txt", "verwerkt"]
