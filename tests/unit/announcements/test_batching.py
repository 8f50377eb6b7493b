"""The BATCH mode's decisions (bot/services/announcements/batching.py) over an in-memory batch
store and a scripted Teams: what is submitted, kept for later, settled, sent one by one or
stopped. The SQL store and the real connector are tested in
tests/integration/announcements/test_batch_sending.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.domain.announcements.announcements import Announcement
from bot.domain.announcements.batches import (
    BATCH_SIZE,
    SUBMIT_LEASE,
    Batch,
    BatchPhase,
    DeliveryMode,
    FailedEntriesPage,
    FailedEntry,
    OperationStatus,
    effective_mode,
)
from bot.domain.announcements.recipients import NewRecipient, recipient_dedupe_key
from bot.domain.platform.errors import InvalidInput, NotFound, Throttled, Unavailable
from bot.domain.platform.outbox import NewOutboxMessage
from bot.ports.announcements import MessagesFor
from bot.services.announcements.batching import BatchSending
from bot.services.announcements.parts import AnnouncementRules
from tests.support.clock import FakeClock
from tests.unit.announcements.fakes import FakeCards
from tests.unit.announcements.sending_support import TENANT, announcement


@dataclass
class BatchStore:
    """The repository's batch bookkeeping, in memory: recipients (user id, locale, channel)
    not yet taken, and the batches."""

    waiting: list[tuple[str, str, str]] = field(default_factory=list)
    batches: dict[int, Batch] = field(default_factory=dict)
    failed: dict[int, list[str]] = field(default_factory=dict)
    queued: list[NewOutboxMessage] = field(default_factory=list)
    sending: bool = True

    async def claim_batches(self, announcement_id: int, limit: int, now: datetime) -> list[Batch]:
        if not self.sending:
            return []
        taken, self.waiting = self.waiting[:limit], self.waiting[limit:]
        groups: dict[tuple[str, bool], list[str]] = {}
        for user_id, locale, channel in taken:
            groups.setdefault((locale, bool(channel)), []).append(channel or user_id)
        made = []
        for (locale, in_channel), members in groups.items():
            for start in range(0, len(members), BATCH_SIZE):
                batch = Batch(
                    len(self.batches) + 1,
                    announcement_id,
                    BatchPhase.CLAIMED,
                    locale,
                    in_channel,
                    tuple(members[start : start + BATCH_SIZE]),
                    next_check_at=now + SUBMIT_LEASE,
                    created_at=now,
                )
                self.batches[batch.id] = batch
                made.append(batch)
        return made

    async def claimed_batches(self, announcement_id: int, now: datetime) -> list[Batch]:
        return [b for b in self._in(BatchPhase.CLAIMED) if _free(b, now)]

    async def take_batch(self, batch_id: int, now: datetime) -> bool:
        batch = self.batches[batch_id]
        if batch.phase is not BatchPhase.CLAIMED or not _free(batch, now):
            return False
        self.batches[batch_id] = replace(batch, next_check_at=now + SUBMIT_LEASE)
        return True

    async def batch_started(
        self, batch_id: int, operation_id: str, next_check_at: datetime
    ) -> None:
        batch = self.batches[batch_id]
        assert batch.phase is BatchPhase.CLAIMED
        self.batches[batch_id] = replace(
            batch, phase=BatchPhase.RUNNING, operation_id=operation_id, next_check_at=next_check_at
        )

    async def due_batches(
        self, announcement_id: int, now: datetime, limit: int = 50
    ) -> list[Batch]:
        return [
            b for b in self._in(BatchPhase.RUNNING) if b.next_check_at and b.next_check_at <= now
        ]

    async def postpone_batch(self, batch_id: int, next_check_at: datetime) -> None:
        if self.batches[batch_id].phase is not BatchPhase.SETTLED:
            self.batches[batch_id] = replace(self.batches[batch_id], next_check_at=next_check_at)

    async def running_batches(self, announcement_id: int) -> list[Batch]:
        return self._in(BatchPhase.RUNNING)

    async def open_batches(self, announcement_id: int) -> int:
        return len(self._in(BatchPhase.CLAIMED)) + len(self._in(BatchPhase.RUNNING))

    async def settle_batch(
        self, batch_id: int, failed: Sequence[str], messages: MessagesFor, now: datetime
    ) -> int:
        batch = self.batches[batch_id]
        if batch.phase is BatchPhase.SETTLED:
            return 0
        self.batches[batch_id] = replace(batch, phase=BatchPhase.SETTLED)
        wanted = {member.lower() for member in failed}
        again = [m for m in batch.members if m.lower() in wanted]
        self.failed[batch_id] = again
        if not self.sending:
            return 0
        stored = announcement(resolved=True)
        made = messages(stored, [NewRecipient(m, locale=batch.locale) for m in again])
        self.queued += made
        return len(made)

    def _in(self, phase: BatchPhase) -> list[Batch]:
        return [b for b in self.batches.values() if b.phase is phase]


def _free(batch: Batch, now: datetime) -> bool:
    return batch.next_check_at is None or batch.next_check_at <= now


@dataclass
class ScriptedTeams:
    """Teams' batch operations as the test wants them to answer."""

    sent: list[tuple[str, tuple[str, ...], Mapping[str, Any]]] = field(default_factory=list)
    refuse_sends: list[Exception] = field(default_factory=list)  # raised by the next sends
    states: dict[str, OperationStatus] = field(default_factory=dict)
    state_errors: dict[str, Exception] = field(default_factory=dict)
    failures: dict[str, list[FailedEntry]] = field(default_factory=dict)
    page: int = 2
    cancelled: list[str] = field(default_factory=list)

    async def send_to_users(
        self, tenant_id: str, activity: Mapping[str, Any], user_ids: Sequence[str]
    ) -> str:
        return self._send("users", activity, user_ids)

    async def send_to_channels(
        self, tenant_id: str, activity: Mapping[str, Any], channel_ids: Sequence[str]
    ) -> str:
        return self._send("channels", activity, channel_ids)

    def _send(self, kind: str, activity: Mapping[str, Any], members: Sequence[str]) -> str:
        if self.refuse_sends:
            raise self.refuse_sends.pop(0)
        operation = f"op-{len(self.sent) + 1}"
        self.sent.append((kind, tuple(members), activity))
        self.states[operation] = OperationStatus("InProgress", total=len(members))
        return operation

    async def status(self, operation_id: str) -> OperationStatus:
        if operation_id in self.state_errors:
            raise self.state_errors[operation_id]
        return self.states[operation_id]

    async def failed_entries(self, operation_id: str, continuation: str = "") -> FailedEntriesPage:
        entries = self.failures.get(operation_id, [])
        start = int(continuation or 0)
        rest = start + self.page
        return FailedEntriesPage(
            tuple(entries[start:rest]), str(rest) if rest < len(entries) else ""
        )

    async def cancel(self, operation_id: str) -> None:
        self.cancelled.append(operation_id)
        self.states[operation_id] = OperationStatus("Cancelled")

    def finish(self, operation_id: str, *failed: str) -> None:
        total = self.states[operation_id].total
        self.states[operation_id] = OperationStatus(
            "Completed", total, {201: total - len(failed), 403: len(failed)}
        )
        self.failures[operation_id] = [FailedEntry(m, "MessageWritesBlocked") for m in failed]


