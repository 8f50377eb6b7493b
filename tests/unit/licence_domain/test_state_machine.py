"""Every legal transition of a licence request, and every illegal one raising IllegalTransition."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.licences.catalogue import ApproverKind, Stage
from bot.domain.licences.requests import (
    END_WARNING,
    AlreadyDecided,
    IllegalTransition,
    LicenceRequest,
    NotAnApprover,
    NotYours,
    RequestState,
    StageAssignment,
    format_reference,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=1)
REQUESTER = "requester-1"
MANAGER = "manager-1"
ADMIN = "admin-1"
TWO_STAGES = (Stage(ApproverKind.MANAGER), Stage(ApproverKind.ENTITY_ADMIN))


def assignment(*approvers: str, days: int = 14) -> StageAssignment:
    return StageAssignment(approvers, T0 + timedelta(days=days), T0 + timedelta(days=days / 2))


def request(state: RequestState = RequestState.SUBMITTED, **changes: object) -> LicenceRequest:
    base = LicenceRequest(
        id=7,
        reference=format_reference(2026, 7),
        tenant_id="tenant",
        requester_id=REQUESTER,
        requester_name="Lotte",
        entity="ADV",
        item_key="powerbi-pro",
        justification="Rapporten delen met het team",
        stages=TWO_STAGES,
        state=state,
        created_at=T0,
        updated_at=T0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def pending(stage: int = 1, **changes: object) -> LicenceRequest:
    first = request().start_approval(assignment(MANAGER), T0)
    if stage == 2:
        first = first.approve(MANAGER, "Jef", "", T0, assignment(ADMIN))
    return replace(first, **changes)  # type: ignore[arg-type]


# --- the legal paths -------------------------------------------------------------------------
def test_two_stage_approval_then_fulfilment_then_end() -> None:
    r = request(end_date=date(2026, 12, 31))
    r = r.start_approval(assignment(MANAGER), T0)
    assert (r.state, r.stage, r.approvers) == (RequestState.PENDING_APPROVAL, 1, (MANAGER,))
    r = r.approve(MANAGER, "Jef", "ok", T0, assignment(ADMIN))
    assert (r.state, r.stage, r.approvers) == (RequestState.PENDING_APPROVAL, 2, (ADMIN,))
    r = r.approve(ADMIN, "An", "", LATER)
    assert r.state is RequestState.APPROVED and r.approvers == () and r.deadline is None
    assert [(d.stage, d.approver_id, d.approved) for d in r.decisions] == [
        (1, MANAGER, True),
        (2, ADMIN, True),
    ]
    r = r.start_fulfilment(LATER)
    assert r.state is RequestState.FULFILLING
    ends = datetime(2027, 1, 1, tzinfo=UTC)
    r = r.fulfilled(LATER, ends)
    assert (r.state, r.fulfilled_at, r.ends_at) == (RequestState.FULFILLED, LATER, ends)
    r = r.mark_end_warned(ends - END_WARNING)
    r = r.end(ends)
    assert r.state is RequestState.ENDED and r.ended_at == ends


def test_every_transition_counts_the_version_and_the_time() -> None:
    r = request()
    moved = r.start_approval(assignment(MANAGER), LATER)
    assert moved.version == r.version + 1 and moved.updated_at == LATER
    assert r.state is RequestState.SUBMITTED  # immutable: the old value is unchanged


def test_a_policy_without_stages_is_approved_at_once() -> None:
    r = request(stages=()).approve_without_stages(T0)
    assert r.state is RequestState.APPROVED


def test_reject_records_the_decision() -> None:
    r = pending().reject(MANAGER, "Jef", "Geen budget", LATER)
    assert r.state is RequestState.REJECTED
    assert r.last_decision() is not None and r.last_decision().comment == "Geen budget"  # type: ignore[union-attr]


def test_waiting_for_seats_and_back() -> None:
    r = request(state=RequestState.APPROVED).start_fulfilment(T0)
    waiting = r.wait_for_seats(LATER, T0)
    assert waiting.state is RequestState.WAITING_FOR_SEATS and waiting.next_attempt_at == LATER
    again = waiting.wait_for_seats(LATER + timedelta(minutes=15), LATER)
    assert again.state is RequestState.WAITING_FOR_SEATS
    assert waiting.start_fulfilment(LATER).state is RequestState.FULFILLING
    assert waiting.retry_now(LATER).state is RequestState.FULFILLING


def test_retry_later_counts_attempts() -> None:
    r = request(state=RequestState.FULFILLING)
    r = r.retry_later("licence.reason.throttled", LATER, T0)
    assert (r.attempts, r.next_attempt_at, r.reason) == (1, LATER, "licence.reason.throttled")
    assert r.retry_now(LATER).next_attempt_at == LATER


@pytest.mark.parametrize(
    "state", [RequestState.SUBMITTED, RequestState.PENDING_APPROVAL, RequestState.WAITING_FOR_SEATS]
)
def test_the_requester_may_cancel_what_is_not_granted(state: RequestState) -> None:
    assert request(state=state).cancel(REQUESTER, T0).state is RequestState.CANCELLED


def test_nobody_else_may_cancel() -> None:
    with pytest.raises(NotYours):
        request().cancel(MANAGER, T0)


@pytest.mark.parametrize(
    "state",
    [
        RequestState.SUBMITTED,
        RequestState.PENDING_APPROVAL,
        RequestState.APPROVED,
        RequestState.FULFILLING,
        RequestState.WAITING_FOR_SEATS,
    ],
)
def test_every_open_state_may_fail(state: RequestState) -> None:
    failed = request(state=state).fail("licence.reason.gave_up", T0)
    assert failed.state is RequestState.FAILED and failed.reason == "licence.reason.gave_up"


def test_expiry_only_after_the_deadline() -> None:
    r = pending()
    assert r.deadline is not None
    with pytest.raises(IllegalTransition):
        r.expire(r.deadline - timedelta(seconds=1))
    assert r.expire(r.deadline).state is RequestState.EXPIRED


# --- deciding --------------------------------------------------------------------------------
def test_only_a_current_approver_decides() -> None:
    with pytest.raises(NotAnApprover):
        pending().approve(ADMIN, "An", "", T0, assignment(ADMIN))
    with pytest.raises(NotAnApprover):
        pending().reject(REQUESTER, "Lotte", "", T0)


def test_the_second_click_learns_who_decided_first() -> None:
    decided = pending().reject(MANAGER, "Jef", "", LATER)
    with pytest.raises(AlreadyDecided) as caught:
        decided.approve(MANAGER, "Jef", "", LATER)
    assert caught.value.params["name"] == "Jef"


def test_a_stage_one_approver_clicking_again_after_stage_two_started() -> None:
    with pytest.raises(AlreadyDecided):
        pending(stage=2).approve(MANAGER, "Jef", "", LATER)


def test_approving_a_non_final_stage_needs_the_next_approvers() -> None:
    with pytest.raises(IllegalTransition):
        pending().approve(MANAGER, "Jef", "", T0, None)
    with pytest.raises(IllegalTransition):
        pending().approve(MANAGER, "Jef", "", T0, assignment())


# --- illegal transitions: every state x every transition not allowed from it -----------------
Transition = Callable[[LicenceRequest], LicenceRequest]
TRANSITIONS: dict[str, Transition] = {
    "start_approval": lambda r: r.start_approval(assignment(MANAGER), LATER),
    "approve_without_stages": lambda r: replace(r, stages=()).approve_without_stages(LATER),
    "mark_reminded": lambda r: r.mark_reminded(LATER),
    "expire": lambda r: r.expire(LATER + timedelta(days=30)),
    "cancel": lambda r: r.cancel(REQUESTER, LATER),
    "start_fulfilment": lambda r: r.start_fulfilment(LATER),
    "retry_later": lambda r: r.retry_later("x", LATER, LATER),
    "retry_now": lambda r: r.retry_now(LATER),
    "wait_for_seats": lambda r: r.wait_for_seats(LATER, LATER),
    "fulfilled": lambda r: r.fulfilled(LATER),
    "fail": lambda r: r.fail("x", LATER),
    "mark_end_warned": lambda r: r.mark_end_warned(LATER),
    "end": lambda r: replace(r, ends_at=T0).end(LATER),
}
ALLOWED: dict[str, set[RequestState]] = {
    "start_approval": {RequestState.SUBMITTED},
    "approve_without_stages": {RequestState.SUBMITTED},
    "mark_reminded": {RequestState.PENDING_APPROVAL},
    "expire": {RequestState.PENDING_APPROVAL},
    "cancel": {
        RequestState.SUBMITTED,
        RequestState.PENDING_APPROVAL,
        RequestState.WAITING_FOR_SEATS,
    },
    "start_fulfilment": {RequestState.APPROVED, RequestState.WAITING_FOR_SEATS},
    "retry_later": {RequestState.FULFILLING},
    "retry_now": {RequestState.FULFILLING, RequestState.WAITING_FOR_SEATS},
    "wait_for_seats": {RequestState.FULFILLING, RequestState.WAITING_FOR_SEATS},
    "fulfilled": {RequestState.FULFILLING},
    "fail": {
        RequestState.SUBMITTED,
        RequestState.PENDING_APPROVAL,
        RequestState.APPROVED,
        RequestState.FULFILLING,
        RequestState.WAITING_FOR_SEATS,
    },
    "mark_end_warned": {RequestState.FULFILLED},
    "end": {RequestState.FULFILLED},
}


def _in_state(state: RequestState) -> LicenceRequest:
    base = pending() if state is RequestState.PENDING_APPROVAL else request(state=state)
    return replace(base, state=state)


@pytest.mark.parametrize("state", list(RequestState))
@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_transition_table(state: RequestState, name: str) -> None:
    r = _in_state(state)
    if state in ALLOWED[name]:
        TRANSITIONS[name](r)  # legal: no error
    else:
        with pytest.raises(IllegalTransition) as caught:
            TRANSITIONS[name](r)
        assert caught.value.state is state


@pytest.mark.parametrize(
    "state", [s for s in RequestState if s is not RequestState.PENDING_APPROVAL]
)
def test_nobody_decides_outside_pending_approval(state: RequestState) -> None:
    with pytest.raises((IllegalTransition, AlreadyDecided)):
        _in_state(state).approve(MANAGER, "Jef", "", LATER)


# --- when the worker looks again -------------------------------------------------------------
def test_wake_times_follow_the_state() -> None:
    assert request().wake_at() == T0
    p = pending()
    assert p.wake_at() == p.remind_at
    assert p.mark_reminded(LATER).wake_at() == p.deadline
    assert pending().reject(MANAGER, "Jef", "", LATER).wake_at() is None
    waiting = request(state=RequestState.FULFILLING).wait_for_seats(LATER, T0)
    assert waiting.wake_at() == LATER
    ends = T0 + timedelta(days=30)
    granted = request(state=RequestState.FULFILLING, end_date=date(2026, 12, 2)).fulfilled(T0, ends)
    assert granted.wake_at() == ends - END_WARNING
    assert granted.mark_end_warned(T0).wake_at() == ends
    forever = request(state=RequestState.FULFILLING).fulfilled(T0)
    assert forever.wake_at() is None


def test_a_time_bound_grant_needs_its_end_moment() -> None:
    with pytest.raises(IllegalTransition):
        request(state=RequestState.FULFILLING, end_date=date(2026, 12, 2)).fulfilled(T0)
    with pytest.raises(IllegalTransition):
        request(state=RequestState.FULFILLING).fulfilled(T0, LATER)


def test_references_count_per_year() -> None:
    assert format_reference(2026, 123) == "LIC-2026-000123"
