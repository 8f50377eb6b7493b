"""`werkplek post import DIR`: pairs of scan + JSON through the same intake as the API, files
moved by outcome, and a second run that stores nothing twice."""

from __future__ import annotations

import json
from pathlib import Path

from bot.i18n import Translator
from bot.services.post.folder_import import ImportOutcome, describe, import_directory
from bot.store.platform.tables import audit_log
from bot.store.post.tables import post_items
from tests.integration.post.conftest import JEF, MAX_MB, TENANT, IntakeStack, metadata
from tests.integration.post.files import png, tiny_pdf

MAX_PDF = int(MAX_MB * 1024 * 1024)  # the intake's own cap, as the CLI passes it


def drop(folder: Path, name: str, pdf: bytes | None, meta: object | None) -> None:
    if pdf is not None:
        (folder / f"{name}.pdf").write_bytes(pdf)
    if meta is not None:
        text = meta if isinstance(meta, str) else json.dumps(meta)
        (folder / f"{name}.json").write_text(text, encoding="utf-8")


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.exists() else []


async def test_a_folder_is_imported_pair_by_pair_and_sorted_by_outcome(
    stack: IntakeStack, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop(inbox, "a-good", tiny_pdf(), metadata("imp-1"))
    drop(inbox, "b-png", png(), metadata("imp-2"))
    drop(inbox, "c-bad-json", tiny_pdf(), metadata("imp-3", documentType="postcard"))
    drop(inbox, "d-alone", tiny_pdf(), None)
    drop(inbox, "e-orphan", None, metadata("imp-5"))

    lines = await import_directory(stack.intake, inbox, TENANT, max_pdf_bytes=MAX_PDF)

    by_name = {line.name: line for line in lines}
    assert [line.name for line in lines] == ["a-good", "b-png", "c-bad-json", "d-alone", "e-orphan"]
    assert by_name["a-good"].outcome is ImportOutcome.STORED
    assert by_name["a-good"].reference == "POST-2026-000001"
    assert by_name["b-png"].outcome is ImportOutcome.REFUSED
    assert by_name["b-png"].message_key == "post.intake.not_pdf"
    assert by_name["c-bad-json"].outcome is ImportOutcome.REFUSED
    assert any("$.documentType" in error for error in by_name["c-bad-json"].errors)
    assert by_name["d-alone"].outcome is ImportOutcome.SKIPPED
    assert by_name["e-orphan"].outcome is ImportOutcome.SKIPPED

    assert names(inbox) == ["d-alone.pdf", "e-orphan.json"]  # half pairs wait
    assert names(inbox / "verwerkt") == ["a-good.json", "a-good.pdf"]
    assert names(inbox / "geweigerd") == [
        "b-png.json",
        "b-png.pdf",
        "b-png.reden.txt",
        "c-bad-json.json",
        "c-bad-json.pdf",
        "c-bad-json.reden.txt",
    ]
    reason = (inbox / "geweigerd" / "c-bad-json.reden.txt").read_text(encoding="utf-8")
    assert "$.documentType" in reason
    assert "Niet alle gegevens" in reason and "Some data" in reason

    rows = await stack.rows(post_items)
    assert [(r["external_id"], r["destination_target"]) for r in rows] == [("imp-1", JEF)]
    assert (await stack.rows(audit_log))[0]["actor_id"] == "intake:import"
    text = describe(by_name["a-good"], Translator("nl"))
    assert text == "a-good: opgeslagen als POST-2026-000001"


async def test_running_again_is_safe(stack: IntakeStack, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop(inbox, "brief", tiny_pdf(), metadata("imp-1"))
    [first] = await import_directory(stack.intake, inbox, TENANT, max_pdf_bytes=MAX_PDF)

    # The scanner drops the same item again (same externalId), under the same file name.
    drop(inbox, "brief", tiny_pdf(), metadata("imp-1"))
    [second] = await import_directory(stack.intake, inbox, TENANT, max_pdf_bytes=MAX_PDF)

    assert first.outcome is ImportOutcome.STORED
    assert second.outcome is ImportOutcome.REPEATED
    assert second.reference == first.reference
    assert names(inbox / "verwerkt") == ["brief-1.json", "brief-1.pdf", "brief.json", "brief.pdf"]
    assert len(await stack.rows(post_items)) == 1
    assert len(stack.document_files()) == 1
    assert await import_directory(stack.intake, inbox, TENANT, max_pdf_bytes=MAX_PDF) == []


async def test_a_scanner_catching_up_by_folder_is_recognised_by_its_external_ids(
    stack: IntakeStack, tmp_path: Path
) -> None:
    # The scanner "scanner" uploaded scan-0001 by the API; the answer got lost, the API went
    # down, and its operator drops that item and another one in a folder, for the scanner.
    uploaded = await (await stack.post(tiny_pdf(), metadata())).json()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop(inbox, "a-again", tiny_pdf(), metadata())
    drop(inbox, "b-reused", tiny_pdf(3), metadata("scan-0001", subject="Een andere brief"))

    lines = await import_directory(
        stack.intake, inbox, TENANT, scanner="scanner", max_pdf_bytes=MAX_PDF
    )

    by_name = {line.name: line for line in lines}
    assert by_name["a-again"].outcome is ImportOutcome.REPEATED
    assert by_name["a-again"].reference == uploaded["reference"]
    refused = by_name["b-reused"]
    assert refused.outcome is ImportOutcome.REFUSED
    assert refused.message_key == "post.intake.external_id_taken"
    reason = (inbox / "geweigerd" / "b-reused.reden.txt").read_text(encoding="utf-8")
    assert "scan-0001" in reason and uploaded["reference"] in reason
    assert len(await stack.rows(post_items)) == 1


async def test_the_folder_import_is_its_own_scanner_by_default(
    stack: IntakeStack, tmp_path: Path
) -> None:
    await stack.post(tiny_pdf(), metadata())
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    drop(inbox, "brief", tiny_pdf(3), metadata())

    [line] = await import_directory(stack.intake, inbox, TENANT, max_pdf_bytes=MAX_PDF)

    assert line.outcome is ImportOutcome.STORED
    rows = await stack.rows(post_items)
    assert [(r["scanner"], r["external_id"]) for r in rows] == [
        ("scanner", "scan-0001"),
        ("import", "scan-0001"),
    ]
