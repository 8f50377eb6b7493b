"""The second person's decision: not the author, the first decision wins, the author hears of
it, every approver's card is replaced in place, and approving checks the author's rights."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.platform.errors import DomainError, Forbidden, NotFound
from bot.domain.platform.roles import Role
from bot.services.announcements.checks import MAX_NOTE, AnnouncementProblems
from tests.support.clock import START
from tests.unit.announcements.authoring_support import (
    ANN,
    BERT,
    CARL,
    EVA,
    EVERYONE,
    LEADERS,
    SAM,
    World,
    form,
    groups,
)


async def waiting(world: World, **form_changes: object) -> Announcement:
    """Ann's announcement to her entity, submitted and waiting for approval (version 2)."""
    draft = await world.draft(form=form(**form_changes))  # type: ignore[arg-type]
    submitted = await world.authoring().submit(ANN, draft.id, 1)
    assert submitted.state is AnnouncementState.AWAITING_APPROVAL
    return submitted


def approving_world() -> World:
    return World(rules=replace(World().rules, approval_required=True))


async def test_the_author_cannot_decide_on_their_own_announcement() -> None:
    world = approving_world()
    announcement = await waiting(world)
    with pytest.raises(Forbidden) as refused:
        await world.approvals().decide(ANN, announcement.id, 2, True, "")
    assert refused.value.message_key == "announcements.error.own_approval"
    assert world.repository.rows[announcement.id] == announcement


async def test_staff_cannot_decide_and_an_unknown_one_is_not_found() -> None:
    world = approving_world()
    announcement = await waiting(world)
    with pytest.raises(Forbidden) as staff:
        await world.approvals().decide(SAM, announcement.id, 2, True, "")
    assert staff.value.message_key == "announcements.error.comms_only"
    with pytest.raises(NotFound):
        await world.approvals().decide(CARL, 999, 1, True, "")


async def test_approving_sends_tells_the_author_and_replaces_every_approvers_card() -> None:
    world = approving_world()
    announcement = await waiting(world)
    before = len(world.repository.messages)
    approved = await world.approvals().decide(CARL, announcement.id, 2, True, "  Prima  ")
    assert approved.state is AnnouncementState.SENDING and approved.version == 3
    assert (approved.decided_by, approved.decided_by_name, approved.decision_note) == (
        "carl",
        "Carl",
        "Prima",
    )
    new = world.repository.messages[before:]
    [notice] = [m for m in new if m.recipient_id == "ann"]
    assert notice.activity["key"] == "announcements.notice.approved"
    assert notice.activity["name"] == "Carl" and notice.activity["reference"] == approved.reference
    replaced = {m.recipient_id: m for m in new if m.recipient_id != "ann"}
    assert set(replaced) == {"bert", "carl", "eva"}
    for approver, message in replaced.items():
        original = f"ann:{announcement.id}:approval:{approver}:2"
        assert message.replaces == original
        assert original in world.repository.outbox  # the card it edits went out first
        assert message.activity["card"] == "approval"
        assert message.activity["state"] == "sending" and message.activity["version"] == 3
    line = world.repository.audit[-1]
    assert (line.action, line.actor_id, line.detail) == (
        "announcements.approve",
        "carl",
        {"state": "sending"},
    )
    assert "Prima" not in str(line)
    assert world.enqueued == ["woken", "woken"]


async def test_approving_one_with_a_time_ahead_schedules_it() -> None:
    world = approving_world()
    announcement = await waiting(world, send_at=START + timedelta(days=1))
    approved = await world.approvals().decide(EVA, announcement.id, 2, True, "")
    assert approved.state is AnnouncementState.SCHEDULED


