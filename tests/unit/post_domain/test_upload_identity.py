"""Whether an upload under a stored item's external id repeats that item or is another one."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

import pytest

from bot.domain.post.items import DocumentType, Sender, upload_differences
from tests.unit.post_domain.samples import T0, item, metadata

SHA = "ab" * 32  # the samples' stored digest
BRUSSELS_WINTER = timezone(timedelta(hours=1))


def test_the_same_file_and_metadata_is_a_repeat() -> None:
    assert upload_differences(item(), metadata(), SHA) == ()
    assert upload_differences(item(), metadata(), SHA.upper()) == ()  # hex, case-blind


def test_another_file_is_another_item() -> None:
    assert upload_differences(item(), metadata(), "cd" * 32) == ("file",)


def test_times_are_compared_as_moments() -> None:
    same_moment = T0.astimezone(BRUSSELS_WINTER)
    assert upload_differences(item(), metadata(received_at=same_moment), SHA) == ()
    later = metadata(received_at=T0 + timedelta(seconds=1))
    assert upload_differences(item(), later, SHA) == ("$.receivedAt",)


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"scanned_at": T0 + timedelta(minutes=1)}, "$.scannedAt"),
        ({"sender": Sender("Jan Smit", "")}, "$.sender.organisation"),
        ({"sender": Sender("J. Smit", "FOD Financiën")}, "$.sender.name"),
        ({"addressee": "Lotte Janssens"}, "$.addressee"),
        ({"subject": "Herinnering"}, "$.subject"),
        ({"document_type": DocumentType.INVOICE}, "$.documentType"),
        ({"registered": True}, "$.registered"),
        ({"tracking_number": "RR1BE"}, "$.trackingNumber"),
        ({"confidential": True}, "$.confidential"),
        ({"ocr_text": "Geachte"}, "$.ocrText"),
        ({"entity": "DOMG"}, "$.entity"),
        ({"pages": 3}, "$.pages"),
    ],
)
def test_each_field_the_scanner_gave_must_be_the_same(changes: dict[str, Any], path: str) -> None:
    assert upload_differences(item(), metadata(**changes), SHA) == (path,)


def test_what_the_intake_filled_in_is_not_compared_when_the_scanner_left_it_out() -> None:
    stored = item(metadata=metadata(entity="ADV", pages=2))
    assert upload_differences(stored, metadata(entity="", pages=0), SHA) == ()
    assert upload_differences(stored, metadata(entity="adv"), SHA) == ()  # codes, case-blind


def test_every_difference_is_named() -> None:
    other = metadata(subject="Herinnering", addressee="Lotte Janssens")
    assert upload_differences(item(), other, "00" * 32) == ("file", "$.addressee", "$.subject")
