"""The BATCH delivery mode: an announcement handed to Teams' batch operations, a hundred
recipients of one language at a time (bot/domain/announcements/batches.py).

Each round of the sender (bot/services/announcements/sending.py), for one announcement:

1. RUNNING batches whose check is due are asked for their state; a finished one has its failed
   entries read (every page) and is settled: those people get their message one by one through
   the outbox (so their verdict, 403 blocked or 404 gone included, is the outbox's), the others
   were sent by Teams. An operation Teams no longer knows is settled as failed for everyone in
   it: the outbox then reaches them (at worst twice, never not at all).
2. CLAIMED batches (a submit throttled or cut off by a crash) are submitted again.
3. New batches are claimed from the snapshot and submitted while fewer than
   `rules.batches_at_once` are open: the batch requests stay a few a second, far below the
   tenant's 50, and Teams fans them out.

A CLAIMED batch is held by the replica submitting it (SUBMIT_LEASE): another replica never
submits it at the same time. A throttled submit (429) or one without an answer ends the
round's submitting; those batches stay CLAIMED, free again after the wait, for any replica.
A submit Teams refuses (400, 403), or one still unanswered SUBMIT_PATIENCE after the claim,
sends that batch's people one by one instead. A submit cut off after Teams accepted it (a
timeout, a crash) is submitted again once its hold has passed: those people may get the
message twice, at most a batch of them per replica and cut (the per-recipient mode has the same
bound with its in-flight messages).

Cancelling stops every running operation; whoever Teams had not reached then is counted as not
reached. Batch-sent messages have no Teams message id, so they cannot be edited or recalled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from bot.domain.announcements.announcements import Announcement
from bot.domain.announcements.batches import BATCH_SIZE, Batch
from bot.domain.announcements.recipients import batch_dedupe_key
from bot.domain.platform.errors import (
    AppNotPermitted,
    DomainError,
    InvalidInput,
    NotFound,
    Throttled,
    Unavailable,
)
from bot.domain.platform.outbox import DEDUPE_KEY_FIELD
from bot.ports.announcements import AnnouncementRepository, BatchOperations, MessagesFor
from bot.ports.platform import Clock
from bot.services.announcements.parts import AnnouncementCards, AnnouncementRules

logger = logging.getLogger(__name__)

# A batch Teams' batch endpoint would not take for this long goes one by one instead.
SUBMIT_PATIENCE = timedelta(minutes=2)
# A finished operation's failed entries are read at most this many pages deep (a batch holds
# BATCH_SIZE entries; a continuation that never ends must not hold the round).
_MAX_FAILED_PAGES = 50


class BatchSending:
    def __init__(
        self,
        *,
        repository: AnnouncementRepository,
        operations: BatchOperations,
        cards: AnnouncementCards,
        rules: AnnouncementRules,
        clock: Clock,
        messages_for: MessagesFor,
        on_enqueued: Callable[[], None] = lambda: None,
    ) -> None:
        """messages_for: the outbox messages of people sent one by one (the sender's own)."""
        self._repository = repository
        self._operations = operations
        self._cards = cards
        self._rules = rules
        self._clock = clock
        self._messages_for = messages_for
        self._on_enqueued = on_enqueued

    async def advance(self, announcement: Announcement) -> int:
        """One round for a SENDING, resolved announcement in BATCH mode; returns how many
        batches were settled, submitted or claimed (0: nothing moved)."""
        done = await self._check(announcement)
        now = self._clock.now()
        waiting = await self._repository.claimed_batches(announcement.id, now)
        # Taken one at a time: another replica may be submitting the same ones.
        taken = [batch for batch in waiting if await self._repository.take_batch(batch.id, now)]
        done += await self._submit(announcement, taken)
        room = self._rules.batches_at_once - await self._repository.open_batches(announcement.id)
        if room > 0:
            claimed = await self._repository.claim_batches(
                announcement.id, room * BATCH_SIZE, self._clock.now()
            )
            done += len(claimed)
            await self._submit(announcement, claimed)
        return done

    async def stop(self, announcement: Announcement) -> int:
        """Cancel every running operation (the announcement was cancelled) and settle it: who
        Teams had not reached stays not reached. Batches claimed but never accepted are settled
        with nobody reached. Returns how many operations were stopped; what Teams throttled or
        refused stays open, and the sender's next rounds stop it (stopped_with_open_batches);
        until then its people count as not reached."""
        # One a replica is submitting right now is left to it: if Teams takes it, it runs and
        # a later round stops it.
        now = self._clock.now()
        for claimed in await self._repository.claimed_batches(announcement.id, now):
            if await self._repository.take_batch(claimed.id, now):
                await self._settle_as(announcement, claimed, claimed.members)
        stopped = 0
        for batch in await self._repository.running_batches(announcement.id):
            try:
                await self._operations.cancel(batch.operation_id)
                await self._settle(announcement, batch)
            except Throttled:
                break  # the sender's next round goes on (stopped_with_open_batches)
            except NotFound:
                # Teams no longer knows it: nobody in it is known to be reached.
                await self._settle_as(announcement, batch, batch.members)
            except DomainError as error:
                logger.warning(
                    "announcement %s: batch operation %s not stopped (%s); next round",
                    announcement.id,
                    batch.operation_id,
                    type(error).__name__,
                )
                continue
            stopped += 1
        return stopped

    # --- steps ----------------------------------------------------------------------------------
    async def _check(self, announcement: Announcement) -> int:
        now = self._clock.now()
        settled = 0
        for batch in await self._repository.due_batches(announcement.id, now):
            try:
                status = await self._operations.status(batch.operation_id)
            except Throttled as throttled:
                await self._postpone(batch, throttled.retry_after)
                continue
            except NotFound:
                # Teams keeps an operation's results for a limited time: nobody in it is known
                # to be reached, so the outbox reaches them all.
                logger.warning(
                    "announcement %s: batch operation %s unknown to Teams; sent one by one",
                    announcement.id,
                    batch.operation_id,
                )
                await self._settle_as(announcement, batch, batch.members)
                settled += 1
                continue
            if not status.finished:
                await self._postpone(batch, status.retry_after_seconds)
                continue
            await self._settle(announcement, batch)
            settled += 1
        return settled

    async def _settle(self, announcement: Announcement, batch: Batch) -> None:
        failed: list[str] = []
        continuation = ""
        for _ in range(_MAX_FAILED_PAGES):
            page = await self._operations.failed_entries(batch.operation_id, continuation)
            failed += [entry.member_id for entry in page.entries]
            continuation = page.continuation
            if not continuation:
                break
        await self._settle_as(announcement, batch, failed)

    async def _settle_as(
        self, announcement: Announcement, batch: Batch, failed: Sequence[str]
    ) -> None:
        queued = await self._repository.settle_batch(
            batch.id, failed, self._messages_for, self._clock.now()
        )
        if queued:
            self._on_enqueued()
        logger.info(
            "announcement %s: batch operation %s ended: %d of %d failed, %d sent one by one",
            announcement.id,
            batch.operation_id or "-",
            len(failed),
            len(batch.members),
            queued,
        )

    async def _submit(self, announcement: Announcement, batches: Sequence[Batch]) -> int:
        """Submit batches this replica holds; one throttled or unanswered (and every one after
        it) is postponed, free for any replica once that time has come."""
        submitted = 0
        for index, batch in enumerate(batches):
            activity = self._activity(announcement, batch)
            send = (
                self._operations.send_to_channels
                if batch.in_channel
                else self._operations.send_to_users
            )
            try:
                operation_id = await send(announcement.tenant_id, activity, batch.members)
            except Throttled as throttled:
                await self._release(batches[index:], throttled.retry_after)
                return submitted  # they stay CLAIMED: a later round submits them
            except Unavailable:
                if not self._out_of_patience(batch):
                    logger.warning(
                        "announcement %s: batch operations unavailable; next round",
                        announcement.id,
                    )
                    await self._release(batches[index:], None)
                    return submitted
                # Teams' batch endpoint has not answered for minutes (or does not exist where
                # the bot is pointed): the people go one by one rather than wait for ever.
                logger.warning(
                    "announcement %s: batch operations unavailable for %d s; %d sent one by one",
                    announcement.id,
                    int(SUBMIT_PATIENCE.total_seconds()),
                    len(batch.members),
                )
                await self._settle_as(announcement, batch, batch.members)
                continue
            except (InvalidInput, AppNotPermitted, NotFound) as refused:
                # Teams will not take this request as a batch: its people go one by one.
                logger.warning(
                    "announcement %s: batch refused by Teams (%s); %d sent one by one",
                    announcement.id,
                    type(refused).__name__,
                    len(batch.members),
                )
                await self._settle_as(announcement, batch, batch.members)
                continue
            first_check = self._clock.now() + timedelta(seconds=self._rules.batch_poll_seconds)
            await self._repository.batch_started(batch.id, operation_id, first_check)
            submitted += 1
        return submitted

    async def _release(self, batches: Sequence[Batch], wait: float | None) -> None:
        """Free held batches once `wait` seconds have passed (Teams' Retry-After; None: the
        poll interval), for whichever replica's round comes first."""
        seconds = self._rules.batch_poll_seconds if wait is None else max(wait, 0.0)
        until = self._clock.now() + timedelta(seconds=seconds)
        for batch in batches:
            await self._repository.postpone_batch(batch.id, until)

    def _out_of_patience(self, batch: Batch) -> bool:
        claimed = batch.created_at
        return claimed is not None and self._clock.now() - claimed >= SUBMIT_PATIENCE

    async def _postpone(self, batch: Batch, retry_after: float | None) -> None:
        wait = max(self._rules.batch_poll_seconds, retry_after or 0.0)
        await self._repository.postpone_batch(batch.id, self._clock.now() + timedelta(seconds=wait))

    def _activity(self, announcement: Announcement, batch: Batch) -> dict[str, Any]:
        """The batch's one message, in its language, with the tenant Teams wants and the key
        that stands for each member's per-recipient key."""
        activity = dict(
            self._cards.message(announcement, batch.locale, in_channel=batch.in_channel)
        )
        channel_data = dict(activity.get("channelData") or {})
        channel_data.setdefault("tenant", {"id": announcement.tenant_id})
        channel_data[DEDUPE_KEY_FIELD] = batch_dedupe_key(announcement.id)
        activity["channelData"] = channel_data
        activity.setdefault("type", "message")
        return activity
