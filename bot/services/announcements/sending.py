"""Sending announcements: the background sender that takes each one from its start to its end.

Every round (a second apart, and when woken) the sender looks at what is active:

- a SCHEDULED announcement whose time has come is started (step START);
- a SENDING one whose audience is not resolved yet is resolved into its recipient snapshot
  (bot/services/announcements/resolving.py: page by page, restartable, the app installed for
  people without a chat with the bot before anything is queued for them);
- a SENDING, resolved one gets the next recipients queued into the outbox, one message each,
  made at queue time (so an edit reaches those not queued yet), keeping at most
  `rules.window` of its messages waiting (pending or in flight);
- one whose recipients all have a verdict is finished (step FINISH).

The author follows it on a status card, edited in place at most every `rules.status_seconds`
(bot/services/announcements/figures.py).

Fairness: the outbox delivers oldest first, and an announcement never has more than the window
waiting in it; a licence notice or a ticket answer written meanwhile waits behind at most that
many announcement messages (seconds at the Teams rate), never behind tens of thousands.

Several replicas may run rounds at once, and nobody gets a message twice: a recipient is queued
in one transaction that marks them queued and writes their message (the store skips rows
another replica is taking), and their message's dedupe key (`recipient_dedupe_key`) would make
the outbox skip a second one anyway; steps are saved only on the version they were decided on
(the other replica's save is stale and it moves on); status updates are numbered by their time
slot, so two replicas write one per slot. Each replica keeps the window against what it reads,
so at worst two replicas reading at the same moment queue a window each.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from bot.domain.announcements.announcements import (
    Announcement,
    AnnouncementState,
    Step,
    StepRefused,
    step,
)
from bot.domain.announcements.batches import DeliveryMode
from bot.domain.announcements.recipients import NewRecipient, recipient_dedupe_key
from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import DomainError, StoreUnavailable
from bot.domain.platform.outbox import NewOutboxMessage
from bot.i18n import DEFAULT_LOCALE, pick_locale
from bot.ports.announcements import AnnouncementRepository, AudienceDirectory, BatchOperations
from bot.ports.platform import Clock, ConversationRefRepository
from bot.services.announcements.batching import BatchSending
from bot.services.announcements.checks import announcement_audit
from bot.services.announcements.figures import (
    FIRST_SLOT,
    has_status_card,
    last_status,
    status_message,
    status_slot,
)
from bot.services.announcements.parts import (
    AnnouncementCards,
    AnnouncementRules,
    OutboxQueue,
    People,
    StatusMark,
)
from bot.services.announcements.resolving import AudienceResolution, EntityCatalogue
from bot.services.platform.rounds import Rounds

logger = logging.getLogger(__name__)


class AnnouncementSender:
    def __init__(
        self,
        *,
        repository: AnnouncementRepository,
        directory: AudienceDirectory,
        refs: ConversationRefRepository,
        people: People,
        cards: AnnouncementCards,
        entities: EntityCatalogue,
        rules: AnnouncementRules,
        clock: Clock,
        outbox: OutboxQueue,
        batches: BatchOperations | None = None,
        on_enqueued: Callable[[], None] = lambda: None,
        poll_seconds: float = 1.0,
    ) -> None:
        """outbox: where the author's status card is queued; batches: Teams' batch operations
        (None: every announcement goes one message per person); on_enqueued: wakes the outbox
        sender once messages were queued. The steps' audit lines are saved with the steps."""
        self._repository = repository
        self._audience = AudienceResolution(
            repository=repository,
            directory=directory,
            refs=refs,
            entities=entities,
            teams_app_id=rules.teams_app_id,
        )
        self._people = people
        self._cards = cards
        self._rules = rules
        self._clock = clock
        self._outbox = outbox
        self._on_enqueued = on_enqueued
        self._batches = (
            None
            if batches is None
            else BatchSending(
                repository=repository,
                operations=batches,
                cards=cards,
                rules=rules,
                clock=clock,
                messages_for=self._messages_for,
                on_enqueued=on_enqueued,
            )
        )
        self._rounds = Rounds("announcement sender", poll_seconds)
        self._actor = Actor.system()
        # When each announcement's status card was last written here (a restart forgets, and
        # at worst updates once sooner).
        self._marks: dict[int, StatusMark] = {}

    def wake(self) -> None:
        """Look now (an announcement was submitted or approved) instead of at the next poll."""
        self._rounds.wake()

    async def run(self, stop: asyncio.Event) -> None:
        await self._rounds.run(self.round, stop)

    async def round(self) -> int:
        """One look at every active announcement; returns how much it did (steps taken,
        audiences resolved, recipients queued). One that fails is left for the next round and
        keeps the others from nothing."""
        active = await self._repository.active(self._clock.now())
        done = 0
        for announcement in active:
            try:
                done += await self._advance(announcement)
            except StoreUnavailable:
                raise  # the database is down for all of them: the loop says so once
            except DomainError as error:  # Graph unavailable or throttled, the app not permitted
                logger.warning(
                    "announcement %s: %s; next round", announcement.id, type(error).__name__
                )
            except Exception:
                logger.exception(
                    "announcement %s: failed in this round; next round", announcement.id
                )
        still = {announcement.id for announcement in active}
        self._marks = {key: mark for key, mark in self._marks.items() if key in still}
        return done + await self._stop_batches_left()

    async def _advance(self, announcement: Announcement) -> int:
        done = 0
        if announcement.state is AnnouncementState.SCHEDULED:
            started = await self._start(announcement)
            if started is None:
                return 0
            announcement, done = started, 1
        if announcement.state is not AnnouncementState.SENDING:
            return done
        if not announcement.resolved:
            await self._audience.resolve(announcement)
            done += 1
            # The status card says what is known now: resolved, and to how many.
            announcement = await self._repository.get(announcement.id) or announcement
        else:
            queued = await self._send(announcement)
            done += queued
            if queued == 0 and await self._finish(announcement):
                return done + 1
        await self._update_status(announcement)
        return done

    # --- steps ----------------------------------------------------------------------------------
    async def _start(self, announcement: Announcement) -> Announcement | None:
        """The announcement started, or None when it is not due or another replica did it."""
        now = self._clock.now()
        if announcement.send_at is not None and announcement.send_at > now:
            return None
        try:
            started = step(announcement, Step.START, now)
        except StepRefused:
            return None
        audit = announcement_audit(now, self._actor, "announcements.start", started)
        if not await self._repository.save(started, announcement.version, audit=[audit]):
            return None
        logger.info("announcement %s: started", announcement.id)
        return started

    async def _finish(self, announcement: Announcement) -> bool:
        """FINISH once every recipient is queued and every message has its verdict. Unqueued
        is read first: once it is 0 every message exists, so in-flight read after it cannot
        miss a batch another replica queued in between."""
        if await self._repository.unqueued(announcement.id):
            return False
        if await self._repository.in_flight(announcement.id):
            return False
        now = self._clock.now()
        finished = step(announcement, Step.FINISH, now)
        figures = await self._repository.figures(announcement.id)
        locale = await self._author_locale(finished)
        status = last_status(self._cards, self._rules.as_sent(finished), figures, now, locale)
        audit = announcement_audit(
            now,
            self._actor,
            "announcements.finish",
            finished,
            audience=str(figures.audience),
            reached=str(figures.reached),
        )
        saved = await self._repository.save(
            finished, announcement.version, audit=[audit], outbox=status
        )
        if not saved:
            return False
        self._marks.pop(announcement.id, None)
        if status:
            self._on_enqueued()
        logger.info(
            "announcement %s: sent; %d of %d reached, %d failed, %d blocked, %d not found",
            announcement.id,
            figures.reached,
            figures.audience,
            figures.failed,
            figures.blocked,
            figures.not_found,
        )
        return True

    async def _stop_batches_left(self) -> int:
        """Batches of announcements stopped since (cancelled while Teams was sending) that a
        cancel could not close at once (Teams throttled it, a replica died): stopped and
        settled here, so their people are counted and nothing stays open."""
        if self._batches is None:
            return 0
        stopped = 0
        for announcement_id in await self._repository.stopped_with_open_batches():
            announcement = await self._repository.get(announcement_id)
            if announcement is None:
                continue
            try:
                stopped += await self._batches.stop(announcement)
            except DomainError as error:
                logger.warning(
                    "announcement %s: batches not stopped (%s); next round",
                    announcement_id,
                    type(error).__name__,
                )
        return stopped

    async def stop_batches(self, announcement: Announcement) -> int:
        """Stop the Teams batch operations of a cancelled announcement (none in the
        per-recipient mode); returns how many were stopped."""
        if self._batches is None:
            return 0
        return await self._batches.stop(announcement)

    # --- queueing -------------------------------------------------------------------------------
    async def _send(self, announcement: Announcement) -> int:
        """Hand the next recipients on, in the announcement's mode; returns how much moved."""
        if self._batches is not None and self._rules.mode_of(announcement) is DeliveryMode.BATCH:
            return await self._batches.advance(announcement)
        return await self._queue(announcement)

    async def _queue(self, announcement: Announcement) -> int:
        room = self._rules.window - await self._repository.in_flight(announcement.id)
        if room <= 0:
            return 0
        queued = await self._repository.queue_next(
            announcement.id, room, self._messages_for, self._clock.now()
        )
        if queued:
            self._on_enqueued()
        return queued

    def _messages_for(
        self, announcement: Announcement, recipients: Sequence[NewRecipient]
    ) -> list[NewOutboxMessage]:
        """One message per recipient, in their language; the stored announcement is the one
        given (so an edit made before they were queued is what they get)."""
        activities: dict[tuple[str, bool], dict[str, Any]] = {}

        def activity(locale: str, in_channel: bool) -> dict[str, Any]:
            if (locale, in_channel) not in activities:
                activities[locale, in_channel] = self._cards.message(
                    announcement, locale, in_channel=in_channel
                )
            return activities[locale, in_channel]

        return [
            NewOutboxMessage(
                tenant_id=announcement.tenant_id,
                dedupe_key=recipient_dedupe_key(announcement.id, person.user_id),
                activity=activity(
                    pick_locale(person.locale or DEFAULT_LOCALE), bool(person.conversation_id)
                ),
                recipient_id="" if person.conversation_id else person.user_id,
                conversation_id=person.conversation_id,
            )
            for person in recipients
        ]

    # --- the author's status card ---------------------------------------------------------------
    async def _update_status(self, announcement: Announcement) -> None:
        """The first card when this replica first sees it sending (skipped by the outbox when
        it exists), then an update at most every status interval."""
        if not has_status_card(announcement):
            return
        now = self._clock.now()
        slot = status_slot(announcement, now, self._rules.status_seconds)
        mark = self._marks.get(announcement.id)
        if mark is None:
            slots = [FIRST_SLOT] if slot == FIRST_SLOT else [FIRST_SLOT, slot]
        elif slot > mark.count and (now - mark.at).total_seconds() >= self._rules.status_seconds:
            slots = [slot]
        else:
            return
        figures = await self._repository.figures(announcement.id)
        locale = await self._author_locale(announcement)
        shown = self._rules.as_sent(announcement)
        messages = [
            status_message(self._cards, shown, figures, now, locale, each) for each in slots
        ]
        self._marks[announcement.id] = StatusMark(announcement.id, now, slot)
        if await self._outbox.enqueue(messages, now):
            self._on_enqueued()

    async def _author_locale(self, announcement: Announcement) -> str:
        return pick_locale(await self._people.locale_of(announcement.author_id))
