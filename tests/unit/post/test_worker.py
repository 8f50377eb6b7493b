"""The post worker: pending items routed, reminders and escalations once each, a daily purge."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, time, timedelta

import pytest

from bot.domain.platform.errors import StoreUnavailable
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.post.items import TRIAGE, Destination, DestinationKind, PostState
from bot.services.post.worker import PostWorker, PostWorkerSettings, Round
from tests.unit.post.fakes import (
    BRUSSELS,
    FINANCE_CHANNEL,
    FINANCE_TARGET,
    FRIDAY,
    LOTTE,
    MAILROOM_CHANNEL,
    THOMAS,
    TINE,
    PostWorld,
    make_world,
    metadata,
    person,
)


class FakeIntake:
    def __init__(self, pending: int = 0, failure: Exception | None = None) -> None:
        self.calls: list[int] = []
        self.pending = pending
        self.failure = failure

    async def route_pending(self, limit: int) -> int:
        self.calls.append(limit)
        if self.failure is not None:
            raise self.failure
        return self.pending


class Purges:
    def __init__(self) -> None:
        self.runs = 0

    async def __call__(self) -> None:
        self.runs += 1


def worker_for(
    world: PostWorld, intake: FakeIntake | None = None, purge: Purges | None = None
) -> PostWorker:
    return PostWorker(
        flow=world.flow,
        access=world.access,
        intake=intake or FakeIntake(),
        purge=purge or Purges(),
        settings=PostWorkerSettings(calendar=WorkingCalendar(BRUSSELS), route_batch=50),
        jitter=lambda: 0.0,
    )


# The days after Friday 27 November 2026, when the items are routed (at 10:00 Brussels time).
SATURDAY = date(2026, 11, 28)
MONDAY = date(2026, 11, 30)
TUESDAY = date(2026, 12, 1)
WEDNESDAY = date(2026, 12, 2)  # the third working day
NEXT_TUESDAY = date(2026, 12, 8)  # the seventh working day


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BRUSSELS)


def kinds(world: PostWorld, who: str) -> list[str]:
    """What each message to `who` was: "card" for the card announcing an item, else its kind."""
    parts = [m.dedupe_key.split(":") for m in world.items.messages_to(who)]
    return ["card" if part[2] == "card" else part[3] for part in parts]


async def test_a_reminder_after_three_working_days_across_a_weekend_then_an_escalation() -> None:
    world = make_world(start=FRIDAY)  # Friday 10:00
    item = world.add(person(LOTTE))
    worker = worker_for(world)
    # Monday and Tuesday are working days 1 and 2; Wednesday 10:00 is the third.
    for moment in (at(SATURDAY), at(MONDAY), at(TUESDAY), at(WEDNESDAY, 9, 59)):
        world.clock.set(moment)
        assert (await worker.run_once()).reminded == 0
    world.clock.set(at(WEDNESDAY))
    assert (await worker.run_once()).reminded == 1
    assert kinds(world, LOTTE) == ["reminder"]
    assert world.item(item.id).reminders_sent == 1
    # Once: the next rounds that day send nothing more.
    for minutes in (5, 60, 600):
        world.clock.set(at(WEDNESDAY) + timedelta(minutes=minutes))
        assert await worker.run_once() == Round()
    assert kinds(world, LOTTE) == ["reminder"]
    # Seven working days after routing: Thursday, Friday, Monday, Tuesday after the reminder.
    world.clock.set(at(NEXT_TUESDAY, 9, 59))
    assert (await worker.run_once()).escalated == 0
    world.clock.set(at(NEXT_TUESDAY))
    assert (await worker.run_once()).escalated == 1
    assert kinds(world, THOMAS) == ["escalation"]
    assert kinds(world, TINE) == ["escalation"]
    assert kinds(world, LOTTE) == ["reminder"]  # the addressee is not told again
    world.clock.set(at(NEXT_TUESDAY + timedelta(days=7)))
    await worker.run_once()
    assert len(world.items.messages) == 3
    assert world.items.actions() == ["post.remind", "post.escalate"]


async def test_the_reminder_goes_where_the_item_is() -> None:
    world = make_world(start=FRIDAY)
    world.add(Destination(DestinationKind.TEAM, FINANCE_TARGET))
    worker = worker_for(world)
    world.clock.set(at(WEDNESDAY))
    await worker.run_once()
    [reminder] = world.items.messages_to(FINANCE_CHANNEL)
    assert reminder.conversation_id == FINANCE_CHANNEL
    assert reminder.recipient_id == ""


async def test_an_item_without_an_entity_escalates_to_the_mailroom() -> None:
    world = make_world(start=FRIDAY)
    world.add(person(LOTTE), metadata=metadata(entity=""))
    worker = worker_for(world)
    world.clock.set(at(WEDNESDAY))
    await worker.run_once()
    world.clock.set(at(NEXT_TUESDAY))
    await worker.run_once()
    assert kinds(world, MAILROOM_CHANNEL) == ["escalation"]


async def test_handled_triage_and_fresh_items_are_left_alone() -> None:
    world = make_world(start=FRIDAY)
    world.add(person(LOTTE), PostState.HANDLED)
    world.add(TRIAGE, PostState.TRIAGE)
    worker = worker_for(world)
    world.clock.set(at(WEDNESDAY))
    fresh = world.add(person(LOTTE))  # routed just now
    assert (await worker.run_once()).reminded == 0
    assert world.item(fresh.id).reminders_sent == 0
    # Nothing routed less than a day ago is even asked for.
    before, _ = world.items.unhandled_calls[-1]
    assert before <= world.clock.now() - timedelta(days=1)


async def test_a_forwarded_item_starts_counting_again() -> None:
    world = make_world(start=FRIDAY)
    item = world.add(person(LOTTE))
    worker = worker_for(world)
    world.clock.set(at(WEDNESDAY))
    await worker.run_once()
    await world.desk.forward(world.viewer(LOTTE), item.id, THOMAS, "")
    assert world.item(item.id).reminders_sent == 0  # a new addressee, three new days
    world.clock.set(at(NEXT_TUESDAY - timedelta(days=4)))  # Friday: two working days
    await worker.run_once()
    assert kinds(world, THOMAS) == ["card"]  # the forwarded item's card, no reminder yet
    world.clock.set(at(NEXT_TUESDAY - timedelta(days=1)))  # Monday: the third
    await worker.run_once()
    assert kinds(world, THOMAS)[-1] == "reminder"
    assert world.item(item.id).reminders_sent == 1


async def test_a_race_with_a_click_skips_the_item_this_round() -> None:
    world = make_world(start=FRIDAY)
    item = world.add(person(LOTTE))
    worker = worker_for(world)
    world.items.races.add(item.id)
    world.clock.set(at(WEDNESDAY))
    assert (await worker.run_once()).reminded == 0
    assert world.items.messages == []
    assert (await worker.run_once()).reminded == 1


async def test_pending_items_are_routed_every_round() -> None:
    world = make_world()
    intake = FakeIntake(pending=2)
    worker = worker_for(world, intake)
    assert (await worker.run_once()).routed == 2
    await worker.run_once()
    assert intake.calls == [50, 50]


async def test_a_failing_step_does_not_stop_the_others() -> None:
    world = make_world(start=FRIDAY)
    world.add(person(LOTTE))
    purges = Purges()
    worker = worker_for(world, FakeIntake(failure=RuntimeError("database gone")), purges)
    world.clock.set(at(WEDNESDAY))
    done = await worker.run_once()
    assert done.routed == 0
    assert done.reminded == 1
    assert purges.runs == 1


async def test_the_purge_runs_once_a_day() -> None:
    world = make_world()
    purges = Purges()
    worker = worker_for(world, purge=purges)
    assert (await worker.run_once()).purged
    for hours in (1, 12, 23):
        world.clock.set(FRIDAY + timedelta(hours=hours))
        assert not (await worker.run_once()).purged
    world.clock.set(FRIDAY + timedelta(hours=24))
    assert (await worker.run_once()).purged
    world.clock.set(FRIDAY + timedelta(hours=30))
    await worker.run_once()
    assert purges.runs == 2


async def test_the_purge_waits_for_its_jitter() -> None:
    world = make_world()
    purges = Purges()
    worker = PostWorker(
        flow=world.flow,
        access=world.access,
        intake=FakeIntake(),
        purge=purges,
        settings=PostWorkerSettings(calendar=WorkingCalendar(BRUSSELS), purge_jitter_seconds=3600),
        jitter=lambda: 0.5,
    )
    await worker.run_once()
    assert purges.runs == 0  # due 30 minutes after start
    world.clock.set(FRIDAY + timedelta(minutes=30))
    await worker.run_once()
    assert purges.runs == 1
    world.clock.set(FRIDAY + timedelta(hours=24, minutes=30))
    await worker.run_once()
    assert purges.runs == 1  # a day and half an hour after the last run
    world.clock.set(FRIDAY + timedelta(hours=25))
    await worker.run_once()
    assert purges.runs == 2


async def test_run_stops_when_told() -> None:
    world = make_world()
    intake = FakeIntake()
    worker = worker_for(world, intake)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(0.01)
    stop.set()
    worker.wake()
    await asyncio.wait_for(task, 1)
    assert intake.calls


async def test_a_database_outage_is_one_warning_a_step_not_a_stack_trace(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = make_world()
    worker = worker_for(world, FakeIntake(failure=StoreUnavailable("connection refused")))
    with caplog.at_level(logging.WARNING, logger="bot.services.post.worker"):
        await worker.run_once()
    [outage] = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert outage.levelno == logging.WARNING and outage.exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
