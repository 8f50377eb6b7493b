"""The author's other buttons in chat on real parts (chat_world.py): the list of my
announcements, edit, duplicate and delete a draft, a send time (scheduled, then started by the
sender when it comes), a reminder to who has not acknowledged; someone else's announcement is
refused like an unknown one. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.domain.announcements.announcements import AnnouncementState
from bot.domain.platform.audit import Outcome
from bot.store import Database
from cards.verbs import Verb
from devtools.graph_emulator import GraphEmulator
from tests.integration.announcements.chat_world import (
    ADV_PEOPLE,
    AN,
    FORM,
    JEF,
    LOTTE,
    PIETER_JAN,
    World,
    actions,
    button,
    facts,
    input_of,
    saved_draft,
    submitted,
    texts,
    verbs,
    world,
)


@pytest.fixture
async def chat(database: Database, graph_emulator: GraphEmulator) -> AsyncIterator[World]:
    async with world(database, graph_emulator) as built:
        yield built


async def test_my_list_edit_duplicate_and_delete(chat: World) -> None:
    draft, card = await saved_draft(chat)

    form = await chat.click(Verb.ANNOUNCEMENT_FORM, button(card, Verb.ANNOUNCEMENT_FORM))

    assert form.result.card is not None
    assert input_of(form.result.card, "title")["value"] == FORM["title"]
    assert input_of(form.result.card, "entities")["value"] == "ADV"
    assert button(form.result.card, Verb.ANNOUNCEMENT_SAVE) == {
        "announcement": draft.id,
        "version": 1,
    }

    copied = await chat.click(
        Verb.ANNOUNCEMENT_DUPLICATE, button(card, Verb.ANNOUNCEMENT_DUPLICATE)
    )

    [copy_form] = copied.turn.cards
    copy, original = await chat.repository.of_author(LOTTE.user_id)
    assert original.id == draft.id and copy.reference == "ANN-2026-000002"
    assert copy.dutch == draft.dutch and copy.audience == draft.audience
    assert copy.reference in texts(copy_form)

    listed = await chat.say("aankondigingen")

    [mine] = listed.cards
    assert [b["announcement"] for b in _all(mine, Verb.ANNOUNCEMENT_STATUS)] == [copy.id, draft.id]
    assert "Concept" in texts(mine)

    deleted = await chat.click(Verb.ANNOUNCEMENT_DELETE, button(card, Verb.ANNOUNCEMENT_DELETE))

    assert deleted.result.card is not None  # the list again, without it
    assert [b["announcement"] for b in _all(deleted.result.card, Verb.ANNOUNCEMENT_STATUS)] == [
        copy.id
    ]
    assert await chat.repository.get(draft.id) is None


async def test_someone_else_s_announcement_is_refused_like_an_unknown_one(chat: World) -> None:
    draft, card = await saved_draft(chat)

    for verb in (Verb.ANNOUNCEMENT_STATUS, Verb.ANNOUNCEMENT_PREVIEW, Verb.ANNOUNCEMENT_FORM):
        refused = await chat.click(verb, {"announcement": draft.id}, PIETER_JAN)
        assert refused.result.card is None and refused.turn.cards == []
        unknown = await chat.click(verb, {"announcement": draft.id + 100}, LOTTE)
        assert refused.result.message == unknown.result.message
    submit = button(card, Verb.ANNOUNCEMENT_SUBMIT)
    not_hers = await chat.click(Verb.ANNOUNCEMENT_SUBMIT, submit, PIETER_JAN)
    assert not_hers.result.card is None
    assert (await chat.stored(draft.id)).state is AnnouncementState.DRAFT
    denied = await chat.capabilities.platform.audit_log.recent(action="announcements.status")
    assert (PIETER_JAN.user_id, Outcome.DENIED) in {(e.actor_id, e.outcome) for e in denied}

    # An admin may look at anyone's.
    seen = await chat.click(Verb.ANNOUNCEMENT_STATUS, {"announcement": draft.id}, AN)
    assert seen.result.card is not None and draft.reference in texts(seen.result.card)


async def test_a_send_time_schedules_it_and_the_sender_starts_it_then(chat: World) -> None:
    scheduled, card = await submitted(chat, send_date="2026-11-30", send_time="08:00")

    assert scheduled.state is AnnouncementState.SCHEDULED
    assert scheduled.send_at == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Brussels, winter
    assert facts(card)["Wanneer"] == "30/11/2026 08:00"
    sender = chat.capabilities.announcements.sender
    assert await sender.round() == 0
    assert (await chat.stored(scheduled.id)).state is AnnouncementState.SCHEDULED

    chat.clock.set(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    await sender.round()

    started = await chat.stored(scheduled.id)
    assert started.state is AnnouncementState.SENDING and started.started_at == chat.clock.now()
    assert (await chat.send_all(scheduled.id)).state is AnnouncementState.SENT


async def test_a_reminder_goes_to_who_has_not_acknowledged(chat: World) -> None:
    announcement, _ = await submitted(chat)
    announcement = await chat.send_all(announcement.id)
    await chat.click(Verb.ANNOUNCEMENT_ACKNOWLEDGE, {"announcement": announcement.id}, JEF)
    status = await chat.click(Verb.ANNOUNCEMENT_STATUS, {"announcement": announcement.id})
    assert status.result.card is not None
    assert Verb.ANNOUNCEMENT_REMIND in verbs(status.result.card)

    reminded = await chat.click(
        Verb.ANNOUNCEMENT_REMIND, button(status.result.card, Verb.ANNOUNCEMENT_REMIND)
    )

    assert reminded.result.card is not None and reminded.turn.texts
    assert "6" in reminded.turn.texts[0]
    day = chat.clock.now().date().isoformat()
    for user_id in ADV_PEOPLE - {JEF.user_id}:
        message = await chat.outbox.by_dedupe_key(f"ann:{announcement.id}:{user_id}:remind:{day}")
        assert message is not None and message.recipient_id == user_id
    assert (
        await chat.outbox.by_dedupe_key(f"ann:{announcement.id}:{JEF.user_id}:remind:{day}") is None
    )


def _all(card: dict[str, object], verb: str) -> list[dict[str, object]]:
    """The data of every button with this verb, in the card's order."""
    return [a["data"] for a in actions(card) if a.get("verb") == verb]


