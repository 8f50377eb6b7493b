"""The licence capability's background work: whatever must happen without someone clicking.

The requests table is its own durable queue: every request carries `wake_at`, the moment the
worker must look at it again (computed by the domain from its state). The worker claims due
requests with a lease, so several replicas share the work and a crashed worker's requests come
back when the lease ends; every step is safe to repeat:

- submitted (the desk crashed before resolving approvers): start approval;
- pending approval: the halfway reminder, then expiry at the deadline;
- approved / fulfilling: grant through Graph and verify it. Graph 429 and 5xx are retried with
  backoff; a missing usageLocation waits for the entity's ICT admins (told once);
- waiting for seats: look again every few minutes and continue as soon as a seat is free;
- fulfilled with an end date: a warning a week before, removal at the end.

A grant that is already there counts as done (a duplicate group member is success), so a
restart between "added to the group" and "saved as fulfilled" never grants twice.

A step that raises unexpectedly, or kills the worker's process, is not retried forever: every
claim is counted before the step runs (the request's `claims`), a finished step starts the count
again, and a request claimed again after `max_attempts` such steps is set aside: an open one
fails (GAVE_UP, the people told, as for exhausted Graph retries); a fulfilled one, whose access
must still end, is looked at again only daily. A request claimed again after an unfinished step
is a suspect and runs alone, the rest of its batch given back uncounted, so that one request
crashing the process does not count against the others claimed with it. A known, passing
failure (Graph unavailable: a DomainError) is not counted: the request is looked at again after
the lease, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain.licences.catalogue import CatalogueItem, Fulfilment
from bot.domain.licences.grants import (
    GrantRefused,
    LicenceState,
    NoFreeSeats,
    UsageLocationMissing,
    grant_verified,
    licence_granted,
)
from bot.domain.licences.notices import LicenceNotice, NoticeKind
from bot.domain.licences.requests import OPEN_STATES, LicenceRequest, RequestState, StaleRequest
from bot.domain.licences.seats import free_seats
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import (
    DomainError,
    Forbidden,
    NotFound,
    StoreUnavailable,
    Throttled,
    Unavailable,
)
from bot.services.licences.desk import local_day_end
from bot.services.licences.flow import ITEM_REMOVED, Actor, LicenceFlow

logger = logging.getLogger(__name__)

GAVE_UP = "licence.reason.gave_up"
VERIFYING = "licence.reason.verifying"
THROTTLED = "licence.reason.throttled"
USAGE_LOCATION = "licence.reason.usage_location"
EXTENDED = "licence.reason.extended"

# A fulfilled request whose end-of-access step keeps failing is looked at again this often
# (it cannot fail: the access was granted, and must still end).
_SET_ASIDE_RECHECK = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    timezone: ZoneInfo
    poll_seconds: float = 5.0  # how often to look for due work when nobody woke us
    batch: int = 20
    concurrency: int = 8
    lease_seconds: float = 120.0  # a step that fails unexpectedly is retried after this
    # transient Graph failures before fulfilment gives up; also the steps in a row that may
    # fail unexpectedly or stop the worker before the request is set aside
    max_attempts: int = 12
    retry_base_seconds: float = 15.0
    retry_max_seconds: float = 3600.0
    seat_recheck_seconds: float = 900.0
    usage_location_recheck_seconds: float = 3600.0
    verify_delay_seconds: float = 20.0  # group-based licensing takes Entra a moment


class LicenceWorker:
    def __init__(
        self,
        flow: LicenceFlow,
        settings: WorkerSettings,
        *,
        on_set_aside: Callable[[], None] | None = None,
    ) -> None:
        """on_set_aside is told of each request set aside (a metric)."""
        self._flow = flow
        self._settings = settings
        self._wake = asyncio.Event()
        self._actor = Actor.system()
        self._on_set_aside = on_set_aside

    def wake(self) -> None:
        """Look for due work now (a request was approved, an admin asked for a retry)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                worked = await self.run_once()
            except StoreUnavailable:
                logger.warning("licence worker: the database is unavailable; trying again shortly")
                worked = 0
            except Exception:
                logger.exception("licence worker round failed; trying again shortly")
                worked = 0
            if worked:
                continue  # there may be more due right away
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.poll_seconds)

    async def run_once(self) -> int:
        """Claim and handle one batch of due requests; returns how many were claimed."""
        now = self._flow.clock.now()
        due = await self._flow.requests.claim_due(
            now, self._settings.batch, self._settings.lease_seconds
        )
        if not due:
            return 0
        suspect = next((request for request in due if request.claims > 1), None)
        if suspect is not None:
            # Alone: if it stops the process again, only its own count goes up.
            for other in due:
                if other is not suspect:
                    await self._flow.requests.release(other.id)
            await self._handle(suspect)
            return len(due)
        limit = asyncio.Semaphore(self._settings.concurrency)

        async def handle(request: LicenceRequest) -> None:
            async with limit:
                await self._handle(request)

        await asyncio.gather(*(handle(request) for request in due))
        return len(due)

    async def _handle(self, request: LicenceRequest) -> None:
        if request.claims > self._settings.max_attempts:
            await self._set_aside(request)
            return
        try:
            await self.step(request)
        except StaleRequest:
            pass  # someone moved it meanwhile (a click, another replica): its new wake_at rules
        except DomainError as error:
            # Graph unavailable for a timer step: looked at again after the lease, uncounted.
            logger.warning("licence %s: %s; retried later", request.id, type(error).__name__)
            later = self._flow.clock.now() + timedelta(seconds=self._settings.lease_seconds)
            with _logged(request.id, "postponing"):
                await self._flow.requests.postpone(request.id, later)
            return
        except Exception:
            logger.exception("licence %s: step failed; retried after the lease", request.id)
            return  # counted: the claim stands until its lease ends
        await self._flow.requests.release(request.id)

    async def _set_aside(self, request: LicenceRequest) -> None:
        """A request whose steps kept failing or stopping the worker: fail it (open) with the
        people told, or look at it only daily (granted); never run its step again now."""
        failed_steps = request.claims - 1
        logger.error(
            "licence %s: %d steps in a row failed or stopped the worker; set aside",
            request.id,
            failed_steps,
        )
        if self._on_set_aside is not None:
            self._on_set_aside()
        now = self._flow.clock.now()
        if request.state not in OPEN_STATES:
            with _logged(request.id, "setting aside"):
                await self._flow.requests.postpone(request.id, now + _SET_ASIDE_RECHECK)
            return
        failed = request.fail(GAVE_UP, now)
        try:
            item = await self._flow.item_of(request)
            notices = self._failed_notices(failed, item) if item is not None else []
            await self._flow.transition(
                request,
                failed,
                self._actor,
                notices,
                outcome=Outcome.FAILED,
                error="set_aside",
                failed_steps=str(failed_steps),
            )
        except StaleRequest:
            pass  # someone moved it meanwhile: its new state rules
        except Exception:
            # The notices may be what crashes: fail it without them rather than not at all.
            logger.exception("licence %s: failing with notices failed; failing without", request.id)
            with _logged(request.id, "failing"):
                await self._flow.transition(
                    request,
                    failed,
                    self._actor,
                    outcome=Outcome.FAILED,
                    error="set_aside",
                    failed_steps=str(failed_steps),
                )
        with _logged(request.id, "releasing"):
            await self._flow.requests.release(request.id)

    async def step(self, request: LicenceRequest) -> LicenceRequest:
        """One due step for one request (public for tests and the bench)."""
        state = request.state
        if state is RequestState.SUBMITTED:
            return await self._flow.start(request, self._actor)
        if state is RequestState.PENDING_APPROVAL:
            return await self._approval_timer(request)
        if state in (
            RequestState.APPROVED,
            RequestState.FULFILLING,
            RequestState.WAITING_FOR_SEATS,
        ):
            return await self.fulfil(request)
        if state is RequestState.FULFILLED:
            return await self._end_timer(request)
        return request

    # --- approval timers ---------------------------------------------------------------------
    async def _approval_timer(self, request: LicenceRequest) -> LicenceRequest:
        now = self._flow.clock.now()
        item = await self._flow.item_of(request)
        if item is None:
            return await self._flow.transition(
                request, request.fail(ITEM_REMOVED, now), self._actor
            )
        if request.deadline is not None and now >= request.deadline:
            expired = request.expire(now)
            notices = [
                *self._flow.closing_notices(request, expired, item),
                *self._flow.notices(NoticeKind.EXPIRED, expired, item),
            ]
            return await self._flow.transition(request, expired, self._actor, notices)
        if not request.reminded and request.remind_at is not None and now >= request.remind_at:
            reminded = request.mark_reminded(now)
            notices = self._flow.notices(
                NoticeKind.APPROVAL_REMINDER, reminded, item, reminded.approvers
            )
            return await self._flow.transition(
                request, reminded, self._actor, notices, reminder="sent"
            )
        return request

    # --- fulfilment --------------------------------------------------------------------------
    async def fulfil(self, request: LicenceRequest) -> LicenceRequest:
        now = self._flow.clock.now()
        item = await self._flow.item_of(request)
        if item is None:
            return await self._flow.transition(
                request, request.fail(ITEM_REMOVED, now), self._actor
            )
        before = request
        if request.state is not RequestState.FULFILLING:
            request = request.start_fulfilment(now)
        try:
            return await self._grant(before, request, item)
        except (Throttled, Unavailable) as error:
            return await self._retry_or_give_up(before, request, item, error)
        except (GrantRefused, NotFound, Forbidden) as error:
            failed = request.fail(
                error.message_key if isinstance(error, GrantRefused) else GAVE_UP, now
            )
            return await self._flow.transition(
                before,
                failed,
                self._actor,
                self._failed_notices(failed, item),
                error=type(error).__name__,
            )

    async def _grant(
        self, before: LicenceRequest, request: LicenceRequest, item: CatalogueItem
    ) -> LicenceRequest:
        licences = self._flow.licences
        user = request.requester_id
        now = self._flow.clock.now()
        member, states = await self._grant_facts(item, user)
        if grant_verified(item, member, states):
            return await self._fulfilled(before, request, item)  # done before a restart
        if item.uses_seats and licence_granted(item, states) is None:
            sku = await licences.subscribed_sku(item.sku_id)
            if sku is None:
                raise GrantRefused()
            if free_seats(sku) <= 0:
                return await self._wait_for_seats(before, request, item)
        if item.fulfilment is Fulfilment.GROUP:
            await licences.add_member(item.group_id, user)  # False: a member already, fine
        else:
            try:
                if not await licences.usage_location(user):
                    raise UsageLocationMissing()
                await licences.assign_licence(user, item.sku_id)
            except UsageLocationMissing:
                return await self._usage_location_missing(before, request, item)
            except NoFreeSeats:
                return await self._wait_for_seats(before, request, item)
        member, states = await self._grant_facts(item, user)
        if grant_verified(item, member, states):
            return await self._fulfilled(before, request, item)
        granted = licence_granted(item, states)
        if granted is not None and granted.error == "CountViolation":
            # Seats ran out between our count and Entra's: leave the group until one is free,
            # so the person does not sit in an error state that blocks the seat count.
            if item.fulfilment is Fulfilment.GROUP:
                await licences.remove_member(item.group_id, user)
            return await self._wait_for_seats(before, request, item)
        # Entra processes group-based licensing asynchronously: look again in a moment.
        later = now + timedelta(seconds=self._settings.verify_delay_seconds)
        return await self._flow.transition(
            before, request.retry_later(VERIFYING, later, now), self._actor
        )

    async def _grant_facts(
        self, item: CatalogueItem, user_id: str
    ) -> tuple[bool, list[LicenceState]]:
        """Group membership and licence states, read together (fresh: never cached)."""
        licences = self._flow.licences

        async def membership() -> bool:
            if item.fulfilment is not Fulfilment.GROUP:
                return False
            return await licences.is_member(item.group_id, user_id)

        async def states() -> list[LicenceState]:
            return await licences.licence_states(user_id) if item.uses_seats else []

        return await asyncio.gather(membership(), states())

    async def _fulfilled(
        self, before: LicenceRequest, request: LicenceRequest, item: CatalogueItem
    ) -> LicenceRequest:
        now = self._flow.clock.now()
        ends_at = (
            local_day_end(request.end_date, self._settings.timezone) if request.end_date else None
        )
        done = request.fulfilled(now, ends_at)
        return await self._flow.transition(
            before, done, self._actor, self._flow.notices(NoticeKind.FULFILLED, done, item)
        )

    async def _wait_for_seats(
        self, before: LicenceRequest, request: LicenceRequest, item: CatalogueItem
    ) -> LicenceRequest:
        now = self._flow.clock.now()
        recheck = now + timedelta(seconds=self._settings.seat_recheck_seconds)
        waiting = request.wait_for_seats(recheck, now)
        notices = []
        if before.state is not RequestState.WAITING_FOR_SEATS:
            # Told once when it starts waiting, not at every recount.
            admins = await self._flow.entity_admins(request.entity)
            notices = [
                *self._flow.notices(NoticeKind.WAITING_FOR_SEATS, waiting, item, step="seats"),
                *self._flow.notices(NoticeKind.SEATS_NEEDED, waiting, item, admins, step="seats"),
            ]
        return await self._flow.transition(before, waiting, self._actor, notices)

    async def _usage_location_missing(
        self, before: LicenceRequest, request: LicenceRequest, item: CatalogueItem
    ) -> LicenceRequest:
        now = self._flow.clock.now()
        later = now + timedelta(seconds=self._settings.usage_location_recheck_seconds)
        blocked = request.retry_later(USAGE_LOCATION, later, now)
        notices = []
        if before.reason != USAGE_LOCATION:
            admins = await self._flow.entity_admins(request.entity)
            notices = self._flow.notices(
                NoticeKind.USAGE_LOCATION_MISSING, blocked, item, admins, step="usage-location"
            )
        return await self._flow.transition(before, blocked, self._actor, notices)

    async def _retry_or_give_up(
        self,
        before: LicenceRequest,
        request: LicenceRequest,
        item: CatalogueItem,
        error: DomainError,
    ) -> LicenceRequest:
        now = self._flow.clock.now()
        if request.attempts + 1 >= self._settings.max_attempts:
            failed = request.fail(GAVE_UP, now)
            return await self._flow.transition(
                before,
                failed,
                self._actor,
                self._failed_notices(failed, item),
                error=type(error).__name__,
            )
        delay = self._backoff(request.attempts, getattr(error, "retry_after", None))
        later = request.retry_later(THROTTLED, now + timedelta(seconds=delay), now)
        return await self._flow.transition(before, later, self._actor)

    def _backoff(self, attempts: int, retry_after: float | None) -> float:
        """Exponential with full jitter, never sooner than Graph's Retry-After."""
        cap = min(self._settings.retry_max_seconds, self._settings.retry_base_seconds * 2**attempts)
        delay = random.uniform(cap / 2, cap)
        return max(delay, retry_after or 0.0)

    def _failed_notices(self, failed: LicenceRequest, item: CatalogueItem) -> list[LicenceNotice]:
        return self._flow.notices(NoticeKind.FAILED, failed, item)

    # --- end of time-bound access ------------------------------------------------------------
    async def _end_timer(self, request: LicenceRequest) -> LicenceRequest:
        now = self._flow.clock.now()
        if request.ends_at is None:
            return request
        item = await self._flow.item_of(request)
        if item is None:
            return request
        if now < request.ends_at:
            if request.end_warned:
                return request
            warned = request.mark_end_warned(now)
            notices = self._flow.notices(NoticeKind.ENDING_SOON, warned, item, step="ending")
            return await self._flow.transition(
                request, warned, self._actor, notices, warning="sent"
            )
        extended = await self._extended_by(request)
        if extended is None:
            await self._revoke(item, request.requester_id)
        ended = request.end(now)
        notices = [] if extended else self._flow.notices(NoticeKind.ENDED, ended, item)
        return await self._flow.transition(
            request, ended, self._actor, notices, extended_by=extended.reference if extended else ""
        )

    async def _extended_by(self, request: LicenceRequest) -> LicenceRequest | None:
        """A later grant of the same item to the same person that outlasts this one."""
        mine = await self._flow.requests.for_requester(request.tenant_id, request.requester_id, 100)
        for other in mine:
            if (
                other.id != request.id
                and other.item_key == request.item_key
                and other.state is RequestState.FULFILLED
                and (other.ends_at is None or (request.ends_at and other.ends_at > request.ends_at))
            ):
                return other
        return None

    async def _revoke(self, item: CatalogueItem, user_id: str) -> None:
        licences = self._flow.licences
        if item.fulfilment is Fulfilment.GROUP:
            await licences.remove_member(item.group_id, user_id)  # False: gone already, fine
        else:
            await licences.remove_licence(user_id, item.sku_id)


@contextlib.contextmanager
def _logged(request_id: int, doing: str) -> Iterator[None]:
    """A bookkeeping write that may fail (the database is away): logged; the lease decides."""
    try:
        yield
    except StaleRequest:
        pass
    except Exception:
        logger.exception("licence %s: %s failed; retried after the lease", request_id, doing)
