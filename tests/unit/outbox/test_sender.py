"""The outbox sender against in-memory fakes of its ports."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import pytest

from bot.domain.platform.delivery import DeliveryOutcome, Verdict
from bot.domain.platform.outbox import (
    FINAL_STATUSES,
    DeadReason,
    NewOutboxMessage,
    OutboxMessage,
    OutboxStatus,
)
from bot.ports.platform import RateBudget
from bot.services.platform.outbox import OutboxSender
from bot.services.platform.outbox_notifier import OutboxNotifier
from bot.services.platform.rate import InMemoryRateBudget
from tests.support.clock import RunningClock
from tests.unit.outbox.fakes import (
    SENT,
    FakeOutboxRepository,
    ScriptedDelivery,
    UnlimitedBudget,
    eventually,
)

TENANT = "tenant-a"


def retry(status: int = 502, retry_after: float | None = None) -> DeliveryOutcome:
    return DeliveryOutcome(Verdict.RETRY, status=status, retry_after=retry_after, error="x")


def wait(original_due_in: float | None = None) -> DeliveryOutcome:
    return DeliveryOutcome(Verdict.WAIT, status=0, retry_after=original_due_in, error="waiting")


class Harness:
    def __init__(
        self,
        delivery: ScriptedDelivery | None = None,
        budget: RateBudget | None = None,
        **options: float,
    ) -> None:
        self.clock = RunningClock()
        self.repo = FakeOutboxRepository()
        self.delivery = delivery or ScriptedDelivery(monotonic=self.clock.monotonic)
        self.budget = budget or UnlimitedBudget()
        self.results: list[Verdict] = []
        self.dead_letters: list[tuple[str, DeadReason]] = []  # (dedupe key, why)
        settings: dict[str, float] = {
            "rate_per_second": 100.0,
            "concurrency": 4,
            "lease_seconds": 30.0,
            "max_attempts": 4,
            "idle_poll_seconds": 0.01,
            "backoff_base": 0.001,
            "backoff_cap": 0.01,
            "replace_wait_seconds": 0.001,
            "replace_wait_cap_seconds": 0.01,
            "max_waits": 8,
            "max_retry_after_seconds": 60.0,
        }
        settings.update(options)
        self.sender = OutboxSender(
            self.repo,
            self.budget,
            self.delivery,
            self.clock,
            rate_per_second=settings["rate_per_second"],
            concurrency=int(settings["concurrency"]),
            lease_seconds=settings["lease_seconds"],
            max_attempts=int(settings["max_attempts"]),
            idle_poll_seconds=settings["idle_poll_seconds"],
            backoff_base=settings["backoff_base"],
            backoff_cap=settings["backoff_cap"],
            replace_wait_seconds=settings["replace_wait_seconds"],
            replace_wait_cap_seconds=settings["replace_wait_cap_seconds"],
            max_waits=int(settings["max_waits"]),
            max_retry_after_seconds=settings["max_retry_after_seconds"],
            on_result=lambda verdict, _seconds: self.results.append(verdict),
            on_dead_letter=self._dead_letter,
            rng=random.Random(1),
            monotonic=self.clock.monotonic,
        )
        self.notifier = OutboxNotifier(self.repo, self.clock, on_enqueued=self.sender.wake)
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def enqueue(self, *keys: str, tenant: str = TENANT) -> None:
        for key in keys:
            await self.notifier.notify_user(tenant, f"user-{key}", {"text": key}, key)

    async def enqueue_replacement(self, key: str, replaces: str) -> None:
        await self.notifier.enqueue_many(
            [NewOutboxMessage(TENANT, key, {"text": key}, f"user-{key}", replaces=replaces)]
        )

    async def _dead_letter(self, message: OutboxMessage, why: DeadReason) -> None:
        self.dead_letters.append((message.dedupe_key, why))

    def start(self) -> None:
        self.task = asyncio.create_task(self.sender.run(self.stop))

    async def until(self, condition: Callable[[], bool]) -> None:
        await eventually(condition)

    async def until_final(self) -> None:
        await self.until(
            lambda: all(row.status in FINAL_STATUSES for row in self.repo.rows.values())
        )

    async def finish(self) -> None:
        self.stop.set()
        assert self.task is not None
        await self.task

    def status(self, key: str) -> OutboxStatus:
        return self.repo.by_key(key).status


async def test_delivers_every_queued_message_once() -> None:
    harness = Harness()
    await harness.enqueue(*[f"m{index}" for index in range(20)])
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert sorted(harness.delivery.keys()) == sorted(f"m{index}" for index in range(20))
    assert all(harness.status(f"m{index}") is OutboxStatus.SENT for index in range(20))
    assert harness.results == [Verdict.SENT] * 20


async def test_a_claimed_batch_is_prepared_before_its_messages_are_delivered() -> None:
    harness = Harness()
    await harness.enqueue(*[f"m{index}" for index in range(5)])
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert harness.delivery.prepared == [[f"m{index}" for index in range(5)]]


async def test_final_verdicts_are_stored_together_not_one_write_each() -> None:
    harness = Harness(concurrency=50)
    await harness.enqueue(*[f"m{index}" for index in range(50)])
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert sum(harness.repo.verdict_writes) == 50
    assert len(harness.repo.verdict_writes) < 50


async def test_a_retryable_failure_is_retried_until_sent() -> None:
    delivery = ScriptedDelivery({"m1": [retry(502), retry(504)]})
    harness = Harness(delivery)
    await harness.enqueue("m1")
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert harness.delivery.keys() == ["m1", "m1", "m1"]
    row = harness.repo.by_key("m1")
    assert row.status is OutboxStatus.SENT
    assert row.attempts == 3  # every claim is an attempt, the one that was sent too


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (DeliveryOutcome(Verdict.UNREACHABLE, 403, error="403 x"), OutboxStatus.UNREACHABLE),
        (DeliveryOutcome(Verdict.GONE, 404, error="404 x"), OutboxStatus.GONE),
        (DeliveryOutcome(Verdict.FAILED, 400, error="400 x"), OutboxStatus.FAILED),
    ],
)
async def test_final_verdicts_are_recorded_without_retry(
    outcome: DeliveryOutcome, status: OutboxStatus
) -> None:
    harness = Harness(ScriptedDelivery({"m1": [outcome]}))
    await harness.enqueue("m1", "m2")
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert harness.delivery.keys().count("m1") == 1
    assert harness.status("m1") is status
    assert harness.repo.by_key("m1").last_error == outcome.error
    assert harness.status("m2") is OutboxStatus.SENT


async def test_gives_up_after_max_attempts() -> None:
    delivery = ScriptedDelivery({"m1": [retry(503)] * 10})
    harness = Harness(delivery, max_attempts=3)
    await harness.enqueue("m1")
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert harness.delivery.keys() == ["m1"] * 3
    assert harness.status("m1") is OutboxStatus.DEAD
    assert harness.repo.by_key("m1").last_error.startswith("gave up after 3 attempts")


async def test_an_exception_in_delivery_does_not_stop_the_loop() -> None:
    delivery = ScriptedDelivery({"m1": [RuntimeError("boom")], "m2": [ValueError("bad")]})
    harness = Harness(delivery)
    await harness.enqueue("m1", "m2", "m3")
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert all(harness.status(key) is OutboxStatus.SENT for key in ("m1", "m2", "m3"))
    assert harness.repo.by_key("m1").attempts == 2  # the one that raised counted


async def test_a_failing_verdict_write_is_retried() -> None:
    harness = Harness()
    harness.repo.fail_next_writes = 1
    await harness.enqueue("m1")
    # the sender waits about a second between write attempts
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert harness.status("m1") is OutboxStatus.SENT
    assert harness.delivery.keys() == ["m1"]


async def test_a_429_pauses_the_whole_tenant_for_retry_after() -> None:
    delivery = ScriptedDelivery({"m1": [retry(429, retry_after=0.3)]})
    harness = Harness(delivery, concurrency=1)
    await harness.enqueue("m1", "m2", "m3", "m4")
    await harness.enqueue("b1", "b2", tenant="tenant-b")
    harness.start()
    await harness.until_final()
    await harness.finish()
    calls = delivery.calls
    throttled_at = next(at for tenant, key, at in calls if key == "m1")
    later_same_tenant = [at for tenant, key, at in calls if tenant == TENANT and at > throttled_at]
    assert len(later_same_tenant) == 4  # m1 again, m2, m3, m4
    assert all(at >= throttled_at + 0.3 for at in later_same_tenant)
    assert all(harness.status(key) is OutboxStatus.SENT for key in ("m1", "m2", "m3", "m4"))
    # the other tenant is not held back by tenant-a's throttling
    other = [at for tenant, _, at in calls if tenant == "tenant-b"]
    assert len(other) == 2
    assert all(at < throttled_at + 0.3 for at in other)


async def test_a_429_without_retry_after_still_pauses_the_tenant() -> None:
    delivery = ScriptedDelivery({"m1": [retry(429)]})
    harness = Harness(delivery, concurrency=1)
    await harness.enqueue("m1")
    harness.start()
    await harness.until(lambda: len(delivery.calls) == 1 and bool(harness.results))
    assert harness.sender.paused_for(TENANT) > 0
    await harness.until_final()
    await harness.finish()
    assert harness.status("m1") is OutboxStatus.SENT


async def test_spends_one_token_per_connector_request() -> None:
    # the first five had to open the personal chat first: two requests each
    delivery = ScriptedDelivery(requests={f"m{index}": 2 for index in range(5)})
    budget = UnlimitedBudget()
    harness = Harness(delivery, budget)
    await harness.enqueue(*[f"m{index}" for index in range(10)])
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert budget.granted[TENANT] == 15


async def test_sends_no_faster_than_the_budget_allows() -> None:
    budget = InMemoryRateBudget(200.0, burst=1)
    budget_grants = 0
    original = budget.acquire

    async def counting(tenant_id: str, wanted: int) -> int:
        nonlocal budget_grants
        granted = await original(tenant_id, wanted)
        budget_grants += granted
        return granted

    budget.acquire = counting  # type: ignore[method-assign]
    harness = Harness(budget=budget, rate_per_second=200.0)
    await harness.enqueue(*[f"m{index}" for index in range(30)])
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert len(harness.delivery.calls) == 30
    assert budget_grants == 30


async def test_wake_starts_delivery_without_waiting_for_the_idle_poll() -> None:
    harness = Harness(idle_poll_seconds=60.0)
    harness.start()
    await asyncio.sleep(0.05)  # the sender found nothing and idles
    await harness.enqueue("m1")
    await harness.until_final()
    await harness.finish()
    assert harness.delivery.keys() == ["m1"]


async def test_a_message_whose_lease_ran_out_while_waiting_is_not_sent_late() -> None:
    budget = UnlimitedBudget()
    budget.closed = True
    harness = Harness(budget=budget, lease_seconds=10.0)
    await harness.enqueue("m1")
    harness.start()
    await harness.until(lambda: harness.repo.claimed == [1])
    harness.clock.advance(seconds=11.0)  # the lease expired while no token came
    budget.closed = False
    await harness.until_final()
    await harness.finish()
    # it was claimed again (a new lease) before it went out, and went out once
    assert harness.repo.claimed == [1, 1]
    assert harness.delivery.keys() == ["m1"]


async def test_stop_lets_in_flight_deliveries_finish() -> None:
    harness = Harness(ScriptedDelivery(latency=0.05), concurrency=8)
    await harness.enqueue(*[f"m{index}" for index in range(8)])
    harness.start()
    await harness.until(lambda: len(harness.delivery.calls) == 8)
    await harness.finish()
    assert all(harness.status(f"m{index}") is OutboxStatus.SENT for index in range(8))


async def test_cancelling_abandons_in_flight_deliveries_for_a_later_claim() -> None:
    harness = Harness(ScriptedDelivery(latency=30.0), concurrency=2, lease_seconds=5.0)
    await harness.enqueue("m1", "m2")
    harness.start()
    await harness.until(lambda: len(harness.delivery.calls) == 2)
    assert harness.task is not None
    harness.task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await harness.task
    assert {row.status for row in harness.repo.rows.values()} == {OutboxStatus.IN_FLIGHT}

    harness.clock.advance(seconds=6.0)
    successor = Harness(ScriptedDelivery())
    successor.repo, successor.clock = harness.repo, harness.clock
    successor.sender = OutboxSender(
        harness.repo,
        UnlimitedBudget(),
        successor.delivery,
        harness.clock,
        rate_per_second=100,
        concurrency=2,
        lease_seconds=5.0,
        max_attempts=3,
        idle_poll_seconds=0.01,
        monotonic=harness.clock.monotonic,
    )
    successor.start()
    await successor.until_final()
    await successor.finish()
    assert sorted(successor.delivery.keys()) == ["m1", "m2"]


async def test_notifier_skips_a_dedupe_key_seen_before_and_wakes_the_sender() -> None:
    clock = RunningClock()
    repo = FakeOutboxRepository()
    woken: list[bool] = []
    notifier = OutboxNotifier(repo, clock, on_enqueued=lambda: woken.append(True))
    assert await notifier.notify_user(TENANT, "u1", {"text": "hallo"}, "k1") is True
    assert await notifier.notify_user(TENANT, "u1", {"text": "hallo"}, "k1") is False
    assert woken == [True]
    assert await notifier.post_to_conversation(TENANT, "19:c@thread", "http://s/", {}, "k2")
    row = repo.by_key("k2")
    assert (row.conversation_id, row.service_url, row.recipient_id) == (
        "19:c@thread",
        "http://s/",
        "",
    )


async def test_enqueue_many_writes_in_chunks_and_counts_the_new_ones() -> None:
    repo = FakeOutboxRepository()
    notifier = OutboxNotifier(repo, RunningClock())
    messages = [
        NewOutboxMessage(TENANT, f"k{index}", {"text": "x"}, recipient_id=f"u{index}")
        for index in range(1203)
    ]
    assert await notifier.enqueue_many(messages) == 1203
    assert await notifier.enqueue_many(messages[:10]) == 0
    assert len(repo.rows) == 1203


def test_sent_constant_is_a_sent_outcome() -> None:
    assert SENT.verdict is Verdict.SENT


async def test_the_teams_message_id_of_a_sent_message_is_recorded() -> None:
    delivery = ScriptedDelivery({"m1": [DeliveryOutcome(Verdict.SENT, 201, activity_id="1:a")]})
    harness = Harness(delivery)
    await harness.enqueue("m1")
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert harness.repo.by_key("m1").activity_id == "1:a"


async def test_a_waiting_replacement_is_looked_at_again_without_giving_up() -> None:
    # more waits than max_attempts: waits have their own allowance
    delivery = ScriptedDelivery({"r1": [wait(), wait(), wait(), wait()]})
    harness = Harness(delivery, max_attempts=3, max_waits=8)
    await harness.enqueue_replacement("r1", replaces="m1")
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert harness.delivery.keys() == ["r1"] * 5
    assert harness.status("r1") is OutboxStatus.SENT
    assert harness.results == [Verdict.WAIT] * 4 + [Verdict.SENT]


async def test_waiting_leaves_a_replacement_its_normal_attempts_for_the_edit() -> None:
    # waited twice, then the edit failed twice: a plain message would have given up at 3
    delivery = ScriptedDelivery({"r1": [wait(), wait(), retry(502), retry(503)]})
    harness = Harness(delivery, max_attempts=3, max_waits=2)
    await harness.enqueue_replacement("r1", replaces="m1")
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert harness.status("r1") is OutboxStatus.SENT
    assert harness.repo.by_key("r1").attempts == 5  # two waits, two failures, the edit


async def test_a_replacement_whose_original_never_settles_gives_up() -> None:
    delivery = ScriptedDelivery({"r1": [wait()] * 50})
    harness = Harness(delivery, max_attempts=2, max_waits=3)
    await harness.enqueue_replacement("r1", replaces="m1")
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert harness.delivery.keys() == ["r1"] * 5
    assert harness.status("r1") is OutboxStatus.DEAD
    assert harness.repo.by_key("r1").last_error == "gave up after 5 attempts: waiting"


async def test_a_replacement_waits_at_least_until_its_deferred_original_is_due() -> None:
    delivery = ScriptedDelivery({"r1": [wait(original_due_in=0.3)]})
    harness = Harness(delivery)
    await harness.enqueue_replacement("r1", replaces="m1")
    harness.start()
    await harness.until_final()
    await harness.finish()
    first, second = (at for _, _, at in delivery.calls)
    assert second - first >= 0.3


async def test_a_wait_does_not_pause_the_tenant() -> None:
    delivery = ScriptedDelivery({"r1": [wait(original_due_in=5.0)]})
    harness = Harness(delivery, concurrency=1)
    await harness.enqueue_replacement("r1", replaces="m1")
    await harness.enqueue("m2", "m3")
    harness.start()
    await harness.until(lambda: harness.status("m3") is OutboxStatus.SENT)
    assert harness.sender.paused_for(TENANT) == 0.0
    assert harness.repo.by_key("r1").status is OutboxStatus.PENDING  # still waiting
    await harness.finish()
