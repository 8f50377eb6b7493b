"""Every proactive message goes through the outbox: services enqueue, one sender loop delivers.

`OutboxNotifier` (outbox_notifier) is the Notifier the services use (it only writes outbox rows).
`OutboxSender` drains the outbox: it claims due messages with a lease, delivers them with bounded
concurrency, lets each connector request through only with a token of the tenant-wide rate budget
and within its own per-tenant sliding window (outbox_permits), and records each verdict
(outbox_verdicts).

Delivery guarantees: a message is sent at least once and, in practice, exactly once; it can be
sent twice only when a sender dies between the connector accepting it and the verdict being
stored (its lease then expires and another sender claims it again). A claimed message whose
lease is about to run out before its turn comes (within a fifth of the lease of its end) is left
alone rather than sent late, so two live senders never deliver the same message as long as a
connector request cannot outlast that fifth (the adapter's request timeout is shorter).

A message that `replaces` an earlier one edits that Teams message (the Delivery does the lookup
and the PUT, under the same permits as a send). While the original is still pending or in flight
the Delivery answers WAIT and the replacement goes back to pending, to look again after
`replace_wait_seconds`, doubling up to `replace_wait_cap_seconds`, and never before the original's
own next attempt. Every such wait counts as an attempt (its claim was one), so a replacement
is allowed `max_waits` attempts on top of `max_attempts` (default: twice max_attempts): an
original lives at most max_attempts attempts, and each costs its replacement about one wait
aligned to its retry and one while it is in flight. A replacement that waited briefly, the usual
case, thus keeps its whole normal budget for the edit itself; one whose original never settles
is set aside (DEAD) once both are spent, instead of waiting forever (say, two messages that
replace each other).

Attempts are counted by the claim, before the send (bot.domain.platform.outbox): a message whose
sender dies each time it is sent (a crash, an out-of-memory kill) comes back after its lease with
one more attempt counted, and once its attempts are spent it is set aside (DEAD, NO_VERDICT) the
moment it is claimed again, not sent once more. A claim that sends nothing (its lease ran short
before its turn, the sender stopped before dispatching it) is given back with its attempt
(OutboxRepository.release). A message that keeps failing is set aside too (KEPT_FAILING), and
one whose connector host is not allowed at once (HOST_REFUSED); each dead letter is told to
`on_dead_letter` (the app counts it and writes an audit line).

A 429's Retry-After pauses the whole tenant and defers the message, but never for longer than
`max_retry_after_seconds`: a connector answer is not allowed to stop every notification of the
tenant for a day. The Delivery only ever talks to allowed connector hosts, so every Retry-After
seen here came from one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.platform.delivery import (
    FINAL_STATUS_OF,
    DeliveryOutcome,
    PermitWithdrawn,
    Verdict,
    honoured_retry_after,
    next_attempt_delay,
    replacement_wait_delay,
)
from bot.domain.platform.errors import StoreUnavailable
from bot.domain.platform.outbox import DeadReason, OutboxMessage, OutboxStatus
from bot.ports.platform import Clock, Delivery, OutboxRepository, RateBudget
from bot.services.platform.outbox_permits import TenantPermits
from bot.services.platform.outbox_verdicts import VerdictWriter

logger = logging.getLogger(__name__)

ResultCallback = Callable[[Verdict, float], None]
# Told of every message set aside (DEAD), after its verdict was queued.
DeadLetterCallback = Callable[[OutboxMessage, DeadReason], Awaitable[None]]

# Claim at most this share of what the rate allows within one lease, so that messages are sent
# well before their lease expires even when several replicas split the rate between them.
_LEASE_SHARE = 0.25
# A claimed message this close to its lease end is left for a later claim instead of sent.
_LEASE_MARGIN_SHARE = 0.2
_ERROR_PAUSE_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class _Claimed:
    message: OutboxMessage
    send_before: float  # monotonic deadline: after it, the lease is too close to its end


class OutboxSender:
    """Drains the outbox. `rate_per_second` is the pace the budget is set to; `tenant_limit`
    (default: the rate, rounded down) caps this process's own requests per tenant in any
    sliding second, exactly, as Teams counts them (see outbox_permits)."""

    def __init__(
        self,
        repo: OutboxRepository,
        budget: RateBudget,
        delivery: Delivery,
        clock: Clock,
        *,
        rate_per_second: float,
        concurrency: int,
        lease_seconds: float,
        max_attempts: int,
        tenant_limit: int | None = None,
        max_batch: int = 500,
        idle_poll_seconds: float = 1.0,
        backoff_base: float = 2.0,
        backoff_cap: float = 300.0,
        replace_wait_seconds: float = 2.0,
        replace_wait_cap_seconds: float = 30.0,
        max_waits: int | None = None,
        max_retry_after_seconds: float = 60.0,
        on_result: ResultCallback | None = None,
        on_dead_letter: DeadLetterCallback | None = None,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repo = repo
        self._verdicts = VerdictWriter(repo, clock)
        self._permits = TenantPermits(
            budget,
            rate_per_second=rate_per_second,
            window_limit=tenant_limit if tenant_limit is not None else int(rate_per_second),
            monotonic=monotonic,
        )
        self._delivery = delivery
        self._clock = clock
        self._lease = lease_seconds
        self._max_attempts = max_attempts
        self._batch = max(1, min(max_batch, int(rate_per_second * lease_seconds * _LEASE_SHARE)))
        self._idle_poll = idle_poll_seconds
        self._backoff = (backoff_base, backoff_cap)
        self._replace_wait = (replace_wait_seconds, replace_wait_cap_seconds)
        self._max_waits = 2 * max_attempts if max_waits is None else max_waits
        self._max_retry_after = max_retry_after_seconds
        self._on_result = on_result
        self._on_dead_letter = on_dead_letter
        self._rng = rng or random.Random()
        self._monotonic = monotonic
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._queues: dict[str, deque[_Claimed]] = {}
        self._throttle_streak: dict[str, int] = {}
        self._in_flight: set[asyncio.Task[None]] = set()
        self._bookkeeping: set[asyncio.Task[None]] = set()  # claims being given back
        self._wake = asyncio.Event()
        self._outbox_dry = False
        self._last_claim = 0.0

    def wake(self) -> None:
        """New messages were queued: stop idling."""
        self._wake.set()

    def paused_for(self, tenant_id: str) -> float:
        """Seconds the tenant is still paused after a 429 (0 when it is not)."""
        return self._permits.paused_for(tenant_id)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, then let in-flight deliveries finish. Cancelling the task
        abandons them (their leases expire and another sender takes over)."""
        try:
            while not stop.is_set():
                try:
                    await self._step(stop)
                except asyncio.CancelledError:
                    raise
                except StoreUnavailable:
                    logger.warning("Outbox sender: the database is unavailable; pausing")
                    await _wait_any(stop, self._wake, _ERROR_PAUSE_SECONDS)
                except Exception:
                    logger.exception("Outbox sender step failed; pausing before the next one")
                    await _wait_any(stop, self._wake, _ERROR_PAUSE_SECONDS)
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)
            self._give_back_queued()  # claimed, never dispatched: their attempts are returned
        finally:
            for task in self._in_flight:
                task.cancel()
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)
            if self._bookkeeping:
                await asyncio.gather(*self._bookkeeping, return_exceptions=True)
            await self._permits.close()
            with contextlib.suppress(Exception):
                await self._verdicts.drain()  # verdicts already known are worth keeping

    async def _step(self, stop: asyncio.Event) -> None:
        queued = sum(len(queue) for queue in self._queues.values())
        if queued <= self._batch // 2 and self._may_claim():
            if not queued:
                self._wake.clear()  # before claiming, so a wake() during the claim is not lost
            queued += await self._claim(self._batch - queued)
        if queued:
            await self._dispatch_one()
            return
        await _wait_any(stop, self._wake, self._idle_poll)

    def _may_claim(self) -> bool:
        """After a claim that found fewer messages than it asked for, the next one waits for
        the idle poll or a wake(): claiming is a write, not something to spin on."""
        if not self._outbox_dry or self._wake.is_set():
            return True
        return self._monotonic() - self._last_claim >= self._idle_poll

    async def _claim(self, limit: int) -> int:
        claimed = await self._repo.claim(limit, self._clock.now(), self._lease)
        self._last_claim = self._monotonic()
        self._outbox_dry = len(claimed) < limit
        send_before = self._last_claim + self._lease * (1.0 - _LEASE_MARGIN_SHARE)
        if claimed:
            try:
                await self._delivery.prepare(claimed)
            except Exception:  # only an optimisation: deliver() looks things up itself
                logger.exception("Preparing %d outbox messages failed", len(claimed))
        for message in claimed:
            if message.attempts > self._attempt_limit(message):
                # Its last attempt never came back with a verdict: it stopped its sender.
                limit = self._attempt_limit(message)
                reason = f"no verdict after {limit} attempts (the sender stopped or crashed)"
                await self._set_aside(message, DeadReason.NO_VERDICT, reason)
                continue
            queue = self._queues.setdefault(message.tenant_id, deque())
            queue.append(_Claimed(message, send_before))
        return len(claimed)

    async def _dispatch_one(self) -> None:
        """Start delivering the next message of a tenant that is not paused."""
        await self._slots.acquire()  # first the slot, then the choice: a pause may begin meanwhile
        claimed = self._next_message()
        if claimed is None:
            self._slots.release()
            await asyncio.sleep(min(self._idle_poll, self._seconds_until_unpaused()))
            return
        task = asyncio.create_task(self._deliver(claimed))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    def _next_message(self) -> _Claimed | None:
        self._give_back_late(self._monotonic())
        tenant = self._ready_tenant()
        return None if tenant is None else self._queues[tenant].popleft()

    def _give_back_late(self, now: float) -> None:
        """Give back claims too late for their lease (sending now could race a sender that
        claimed them again), paused tenants' too: before their lease ends, not after, so the
        attempt comes back before someone else's claim counts another."""
        for queue in self._queues.values():
            while queue and queue[0].send_before < now:  # claimed in order: the oldest first
                self._give_back(queue.popleft().message)

    def _ready_tenant(self) -> str | None:
        for tenant, queue in self._queues.items():
            if queue and not self._permits.paused_for(tenant):
                return tenant
        for tenant in [tenant for tenant, queue in self._queues.items() if not queue]:
            del self._queues[tenant]
        return None

    def _seconds_until_unpaused(self) -> float:
        pauses = [self._permits.paused_for(tenant) for tenant in self._queues]
        return max(0.001, min(pauses, default=0.0))

    async def _deliver(self, claimed: _Claimed) -> None:
        message = claimed.message
        started = self._monotonic()
        permit = self._permits.permit_for(message.tenant_id, claimed.send_before)
        try:
            try:
                outcome = await self._delivery.deliver(message, permit)
            except PermitWithdrawn:
                logger.info("Outbox message %s: lease ran short; given back", message.id)
                self._give_back(message)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Outbox message %s: delivery raised", message.id)
                outcome = DeliveryOutcome(Verdict.RETRY, status=0, error="delivery raised")
            self._account(message.tenant_id, outcome)
            await self._record(message, outcome)
        finally:
            self._slots.release()
        if self._on_result is not None:
            try:
                self._on_result(outcome.verdict, self._monotonic() - started)
            except Exception:
                logger.exception("Outbox result callback failed")

    def _account(self, tenant: str, outcome: DeliveryOutcome) -> None:
        """Pause the whole tenant when Teams says it is throttled (not just this message)."""
        if outcome.is_throttled:
            streak = self._throttle_streak.get(tenant, 0) + 1
            self._throttle_streak[tenant] = streak
            pause = honoured_retry_after(outcome.retry_after, self._max_retry_after)
            if pause is None:
                pause = next_attempt_delay(streak, None, base=1.0, cap=60.0, rng=self._rng)
            if self._permits.pause(tenant, pause):
                logger.warning("Tenant %s throttled by Teams: pausing %.2f s", tenant, pause)
        elif outcome.verdict is Verdict.SENT:
            self._throttle_streak.pop(tenant, None)

    async def _record(self, message: OutboxMessage, outcome: DeliveryOutcome) -> None:
        verdict = outcome.verdict
        if verdict is Verdict.RETRY or verdict is Verdict.WAIT:
            if message.attempts < self._attempt_limit(message):
                not_before = self._clock.now() + timedelta(seconds=self._delay(message, outcome))
                await self._verdicts.retry_later(message.id, not_before, outcome.error or "retry")
                return
            reason = f"gave up after {message.attempts} attempts: {outcome.error or verdict}"
            await self._set_aside(message, DeadReason.KEPT_FAILING, reason)
            return
        if verdict is Verdict.REFUSED:
            await self._set_aside(message, DeadReason.HOST_REFUSED, outcome.error)
            return
        if verdict is not Verdict.SENT:
            logger.info("Outbox message %s: %s (%s)", message.id, verdict, outcome.error)
        self._verdicts.finish(
            message.id, FINAL_STATUS_OF[verdict], outcome.error, outcome.activity_id
        )

    def _attempt_limit(self, message: OutboxMessage) -> int:
        waits = message.replaces or message.thread_of
        return self._max_attempts + (self._max_waits if waits else 0)

    async def _set_aside(self, message: OutboxMessage, why: DeadReason, reason: str) -> None:
        """A dead letter: stored as DEAD with its reason, and told to on_dead_letter."""
        logger.warning("Outbox message %s set aside: %s", message.id, why)
        self._verdicts.finish(message.id, OutboxStatus.DEAD, reason)
        if self._on_dead_letter is None:
            return
        try:
            await self._on_dead_letter(message, why)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Outbox message %s: reporting the dead letter failed", message.id)

    def _give_back(self, message: OutboxMessage) -> None:
        """Return a claim that sent nothing, with its attempt (in the background)."""
        if message.lease_until is None:
            return
        task = asyncio.create_task(self._release(message.id, message.lease_until))
        self._bookkeeping.add(task)
        task.add_done_callback(self._bookkeeping.discard)

    def _give_back_queued(self) -> None:
        queues, self._queues = self._queues, {}
        for queue in queues.values():
            for claimed in queue:
                self._give_back(claimed.message)

    async def _release(self, message_id: int, lease_until: datetime) -> None:
        try:
            await self._repo.release(message_id, lease_until)
        except asyncio.CancelledError:
            raise
        except Exception:  # its lease ends all the same; only its attempt stays counted
            logger.exception("Outbox message %s: giving back the claim failed", message_id)

    def _delay(self, message: OutboxMessage, outcome: DeliveryOutcome) -> float:
        """Seconds until the next attempt: backoff after a failure (never below Retry-After as
        far as it is honoured), a short look-again for a replacement waiting for its original.
        `message.attempts` counts this attempt already (its claim did)."""
        if outcome.verdict is Verdict.WAIT:
            first, cap = self._replace_wait
            return replacement_wait_delay(
                message.attempts - 1, outcome.retry_after, first=first, cap=cap
            )
        base, cap = self._backoff
        retry_after = honoured_retry_after(outcome.retry_after, self._max_retry_after)
        return next_attempt_delay(message.attempts, retry_after, base=base, cap=cap, rng=self._rng)


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    """Sleep until stop or wake is set, or `seconds` pass."""
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
