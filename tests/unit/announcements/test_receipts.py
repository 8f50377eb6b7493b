"""What recipients do: "Gelezen en begrepen" once per person, and Teams read receipts."""

from __future__ import annotations

import pytest

from bot.domain.announcements.content import Importance
from bot.domain.announcements.recipients import recipient_dedupe_key
from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import InvalidInput, NotFound
from bot.domain.platform.outbox import OutboxStatus
from tests.unit.announcements.sending_support import TENANT, sent_to, world

READER = Actor("p1", TENANT, "Lies")


async def test_an_acknowledgement_is_recorded_once_and_audited_once() -> None:
    w = world()
    await sent_to(w, "p1", "p2", importance=Importance.URGENT)
    receipts = w.receipts()
    first_at = w.clock.now()

    announcement, at = await receipts.acknowledge(READER, 1, preview=False)
    w.clock.advance(minutes=5)
    _, again = await receipts.acknowledge(READER, 1, preview=False)

    assert announcement.id == 1 and at == again == first_at
    assert (await w.repository.recipient(1, "p1")).acknowledged_at == first_at  # type: ignore[union-attr]
    assert [e.action for e in w.audit.entries] == ["announcements.acknowledge"]
    assert w.audit.entries[0].object_id == "ANN-2026-000001"
    assert (await w.repository.figures(1)).acknowledged == 1


async def test_a_click_on_the_preview_records_nothing() -> None:
    w = world()
    await sent_to(w, "p1")

    with pytest.raises(InvalidInput) as refused:
        await w.receipts().acknowledge(READER, 1, preview=True)

    assert refused.value.message_key == "announcements.receipts.preview"
    assert (await w.repository.figures(1)).acknowledged == 0
    assert w.audit.entries == []


async def test_someone_who_did_not_get_it_is_told_the_same_as_for_an_unknown_one() -> None:
    w = world()
    await sent_to(w, "p1")
    stranger = Actor("p9", TENANT, "Piet")

    with pytest.raises(NotFound) as not_theirs:
        await w.receipts().acknowledge(stranger, 1, preview=False)
    with pytest.raises(NotFound) as unknown:
        await w.receipts().acknowledge(READER, 77, preview=False)

    assert not_theirs.value.message_key == unknown.value.message_key
    assert not_theirs.value.message_key == "announcements.receipts.not_found"
    assert (await w.repository.figures(1)).acknowledged == 0


async def test_a_read_receipt_marks_the_messages_up_to_the_one_read() -> None:
    w = world()
    await sent_to(w, "p1", id=1)
    await sent_to(w, "p1", id=2)
    w.repository.settle(recipient_dedupe_key(1, "p1"), OutboxStatus.SENT, activity_id="1700000001")
    w.repository.settle(recipient_dedupe_key(2, "p1"), OutboxStatus.SENT, activity_id="1700000009")

    await w.receipts().read(TENANT, "p1", "1700000005")

    assert (await w.repository.figures(1)).read == 1
    assert (await w.repository.figures(2)).read == 0  # sent after what they read


async def test_a_read_receipt_with_an_id_that_is_not_a_teams_number_is_ignored() -> None:
    w = world()
    await sent_to(w, "p1")
    w.repository.settle(recipient_dedupe_key(1, "p1"), OutboxStatus.SENT, activity_id="17")

    await w.receipts().read(TENANT, "p1", "f:abc")

    assert (await w.repository.figures(1)).read == 0
