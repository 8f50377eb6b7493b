"""The post commands with the scans in a Graph drive (WERKPLEK_DOCUMENTS_DRIVE_ID, the Graph
emulator's demo drive): the import stores there and nothing on this machine, the purge deletes
there, and without Graph nothing is done at all."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.errors import NotFound
from bot.domain.post.items import DocumentType, IntakeMetadata, PostItem, Routing, Sender
from bot.graph.client import build_client
from bot.graph.documents import GraphDocumentStore
from bot.store import Database, SqlPostItemRepository
from bot.store.post.tables import post_items
from devtools.graph_emulator import GraphEmulator
from devtools.graph_emulator.routes_drives import DEMO_DRIVE_ID
from tests.integration.post.files import tiny_pdf
from tests.integration.post_cli.conftest import DAY, JEF, NOW, TENANT, Store, person
from tests.support.graph import settings_for

FOLDER = "Werkplek/Post"


@pytest.fixture
def with_drive(
    store: Store, graph_emulator: GraphEmulator, monkeypatch: pytest.MonkeyPatch
) -> Store:
    for name, value in graph_emulator.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WERKPLEK_GRAPH_MAX_RETRIES", "0")
    monkeypatch.setenv("WERKPLEK_DOCUMENTS_DRIVE_ID", DEMO_DRIVE_ID)
    monkeypatch.setenv("WERKPLEK_DOCUMENTS_FOLDER", FOLDER)
    return store


@pytest.fixture
async def drive(graph_emulator: GraphEmulator) -> AsyncIterator[GraphDocumentStore]:
    client = build_client(settings_for(graph_emulator))
    try:
        yield GraphDocumentStore(client.service, DEMO_DRIVE_ID, FOLDER, http=client.http)
    finally:
        await client.close()


async def werkplek(*argv: str) -> int:
    """The command line in its own thread: the emulator serves on this test's event loop."""
    return await asyncio.to_thread(main, list(argv))


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "brief.pdf").write_bytes(tiny_pdf())
    sidecar = {
        "externalId": "drive-1",
        "receivedAt": "2026-03-02T09:00:00+01:00",
        "scannedAt": "2026-03-02T09:20:00+01:00",
        "sender": {"name": "Karel Claes", "organisation": "FOD Financiën"},
        "addressee": "T.a.v. Dhr. J. Peeters",
        "documentType": "letter",
    }
    (inbox / "brief.json").write_text(json.dumps(sidecar), encoding="utf-8")
    return inbox


async def test_import_stores_the_scan_in_the_drive(
    with_drive: Store,
    drive: GraphDocumentStore,
    graph_emulator: GraphEmulator,
    tmp_path: Path,
) -> None:
    assert await werkplek("post", "import", str(_inbox(tmp_path))) == 0

    (row,) = with_drive.rows(post_items)
    assert await drive.get(row["document_key"]) == tiny_pdf()
    assert not with_drive.scan_files(), "nothing is kept on this machine"
    assert graph_emulator.request_count(r"/root:/Werkplek/Post/\d{4}/\d{2}/[0-9a-f]{32}\.pdf:/")


async def test_purge_deletes_old_scans_in_the_drive(
    with_drive: Store, drive: GraphDocumentStore, capsys: pytest.CaptureFixture[str]
) -> None:
    old = await _handled_item(with_drive, drive, "old", handled=NOW - 100 * DAY)
    recent = await _handled_item(with_drive, drive, "recent", handled=NOW - 10 * DAY)

    assert await werkplek("post", "purge") == 0

    assert "1 scan verwijderd" in capsys.readouterr().out
    with pytest.raises(NotFound):
        await drive.get(old.document.key)
    assert await drive.get(recent.document.key) == tiny_pdf()


async def test_without_graph_nothing_is_done(
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("WERKPLEK_DOCUMENTS_DRIVE_ID", DEMO_DRIVE_ID)  # and no AZURE_* settings

    assert await werkplek("post", "import", str(_inbox(tmp_path))) == 2
    assert await werkplek("post", "purge") == 2

    assert capsys.readouterr().err.count("Microsoft Graph is niet bereikbaar") == 2
    assert not store.rows(post_items) and not store.scan_files()


async def _handled_item(
    store: Store, drive: GraphDocumentStore, external_id: str, *, handled: datetime
) -> PostItem:
    """An item whose scan is in the drive, handled at `handled`."""
    document = await drive.put("scan.pdf", tiny_pdf())
    received = NOW - 120 * DAY
    database = Database(store.url)
    try:
        items = SqlPostItemRepository(database)
        metadata = IntakeMetadata(
            external_id=external_id,
            received_at=received,
            scanned_at=received + DAY,
            sender=Sender("Karel Claes", "FOD Financiën"),
            addressee="T.a.v. Dhr. J. Peeters",
            entity="ADV",
            subject="Aanslagbiljet",
            document_type=DocumentType.LETTER,
        )
        audit = AuditEntry(received, "intake:test", "post.intake", Outcome.OK)
        item, _ = await items.add(TENANT, metadata, document, received, audit)
        routed = item.route(Routing(person(JEF)), received)
        await items.save(routed, expected_version=item.version)
        done = routed.handle(JEF, handled)
        await items.save(done, expected_version=routed.version)
        return done
    finally:
        await database.dispose()