def one_by_one(a: Announcement, people: Sequence[NewRecipient]) -> list[NewOutboxMessage]:
    return [
        NewOutboxMessage(TENANT, recipient_dedupe_key(a.id, p.user_id), {"to": p.user_id})
        for p in people
    ]


@dataclass
class Setup:
    store: BatchStore
    teams: ScriptedTeams
    clock: FakeClock
    sending: BatchSending
    announcement: Announcement


def setup(people: int = 250, *, at_once: int = 2, english: int = 0) -> Setup:
    store = BatchStore(
        waiting=[(f"p-{n:04d}", "en" if n < english else "nl", "") for n in range(people)]
    )
    teams = ScriptedTeams()
    clock = FakeClock()
    rules = AnnouncementRules(batches_at_once=at_once, batch_poll_seconds=2.0)
    sending = BatchSending(
        repository=store,  # type: ignore[arg-type]  # only the batch methods are used
        operations=teams,
        cards=FakeCards(),
        rules=rules,
        clock=clock,
        messages_for=one_by_one,
    )
    return Setup(store, teams, clock, sending, announcement(resolved=True, audience_size=people))


def test_automatic_is_batch_from_the_configured_size_and_a_choice_is_kept() -> None:
    assert effective_mode(DeliveryMode.AUTOMATIC, 4999, 5000) is DeliveryMode.PER_RECIPIENT
    assert effective_mode(DeliveryMode.AUTOMATIC, 5000, 5000) is DeliveryMode.BATCH
    assert effective_mode(DeliveryMode.AUTOMATIC, 10**6, 0) is DeliveryMode.PER_RECIPIENT
    assert effective_mode(DeliveryMode.BATCH, 3, 5000) is DeliveryMode.BATCH
    assert effective_mode(DeliveryMode.PER_RECIPIENT, 10**6, 1) is DeliveryMode.PER_RECIPIENT


