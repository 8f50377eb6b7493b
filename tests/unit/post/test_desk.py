"""The post desk on the in-memory fakes: the access rule, and each step an item can take."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError, Forbidden
from bot.domain.platform.roles import Role
from bot.domain.post.items import (
    TRIAGE,
    AcknowledgementRequired,
    Destination,
    DestinationKind,
    DocumentType,
    PostState,
    item_card_key,
)
from bot.domain.post.routing import Delegation, RoutingRule
from bot.services.post.listing import PostFilters, Scope
from tests.unit.post.fakes import (
    ELISE,
    FINANCE_TARGET,
    JEF,
    LOTTE,
    MAILROOM_CHANNEL,
    MAILROOM_CLERK,
    NORA,
    SOFIE,
    THOMAS,
    PostWorld,
    make_world,
    metadata,
    person,
)

TEAM = Destination(DestinationKind.TEAM, FINANCE_TARGET)
ADV_QUEUE = Destination(DestinationKind.ENTITY, "ADV")


def delegate(world: PostWorld, user: str, to: str, days: int = 10) -> None:
    today = world.access.today()
    world.delegations.rows[len(world.delegations.rows) + 1] = Delegation(
        user, to, today, today + timedelta(days=days), user, world.clock.now(), id=99
    )


# --- the access rule ---------------------------------------------------------------------------
# (who, extra roles, where the item is, may see, may act)
RULE = [
    pytest.param(LOTTE, (), person(LOTTE), True, True, id="addressee"),
    pytest.param(JEF, (), person(LOTTE), True, True, id="delegate"),
    pytest.param(NORA, (), TEAM, True, True, id="team member"),
    pytest.param(SOFIE, (), person(LOTTE), False, False, id="other staff"),
    pytest.param(NORA, (), person(LOTTE), False, False, id="team member, not her item"),
    pytest.param(SOFIE, (), TEAM, False, False, id="not in the team"),
    pytest.param(MAILROOM_CLERK, (Role.MAILROOM,), person(LOTTE), True, False, id="mailroom"),
    pytest.param(MAILROOM_CLERK, (Role.MAILROOM,), TRIAGE, True, True, id="mailroom, triage"),
    pytest.param(SOFIE, (), TRIAGE, False, False, id="staff, triage"),
    pytest.param(THOMAS, (), person(LOTTE), True, True, id="entity admin of the item"),
    pytest.param(THOMAS, (), ADV_QUEUE, True, True, id="entity admin, entity queue"),
    pytest.param(ELISE, (), person(LOTTE), False, False, id="admin of another entity"),
    pytest.param(ELISE, (), ADV_QUEUE, False, False, id="other entity's queue"),
    pytest.param(SOFIE, (Role.ADMIN,), person(LOTTE), True, True, id="werkplek admin"),
]


@pytest.mark.parametrize(("who", "roles", "where", "sees", "acts"), RULE)
async def test_the_access_rule(
    who: str, roles: tuple[Role, ...], where: Destination, sees: bool, acts: bool
) -> None:
    world = make_world()
    delegate(world, LOTTE, JEF)
    state = PostState.TRIAGE if where.kind is DestinationKind.TRIAGE else PostState.ROUTED
    item = world.add(where, state)
    standing = world.access.standing(world.viewer(who, *roles))
    assert await world.access.may_see(standing, item) is sees
    assert await world.access.holds(standing, item) is acts
    if sees:
        opened = await world.desk.open_scan(world.viewer(who, *roles), item.id)
        assert opened.url.startswith("https://werkplek.example/")
    else:
        with pytest.raises(Forbidden):
            await world.desk.open_scan(world.viewer(who, *roles), item.id)


async def test_a_second_user_cannot_open_its_scan() -> None:
    world = make_world()
    item = world.add(person(LOTTE))
    with pytest.raises(Forbidden) as refused:
        await world.desk.open_scan(world.viewer(SOFIE), item.id)
    assert refused.value.message_key == "post.error.no_access"
    assert world.links.made == []  # no link was made for her
    assert not [e for e in world.audit_log.entries if e.action == "post.scan.view"]
    # An id that does not exist is refused the same way: ids tell nothing.
    with pytest.raises(Forbidden) as unknown:
        await world.desk.open_scan(world.viewer(SOFIE), 4242)
    assert unknown.value.message_key == "post.error.no_access"


async def test_every_view_of_a_scan_is_audited_and_the_link_is_for_the_viewer() -> None:
    world = make_world()
    item = world.add(person(LOTTE))
    opened = await world.desk.open_scan(world.viewer(LOTTE), item.id)
    assert world.links.made == [(item.id, LOTTE)]
    assert opened.minutes == 10
    views = [e for e in world.audit_log.entries if e.action == "post.scan.view"]
    assert len(views) == 1
    assert views[0].actor_id == LOTTE
    assert views[0].object_id == item.reference
    assert views[0].outcome is Outcome.OK
    await world.desk.open_scan(world.viewer(THOMAS), item.id)
    assert len([e for e in world.audit_log.entries if e.action == "post.scan.view"]) == 2


async def test_a_deleted_scan_cannot_be_opened() -> None:
    world = make_world()
    item = world.add(
        person(LOTTE), PostState.HANDLED, scan_deleted_at=world.clock.now(), handled_by=LOTTE
    )
    with pytest.raises(DomainError) as gone:
        await world.desk.open_scan(world.viewer(LOTTE), item.id)
    assert gone.value.message_key == "post.error.scan_deleted"
    assert world.links.made == []


async def test_the_addressee_of_a_delegated_item_still_sees_it_while_the_delegate_has_it() -> None:
    world = make_world()
    item = world.add(person(JEF), delegated_from=LOTTE)
    assert (await world.desk.look(world.viewer(LOTTE), item.id)).act
    forwarded = await world.desk.forward(world.viewer(JEF), item.id, NORA, "")
    assert forwarded.item.destination == person(NORA)
    with pytest.raises(Forbidden):
        await world.desk.look(world.viewer(LOTTE), item.id)


async def test_the_mailroom_may_see_but_not_handle_a_persons_item() -> None:
    world = make_world()
    item = world.add(person(LOTTE))
    with pytest.raises(Forbidden) as refused:
        await world.desk.handle(world.viewer(MAILROOM_CLERK, Role.MAILROOM), item.id)
    assert refused.value.message_key == "post.error.not_holder"
    assert world.item(item.id).state is PostState.ROUTED


# --- acknowledging and handling ------------------------------------------------------------------
async def test_a_registered_item_is_acknowledged_before_it_is_handled() -> None:
    world = make_world()
    item = world.add(metadata=metadata(document_type=DocumentType.REGISTERED, registered=True))
    with pytest.raises(AcknowledgementRequired):
        await world.desk.handle(world.viewer(LOTTE), item.id)
    assert world.item(item.id).state is PostState.ROUTED
    world.clock.advance(minutes=5)
    seen = await world.desk.acknowledge(world.viewer(LOTTE), item.id)
    assert seen.changed
    assert seen.item.acknowledged_by == LOTTE
    assert seen.item.acknowledged_at == world.clock.now()
    again = await world.desk.acknowledge(world.viewer(JEF, Role.ADMIN), item.id)
    assert not again.changed
    assert again.item.acknowledged_by == LOTTE  # the first acknowledgement stays
    handled = await world.desk.handle(world.viewer(LOTTE), item.id)
    assert handled.item.state is PostState.HANDLED
    assert world.items.actions() == ["post.acknowledge", "post.handle"]


async def test_a_legal_item_needs_acknowledgement_too() -> None:
    world = make_world()
    item = world.add(metadata=metadata(document_type=DocumentType.LEGAL))
    with pytest.raises(AcknowledgementRequired):
        await world.desk.handle(world.viewer(LOTTE), item.id)


async def test_handling_updates_the_card_in_place() -> None:
    world = make_world()
    item = world.add(person(LOTTE))
    await world.desk.handle(world.viewer(LOTTE), item.id)
    [update] = world.items.messages_to(LOTTE)
    assert update.replaces == item_card_key(item.id, LOTTE, item.card_version)
    assert world.items.audit[-1].detail["to"] == "handled"


# --- forwarding, not for me, the original --------------------------------------------------------
async def test_forward_to_a_colleague_with_a_note() -> None:
    world = make_world()
    item = world.add(person(LOTTE))
    seen = await world.desk.forward(world.viewer(LOTTE), item.id, JEF, "  Kan jij dit opvolgen? ")
    after = world.item(item.id)
    assert after.destination == person(JEF)
    assert after.forwarded_by == LOTTE
    assert after.note == "Kan jij dit opvolgen?"
    assert not seen.act  # Lotte no longer holds it
    assert seen.names[LOTTE] == "Lotte Janssens"
    [update] = world.items.messages_to(LOTTE)
    assert update.replaces == item_card_key(item.id, LOTTE, item.card_version)
    [told] = world.items.messages_to(JEF)
    assert told.replaces == ""
    assert told.dedupe_key == item_card_key(item.id, JEF, after.card_version)  # edited later
    assert "Lotte Janssens" in str(told.activity)  # the notice says who forwarded it
    assert world.items.audit[-1].action == "post.forward"
    with pytest.raises(Forbidden):
        await world.desk.look(world.viewer(LOTTE), item.id)


async def test_forward_to_nobody_or_to_the_same_person_is_refused() -> None:
    world = make_world()
    item = world.add(person(LOTTE))
    for target, key in (
        ("", "post.error.unknown_person"),
        ("nobody-1", "post.error.unknown_person"),
    ):
        with pytest.raises(DomainError) as problem:
            await world.desk.forward(world.viewer(LOTTE), item.id, target, "")
        assert problem.value.message_key == key
    with pytest.raises(DomainError) as same:
        await world.desk.forward(world.viewer(LOTTE), item.id, LOTTE, "")
    assert same.value.message_key == "post.error.same_person"
    assert world.items.messages == []


async def test_not_for_me_sends_it_back_to_triage_with_the_reason() -> None:
    world = make_world()
    item = world.add(person(LOTTE))
    with pytest.raises(DomainError) as empty:
        await world.desk.not_for_me(world.viewer(LOTTE), item.id, "  ")
    assert empty.value.message_key == "post.error.reason_needed"
    seen = await world.desk.not_for_me(world.viewer(LOTTE), item.id, "Ik werk niet meer bij HR")
    assert seen.item.state is PostState.TRIAGE
    assert seen.item.destination == TRIAGE
    assert seen.item.triage_reason == "Ik werk niet meer bij HR"
    [card] = world.items.messages_to(MAILROOM_CHANNEL)
    assert card.dedupe_key == item_card_key(item.id, MAILROOM_CHANNEL, seen.item.card_version)
    assert card.service_url == "https://smba.example/emea/"
    # The audit line keeps ids and states, never the person's words.
    assert "Ik werk" not in str(world.items.audit[-1])


async def test_the_original_is_asked_for_once() -> None:
    world = make_world()
    item = world.add(person(LOTTE))
    first = await world.desk.request_original(world.viewer(LOTTE), item.id)
    assert first.changed
    again = await world.desk.request_original(world.viewer(LOTTE), item.id)
    assert not again.changed
    tasks = [
        m for m in world.items.messages_to(MAILROOM_CHANNEL) if "original_requested" in m.dedupe_key
    ]
    assert len(tasks) == 1
    assert world.items.actions() == ["post.original"]


async def test_the_mailroom_routes_a_triage_item_to_a_person() -> None:
    world = make_world()
    item = world.add(TRIAGE, PostState.TRIAGE, triage_reason="post.reason.ambiguous")
    with pytest.raises(Forbidden) as refused:
        await world.desk.route_from_triage(world.viewer(LOTTE), item.id, SOFIE)
    assert refused.value.message_key == "post.error.mailroom_only"
    seen = await world.desk.route_from_triage(
        world.viewer(MAILROOM_CLERK, Role.MAILROOM), item.id, SOFIE
    )
    assert seen.item.state is PostState.ROUTED
    assert seen.item.destination == person(SOFIE)
    assert seen.item.addressee_id == SOFIE
    assert seen.suggest_rule  # the mailroom may turn it into a rule now
    [update] = world.items.messages_to(MAILROOM_CHANNEL)
    assert update.replaces == item_card_key(item.id, MAILROOM_CHANNEL, item.card_version)
    [told] = world.items.messages_to(SOFIE)
    assert told.dedupe_key == item_card_key(item.id, SOFIE, seen.item.card_version)
    assert "New mail" in str(told.activity)  # Sofie reads English
    assert world.items.audit[-1].detail["via"] == "mailroom"


async def test_routing_from_triage_follows_the_persons_delegation() -> None:
    world = make_world()
    delegate(world, SOFIE, JEF)
    item = world.add(TRIAGE, PostState.TRIAGE)
    seen = await world.desk.route_from_triage(
        world.viewer(MAILROOM_CLERK, Role.MAILROOM), item.id, SOFIE
    )
    assert seen.item.destination == person(JEF)
    assert seen.item.delegated_from == SOFIE
    assert world.items.audit[-1].detail["delegated_from"] == SOFIE
    assert world.items.messages_to(JEF)


def leave(world: PostWorld, user: str) -> None:
    """The person's account is disabled (they left or are suspended)."""
    world.directory.users[user] = replace(world.directory.users[user], account_enabled=False)


