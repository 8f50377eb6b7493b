"""Approve-before-send in chat on real parts (chat_world.py), with approval required by the
settings: the submit asks every other comms person and admin on a card; the author may not
approve their own; the first decision wins and a later click on an old card is told who decided;
a rejection goes back to the author with its note, editable. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.platform.audit import Outcome
from bot.domain.platform.outbox import OutboxMessage
from bot.store import Database
from cards.verbs import Verb
from devtools.graph_emulator import GraphEmulator
from tests.integration.announcements.chat_world import (
    AN,
    FORM,
    LOTTE,
    PIETER_JAN,
    THOMAS,
    Person,
    World,
    activity_card,
    button,
    submitted,
    texts,
    verbs,
    world,
)

NOTE = "Zet er de datum van maandag bij, aub."


@pytest.fixture
async def chat(database: Database, graph_emulator: GraphEmulator) -> AsyncIterator[World]:
    async with world(database, graph_emulator, announcement_approval_required=True) as built:
        yield built


async def approval_card_of(chat: World, announcement: Announcement, who: Person) -> OutboxMessage:
    key = f"ann:{announcement.id}:approval:{who.user_id}:{announcement.version}"
    message = await chat.outbox.by_dedupe_key(key)
    assert message is not None, f"no approval card for {who.name}"
    return message


async def test_a_second_person_approves_and_the_first_decision_wins(chat: World) -> None:
    asked, card = await submitted(chat)

    assert asked.state is AnnouncementState.AWAITING_APPROVAL
    assert "Wacht op goedkeuring" in texts(card)
    assert Verb.ANNOUNCEMENT_SUBMIT not in verbs(card)
    for approver in (PIETER_JAN, THOMAS, AN):
        await approval_card_of(chat, asked, approver)
    own = f"ann:{asked.id}:approval:{LOTTE.user_id}:{asked.version}"
    assert await chat.outbox.by_dedupe_key(own) is None
    approve = button(
        activity_card(await approval_card_of(chat, asked, PIETER_JAN)), Verb.ANNOUNCEMENT_APPROVE
    )
    assert approve == {"announcement": asked.id, "version": asked.version}

    by_the_author = await chat.click(Verb.ANNOUNCEMENT_APPROVE, approve, LOTTE)

    assert by_the_author.result.card is None and by_the_author.result.message
    assert "zelf" in by_the_author.result.message
    assert (await chat.stored(asked.id)).state is AnnouncementState.AWAITING_APPROVAL

    approved = await chat.click(Verb.ANNOUNCEMENT_APPROVE, approve, PIETER_JAN)

    assert approved.result.message and asked.reference in approved.result.message
    after = await chat.stored(asked.id)
    assert after.state is AnnouncementState.SENDING
    assert (after.decided_by, after.decided_by_name) == (PIETER_JAN.user_id, PIETER_JAN.name)
    notice = await chat.outbox.by_dedupe_key(f"ann:{asked.id}:decision:{after.version}")
    assert notice is not None and notice.recipient_id == LOTTE.user_id
    for approver in (PIETER_JAN, THOMAS, AN):
        original = await approval_card_of(chat, asked, approver)
        decided = await chat.outbox.by_dedupe_key(f"{original.dedupe_key}:decided")
        assert decided is not None and decided.replaces == original.dedupe_key
        assert Verb.ANNOUNCEMENT_APPROVE not in verbs(activity_card(decided))

    too_late = await chat.click(Verb.ANNOUNCEMENT_APPROVE, approve, THOMAS)

    assert too_late.result.card is None
    assert PIETER_JAN.name in str(too_late.result.message)
    assert (await chat.stored(asked.id)).version == after.version
    lines = await chat.capabilities.platform.audit_log.recent(action="announcements.approve")
    assert {(line.actor_id, line.outcome) for line in lines} == {
        (LOTTE.user_id, Outcome.DENIED),  # her own
        (PIETER_JAN.user_id, Outcome.OK),
    }
    assert (await chat.send_all(asked.id)).state is AnnouncementState.SENT


async def test_a_rejection_with_a_note_goes_back_to_the_author_who_may_edit_it(
    chat: World,
) -> None:
    asked, _ = await submitted(chat)
    reject = button(
        activity_card(await approval_card_of(chat, asked, PIETER_JAN)), Verb.ANNOUNCEMENT_REJECT
    )

    without_a_note = await chat.click(Verb.ANNOUNCEMENT_REJECT, reject, PIETER_JAN)

    assert without_a_note.result.card is None and without_a_note.result.message
    assert (await chat.stored(asked.id)).state is AnnouncementState.AWAITING_APPROVAL

    rejected = await chat.click(Verb.ANNOUNCEMENT_REJECT, {**reject, "note": NOTE}, PIETER_JAN)

    assert rejected.result.message and asked.reference in rejected.result.message
    after = await chat.stored(asked.id)
    assert after.state is AnnouncementState.REJECTED and after.decision_note == NOTE
    notice = await chat.outbox.by_dedupe_key(f"ann:{asked.id}:decision:{after.version}")
    assert notice is not None and notice.recipient_id == LOTTE.user_id
    assert NOTE in texts(activity_card(notice))

    shown = await chat.click(Verb.ANNOUNCEMENT_STATUS, {"announcement": asked.id})

    card = shown.result.card
    assert card is not None and NOTE in texts(card) and PIETER_JAN.name in texts(card)
    assert Verb.ANNOUNCEMENT_FORM in verbs(card)

    edited = await chat.click(
        Verb.ANNOUNCEMENT_SAVE,
        {**FORM, "announcement": asked.id, "version": after.version, "summary": "Vanaf 1/12."},
    )

    assert edited.result.card is not None, edited.result.message
    draft = await chat.stored(asked.id)
    assert draft.state is AnnouncementState.DRAFT and draft.dutch.summary == "Vanaf 1/12."
    again = await chat.click(
        Verb.ANNOUNCEMENT_SUBMIT, button(edited.result.card, Verb.ANNOUNCEMENT_SUBMIT)
    )
    assert again.result.card is not None, again.result.message
    asked_again = await chat.stored(asked.id)
    assert asked_again.state is AnnouncementState.AWAITING_APPROVAL
    assert asked_again.decision_note == ""
    await approval_card_of(chat, asked_again, PIETER_JAN)  # a new card, of the new version