def test_an_operation_is_finished_by_its_state_or_by_its_counts() -> None:
    assert OperationStatus("Completed").finished
    assert OperationStatus("cancelled").finished
    assert not OperationStatus("InProgress", total=3, status_map={201: 2}).finished
    assert OperationStatus("InProgress", total=3, status_map={201: 2, 404: 1}).finished
    assert not OperationStatus("NotStarted").finished


async def test_batches_of_a_hundred_per_language_with_at_most_the_configured_number_open() -> None:
    s = setup(people=450, at_once=3, english=30)

    await s.sending.advance(s.announcement)

    sizes = sorted(len(members) for _, members, _ in s.teams.sent)
    # 300 taken: 30 English (one batch) and 270 Dutch (100, 100, 70).
    assert sizes == [30, 70, 100, 100]
    languages = {activity["locale"] for _, _, activity in s.teams.sent}
    assert languages == {"nl", "en"}
    for _, _, activity in s.teams.sent:
        # Each copy stands for the member's own key, so a second delivery is seen as one.
        assert activity["channelData"]["werkplekDedupeKey"] == f"ann:{s.announcement.id}"
        assert activity["channelData"]["tenant"] == {"id": TENANT}
    assert len(s.store.waiting) == 150

    await s.sending.advance(s.announcement)  # all still running: nothing more claimed
    assert len(s.teams.sent) == 4


async def test_a_finished_operation_sends_its_failed_entries_one_by_one_across_pages() -> None:
    s = setup(people=100, at_once=1)
    await s.sending.advance(s.announcement)
    [(_, members, _)] = s.teams.sent
    s.teams.finish("op-1", members[3], members[7].upper(), members[50])

    s.clock.advance(seconds=1)
    await s.sending.advance(s.announcement)  # not due yet
    assert s.store.queued == []

    s.clock.advance(seconds=1)
    await s.sending.advance(s.announcement)

    keys = {message.dedupe_key for message in s.store.queued}
    wanted = {members[3], members[7], members[50]}
    assert keys == {recipient_dedupe_key(s.announcement.id, m) for m in wanted}
    assert s.store.batches[1].phase is BatchPhase.SETTLED


async def test_an_operation_still_running_is_asked_again_after_its_retry_after() -> None:
    s = setup(people=10, at_once=1)
    await s.sending.advance(s.announcement)
    s.teams.states["op-1"] = OperationStatus("InProgress", 10, {201: 4}, retry_after_seconds=30)
    s.clock.advance(seconds=2)

    await s.sending.advance(s.announcement)

    batch = s.store.batches[1]
    assert batch.phase is BatchPhase.RUNNING
    assert batch.next_check_at == s.clock.now() + timedelta(seconds=30)


async def test_a_throttled_submit_stays_claimed_and_is_submitted_in_the_next_round() -> None:
    s = setup(people=150, at_once=2)
    s.teams.refuse_sends = [Throttled(retry_after=1.0)]

    await s.sending.advance(s.announcement)

    assert s.teams.sent == []
    assert [b.phase for b in s.store.batches.values()] == [BatchPhase.CLAIMED] * 2
    s.clock.advance(seconds=0.5)
    await s.sending.advance(s.announcement)  # within Teams' Retry-After: nobody submits them
    assert s.teams.sent == []

    s.clock.advance(seconds=0.5)
    await s.sending.advance(s.announcement)

    assert sorted(len(members) for _, members, _ in s.teams.sent) == [50, 100]
    assert all(b.phase is BatchPhase.RUNNING for b in s.store.batches.values())


async def test_a_batch_teams_refuses_goes_one_by_one_and_an_outage_waits() -> None:
    s = setup(people=120, at_once=2)
    s.teams.refuse_sends = [InvalidInput("bad")]

    await s.sending.advance(s.announcement)

    assert len(s.store.queued) == 100  # the refused batch, person by person
    assert s.store.batches[1].phase is BatchPhase.SETTLED
    assert s.store.batches[2].phase is BatchPhase.RUNNING

    s.teams.refuse_sends = [Unavailable()]
    s.store.waiting = [("late", "nl", "")]
    await s.sending.advance(s.announcement)  # no answer: kept for a later round
    assert s.store.batches[3].phase is BatchPhase.CLAIMED
    s.clock.advance(seconds=2)
    await s.sending.advance(s.announcement)
    assert s.store.batches[3].phase is BatchPhase.RUNNING


