"""What the author (or an admin) changes once an announcement is on its way."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.announcements.announcements import AnnouncementState
from bot.domain.announcements.audiences import Audience, AudienceKind
from bot.domain.announcements.content import Content, Importance
from bot.domain.announcements.recipients import recipient_dedupe_key
from bot.domain.platform.errors import DomainError, InvalidInput, NotFound
from bot.domain.platform.outbox import OutboxStatus, is_deletion
from bot.ports.announcements import AudienceMember
from bot.services.announcements.checks import AnnouncementProblems
from tests.unit.announcements.sending_support import (
    ADMIN,
    AUTHOR,
    AUTHOR_ACTOR,
    STRANGER,
    World,
    announcement,
    sent_to,
    world,
)


def key(user: str) -> str:
    return recipient_dedupe_key(1, user)


def messages_with(w: World, part: str) -> list[str]:
    return [m.dedupe_key for m in w.repository.messages if part in m.dedupe_key]


# --- cancel --------------------------------------------------------------------------------------
async def test_cancel_withdraws_what_still_waits_and_keeps_what_went() -> None:
    w = world()
    await sent_to(w, "p1", "p2", "p3", "p4")
    w.repository.settle(key("p1"), OutboxStatus.SENT)
    w.repository.settle(key("p2"), OutboxStatus.IN_FLIGHT)

    changed = await w.changes().cancel(AUTHOR_ACTOR, 1, 3)

    assert changed.announcement.state is AnnouncementState.CANCELLED
    assert changed.messages == 2
    assert key("p3") not in w.repository.outbox and key("p4") not in w.repository.outbox
    assert key("p2") in w.repository.outbox  # in flight: it finishes
    figures = await w.repository.figures(1)
    assert (figures.sent, figures.not_reached, figures.adds_up) == (1, 3, True)
    assert w.repository.actions() == ["announcements.cancel"]
    # The author's status card shows the end.
    last = w.status_cards()[-1]
    assert last.dedupe_key == "ann:1:status:end" and last.activity["state"] == "cancelled"
    assert messages_with(w, ":notice:") == []  # the author did it: no notice to themselves


async def test_an_admin_cancelling_tells_the_author() -> None:
    w = world()
    w.repository.put(announcement(state=AnnouncementState.SCHEDULED, started_at=None))

    await w.changes().cancel(ADMIN, 1, 3)

    notices = [m for m in w.repository.messages if ":notice:" in m.dedupe_key]
    assert [(m.recipient_id, m.activity["key"]) for m in notices] == [
        (AUTHOR, "announcements.changes.notice.cancelled")
    ]
    assert w.status_cards() == []  # it never started: no status card to end


async def test_cancel_on_an_old_card_or_of_someone_else_or_too_late_is_refused() -> None:
    w = world()
    await sent_to(w, "p1")
    changes = w.changes()

    with pytest.raises(DomainError) as stale:
        await changes.cancel(AUTHOR_ACTOR, 1, 2)
    with pytest.raises(NotFound):
        await changes.cancel(STRANGER, 1, 3)
    w.repository.put(announcement(state=AnnouncementState.SENT, resolved=True))
    with pytest.raises(InvalidInput) as late:
        await changes.cancel(AUTHOR_ACTOR, 1, 3)

    assert stale.value.message_key == "announcements.changes.stale"
    assert late.value.message_key == "announcements.changes.cannot_cancel"
    assert key("p1") in w.repository.outbox and w.repository.actions() == []


# --- recall --------------------------------------------------------------------------------------
async def test_recall_deletes_every_message_that_reached_someone_once() -> None:
    w = world()
    await sent_to(w, "p1", "p2", "p3", "p4", "p5")
    for user in ("p1", "p2", "p3"):
        w.repository.settle(key(user), OutboxStatus.SENT, activity_id="100")
    w.repository.settle(key("p4"), OutboxStatus.IN_FLIGHT)

    changed = await w.changes().recall(AUTHOR_ACTOR, 1, 3)

    assert changed.announcement.state is AnnouncementState.RECALLED
    assert (changed.messages, changed.in_flight) == (3, 1)
    deletions = [m for m in w.repository.messages if m.dedupe_key.endswith(":recall")]
    assert [(m.recipient_id, m.replaces, m.dedupe_key) for m in deletions] == [
        (user, key(user), f"{key(user)}:recall") for user in ("p1", "p2", "p3")
    ]
    assert all(is_deletion(m.activity) for m in deletions)
    assert key("p5") not in w.repository.outbox  # withdrawn before it went

    # The one in flight lands; recalling again (any card) deletes it too, nothing twice.
    w.repository.settle(key("p4"), OutboxStatus.SENT, activity_id="101")
    again = await w.changes().recall(AUTHOR_ACTOR, 1, 3)

    assert again.messages == 1
    assert messages_with(w, ":recall") == [f"{key(u)}:recall" for u in ("p1", "p2", "p3", "p4")]
    assert w.repository.actions() == ["announcements.recall"]


async def test_a_recall_in_channels_deletes_the_posts_in_their_conversations() -> None:
    w = world()
    channel = "19:a@thread.tacv2"
    await sent_to(w, channel, audience=Audience(AudienceKind.CHANNELS))
    w.repository.settle(recipient_dedupe_key(1, channel), OutboxStatus.SENT, activity_id="1")

    await w.changes().recall(AUTHOR_ACTOR, 1, 3)

    [deletion] = [m for m in w.repository.messages if m.dedupe_key.endswith(":recall")]
    assert (deletion.conversation_id, deletion.recipient_id) == (channel, "")


async def test_a_draft_cannot_be_recalled() -> None:
    w = world()
    w.repository.put(announcement(state=AnnouncementState.DRAFT, started_at=None))

    with pytest.raises(InvalidInput) as refused:
        await w.changes().recall(AUTHOR_ACTOR, 1, 3)

    assert refused.value.message_key == "announcements.changes.cannot_recall"


# --- edit ----------------------------------------------------------------------------------------
async def test_an_edit_replaces_every_message_sent_in_the_reader_language() -> None:
    w = world()
    await sent_to(w, "p1", "p2", "p3")
    w.repository.settle(key("p1"), OutboxStatus.SENT)
    w.repository.settle(key("p2"), OutboxStatus.SENT)
    w.chat("p2", "en-GB")
    new = (Content("MFA vanaf dinsdag"), Content("MFA from Tuesday"))

    changed = await w.changes().edit_sent(AUTHOR_ACTOR, 1, new)

    assert changed.announcement.edits == 1 and changed.announcement.version == 4
    assert w.repository.rows[1].dutch.title == "MFA vanaf dinsdag"
    edits = {m.recipient_id: m for m in w.repository.messages if ":edit:" in m.dedupe_key}
    assert set(edits) == {"p1", "p2"}  # p3's message was not sent yet: nothing to edit
    assert edits["p1"].dedupe_key == f"{key('p1')}:edit:1" and edits["p1"].replaces == key("p1")
    assert edits["p1"].activity["title"] == "MFA vanaf dinsdag"
    assert edits["p2"].activity["title"] == "MFA from Tuesday"
    assert w.repository.actions() == ["announcements.edit_sent"]

    await w.changes().edit_sent(AUTHOR_ACTOR, 1, (Content("Nog eens"), None))
    assert len(messages_with(w, ":edit:2")) == 2  # a second edit edits again


async def test_an_edit_reaches_those_not_queued_yet_through_their_message() -> None:
    w = world()
    w.repository.put(announcement())
    w.directory.add_group("g1", AudienceMember("p1"))
    sender = w.sender()
    await sender.round()  # resolved, not queued yet

    await w.changes().edit_sent(AUTHOR_ACTOR, 1, (Content("Nieuwe tekst"), None))
    await sender.round()

    assert w.messages_to_people()[0].activity["title"] == "Nieuwe tekst"
    assert messages_with(w, ":edit:") == []


async def test_an_edit_with_a_bad_text_or_of_a_draft_is_refused() -> None:
    w = world()
    await sent_to(w, "p1")
    changes = w.changes()

    with pytest.raises(AnnouncementProblems):
        await changes.edit_sent(AUTHOR_ACTOR, 1, (Content(""), None))
    w.repository.put(announcement(state=AnnouncementState.DRAFT))
    with pytest.raises(InvalidInput) as draft:
        await changes.edit_sent(AUTHOR_ACTOR, 1, (Content("Titel"), None))

    assert draft.value.message_key == "announcements.changes.cannot_edit"
    assert w.repository.rows[1].edits == 0


# --- remind --------------------------------------------------------------------------------------
async def test_a_reminder_goes_only_to_those_reached_who_did_not_acknowledge() -> None:
    w = world()
    await sent_to(w, "p1", "p2", "p3", importance=Importance.URGENT)
    w.repository.settle(key("p1"), OutboxStatus.SENT)
    w.repository.settle(key("p2"), OutboxStatus.SENT)  # p3: not reached yet
    await w.repository.acknowledge(1, "p1", w.clock.now())

    changed = await w.changes().remind(AUTHOR_ACTOR, 1)

    reminders = [m for m in w.repository.messages if ":remind:" in m.dedupe_key]
    assert changed.messages == 1 and [m.recipient_id for m in reminders] == ["p2"]
    assert reminders[0].activity["reminder"] is True and reminders[0].replaces == ""
    assert [e.action for e in w.audit.entries] == ["announcements.remind"]

    # Once a day: again the same day adds nothing, the next day reminds again.
    assert (await w.changes().remind(AUTHOR_ACTOR, 1)).messages == 0
    w.clock.advance(days=1)
    assert (await w.changes().remind(AUTHOR_ACTOR, 1)).messages == 1


async def test_a_reminder_needs_an_urgent_announcement_on_its_way() -> None:
    w = world()
    await sent_to(w, "p1")

    with pytest.raises(InvalidInput) as refused:
        await w.changes().remind(AUTHOR_ACTOR, 1)

    assert refused.value.message_key == "announcements.changes.cannot_remind"


# --- figures -------------------------------------------------------------------------------------
async def test_the_figures_on_demand_add_up_with_a_rate_and_an_end() -> None:
    w = world()
    await sent_to(w, "p1", "p2", "p3", "p4")
    w.repository.settle(key("p1"), OutboxStatus.SENT)
    w.repository.settle(key("p2"), OutboxStatus.UNREACHABLE)
    w.clock.advance(seconds=10)

    progress = await w.changes().figures(AUTHOR_ACTOR, 1)

    assert progress.figures.adds_up and progress.figures.audience == 4
    assert progress.per_second == pytest.approx(0.2)
    assert progress.expected_end == w.clock.now() + timedelta(seconds=10)
    with pytest.raises(NotFound):
        await w.changes().figures(STRANGER, 1)


# --- the batch mode ------------------------------------------------------------------------------
async def test_in_batches_recall_and_edit_are_refused_with_the_reason() -> None:
    w = world(batch_from=3)  # four people: automatic means batches
    await sent_to(w, "p1", "p2", "p3", "p4")

    with pytest.raises(InvalidInput) as recall:
        await w.changes().recall(AUTHOR_ACTOR, 1, 3)
    with pytest.raises(InvalidInput) as edit:
        await w.changes().edit_sent(AUTHOR_ACTOR, 1, (Content("Nieuw"), None))

    assert recall.value.message_key == "announcements.changes.batch_not_recallable"
    assert edit.value.message_key == "announcements.changes.batch_not_editable"
    assert (await w.repository.get(1)).state is AnnouncementState.SENDING  # type: ignore[union-attr]


async def test_one_by_one_by_choice_stays_recallable_whatever_the_size() -> None:
    from bot.domain.announcements.batches import DeliveryMode

    w = world(batch_from=3)
    await sent_to(w, "p1", "p2", "p3", "p4", delivery=DeliveryMode.PER_RECIPIENT)
    w.repository.settle(key("p1"), OutboxStatus.SENT, activity_id="1001")

    changed = await w.changes().recall(AUTHOR_ACTOR, 1, 3)

    assert changed.announcement.state is AnnouncementState.RECALLED


async def test_cancelling_in_batches_stops_the_running_operations() -> None:
    w = world(batch_from=3)
    await sent_to(w, "p1", "p2", "p3", "p4")
    stopped: list[AnnouncementState] = []

    async def stop(announcement: object) -> int:
        stopped.append(announcement.state)  # type: ignore[attr-defined]
        return 1

    changed = await w.changes(stop_batches=stop).cancel(AUTHOR_ACTOR, 1, 3)

    assert changed.announcement.state is AnnouncementState.CANCELLED
    assert stopped == [AnnouncementState.CANCELLED]  # after the step: nothing new is claimed