async def test_rejecting_needs_a_reason_of_bounded_length() -> None:
    world = approving_world()
    announcement = await waiting(world)
    with pytest.raises(DomainError) as missing:
        await world.approvals().decide(CARL, announcement.id, 2, False, "   ")
    assert missing.value.message_key == "announcements.error.note_required"
    with pytest.raises(DomainError) as long:
        await world.approvals().decide(CARL, announcement.id, 2, False, "x" * (MAX_NOTE + 1))
    assert long.value.message_key == "announcements.error.note_too_long"
    assert long.value.params == {"limit": MAX_NOTE}
    rejected = await world.approvals().decide(CARL, announcement.id, 2, False, "Datum fout")
    assert rejected.state is AnnouncementState.REJECTED and rejected.decision_note == "Datum fout"
    notice = world.repository.sent_to("ann")[-1].activity
    assert notice["key"] == "announcements.notice.rejected" and notice["note"] == "Datum fout"
    assert world.repository.actions()[-1] == "announcements.reject"
    # Back with the author: editable, and submitted again it asks again.
    edited = await world.authoring().save(ANN, announcement.id, form(), rejected.version)
    assert edited.state is AnnouncementState.DRAFT


async def test_the_first_decision_wins() -> None:
    world = approving_world()
    announcement = await waiting(world)
    await world.approvals().decide(CARL, announcement.id, 2, False, "Nee")
    saves = world.repository.saves
    with pytest.raises(DomainError) as late:
        await world.approvals().decide(BERT, announcement.id, 2, True, "")
    assert late.value.message_key == "announcements.error.already_decided"
    assert late.value.params == {"name": "Carl"}
    assert world.repository.saves == saves
    assert world.repository.rows[announcement.id].state is AnnouncementState.REJECTED


async def test_a_decision_that_loses_the_race_is_told_who_won() -> None:
    """Both read version 2; Eva's approval is saved between Carl's read and his write."""
    world = approving_world()
    announcement = await waiting(world)
    world.repository.meanwhile[announcement.id] = replace(
        announcement,
        state=AnnouncementState.SENDING,
        version=3,
        decided_by="eva",
        decided_by_name="Eva",
    )
    with pytest.raises(DomainError) as lost:
        await world.approvals().decide(CARL, announcement.id, 2, False, "Nee")
    assert lost.value.message_key == "announcements.error.already_decided"
    assert lost.value.params == {"name": "Eva"}
    assert world.repository.rows[announcement.id].decided_by == "eva"
    assert "announcements.reject" not in world.repository.actions()


async def test_a_card_of_an_older_submission_is_refused() -> None:
    world = approving_world()
    announcement = await waiting(world)
    world.repository.put(replace(announcement, version=5))  # rejected, edited, submitted again
    with pytest.raises(DomainError) as stale:
        await world.approvals().decide(CARL, announcement.id, 2, True, "")
    assert stale.value.message_key == "announcements.error.changed"


async def test_approving_checks_the_authors_scope_as_it_is_now() -> None:
    world = approving_world()
    world.people.groups["ann"] = ["grp-wide"]
    announcement = await waiting(world, audience=groups(LEADERS))
    world.people.groups["ann"] = []  # her right to reach the leaders was taken away
    with pytest.raises(AnnouncementProblems) as error:
        # Eva, an admin, could send this herself: approving does not lend her rights.
        await world.approvals().decide(EVA, announcement.id, 2, True, "")
    assert error.value.message_keys == ("announcements.audience.group_not_allowed",)
    assert world.repository.rows[announcement.id].state is AnnouncementState.AWAITING_APPROVAL
    # Rejecting needs no check.
    rejected = await world.approvals().decide(EVA, announcement.id, 2, False, "Niet voor jou")
    assert rejected.state is AnnouncementState.REJECTED


async def test_approving_needs_the_author_to_still_be_a_comms_person() -> None:
    world = approving_world()
    announcement = await waiting(world)
    world.roles["ann"] = frozenset({Role.STAFF})
    with pytest.raises(DomainError) as refused:
        await world.approvals().decide(CARL, announcement.id, 2, True, "")
    assert refused.value.message_key == "announcements.error.author_not_comms"


async def test_an_admin_authors_everyone_and_a_comms_person_approves_it() -> None:
    """Checked against Eva's rights (an admin), not Carl's."""
    world = approving_world()
    draft = await world.draft(EVA, form(EVERYONE))
    submitted = await world.authoring().submit(EVA, draft.id, 1)
    assert "eva" not in {m.recipient_id for m in world.repository.messages}
    approved = await world.approvals().decide(CARL, submitted.id, 2, True, "")
    assert approved.state is AnnouncementState.SENDING