async def test_a_batch_endpoint_that_never_answers_sends_the_people_one_by_one() -> None:
    s = setup(people=30, at_once=1)
    s.teams.refuse_sends = [Unavailable()]
    await s.sending.advance(s.announcement)
    assert s.store.queued == []

    s.clock.advance(minutes=3)
    s.teams.refuse_sends = [Unavailable()]
    await s.sending.advance(s.announcement)

    assert len(s.store.queued) == 30
    assert s.store.batches[1].phase is BatchPhase.SETTLED


async def test_an_operation_teams_forgot_is_sent_to_everyone_in_it_one_by_one() -> None:
    s = setup(people=5, at_once=1)
    await s.sending.advance(s.announcement)
    s.teams.state_errors["op-1"] = NotFound()
    s.clock.advance(seconds=2)

    await s.sending.advance(s.announcement)

    assert len(s.store.queued) == 5


async def test_channels_go_in_their_own_batches_to_the_channels_operation() -> None:
    s = setup(people=0)
    s.store.waiting = [
        ("19:a@thread.tacv2", "nl", "19:A@thread.tacv2"),
        ("p-1", "nl", ""),
    ]

    await s.sending.advance(s.announcement)

    kinds = sorted((kind, members) for kind, members, _ in s.teams.sent)
    assert kinds == [("channels", ("19:A@thread.tacv2",)), ("users", ("p-1",))]


async def test_stop_cancels_every_running_operation_and_queues_nobody() -> None:
    s = setup(people=200, at_once=2)
    await s.sending.advance(s.announcement)
    s.store.sending = False  # cancelled
    s.teams.failures["op-1"] = [FailedEntry("p-0001", "OperationCancelled")]

    stopped = await s.sending.stop(s.announcement)

    assert stopped == 2
    assert s.teams.cancelled == ["op-1", "op-2"]
    assert s.store.queued == []
    assert s.store.failed[1] == ["p-0001"]
    assert all(b.phase is BatchPhase.SETTLED for b in s.store.batches.values())


async def test_stop_also_closes_batches_claimed_but_never_accepted() -> None:
    s = setup(people=150, at_once=2)
    s.teams.refuse_sends = [Throttled(retry_after=1.0)]
    await s.sending.advance(s.announcement)
    s.store.sending = False

    assert await s.sending.stop(s.announcement) == 0
    assert await s.store.open_batches(1) == 2  # waiting out Teams' 429: a later round
    s.clock.advance(seconds=1)
    assert await s.sending.stop(s.announcement) == 0

    assert await s.store.open_batches(1) == 0
    assert s.store.failed[1] == list(s.store.batches[1].members)  # nobody reached
    assert s.store.queued == []


async def test_the_author_s_status_card_shows_the_mode_an_automatic_choice_became() -> None:
    from bot.domain.platform.outbox import OutboxStatus
    from tests.unit.announcements.sending_support import sent_to, world

    w = world(batch_from=3)  # four people: automatic means batches
    await sent_to(w, "p1", "p2", "p3", "p4")
    for person in ("p1", "p2", "p3", "p4"):
        w.repository.settle(recipient_dedupe_key(1, person), OutboxStatus.SENT)

    await w.sender().round()

    cards = w.status_cards()
    assert cards and {card.activity["delivery"] for card in cards} == {"batch"}
    unresolved = announcement(resolved=False, delivery=DeliveryMode.AUTOMATIC)
    assert AnnouncementRules(batch_from=3).as_sent(unresolved) == unresolved


async def test_a_batch_another_replica_is_submitting_is_not_submitted_again() -> None:
    s = setup(people=100, at_once=1)
    s.teams.refuse_sends = [Throttled(retry_after=1.0)]
    await s.sending.advance(s.announcement)
    s.clock.advance(seconds=2)
    other = BatchSending(
        repository=s.store,  # type: ignore[arg-type]
        operations=s.teams,
        cards=FakeCards(),
        rules=AnnouncementRules(batches_at_once=1),
        clock=s.clock,
        messages_for=one_by_one,
    )
    # The other replica takes it first (its hold: SUBMIT_LEASE) but has not sent it yet.
    assert await s.store.take_batch(1, s.clock.now())

    await s.sending.advance(s.announcement)
    await other.stop(s.announcement)  # not even a cancel settles what is being submitted

    assert s.teams.sent == [] and s.store.batches[1].phase is BatchPhase.CLAIMED
