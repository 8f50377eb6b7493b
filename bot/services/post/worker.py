"""The post capability's background work: what must happen without anyone clicking.

Every few minutes (and when woken):
- items a crash left stored but unrouted are routed (PostIntake.route_pending);
- items still unhandled after WERKPLEK_POST_REMINDER_WORKING_DAYS working days remind whoever
  holds them (the addressee, the team channel, the entity's admins), once; after
  WERKPLEK_POST_ESCALATION_WORKING_DAYS working days (counted from the same start) the ICT
  admins of the item's entity hear of it (the mailroom, when the item has no entity), once.
  Working days are the organisation's (bot/domain/platform/working_time.py): no weekends,
  public holidays or closing days.
  "Once" holds across crashes and replicas: the step is saved with the item's version check
  (PostItem.reminded counts them) and each notice has its own dedupe key ("reminder-1.v4",
  "escalation.v5": the item's version, so a later reminder to the same person after the item
  came back to them is not taken for a repeat).

Once a day the retention purge deletes scans past their retention period
(bot/services/post/retention.py). The last run is kept in memory with a random delay on top, so
replicas do not all purge at the same moment; the purge itself is safe to run on several
replicas at once.

Working days skip Saturday and Sunday; public holidays are not known (bot.domain.post.routing).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import DomainError, StoreUnavailable
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.post.items import (
    IllegalPostTransition,
    PostItem,
    PostNotice,
    PostNoticeKind,
    StalePostItem,
)
from bot.services.platform.rounds import Rounds
from bot.services.post.access import PostAccess, item_entities
from bot.services.post.flow import PostFlow

logger = logging.getLogger(__name__)

REMIND_ACTION = "post.remind"
ESCALATE_ACTION = "post.escalate"
REMINDER_STEP = "reminder-1"
ESCALATION_STEP = "escalation"
_DAY_SECONDS = 86_400.0

T = TypeVar("T")


class PendingRouter(Protocol):
    """PostIntake, as far as the worker uses it."""

    async def route_pending(self, limit: int) -> int: ...


# Runs the retention purge once (app.py binds post_retention.purge_scans to its adapters).
Purge = Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class PostWorkerSettings:
    # Working days: weekends, public holidays and the organisation's closing days do not count.
    calendar: WorkingCalendar
    reminder_working_days: int = 3
    escalation_working_days: int = 7
    poll_seconds: float = 300.0
    route_batch: int = 100
    reminder_batch: int = 500
    purge_every_seconds: float = _DAY_SECONDS
    purge_jitter_seconds: float = 3600.0  # at most this much later than a day after the last


@dataclass(frozen=True, slots=True)
class Round:
    """What one round did (for logs and tests)."""

    routed: int = 0
    reminded: int = 0
    escalated: int = 0
    purged: bool = False


class PostWorker:
    def __init__(
        self,
        *,
        flow: PostFlow,
        access: PostAccess,
        intake: PendingRouter,
        purge: Purge,
        settings: PostWorkerSettings,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._flow = flow
        self._access = access
        self._intake = intake
        self._purge = purge
        self._settings = settings
        self._jitter = jitter
        self._rounds = Rounds("post worker", settings.poll_seconds)
        self._actor = Actor.system()
        self._next_purge: datetime | None = None

    def wake(self) -> None:
        """Look for work now instead of at the next poll."""
        self._rounds.wake()

    async def run(self, stop: asyncio.Event) -> None:
        await self._rounds.run(self.run_once, stop)

    async def run_once(self) -> Round:
        """One round: route what is pending, remind and escalate, purge when a day has passed.
        A step that fails is logged and does not keep the others from running."""
        routed = await self._guarded("routing", self._route_pending, 0)
        reminded, escalated = await self._guarded("reminders", self.remind, (0, 0))
        purged = await self._guarded("retention", self.purge_if_due, False)
        if routed or reminded or escalated:
            logger.info(
                "post worker: %d routed, %d reminded, %d escalated", routed, reminded, escalated
            )
        return Round(routed, reminded, escalated, purged)

    # --- reminders ----------------------------------------------------------------------------
    async def remind(self) -> tuple[int, int]:
        """Remind and escalate what is due; returns (reminders, escalations) sent."""
        settings = self._settings
        now = self._flow.clock.now()
        # A working day lasts at least a calendar day: nothing younger than this can be due.
        youngest = min(self._first_days, self._later_days)
        candidates = await self._flow.items.unhandled_since(
            now - timedelta(days=youngest), settings.reminder_batch
        )
        reminded = escalated = 0
        for item in candidates:
            try:
                step = await self._step(item, now)
            except (StalePostItem, IllegalPostTransition):
                continue  # someone acted on it meanwhile: the next round looks again
            except DomainError as error:
                logger.warning("post item %s: %s; next round", item.id, type(error).__name__)
                continue
            reminded += step == REMINDER_STEP
            escalated += step == ESCALATION_STEP
        return reminded, escalated

    async def _step(self, item: PostItem, now: datetime) -> str:
        """The reminder or the escalation, if due now; "" when neither is."""
        calendar = self._settings.calendar
        if item.reminders_sent == 0:
            if now < calendar.after_working_days(item.updated_at, self._first_days):
                return ""
            after = item.reminded(now)
            notices = [
                PostNotice(
                    PostNoticeKind.REMINDER,
                    after,
                    recipient_id=recipient,
                    conversation_id=conversation,
                    step=f"{REMINDER_STEP}.v{after.version}",
                )
                for recipient, conversation in await self._access.holder_targets(item)
            ]
            await self._flow.transition(item, after, self._actor, REMIND_ACTION, notices)
            return REMINDER_STEP
        if item.reminders_sent == 1:
            since = item.last_reminded_at or item.updated_at
            if now < calendar.after_working_days(since, self._later_days):
                return ""
            after = item.reminded(now)
            notices = [
                PostNotice(
                    PostNoticeKind.ESCALATION,
                    after,
                    recipient_id=recipient,
                    conversation_id=conversation,
                    step=f"{ESCALATION_STEP}.v{after.version}",
                )
                for recipient, conversation in await self._escalation_targets(item)
            ]
            await self._flow.transition(item, after, self._actor, ESCALATE_ACTION, notices)
            return ESCALATION_STEP
        return ""

    async def _escalation_targets(self, item: PostItem) -> list[tuple[str, str]]:
        """The ICT admins of the item's entities; the mailroom when there are none."""
        admins: dict[str, str] = {}
        for code in sorted(item_entities(item)):
            for admin in await self._access.entity_admins(code):
                admins.setdefault(admin.casefold(), admin)
        if admins:
            return [(admin, "") for admin in admins.values()]
        mailroom = self._access.mailroom_conversation_id
        return [("", mailroom)] if mailroom else []

    @property
    def _first_days(self) -> int:
        return max(self._settings.reminder_working_days, 1)

    @property
    def _later_days(self) -> int:
        """Working days from the reminder to the escalation."""
        settings = self._settings
        return max(settings.escalation_working_days - settings.reminder_working_days, 1)

    # --- routing and retention ----------------------------------------------------------------
    async def _route_pending(self) -> int:
        return await self._intake.route_pending(self._settings.route_batch)

    async def purge_if_due(self) -> bool:
        """The retention purge, once a day (plus a random delay), counted from this process's
        start and its own last run."""
        now = self._flow.clock.now()
        if self._next_purge is None:
            self._next_purge = now + self._delay(0.0)
        if now < self._next_purge:
            return False
        self._next_purge = now + self._delay(self._settings.purge_every_seconds)
        await self._purge()
        return True

    def _delay(self, base_seconds: float) -> timedelta:
        jitter = self._jitter() * self._settings.purge_jitter_seconds
        return timedelta(seconds=base_seconds + jitter)

    async def _guarded(self, name: str, step: Callable[[], Awaitable[T]], failed: T) -> T:
        try:
            return await step()
        except asyncio.CancelledError:
            raise
        except StoreUnavailable:
            logger.warning("post worker: %s skipped, the database is unavailable", name)
            return failed
        except Exception:
            logger.exception("post worker: %s failed; next round", name)
            return failed