async def test_post_is_not_sent_by_hand_to_someone_who_left() -> None:
    world = make_world()
    leave(world, SOFIE)
    mine = world.add(person(LOTTE))
    with pytest.raises(DomainError) as forwarding:
        await world.desk.forward(world.viewer(LOTTE), mine.id, SOFIE, "")
    assert forwarding.value.message_key == "post.error.person_inactive"
    waiting = world.add(TRIAGE, PostState.TRIAGE)
    with pytest.raises(DomainError) as routing:
        await world.desk.route_from_triage(
            world.viewer(MAILROOM_CLERK, Role.MAILROOM), waiting.id, SOFIE
        )
    assert routing.value.message_key == "post.error.person_inactive"
    assert world.item(mine.id) == mine and world.item(waiting.id) == waiting
    assert world.items.messages == []


async def test_routing_from_triage_skips_a_delegate_who_left() -> None:
    world = make_world()
    delegate(world, SOFIE, JEF)
    leave(world, JEF)
    item = world.add(TRIAGE, PostState.TRIAGE)
    seen = await world.desk.route_from_triage(
        world.viewer(MAILROOM_CLERK, Role.MAILROOM), item.id, SOFIE
    )
    assert seen.item.destination == person(SOFIE)
    assert seen.item.delegated_from == ""
    assert not world.items.messages_to(JEF)


