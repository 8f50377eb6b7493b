"""The licence capability's background work: whatever must happen without someone clicking.

The requests table is its own durable queue: every request carries `wake_at`, the moment the
worker must look at it again (computed by the domain from its state). The worker claims due
requests with a lease, so several replicas share the work and a crashed worker's requests come
back when the lease ends; every step is safe to repeat:

- submitted (the desk crashed before resolving approvers): start approval;
- pending approval: the halfway reminder, then expiry at the deadline;
- approved / fulfilling / waiting for seats: grant through Graph and verify it
  (bot/services/licences/fulfilment.py);
- fulfilled with an end date: a warning a week before, removal at the end.

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
from collections.abc import Callable, Iterator
from datetime import timedelta

from bot.domain.licences.notices import NoticeKind
from bot.domain.licences.requests import OPEN_STATES, LicenceRequest, RequestState, StaleRequest
from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError
from bot.services.licences.flow import ITEM_REMOVED, LicenceFlow
from bot.services.licences.fulfilment import GAVE_UP, LicenceFulfilment
from bot.services.licences.worker_settings import WorkerSettings
from bot.services.platform.rounds import Rounds

logger = logging.getLogger(__name__)

# A fulfilled request whose end-of-access step keeps failing is looked at again this often
# (it cannot fail: the access was granted, and must still end).
_SET_ASIDE_RECHECK = timedelta(days=1)


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
        self._rounds = Rounds("licence worker", settings.poll_seconds)
        self._actor = Actor.system()
        self._on_set_aside = on_set_aside
        self._fulfilment = LicenceFulfilment(flow, settings)

    def wake(self) -> None:
        """Look for due work now (a request was approved, an admin asked for a retry)."""
        self._rounds.wake()

    async def run(self, stop: asyncio.Event) -> None:
        await self._rounds.run(self.run_once, stop, more_at_once=bool)

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
            notices = self._fulfilment.failed_notices(failed, item) if item is not None else []
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
            return await self._fulfilment.fulfil(request)
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
            await self._fulfilment.revoke(item, request.requester_id)
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


@contextlib.contextmanager
def _logged(request_id: int, doing: str) -> Iterator[None]:
    """A bookkeeping write that may fail (the database is away): logged; the lease decides."""
    try:
        yield
    except StaleRequest:
        pass
    except Exception:
        logger.exception("licence %s: %s failed; retried after the lease", request_id, doing)
