"""Dead letters and the Retry-After cap: what the sender sets aside, what it gives back, and how
long one connector answer may hold a tenant."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.platform.audit import Outcome
from bot.domain.platform.delivery import DeliveryOutcome, Verdict, honoured_retry_after
from bot.domain.platform.outbox import DeadReason, OutboxMessage, OutboxStatus
from bot.services.platform.audit import Auditor
from bot.services.platform.dead_letters import DeadLetters
from tests.support.clock import FakeClock
from tests.unit.fakes import MemoryAuditLog
from tests.unit.outbox.fakes import ScriptedDelivery
from tests.unit.outbox.test_sender import TENANT, Harness, retry

DAY = 86_400.0


async def crash_claims(harness: Harness, key: str, times: int) -> None:
    """What `times` senders killed mid-send leave behind: claims, each lease run out."""
    for _ in range(times):
        await harness.repo.claim(100, harness.clock.now(), 30.0)
        harness.clock.advance(seconds=31.0)
    assert harness.repo.by_key(key).status is OutboxStatus.IN_FLIGHT


async def test_a_message_that_keeps_killing_its_sender_is_set_aside_not_sent_again() -> None:
    harness = Harness(max_attempts=3)
    await harness.enqueue("poison")
    await crash_claims(harness, "poison", 3)
    await harness.enqueue("fine")
    harness.start()
    await harness.until_final()
    await harness.finish()
    poison = harness.repo.by_key("poison")
    assert poison.status is OutboxStatus.DEAD
    assert "no verdict after 3 attempts" in poison.last_error
    assert harness.delivery.keys() == ["fine"]  # the poison is never handed to Teams again
    assert harness.status("fine") is OutboxStatus.SENT
    assert harness.dead_letters == [("poison", DeadReason.NO_VERDICT)]


async def test_a_message_one_crash_short_of_the_cap_still_gets_its_last_attempt() -> None:
    harness = Harness(max_attempts=3)
    await harness.enqueue("m1")
    await crash_claims(harness, "m1", 2)
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert harness.status("m1") is OutboxStatus.SENT
    assert harness.repo.by_key("m1").attempts == 3
    assert harness.dead_letters == []


async def test_an_exception_in_every_send_ends_in_a_dead_letter_not_a_loop() -> None:
    delivery = ScriptedDelivery({"m1": [RuntimeError("boom")] * 10})
    harness = Harness(delivery, max_attempts=3)
    await harness.enqueue("m1")
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert delivery.keys() == ["m1"] * 3
    assert harness.status("m1") is OutboxStatus.DEAD
    assert harness.dead_letters == [("m1", DeadReason.KEPT_FAILING)]


async def test_a_refused_connector_host_is_set_aside_at_once() -> None:
    refused = DeliveryOutcome(Verdict.REFUSED, 0, error="connector host not allowed")
    delivery = ScriptedDelivery({"m1": [refused]})
    harness = Harness(delivery)
    await harness.enqueue("m1", "m2")
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert delivery.keys().count("m1") == 1  # not retried
    row = harness.repo.by_key("m1")
    assert (row.status, row.last_error) == (OutboxStatus.DEAD, "connector host not allowed")
    assert harness.dead_letters == [("m1", DeadReason.HOST_REFUSED)]
    assert harness.status("m2") is OutboxStatus.SENT


async def test_a_failing_dead_letter_report_does_not_stop_the_sender() -> None:
    harness = Harness(ScriptedDelivery({"m1": [retry(503)] * 5}), max_attempts=2)

    async def broken(message: OutboxMessage, why: DeadReason) -> None:
        raise ConnectionError("audit log away")

    harness.sender._on_dead_letter = broken
    await harness.enqueue("m1", "m2")
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert harness.status("m1") is OutboxStatus.DEAD
    assert harness.status("m2") is OutboxStatus.SENT


async def test_a_huge_retry_after_pauses_the_tenant_only_up_to_the_cap() -> None:
    delivery = ScriptedDelivery({"m1": [retry(429, retry_after=DAY)]})
    harness = Harness(delivery, concurrency=1, max_retry_after_seconds=0.3)
    await harness.enqueue("m1", "m2")
    harness.start()
    await harness.until(lambda: bool(harness.results))
    assert 0 < harness.sender.paused_for(TENANT) <= 0.3
    deferred = harness.repo.by_key("m1").not_before
    assert deferred is not None
    assert deferred <= harness.clock.now() + timedelta(seconds=0.3)
    await harness.until_final()  # within the test's patience: not a day
    await harness.finish()
    assert harness.status("m1") is OutboxStatus.SENT
    assert harness.status("m2") is OutboxStatus.SENT


async def test_a_retry_after_below_the_cap_is_honoured_in_full() -> None:
    assert honoured_retry_after(2.5, 60.0) == 2.5
    assert honoured_retry_after(DAY, 60.0) == 60.0
    assert honoured_retry_after(None, 60.0) is None


async def test_claims_left_undispatched_at_a_stop_are_given_back_with_their_attempts() -> None:
    # m1 is throttled for a long while: the others stay queued until the stop.
    delivery = ScriptedDelivery({"m1": [retry(429, retry_after=30.0)]})
    harness = Harness(delivery, concurrency=1)
    await harness.enqueue("m1", "m2", "m3")
    harness.start()
    await harness.until(lambda: bool(harness.results))
    await harness.finish()
    for key in ("m2", "m3"):
        row = harness.repo.by_key(key)
        assert (row.status, row.attempts, row.lease_until) == (OutboxStatus.PENDING, 0, None)
    assert harness.repo.by_key("m1").attempts == 1  # its attempt was made
    assert delivery.keys() == ["m1"]


async def test_a_claim_past_its_lease_margin_is_given_back_not_sent() -> None:
    # The tenant is paused longer than the lease allows: the claims are given back unused.
    delivery = ScriptedDelivery({"m1": [retry(429, retry_after=1.0)]})
    harness = Harness(delivery, concurrency=1, lease_seconds=0.5)
    await harness.enqueue("m1", "m2")
    harness.start()
    await harness.until_final()
    await harness.finish()
    assert harness.status("m2") is OutboxStatus.SENT
    assert harness.repo.released  # at least one claim came back uncounted
    assert harness.repo.by_key("m2").attempts == 1  # sent on its only counted attempt


async def test_a_dead_letter_is_counted_and_audited_with_ids_only() -> None:
    audit = MemoryAuditLog()
    counted: list[tuple[str, str]] = []
    letters = DeadLetters(Auditor(audit, FakeClock()), lambda q, r: counted.append((q, r)))
    harness = Harness()
    await harness.enqueue("m1")
    message = harness.repo.by_key("m1")
    await letters.outbox_message(message, DeadReason.KEPT_FAILING)
    assert counted == [("outbox", "kept_failing")]
    (entry,) = audit.entries
    assert (entry.action, entry.outcome, entry.object_id) == (
        "outbox.dead_letter",
        Outcome.FAILED,
        str(message.id),
    )
    assert entry.detail == {"reason": "kept_failing", "attempts": "0"}
    assert "m1" not in str(entry)  # not the message, its key or its text
