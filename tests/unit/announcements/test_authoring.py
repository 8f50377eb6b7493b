"""Writing announcements: who may, to whom (the guardrail matrix, also when the card's payload
names what was not offered), whose drafts are whose, every problem said at once, the size
before sending, and the submit that sends, schedules or asks for approval."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.announcements.announcements import AnnouncementState
from bot.domain.announcements.audiences import Audience, AudienceKind, Channel
from bot.domain.announcements.content import Content
from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import DomainError, Forbidden, NotFound, Unavailable
from bot.services.announcements.checks import AnnouncementProblems
from tests.support.clock import START
from tests.unit.announcements.authoring_support import (
    ANN,
    BERT,
    CHANNEL,
    EVA,
    EVERYONE,
    FORM,
    IMAGE,
    IT,
    LEADERS,
    SAM,
    TENANT,
    World,
    channels,
    entities,
    form,
    groups,
)

LIST = Audience(AudienceKind.LIST, list_name="typed.xlsx", list_size=999)


def refusal(audience: str, target: str = "") -> str:
    return f"announcements.audience.{audience}" + (f":{target}" if target else "")


def said(error: AnnouncementProblems) -> set[str]:
    """Each problem as key[:target]."""
    return {
        p.message_key + (f":{p.values['target']}" if "target" in p.values else "")
        for p in error.problems
    }


# --- who may write, and to whom ---------------------------------------------------------------


async def test_staff_cannot_write_announcements_at_all() -> None:
    world = World()
    with pytest.raises(Forbidden) as refused:
        await world.authoring().save(SAM, None, FORM, None)
    assert refused.value.message_key == "announcements.error.comms_only"
    with pytest.raises(Forbidden):
        await world.authoring().choices(SAM)
    with pytest.raises(Forbidden):
        await world.authoring().mine(SAM)
    assert world.repository.rows == {} and world.repository.audit == []


@pytest.mark.parametrize(
    ("actor", "audience", "refused"),
    [
        # Ann: her own entity only (nothing configured).
        (ANN, entities("AWV"), set()),
        (ANN, entities("awv"), set()),
        (ANN, entities("DOMG"), {refusal("entity_not_allowed", "DOMG")}),
        (ANN, entities("AWV", "ADV"), {refusal("entity_not_allowed", "ADV")}),
        (ANN, EVERYONE, {refusal("everyone_needs_admin")}),
        (ANN, groups(LEADERS), {refusal("group_not_allowed", LEADERS)}),
        (ANN, channels(CHANNEL), {refusal("channels_not_allowed")}),
        (ANN, LIST, {refusal("lists_not_allowed")}),
        # Bert: his entity, one named group, channels and lists.
        (BERT, entities("DOMG"), set()),
        (BERT, entities("AWV"), {refusal("entity_not_allowed", "AWV")}),
        (BERT, groups(LEADERS), set()),
        (BERT, groups(IT), {refusal("group_not_allowed", IT)}),
        # In his scope, but not configured as an audience: typed into the payload.
        (BERT, groups("g-secret"), {refusal("group_not_allowed", "g-secret")}),
        (BERT, channels(CHANNEL), set()),
        (BERT, channels("19:other@thread"), {refusal("channels_not_allowed")}),
        (BERT, EVERYONE, {refusal("everyone_needs_admin")}),
        # Eva (admin): anything configured, and everyone.
        (EVA, EVERYONE, set()),
        (EVA, entities("AWV", "DOMG", "ADV"), set()),
        (EVA, groups(IT, LEADERS), set()),
        (EVA, channels(CHANNEL), set()),
        (EVA, entities("NOPE"), {refusal("entity_not_allowed", "NOPE")}),
        (EVA, groups("g-typed"), {refusal("group_not_allowed", "g-typed")}),
    ],
)
async def test_the_guardrails_hold_whatever_the_payload_says(
    actor: Actor, audience: Audience, refused: set[str]
) -> None:
    world = World()
    if not refused:
        saved = await world.authoring().save(actor, None, form(audience), None)
        assert saved.audience is not None and saved.audience.kind is audience.kind
        return
    with pytest.raises(AnnouncementProblems) as error:
        await world.authoring().save(actor, None, form(audience), None)
    assert said(error.value) == refused
    assert world.repository.rows == {} and world.repository.audit == []


async def test_what_each_person_is_offered() -> None:
    world = World()
    ann = await world.authoring().choices(ANN)
    assert ann.entities == (("AWV", "Agentschap Wegen en Verkeer"),)
    assert (ann.groups, ann.channels, ann.everyone, ann.lists) == ((), (), False, False)

    bert = await world.authoring().choices(BERT, "en")
    assert bert.entities == (("DOMG", "Department of Environment"),)
    assert bert.groups == ((LEADERS, "Alle leidinggevenden"),)
    assert bert.channels == ((CHANNEL, "Nieuws"),)
    assert (bert.everyone, bert.lists) == (False, True)

    eva = await world.authoring().choices(EVA)
    assert [code for code, _ in eva.entities] == ["AWV", "DOMG", "ADV"]
    assert {group for group, _ in eva.groups} == {LEADERS, IT}
    assert (eva.everyone, eva.lists, len(eva.channels)) == (True, True, 1)


async def test_the_stored_audience_is_rebuilt_from_what_was_offered() -> None:
    world = World()
    saved = await world.authoring().save(BERT, None, form(channels(CHANNEL, CHANNEL)), None)
    assert saved.audience == Audience(AudienceKind.CHANNELS, channels=(Channel(CHANNEL, "Nieuws"),))
    saved = await world.authoring().save(ANN, None, form(entities("awv", "AWV")), None)
    assert saved.audience == entities("AWV")


async def test_every_problem_is_said_at_once() -> None:
    world = World()
    broken = form(
        entities("DOMG"),
        dutch=Content("", image_url="http://img.example/x.png", link_title="Meer"),
        english=Content("Only a title", link_url="https://example.org"),
        send_at=START + timedelta(days=91),
    )
    with pytest.raises(AnnouncementProblems) as error:
        await world.authoring().save(ANN, None, broken, None)
    assert said(error.value) == {
        "announcements.problem.title_missing",
        "announcements.problem.image_not_https",
        "announcements.problem.image_alt_missing",
        "announcements.problem.link_incomplete",
        "announcements.problem.english_incomplete",
        refusal("entity_not_allowed", "DOMG"),
        "announcements.error.send_at_too_far",
    }
    assert error.value.params == {"count": 7}
    assert world.repository.rows == {}


async def test_a_send_time_without_a_zone_is_refused() -> None:
    with pytest.raises(AnnouncementProblems) as error:
        await World().authoring().save(ANN, None, form(send_at=START.replace(tzinfo=None)), None)
    assert error.value.message_keys == ("announcements.error.send_at_invalid",)


# --- drafts: whose they are -------------------------------------------------------------------


async def test_a_draft_is_stored_with_its_author_and_an_audit_line() -> None:
    world = World()
    draft = await world.draft()
    assert (draft.author_id, draft.author_entity, draft.state) == ("ann", "AWV", "draft")
    assert draft.reference == "ANN-2026-000001" and draft.version == 1
    [line] = world.repository.audit
    assert (line.action, line.actor_id, line.object_id) == (
        "announcements.create",
        "ann",
        draft.reference,
    )
    assert line.detail == {"audience": "entities", "importance": "urgent"}
    assert "MFA" not in str(line)  # ids, never texts


async def test_another_comms_person_cannot_touch_my_draft() -> None:
    world = World()
    draft = await world.draft()
    authoring = world.authoring()
    calls = [
        authoring.get(BERT, draft.id),
        authoring.save(BERT, draft.id, FORM, draft.version),
        authoring.submit(BERT, draft.id, draft.version),
        authoring.delete(BERT, draft.id, draft.version),
        authoring.duplicate(BERT, draft.id),
    ]
    for call in calls:
        with pytest.raises(NotFound) as refused:
            await call
        assert refused.value.message_key == "announcements.error.not_found"
    with pytest.raises(NotFound) as unknown:
        await authoring.get(BERT, 4242)
    assert unknown.value.message_key == "announcements.error.not_found"
    assert world.repository.rows[draft.id] == draft
    assert world.repository.actions() == ["announcements.create"]
    assert [a.id for a in await authoring.mine(BERT)] == []
    assert [a.id for a in await authoring.mine(ANN)] == [draft.id]


async def test_an_admin_may_edit_any_draft() -> None:
    world = World()
    draft = await world.draft()
    edited = await world.authoring().save(EVA, draft.id, form(EVERYONE), draft.version)
    assert edited.author_id == "ann" and edited.audience == EVERYONE and edited.version == 2
    assert world.repository.audit[-1].actor_id == "eva"


async def test_an_edit_lands_only_on_the_version_it_was_made_on() -> None:
    world = World()
    draft = await world.draft()
    edited = await world.authoring().save(ANN, draft.id, form(dutch=Content("Nieuw")), 1)
    assert edited.version == 2 and edited.dutch.title == "Nieuw"
    with pytest.raises(DomainError) as stale:
        await world.authoring().save(ANN, draft.id, form(dutch=Content("Oud")), 1)
    assert stale.value.message_key == "announcements.error.changed"
    world.repository.races.add(draft.id)
    with pytest.raises(DomainError) as lost:
        await world.authoring().save(ANN, draft.id, form(dutch=Content("Race")), 2)
    assert lost.value.message_key == "announcements.error.changed"
    assert world.repository.rows[draft.id].dutch.title == "Nieuw"
    assert world.repository.actions() == ["announcements.create", "announcements.edit"]


async def test_a_rejected_announcement_is_a_draft_again_once_edited() -> None:
    world = World()
    draft = await world.draft()
    world.repository.put(replace(draft, state=AnnouncementState.REJECTED, version=3))
    edited = await world.authoring().save(ANN, draft.id, FORM, 3)
    assert edited.state is AnnouncementState.DRAFT and edited.version == 4


async def test_a_submitted_announcement_can_no_longer_be_edited_or_deleted() -> None:
    world = World()
    draft = await world.draft()
    world.repository.put(replace(draft, state=AnnouncementState.SENDING))
    for call in (
        world.authoring().save(ANN, draft.id, FORM, 1),
        world.authoring().delete(ANN, draft.id, 1),
        world.authoring().submit(ANN, draft.id, 1),
    ):
        with pytest.raises(DomainError) as refused:
            await call
        assert refused.value.message_key == "announcements.error.not_editable"


async def test_an_uploaded_list_stays_only_while_the_audience_is_a_list() -> None:
    world = World()
    draft = await world.draft(BERT, form(entities("DOMG")))
    uploaded = Audience(AudienceKind.LIST, list_name="leiding.xlsx", list_size=2)
    world.repository.put(replace(draft, audience=uploaded))
    await world.repository.add_recipients(draft.id, [])
    from bot.domain.announcements.recipients import NewRecipient

    await world.repository.add_recipients(draft.id, [NewRecipient("p1"), NewRecipient("p2")])
    # The payload says "list" with other numbers: the uploaded list is what stays.
    kept = await world.authoring().save(BERT, draft.id, form(LIST), 1)
    assert kept.audience == uploaded
    assert len(world.repository.snapshot_of(draft.id)) == 2
    changed = await world.authoring().save(BERT, draft.id, form(groups(LEADERS)), 2)
    assert changed.audience == groups(LEADERS)
    assert world.repository.snapshot_of(draft.id) == []


async def test_a_list_typed_into_a_new_draft_is_an_empty_list() -> None:
    world = World()
    saved = await world.authoring().save(BERT, None, form(LIST), None)
    assert saved.audience == Audience(AudienceKind.LIST)


async def test_a_duplicate_is_a_new_draft_of_mine_without_time_or_list() -> None:
    world = World()
    draft = await world.draft(EVA, form(EVERYONE, send_at=START + timedelta(days=2)))
    copy = await world.authoring().duplicate(EVA, draft.id)
    assert copy.id != draft.id and copy.state is AnnouncementState.DRAFT
    assert (copy.dutch, copy.english, copy.importance) == (
        draft.dutch,
        draft.english,
        draft.importance,
    )
    assert copy.audience == EVERYONE and copy.send_at is None
    listed = await world.draft(BERT, form(entities("DOMG")))
    world.repository.put(
        replace(listed, audience=Audience(AudienceKind.LIST, list_name="a.csv", list_size=3))
    )
    copy = await world.authoring().duplicate(BERT, listed.id)
    assert copy.audience is None and copy.author_id == "bert"
    line = world.repository.audit[-1]
    assert (line.action, line.detail) == ("announcements.duplicate", {"source": listed.reference})


async def test_a_draft_is_deleted_on_its_version() -> None:
    world = World()
    draft = await world.draft()
    with pytest.raises(DomainError) as stale:
        await world.authoring().delete(ANN, draft.id, 7)
    assert stale.value.message_key == "announcements.error.changed"
    await world.authoring().delete(ANN, draft.id, 1)
    assert world.repository.rows == {}
    assert world.repository.actions() == ["announcements.create", "announcements.delete"]


# --- the size before sending ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audience", "size"),
    [
        (entities("AWV", "DOMG"), 5),
        (groups(LEADERS, IT), 6),
        (channels(CHANNEL), 1),
        (Audience(AudienceKind.LIST, list_name="a.csv", list_size=17), 17),
        (EVERYONE, 2500),
    ],
)
async def test_the_size_before_sending(audience: Audience, size: int) -> None:
    world = World()
    world.repository.reach(TENANT, *(f"user-{n:05d}" for n in range(2500)))
    world.repository.reach("other-tenant", "x", "y")
    draft = await world.draft(EVA, form(entities("AWV")))
    assert await world.authoring().estimate(EVA, replace(draft, audience=audience)) == size


async def test_the_size_is_unknown_when_the_directory_fails() -> None:
    world = World()
    draft = await world.draft()
    world.directory.failure = Unavailable()
    assert await world.authoring().estimate(ANN, draft) is None


# --- submitting -------------------------------------------------------------------------------


async def test_without_approval_a_submit_sends_now() -> None:
    world = World()
    draft = await world.draft()
    sent = await world.authoring().submit(ANN, draft.id, 1)
    assert sent.state is AnnouncementState.SENDING and sent.started_at == START
    assert world.repository.rows[draft.id] == sent
    assert world.repository.messages == [] and world.enqueued == ["woken"]
    line = world.repository.audit[-1]
    assert (line.action, line.detail["state"]) == ("announcements.submit", "sending")


async def test_a_send_time_ahead_schedules_and_one_past_sends_now() -> None:
    world = World()
    later = await world.draft(form=form(send_at=START + timedelta(days=3)))
    scheduled = await world.authoring().submit(ANN, later.id, 1)
    assert scheduled.state is AnnouncementState.SCHEDULED and scheduled.started_at is None
    earlier = await world.draft(form=form(send_at=START + timedelta(hours=1)))
    world.clock.advance(hours=2)
    sent = await world.authoring().submit(ANN, earlier.id, 1)
    assert sent.state is AnnouncementState.SENDING


async def test_a_double_submit_is_refused() -> None:
    world = World()
    draft = await world.draft()
    await world.authoring().submit(ANN, draft.id, 1)
    with pytest.raises(DomainError) as again:
        await world.authoring().submit(ANN, draft.id, 1)
    assert again.value.message_key == "announcements.error.not_editable"


async def test_with_approval_every_approver_but_the_author_gets_a_card() -> None:
    world = World(rules=replace(World().rules, approval_required=True))
    draft = await world.draft()
    waiting = await world.authoring().submit(ANN, draft.id, 1)
    assert waiting.state is AnnouncementState.AWAITING_APPROVAL and waiting.version == 2
    keys = {m.recipient_id: m.dedupe_key for m in world.repository.messages}
    assert keys == {
        "bert": f"ann:{draft.id}:approval:bert:2",
        "carl": f"ann:{draft.id}:approval:carl:2",
        "eva": f"ann:{draft.id}:approval:eva:2",
    }
    carl = world.repository.sent_to("carl")[0].activity
    assert carl["card"] == "approval" and carl["locale"] == "en" and carl["audience_size"] == 3
    assert carl["audience_names"] == ["Roads and Traffic Agency"]
    assert world.repository.audit[-1].detail == {"state": "awaiting_approval", "approvers": "3"}
    assert world.enqueued == ["woken"]


async def test_without_an_approver_the_submit_is_refused_clearly() -> None:
    world = World(rules=replace(World().rules, approval_required=True))
    world.people.approver_ids = ["ann"]
    draft = await world.draft()
    with pytest.raises(DomainError) as refused:
        await world.authoring().submit(ANN, draft.id, 1)
    assert refused.value.message_key == "announcements.error.no_approver"
    assert world.repository.rows[draft.id] == draft and world.repository.messages == []


async def test_a_submit_checks_the_scope_as_it_is_now() -> None:
    world = World()
    world.people.groups["ann"] = ["grp-wide"]  # for a while, Ann may reach the leaders
    draft = await world.draft(form=form(groups(LEADERS)))
    world.people.groups["ann"] = []
    with pytest.raises(AnnouncementProblems) as error:
        await world.authoring().submit(ANN, draft.id, 1)
    assert said(error.value) == {refusal("group_not_allowed", LEADERS)}
    assert world.repository.rows[draft.id].state is AnnouncementState.DRAFT


async def test_a_submit_needs_an_audience_and_a_list_with_people() -> None:
    world = World()
    draft = await world.draft(BERT, form(Audience(AudienceKind.ENTITIES)))
    with pytest.raises(AnnouncementProblems) as error:
        await world.authoring().submit(BERT, draft.id, 1)
    assert error.value.message_keys == ("announcements.audience.empty",)
    world.repository.put(
        replace(draft, audience=Audience(AudienceKind.LIST, list_name="a.csv", list_size=2))
    )
    with pytest.raises(AnnouncementProblems) as empty:
        await world.authoring().submit(BERT, draft.id, 1)
    assert empty.value.message_keys == ("announcements.audience.empty",)


async def test_a_submit_fetches_the_image_and_says_every_problem() -> None:
    world = World()
    picture = Content("Titel", image_url="https://img.example/missing.png", image_alt="Logo")
    draft = await world.draft(form=form(dutch=picture, english=Content("")))
    world.repository.put(replace(draft, send_at=START + timedelta(days=200)))
    with pytest.raises(AnnouncementProblems) as error:
        await world.authoring().submit(ANN, draft.id, 1)
    assert said(error.value) == {
        "announcements.error.image_unreachable",
        "announcements.error.send_at_too_far",
    }
    good = await world.draft(form=form(dutch=replace(picture, image_url=IMAGE)))
    assert (await world.authoring().submit(ANN, good.id, 1)).state is AnnouncementState.SENDING
    assert (IMAGE, 1024) in world.downloads.fetched
