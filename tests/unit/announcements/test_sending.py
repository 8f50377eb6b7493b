"""The background sender: the audience resolved into the snapshot, the window kept, the end
reached only when everyone has a verdict, and the author's status card kept up to date."""

from __future__ import annotations

import random
from datetime import timedelta

from bot.domain.announcements.announcements import AnnouncementState
from bot.domain.announcements.audiences import Audience, AudienceKind, Channel
from bot.domain.announcements.recipients import NewRecipient, recipient_dedupe_key
from bot.domain.licences.catalogue import Catalogue
from bot.domain.platform.errors import Unavailable
from bot.domain.platform.outbox import OutboxStatus
from bot.ports.announcements import AudienceMember
from tests.unit.announcements.sending_support import (
    APP,
    AUTHOR,
    TENANT,
    announcement,
    entity,
    members,
    world,
)


# --- the audience --------------------------------------------------------------------------------
async def test_a_group_is_resolved_page_by_page_without_disabled_accounts() -> None:
    w = world()
    w.directory.page_size = 999
    w.directory.add_group("g1", *members("p", 2500, disabled={3, 1500}))
    w.repository.put(announcement())

    await w.sender().round()

    stored = w.repository.rows[1]
    assert stored.resolved and stored.audience_size == 2498
    people = {p.user_id for p in w.repository.snapshot_of(1)}
    assert len(people) == 2498 and "p-00003" not in people and "p-01500" not in people
    assert "p-02499" in people  # the last page too
    assert w.messages_to_people() == []  # queued from the next round on


async def test_entities_are_resolved_through_their_staff_groups_with_their_code() -> None:
    w = world()
    w.entities.catalogue_ = Catalogue(
        entities=(entity("ADV", "g-adv"), entity("DOMG", "g-domg"), entity("AWV", ""))
    )
    both = AudienceMember("both")
    w.directory.add_group("g-adv", AudienceMember("a1"), both)
    w.directory.add_group("g-domg", AudienceMember("d1"), both, AudienceMember("d2", enabled=False))
    w.repository.put(
        announcement(audience=Audience(AudienceKind.ENTITIES, entities=("ADV", "domg", "AWV")))
    )

    await w.sender().round()

    entities = {p.user_id: p.entity for p in w.repository.snapshot_of(1)}
    # Someone in two entities is in the snapshot once; AWV has no staff group: nobody from it.
    assert entities == {"a1": "ADV", "both": "ADV", "d1": "DOMG"}


async def test_everyone_is_every_page_of_the_people_the_bot_can_reach() -> None:
    w = world()
    w.repository.reach(TENANT, *(f"u-{n:05d}" for n in range(2345)))
    w.repository.reach("other-tenant", "stranger")
    w.repository.put(announcement(audience=Audience(AudienceKind.EVERYONE)))

    await w.sender().round()

    people = {p.user_id for p in w.repository.snapshot_of(1)}
    assert len(people) == 2345 and "stranger" not in people
    assert w.repository.rows[1].audience_size == 2345


async def test_channels_get_one_post_each_in_their_conversation() -> None:
    w = world(teams_app_id=APP)
    channels = (Channel("19:a@thread.tacv2", "Algemeen"), Channel("19:b@thread.tacv2", "ICT"))
    w.repository.put(announcement(audience=Audience(AudienceKind.CHANNELS, channels=channels)))
    sender = w.sender()

    await sender.round()
    await sender.round()

    posts = w.messages_to_people()
    assert {(m.conversation_id, m.recipient_id) for m in posts} == {
        ("19:a@thread.tacv2", ""),
        ("19:b@thread.tacv2", ""),
    }
    assert w.directory.installs == []  # a channel is no person to install the app for


async def test_an_uploaded_list_is_kept_and_its_people_without_a_chat_get_the_app() -> None:
    w = world(teams_app_id=APP)
    w.repository.put(
        announcement(audience=Audience(AudienceKind.LIST, list_name="x.xlsx", list_size=3))
    )
    await w.repository.add_recipients(
        1, [NewRecipient("l1", "ADV"), NewRecipient("l2"), NewRecipient("l3")]
    )
    w.chat("l2")

    await w.sender().round()

    assert [p.user_id for p in w.repository.snapshot_of(1)] == ["l1", "l2", "l3"]
    assert w.repository.rows[1].audience_size == 3
    assert sorted(user for user, _ in w.directory.installs) == ["l1", "l3"]