# --- rule suggestions ----------------------------------------------------------------------------
async def test_a_routed_item_becomes_a_rule_suggestion_at_the_end_of_the_list() -> None:
    world = make_world()
    item = world.add(person(SOFIE), rule_id="", addressee_id=SOFIE)
    rule = await world.desk.suggest_rule(world.viewer(MAILROOM_CLERK, Role.MAILROOM), item.id)
    assert rule.id == "R-002"
    assert rule.position == 2
    assert rule.destination == person(SOFIE)
    assert [r.id for r in world.rules.rules] == ["R-001", "R-002"]
    [line] = [e for e in world.audit_log.entries if e.action == "post.rule.suggest"]
    assert line.object_id == "R-002"
    assert line.detail["item"] == item.reference


async def test_who_may_suggest_a_rule() -> None:
    world = make_world()
    item = world.add(person(LOTTE), rule_id="")  # an ADV item
    with pytest.raises(Forbidden):
        await world.desk.suggest_rule(world.viewer(LOTTE), item.id)
    with pytest.raises(Forbidden):
        await world.desk.suggest_rule(world.viewer(ELISE), item.id)  # DOMG's admin
    rule = await world.desk.suggest_rule(world.viewer(THOMAS), item.id)  # ADV's admin
    assert rule in world.rules.rules
    triage = world.add(TRIAGE, PostState.TRIAGE)
    with pytest.raises(DomainError) as early:
        await world.desk.suggest_rule(world.viewer(MAILROOM_CLERK, Role.MAILROOM), triage.id)
    assert early.value.message_key == "post.error.rule_needs_routed"


