"""POST /api/post/items over real HTTP: what the scanning service sees, and what is (and is not)
stored behind it."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.domain.post.items import DestinationKind, PostState
from bot.store.platform.tables import audit_log, outbox
from bot.store.post.tables import post_items
from devtools.demo_post import SAMPLES, post_item, post_samples
from tests.integration.post.conftest import (
    JEF,
    MAILROOM_CHANNEL,
    OTHER_TOKEN,
    TENANT,
    TOKEN,
    IntakeStack,
    metadata,
)
from tests.integration.post.files import (
    encrypted_pdf,
    garbled_pdf,
    png,
    tiny_pdf,
    truncated_pdf,
)

PROBLEM = "application/problem+json"


async def problem_of(response: object) -> dict[str, object]:
    assert response.content_type == PROBLEM  # type: ignore[attr-defined]
    body: dict[str, object] = await response.json(content_type=None)  # type: ignore[attr-defined]
    return body


# --- accepted ---------------------------------------------------------------------------------


async def test_a_scan_for_a_named_person_is_stored_routed_to_them_and_they_are_told(
    stack: IntakeStack,
) -> None:
    pdf = tiny_pdf(2)
    response = await stack.post(pdf, metadata())

    assert response.status == 201
    body = await response.json()
    assert body == {
        "id": body["id"],
        "reference": "POST-2026-000001",
        "status": "routed",
        "routedTo": {"kind": "person", "target": JEF},
    }
    item = await stack.items.get(body["id"])
    assert item is not None
    assert item.state is PostState.ROUTED and item.addressee_id == JEF
    assert item.metadata.entity == "ADV"  # Jef's entity, from his group memberships
    assert item.metadata.pages == 2  # counted from the PDF, the scanner sent none
    assert item.metadata.sender.organisation == "FOD Financiën"
    assert item.tenant_id == TENANT
    # the scan is stored once, byte for byte, readable only by the bot's account
    [scan] = stack.document_files()
    assert scan.read_bytes() == pdf
    assert scan.stat().st_mode & 0o777 == 0o600
    assert item.document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert await stack.document_store().get(item.document.key) == pdf
    # one notice queued for Jef, and the audit trail names the intake token, not people
    [message] = await stack.rows(outbox)
    assert message["recipient_id"] == JEF and message["conversation_id"] == ""
    audit = await stack.rows(audit_log)
    assert [(a["action"], a["actor_id"], a["object_id"]) for a in audit] == [
        ("post.intake", "intake:scanner", "POST-2026-000001"),
        ("post.route", "system", "POST-2026-000001"),
    ]
    assert "Peeters" not in json.dumps([a["detail"] for a in audit])
    assert response.headers["X-Request-Id"] == audit[0]["correlation_id"]


async def test_the_same_external_id_again_answers_the_same_item_and_stores_nothing_new(
    stack: IntakeStack,
) -> None:
    first = await stack.post(tiny_pdf(), metadata())
    # A retry: the same file and metadata (the times written in another offset, same moment).
    again = await stack.post(
        tiny_pdf(), metadata(receivedAt="2026-11-30T06:45:00Z", scannedAt="2026-11-30T07:10Z")
    )

    assert first.status == 201 and again.status == 200
    assert await again.json() == await first.json()
    assert len(await stack.rows(post_items)) == 1
    assert len(stack.document_files()) == 1
    assert len(await stack.rows(outbox)) == 1
    assert [a["action"] for a in await stack.rows(audit_log)] == ["post.intake", "post.route"]


@pytest.mark.parametrize(
    ("pdf", "fields", "differences"),
    [
        pytest.param(tiny_pdf(3), {}, ["file"], id="another-file"),
        pytest.param(
            tiny_pdf(), {"subject": "Een andere inhoud"}, ["$.subject"], id="another-subject"
        ),
    ],
)
async def test_the_same_external_id_with_another_upload_is_409_and_the_stored_item_stays(
    stack: IntakeStack, pdf: bytes, fields: dict[str, object], differences: list[str]
) -> None:
    first = await stack.post(tiny_pdf(), metadata())
    stored_before = await stack.rows(post_items)

    again = await stack.post(pdf, metadata(**fields))

    assert again.status == 409
    body = await problem_of(again)
    assert body["reason"] == "post.intake.external_id_taken"
    assert body["externalId"] == "scan-0001"
    assert body["storedItem"] == await first.json()
    assert body["differences"] == differences
    detail = str(body["detail"])
    assert "scan-0001" in detail and "POST-2026-000001" in detail
    assert "blijft ongewijzigd bewaard" in detail and "is kept unchanged" in detail
    # nothing of the refused upload is kept, and the stored item is untouched
    assert await stack.rows(post_items) == stored_before
    assert len(stack.document_files()) == 1
    assert len(await stack.rows(outbox)) == 1
    assert [a["action"] for a in await stack.rows(audit_log)] == ["post.intake", "post.route"]


async def test_two_scanners_may_use_the_same_external_id(stack: IntakeStack) -> None:
    first = await stack.post(tiny_pdf(), metadata())
    other = await stack.post(tiny_pdf(3), metadata(), token=OTHER_TOKEN)
    again = await stack.post(tiny_pdf(3), metadata(), token=OTHER_TOKEN)

    assert (first.status, other.status, again.status) == (201, 201, 200)
    first_body, other_body = await first.json(), await other.json()
    assert first_body["id"] != other_body["id"]
    assert await again.json() == other_body
    rows = await stack.rows(post_items)
    assert [(row["scanner"], row["external_id"]) for row in rows] == [
        ("scanner", "scan-0001"),
        ("import", "scan-0001"),
    ]
    assert len(stack.document_files()) == 2


async def test_racing_uploads_of_one_external_id_with_different_files_keep_one(
    stack: IntakeStack,
) -> None:
    responses = await asyncio.gather(*(stack.post(tiny_pdf(n), metadata()) for n in range(1, 7)))

    statuses = sorted(response.status for response in responses)
    assert statuses == [201, 409, 409, 409, 409, 409]
    [winner] = [response for response in responses if response.status == 201]
    kept = await winner.json()
    for response in responses:
        if response.status == 409:
            assert (await problem_of(response))["storedItem"] == kept
    assert len(await stack.rows(post_items)) == 1
    [scan] = stack.document_files()
    item = await stack.items.get(kept["id"])
    assert item is not None
    assert hashlib.sha256(scan.read_bytes()).hexdigest() == item.document.sha256
    assert len(await stack.rows(outbox)) == 1


async def test_racing_uploads_of_one_external_id_make_one_item_and_keep_one_scan(
    stack: IntakeStack,
) -> None:
    responses = await asyncio.gather(*(stack.post(tiny_pdf(), metadata()) for _ in range(6)))

    statuses = sorted(response.status for response in responses)
    assert statuses == [200, 200, 200, 200, 200, 201]
    assert len({(await response.json())["id"] for response in responses}) == 1
    assert len(await stack.rows(post_items)) == 1
    assert len(stack.document_files()) == 1  # the losers' scans were deleted again
    assert len(await stack.rows(outbox)) == 1


async def test_an_envelope_nobody_fits_goes_to_the_mailroom_channel(stack: IntakeStack) -> None:
    response = await stack.post(tiny_pdf(), metadata(addressee="Fam. Peeters"))

    assert response.status == 201
    body = await response.json()
    assert body["status"] == "triage"
    assert body["routedTo"] == {"kind": "triage", "target": ""}
    [message] = await stack.rows(outbox)
    assert message["conversation_id"] == MAILROOM_CHANNEL and message["recipient_id"] == ""
    item = await stack.items.get(body["id"])
    assert item is not None and item.triage_reason.startswith("post.reason.")


async def test_when_the_directory_fails_the_item_waits_in_triage_with_that_reason(
    stack: IntakeStack,
) -> None:
    stack.emulator.add_fault(r"/users$", 500, count=None)

    response = await stack.post(tiny_pdf(), metadata())

    assert response.status == 201
    body = await response.json()
    assert body["routedTo"]["kind"] == DestinationKind.TRIAGE.value
    item = await stack.items.get(body["id"])
    assert item is not None
    assert item.triage_reason == "post.reason.directory_unavailable"
    assert len(stack.document_files()) == 1


async def test_a_second_token_is_recorded_by_its_own_name(stack: IntakeStack) -> None:
    response = await stack.post(tiny_pdf(), metadata(), token=OTHER_TOKEN)

    assert response.status == 201
    assert (await stack.rows(audit_log))[0]["actor_id"] == "intake:import"


# --- refused: nothing is stored ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "challenge"),
    [
        pytest.param(None, "Bearer", id="no-token"),
        pytest.param("not-the-token", 'Bearer error="invalid_token"', id="wrong-token"),
        pytest.param("", 'Bearer error="invalid_token"', id="empty-token"),
    ],
)
async def test_without_a_valid_token_the_answer_is_401(
    stack: IntakeStack, token: str | None, challenge: str
) -> None:
    response = await stack.post(tiny_pdf(), metadata(), token=token)

    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == challenge
    body = await problem_of(response)
    assert body["reason"] == "post.intake.unauthorized"
    assert "token" in str(body["detail"])
    await stack.assert_nothing_stored()


async def test_a_token_is_checked_before_the_body_is_read(stack: IntakeStack) -> None:
    # A body far over the cap, with a wrong token: refused with 401, not 413.
    response = await stack.post(b"%PDF-" + b"0" * (2 * 1024 * 1024), metadata(), token="nope")
    assert response.status == 401
    await stack.assert_nothing_stored()


@pytest.mark.parametrize(
    ("data", "status", "reason"),
    [
        pytest.param(png(), 415, "post.intake.not_pdf", id="png-named-pdf"),
        pytest.param(b"Beste, hierbij de brief.", 415, "post.intake.not_pdf", id="text"),
        pytest.param(b"", 422, "post.intake.empty", id="empty"),
        pytest.param(b"   \n", 422, "post.intake.empty", id="blank"),
        pytest.param(truncated_pdf(), 422, "post.intake.corrupt", id="truncated"),
        pytest.param(garbled_pdf(), 422, "post.intake.corrupt", id="garbled"),
        pytest.param(encrypted_pdf(), 422, "post.intake.encrypted", id="password"),
    ],
)
async def test_a_file_that_is_no_usable_pdf_is_refused_with_its_reason(
    stack: IntakeStack, data: bytes, status: int, reason: str
) -> None:
    response = await stack.post(data, metadata(), filename="scan.pdf")

    assert response.status == status
    body = await problem_of(response)
    assert body["reason"] == reason
    assert " / " in str(body["detail"])  # Dutch / English
    await stack.assert_nothing_stored()


async def test_a_file_over_the_cap_is_refused_with_413(stack: IntakeStack) -> None:
    cap = stack.settings.post_max_bytes
    response = await stack.post(b"%PDF-1.7\n" + b"0" * cap, metadata())

    assert response.status == 413
    body = await problem_of(response)
    assert body["reason"] == "post.intake.too_large"
    assert "0.25 MB" in str(body["detail"])
    await stack.assert_nothing_stored()


async def test_a_body_declared_far_over_the_cap_is_refused_before_reading(
    stack: IntakeStack,
) -> None:
    huge = b"%PDF-1.7\n" + b"0" * (4 * 1024 * 1024)
    response = await stack.post(huge, metadata())
    assert response.status == 413
    await stack.assert_nothing_stored()


async def test_every_missing_or_invalid_field_is_listed_by_its_path(stack: IntakeStack) -> None:
    meta = metadata(
        receivedAt="2026-11-30T07:45:00",  # no offset
        documentType="postcard",
        pages="3",
        registered=True,  # without a tracking number
        sender={"name": 12},
    )
    del meta["externalId"]
    del meta["addressee"]

    response = await stack.post(tiny_pdf(), meta)

    assert response.status == 422
    body = await problem_of(response)
    assert body["reason"] == "post.intake.invalid"
    paths = {error["path"] for error in body["errors"]}  # type: ignore[attr-defined]
    assert paths == {
        "$.externalId",
        "$.addressee",
        "$.receivedAt",
        "$.documentType",
        "$.pages",
        "$.sender.name",
    }
    await stack.assert_nothing_stored()

    # the model-level rule on its own
    response = await stack.post(tiny_pdf(), metadata("x-2", registered=True))
    body = await problem_of(response)
    assert [e["path"] for e in body["errors"]] == ["$.trackingNumber"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("with_file", "meta", "paths"),
    [
        pytest.param(False, metadata(), ["file"], id="no-file"),
        pytest.param(True, None, ["metadata"], id="no-metadata"),
        pytest.param(True, "{not json", ["$"], id="broken-json"),
        pytest.param(True, "[1, 2]", ["$"], id="not-an-object"),
    ],
)
async def test_missing_parts_and_unreadable_metadata_are_422(
    stack: IntakeStack, with_file: bool, meta: object, paths: list[str]
) -> None:
    response = await stack.post(tiny_pdf() if with_file else None, meta)  # type: ignore[arg-type]

    assert response.status == 422
    body = await problem_of(response)
    assert [error["path"] for error in body["errors"]] == paths  # type: ignore[attr-defined]
    await stack.assert_nothing_stored()


async def test_an_unknown_part_is_refused(stack: IntakeStack) -> None:
    response = await stack.post(tiny_pdf(), metadata(), extra={"comment": "hallo"})
    assert response.status == 422
    await stack.assert_nothing_stored()


async def test_a_body_that_is_not_multipart_is_415(stack: IntakeStack) -> None:
    response = await stack.client.post(
        "/api/post/items",
        json=metadata(),
        headers={"Authorization": "Bearer scanner-token-7f3a9c1e"},
    )
    assert response.status == 415
    assert (await problem_of(response))["reason"] == "post.intake.not_multipart"
    await stack.assert_nothing_stored()


async def test_the_demo_scanner_run_again_finds_its_letters_there(stack: IntakeStack) -> None:
    # An earlier demo run posted the first sample at another time of day; the next run (its
    # times moved on) is told the letter is there already, not refused.
    sample = SAMPLES[0]
    url = str(stack.client.make_url(""))
    async with aiohttp.ClientSession() as session:
        earlier = await post_item(
            session,
            url,
            TOKEN,
            sample.metadata(datetime(2026, 11, 30, 7, tzinfo=UTC)),
            sample.pdf(),
        )
    assert earlier.status == 201

    [again] = await post_samples(url, TOKEN, SAMPLES[:1])

    assert again.status == 200 and again.body == earlier.body
    assert len(await stack.rows(post_items)) == 1