async def test_a_restart_resolves_again_and_adds_nobody_twice() -> None:
    w = world()
    w.directory.add_group("g1", *members("p", 30))
    w.repository.put(announcement(audience=Audience(AudienceKind.GROUPS, groups=("g1",))))
    await w.repository.add_recipients(1, [NewRecipient("p-00000"), NewRecipient("p-00001")])

    await w.sender().round()  # the first replica died after two people: this one goes on

    assert w.repository.rows[1].audience_size == 30
    assert len(w.repository.snapshot_of(1)) == 30


async def test_the_app_is_installed_only_for_people_without_a_chat() -> None:
    w = world(teams_app_id=APP)
    w.directory.add_group(
        "g1", AudienceMember("has-chat"), AudienceMember("new-1"), AudienceMember("new-2")
    )
    w.directory.uninstallable = {"new-2"}
    w.chat("has-chat", "en-US")
    w.repository.put(announcement())
    sender = w.sender()

    await sender.round()
    await sender.round()

    assert sorted(w.directory.installs) == [("new-1", APP), ("new-2", APP)]
    # The refused one is queued anyway: the outbox's 403 counts them as blocked.
    assert {m.recipient_id for m in w.messages_to_people()} == {"has-chat", "new-1", "new-2"}
    # Each in the language of their chat with the bot (Dutch without one).
    locales = {m.recipient_id: m.activity["locale"] for m in w.messages_to_people()}
    assert locales == {"has-chat": "en", "new-1": "nl", "new-2": "nl"}


async def test_without_a_teams_app_id_nothing_is_installed() -> None:
    w = world(teams_app_id="")
    w.directory.add_group("g1", AudienceMember("new-1"))
    w.repository.put(announcement())

    await w.sender().round()

    assert w.directory.installs == []


async def test_one_announcement_failing_keeps_the_others_going() -> None:
    w = world()
    w.directory.failure = Unavailable()
    w.repository.put(announcement(id=1))
    w.repository.reach(TENANT, "u1")
    w.repository.put(announcement(id=2, audience=Audience(AudienceKind.EVERYONE)))

    await w.sender().round()

    assert not w.repository.rows[1].resolved
    assert w.repository.rows[2].resolved


# --- the window and the end ----------------------------------------------------------------------
async def test_never_more_than_the_window_waits_in_the_outbox() -> None:
    w = world(window=50)
    w.directory.add_group("g1", *members("p", 333))
    w.repository.put(announcement())
    sender = w.sender()
    rng = random.Random(13)

    await sender.round()  # resolves
    rounds = 0
    while w.repository.rows[1].state is AnnouncementState.SENDING and rounds < 100:
        rounds += 1
        await sender.round()
        assert w.waiting() <= 50
        for message in w.messages_to_people():
            row = w.repository.outbox[message.dedupe_key]
            if row.status is OutboxStatus.PENDING and rng.random() < 0.5:
                w.repository.settle(message.dedupe_key, OutboxStatus.SENT)

    assert w.repository.rows[1].state is AnnouncementState.SENT
    keys = [m.dedupe_key for m in w.messages_to_people()]
    assert len(keys) == len(set(keys)) == 333  # everyone once
    assert rounds > 333 // 50  # it took several windows


async def test_it_finishes_only_when_everyone_has_a_verdict_and_the_figures_add_up() -> None:
    w = world()
    w.directory.add_group("g1", *members("p", 6))
    w.repository.put(announcement())
    sender = w.sender()
    await sender.round()
    await sender.round()
    keys = [recipient_dedupe_key(1, f"p-{n:05d}") for n in range(6)]
    w.repository.settle(keys[0], OutboxStatus.SENT)
    w.repository.settle(keys[1], OutboxStatus.SENT, attempts=3, retries=2)
    w.repository.settle(keys[2], OutboxStatus.UNREACHABLE)
    w.repository.settle(keys[3], OutboxStatus.GONE)
    w.repository.settle(keys[4], OutboxStatus.DEAD)
    w.repository.settle(keys[5], OutboxStatus.IN_FLIGHT)

    await sender.round()
    assert w.repository.rows[1].state is AnnouncementState.SENDING  # one still on its way

    w.repository.settle(keys[5], OutboxStatus.FAILED)
    await sender.round()

    finished = w.repository.rows[1]
    assert finished.state is AnnouncementState.SENT and finished.finished_at == w.clock.now()
    assert "announcements.finish" in w.repository.actions()
    figures = await w.repository.figures(1)
    assert (figures.sent, figures.throttled_sent, figures.blocked, figures.not_found) == (
        1,
        1,
        1,
        1,
    )
    assert figures.failed == 2 and figures.not_reached == 0 and figures.adds_up
    last = w.status_cards()[-1]
    assert last.dedupe_key == "ann:1:status:end" and last.replaces == "ann:1:status:0"
    assert last.activity["state"] == "sent" and last.activity["figures"] == figures


