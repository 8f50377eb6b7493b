"""Granting an approved request through Graph, and taking time-bound access away again.

The worker (bot/services/licences/worker.py) calls this for requests that are approved,
fulfilling or waiting for seats. Graph 429 and 5xx are retried with backoff until
`max_attempts`; a missing usageLocation waits for the entity's ICT admins (told once); no free
seat waits and looks again every few minutes (told once). A grant that is already there counts
as done (a duplicate group member is success), so a restart between "added to the group" and
"saved as fulfilled" never grants twice.
"""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from bot.domain.licences.catalogue import CatalogueItem, Fulfilment
from bot.domain.licences.grants import (
    GrantRefused,
    LicenceState,
    NoFreeSeats,
    UsageLocationMissing,
    access_ends_at,
    grant_verified,
    licence_granted,
)
from bot.domain.licences.notices import LicenceNotice, NoticeKind
from bot.domain.licences.requests import LicenceRequest, RequestState
from bot.domain.licences.seats import free_seats
from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import (
    AppNotPermitted,
    DomainError,
    Forbidden,
    NotFound,
    Throttled,
    Unavailable,
)
from bot.services.licences.flow import ITEM_REMOVED, LicenceFlow
from bot.services.licences.worker_settings import WorkerSettings

GAVE_UP = "licence.reason.gave_up"
VERIFYING = "licence.reason.verifying"
THROTTLED = "licence.reason.throttled"
USAGE_LOCATION = "licence.reason.usage_location"
EXTENDED = "licence.reason.extended"


class LicenceFulfilment:
    def __init__(self, flow: LicenceFlow, settings: WorkerSettings) -> None:
        self._flow = flow
        self._settings = settings
        self._actor = Actor.system()

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
        except (GrantRefused, NotFound, Forbidden, AppNotPermitted) as error:
            failed = request.fail(
                error.message_key if isinstance(error, GrantRefused) else GAVE_UP, now
            )
            return await self._flow.transition(
                before,
                failed,
                self._actor,
                self.failed_notices(failed, item),
                error=type(error).__name__,
            )

    async def revoke(self, item: CatalogueItem, user_id: str) -> None:
        """Take the item away again (time-bound access that ended)."""
        licences = self._flow.licences
        if item.fulfilment is Fulfilment.GROUP:
            await licences.remove_member(item.group_id, user_id)  # False: gone already, fine
        else:
            await licences.remove_licence(user_id, item.sku_id)

    def failed_notices(self, failed: LicenceRequest, item: CatalogueItem) -> list[LicenceNotice]:
        return self._flow.notices(NoticeKind.FAILED, failed, item)

    # --- granting ----------------------------------------------------------------------------
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
            access_ends_at(request.end_date, self._settings.timezone) if request.end_date else None
        )
        done = request.fulfilled(now, ends_at)
        return await self._flow.transition(
            before, done, self._actor, self._flow.notices(NoticeKind.FULFILLED, done, item)
        )

    # --- waiting -----------------------------------------------------------------------------
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
            # Told once, when it starts waiting: the ICT admins what to set, the requester why
            # nothing happens (the step keeps the dedupe key the same through every recheck).
            admins = await self._flow.entity_admins(request.entity)
            notices = [
                *self._flow.notices(
                    NoticeKind.USAGE_LOCATION_MISSING, blocked, item, admins, step="usage-location"
                ),
                *self._flow.notices(
                    NoticeKind.WAITING_FOR_COUNTRY, blocked, item, step="usage-location"
                ),
            ]
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
                self.failed_notices(failed, item),
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