async def test_the_team_list_follows_a_suggested_team_rule_within_the_cache_time() -> None:
    world = make_world()
    other = "7a7a7a7a-0000-4000-8000-000000000001|19:other@thread.tacv2"
    world.rules.rules.append(RoutingRule("R-009", 9, Destination(DestinationKind.TEAM, other)))
    world.access.forget_rules()
    assert "7a7a7a7a-0000-4000-8000-000000000001" in await world.access.team_groups()


# --- lists -------------------------------------------------------------------------------------
async def test_my_open_items_newest_first_and_paged() -> None:
    world = make_world()
    for hours in range(7):
        received = world.clock.now() - timedelta(hours=hours + 1)
        world.add(metadata=metadata(external_id=f"s{hours}", received_at=received))
    world.add(person(SOFIE))
    world.add(person(LOTTE), PostState.HANDLED)
    page = await world.desk.list_items(world.viewer(LOTTE), PostFilters())
    assert len(page.items) == 5
    assert page.has_more
    newest_first = [i.metadata.received_at for i in page.items]
    assert newest_first == sorted(newest_first, reverse=True)
    second = await world.desk.list_items(world.viewer(LOTTE), PostFilters(), offset=5)
    assert len(second.items) == 2
    assert not second.has_more
    everything = await world.desk.list_items(world.viewer(LOTTE), PostFilters(Scope.ALL), 5)
    assert len(everything.items) == 3