async def test_a_problem_found_when_sending_is_shown_on_the_draft_and_nothing_goes(
    chat: World,
) -> None:
    # Saved (a draft may hold any https image), refused when sent: the image's host is not
    # one the organisation's images come from, so the bot does not fetch it.
    draft, card = await saved_draft(
        chat, image_url="https://images.example.com/mfa.png", image_alt="Een gsm met een code"
    )

    refused = await chat.click(Verb.ANNOUNCEMENT_SUBMIT, button(card, Verb.ANNOUNCEMENT_SUBMIT))

    shown = refused.result.card
    assert shown is not None, refused.result.message
    assert "Dit houdt het versturen nog tegen" in texts(shown)
    assert "Een afbeelding van dat adres kan ik niet gebruiken" in texts(shown)
    assert Verb.ANNOUNCEMENT_SUBMIT not in verbs(shown)
    assert Verb.ANNOUNCEMENT_FORM in verbs(shown)
    stored = await chat.stored(draft.id)
    assert stored.state is AnnouncementState.DRAFT and stored.version == draft.version
    assert await chat.capabilities.announcements.sender.round() == 0


async def test_the_delivery_chosen_in_the_form_is_kept_and_bulk_offers_no_recall(
    chat: World,
) -> None:
    from bot.domain.announcements.batches import DeliveryMode

    form = await chat.click(Verb.ANNOUNCEMENT_FORM, {})
    assert form.result.card is not None
    field = input_of(form.result.card, "delivery")
    assert field["value"] == "auto" and field["label"] == "Verzendwijze"

    draft, card = await saved_draft(chat, delivery="batch")
    assert draft.delivery is DeliveryMode.BATCH
    assert facts(card)["Verzendwijze"].startswith("In bulk via Teams")

    bulk, answer = await submitted(chat, delivery="batch")
    assert bulk.state is AnnouncementState.SENDING
    assert {"announcement.recall", "announcement.form"}.isdisjoint(verbs(answer))
    assert "announcement.cancel" in verbs(answer)

    unknown, _ = await saved_draft(chat, delivery="by pigeon")  # a tampered payload
    assert unknown.delivery is DeliveryMode.AUTOMATIC
