"""How much post waits for a person, as the access card counts it: their own routed items that
are not handled, up to a cap."""

from __future__ import annotations

from bot.domain.access.open_work import OpenPost
from bot.domain.post.items import Destination, DestinationKind, PostState
from bot.services.post.open_items import COUNTED, OpenPostCount
from tests.unit.post.fakes import FINANCE_TARGET, JEF, LOTTE, make_world, person


async def test_counts_the_persons_own_post_that_waits() -> None:
    world = make_world()
    world.add(person(LOTTE))
    world.add(person(LOTTE))
    world.add(person(LOTTE), PostState.HANDLED)
    world.add(person(JEF))
    world.add(Destination(DestinationKind.TEAM, FINANCE_TARGET))
    world.add(Destination.triage(), PostState.TRIAGE)

    assert await OpenPostCount(world.items).open_post(LOTTE) == OpenPost(2)
    assert await OpenPostCount(world.items).open_post(JEF) == OpenPost(1)


async def test_nothing_waits() -> None:
    world = make_world()
    world.add(person(LOTTE), PostState.HANDLED)
    assert await OpenPostCount(world.items).open_post(LOTTE) == OpenPost(0)


async def test_the_count_stops_at_the_cap() -> None:
    world = make_world()
    for _ in range(4):
        world.add(person(LOTTE))
    source = OpenPostCount(world.items, counted=3)

    assert await source.open_post(LOTTE) == OpenPost(3, more=True)
    (query,) = world.items.queries
    assert query.limit == 4  # one more than counted: no more rows than needed


async def test_exactly_the_cap_is_no_more() -> None:
    world = make_world()
    for _ in range(COUNTED):
        world.add(person(LOTTE))
    assert await OpenPostCount(world.items).open_post(LOTTE) == OpenPost(COUNTED)