async def test_an_audience_of_nobody_finishes_at_once() -> None:
    w = world()
    w.directory.add_group("g1")
    w.repository.put(announcement())
    sender = w.sender()

    await sender.round()
    await sender.round()

    assert w.repository.rows[1].state is AnnouncementState.SENT


async def test_a_finish_another_replica_saved_first_is_left_alone() -> None:
    w = world()
    w.directory.add_group("g1")
    w.repository.put(announcement())
    sender = w.sender()
    await sender.round()
    w.repository.races.add(1)

    await sender.round()

    assert w.repository.rows[1].state is AnnouncementState.SENDING
    assert "announcements.finish" not in w.repository.actions()


async def test_messages_are_made_when_queued_so_they_carry_the_latest_text() -> None:
    w = world()
    w.directory.add_group("g1", AudienceMember("p1"))
    w.repository.put(announcement())
    sender = w.sender()
    await sender.round()
    stored = w.repository.rows[1]
    w.repository.put(announcement(resolved=True, dutch=stored.dutch.__class__("Nieuwe titel")))

    await sender.round()

    assert w.messages_to_people()[0].activity["title"] == "Nieuwe titel"


# --- scheduled ones ------------------------------------------------------------------------------
async def test_a_scheduled_announcement_starts_when_its_time_has_come() -> None:
    w = world()
    w.directory.add_group("g1", AudienceMember("p1"))
    send_at = w.clock.now() + timedelta(hours=1)
    w.repository.put(
        announcement(state=AnnouncementState.SCHEDULED, send_at=send_at, started_at=None)
    )
    sender = w.sender()

    await sender.round()
    assert w.repository.rows[1].state is AnnouncementState.SCHEDULED

    w.clock.advance(hours=1)
    await sender.round()

    started = w.repository.rows[1]
    assert started.state is AnnouncementState.SENDING and started.started_at == send_at
    assert started.version == 4 and started.resolved  # started and resolved in one round
    assert w.repository.actions() == ["announcements.start"]


async def test_a_start_another_replica_saved_first_is_not_taken_again() -> None:
    w = world()
    w.directory.add_group("g1", AudienceMember("p1"))
    w.repository.put(announcement(state=AnnouncementState.SCHEDULED, started_at=None))
    w.repository.races.add(1)

    await w.sender().round()

    assert w.repository.actions() == []
    assert w.repository.snapshot_of(1) == []  # nothing done on what someone else took


# --- the author's status card --------------------------------------------------------------------
async def test_the_status_card_is_posted_then_edited_at_most_every_interval() -> None:
    w = world(status_seconds=5.0)
    w.directory.add_group("g1", *members("p", 3))
    w.people.locales[AUTHOR] = "en"
    w.repository.put(announcement())
    sender = w.sender()

    await sender.round()
    assert [m.dedupe_key for m in w.status_cards()] == ["ann:1:status:0"]
    first = w.status_cards()[0]
    assert (
        first.recipient_id == AUTHOR and first.replaces == "" and first.activity["locale"] == "en"
    )

    w.clock.advance(seconds=2)
    await sender.round()
    assert len(w.status_cards()) == 1  # too soon

    w.clock.advance(seconds=3)
    await sender.round()
    w.clock.advance(seconds=1)
    await sender.round()
    w.clock.advance(seconds=10)
    await sender.round()

    cards = w.status_cards()
    assert [m.dedupe_key for m in cards] == ["ann:1:status:0", "ann:1:status:1", "ann:1:status:3"]
    assert all(m.replaces == "ann:1:status:0" for m in cards[1:])
    assert cards[-1].activity["figures"].audience == 3


async def test_two_senders_in_the_same_slot_write_one_status_update() -> None:
    w = world(status_seconds=5.0)
    w.directory.add_group("g1", *members("p", 3))
    w.repository.put(announcement())
    one, two = w.sender(), w.sender()

    await one.round()
    await two.round()
    w.clock.advance(seconds=6)
    await one.round()
    await two.round()

    assert [m.dedupe_key for m in w.status_cards()] == ["ann:1:status:0", "ann:1:status:1"]


async def test_an_announcement_from_the_api_has_no_status_card() -> None:
    w = world()
    w.directory.add_group("g1", *members("p", 3))
    w.repository.put(announcement(source="power-automate"))

    await w.sender().round()

    assert w.status_cards() == []