async def test_the_list_covers_my_teams_my_entities_and_triage() -> None:
    world = make_world()
    team = world.add(TEAM)
    queue = world.add(ADV_QUEUE)
    triage = world.add(TRIAGE, PostState.TRIAGE)
    world.add(person(LOTTE))
    nora = await world.desk.list_items(world.viewer(NORA), PostFilters())
    assert [i.id for i in nora.items] == [team.id]
    thomas = await world.desk.list_items(world.viewer(THOMAS), PostFilters())
    assert [i.id for i in thomas.items] == [queue.id]
    clerk = await world.desk.list_items(world.viewer(MAILROOM_CLERK, Role.MAILROOM), PostFilters())
    assert [i.id for i in clerk.items] == [triage.id]
    sofie = await world.desk.list_items(world.viewer(SOFIE), PostFilters())
    assert sofie.items == ()


async def test_filters_reach_the_query() -> None:
    world = make_world()
    registered = world.add(metadata=metadata(external_id="r", registered=True))
    world.add(metadata=metadata(external_id="old", received_at=world.clock.now() - timedelta(7)))
    found = await world.desk.list_items(world.viewer(LOTTE), PostFilters(registered=True))
    assert [i.id for i in found.items] == [registered.id]
    week = await world.desk.list_items(world.viewer(LOTTE), PostFilters(this_week=True))
    query = world.items.queries[-1]
    assert query.received_since is not None
    assert query.received_since.isoformat() == "2026-11-23T00:00:00+01:00"  # Monday
    assert len(week.items) == 1
    search = await world.desk.list_items(world.viewer(LOTTE), PostFilters(search="fluvius"))
    assert len(search.items) == 2


# --- delegations -------------------------------------------------------------------------------
async def test_delegations_are_added_listed_and_cancelled() -> None:
    world = make_world()
    lotte = world.viewer(LOTTE)
    today = world.access.today()
    stored = await world.desk.add_delegation(lotte, JEF, today, today + timedelta(days=14))
    assert [d.id for d in await world.desk.delegations(lotte)] == [stored.id]
    with pytest.raises(DomainError) as overlap:
        await world.desk.add_delegation(
            lotte, NORA, today + timedelta(days=3), today + timedelta(5)
        )
    assert overlap.value.message_key == "post.delegation.error.overlap"
    with pytest.raises(Forbidden):
        await world.desk.cancel_delegation(world.viewer(JEF), stored.id)
    await world.desk.cancel_delegation(lotte, stored.id)
    assert await world.desk.delegations(lotte) == []
    actions = [e.action for e in world.audit_log.entries]
    assert actions == ["post.delegation.add", "post.delegation.cancel"]
    assert world.audit_log.entries[0].detail["delegate"] == JEF


@pytest.mark.parametrize(
    ("who", "starts", "ends", "key"),
    [
        (LOTTE, 0, 3, "post.delegation.error.self"),
        (JEF, 5, 3, "post.delegation.error.order"),
        (JEF, -9, -2, "post.delegation.error.past"),
        (JEF, 0, 400, "post.delegation.error.too_long"),
        ("nobody-1", 0, 3, "post.error.unknown_person"),
    ],
)
async def test_delegations_that_make_no_sense_are_refused(
    who: str, starts: int, ends: int, key: str
) -> None:
    world = make_world()
    today = world.access.today()
    with pytest.raises(DomainError) as refused:
        await world.desk.add_delegation(
            world.viewer(LOTTE), who, today + timedelta(starts), today + timedelta(ends)
        )
    assert refused.value.message_key == key
    assert world.delegations.rows == {}


async def test_a_delegation_that_started_yesterday_starts_today() -> None:
    world = make_world()
    today = world.access.today()
    stored = await world.desk.add_delegation(
        world.viewer(LOTTE), JEF, today - timedelta(days=1), today + timedelta(days=2)
    )
    assert stored.starts == today == date(2026, 11, 27)
