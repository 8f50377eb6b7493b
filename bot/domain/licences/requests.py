"""A licence or Power BI access request and the only ways its state may change.

Every transition is a method that returns a new request (the value is immutable) or raises
IllegalTransition; the store saves a transition only if nobody saved another one in between
(`version`), so two approvers clicking at once cannot both win.

    submitted --start_approval--> pending_approval (stage 1..n) --approve--> ... --> approved
    submitted --approve_without_stages--> approved
    approved --start_fulfilment--> fulfilling --fulfilled--> fulfilled --end--> ended
    fulfilling --wait_for_seats--> waiting_for_seats --seats_free--> fulfilling
    pending_approval --reject--> rejected | --expire--> expired
    submitted, pending_approval, waiting_for_seats --cancel--> cancelled
    submitted, pending_approval, approved, fulfilling, waiting_for_seats --fail--> failed
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.licences.catalogue import Stage
from bot.domain.platform.errors import DomainError

REFERENCE_PREFIX = "LIC"
# Time-bound access: the requester is warned this long before it is removed (and may extend).
END_WARNING = timedelta(days=7)


class RequestState(StrEnum):
    SUBMITTED = "submitted"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    FULFILLING = "fulfilling"
    FULFILLED = "fulfilled"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # nobody decided before the deadline
    WAITING_FOR_SEATS = "waiting_for_seats"
    FAILED = "failed"
    ENDED = "ended"  # time-bound access removed at its end date


OPEN_STATES = frozenset(
    {
        RequestState.SUBMITTED,
        RequestState.PENDING_APPROVAL,
        RequestState.APPROVED,
        RequestState.FULFILLING,
        RequestState.WAITING_FOR_SEATS,
    }
)
# States the requester may still cancel: nothing has been granted yet.
CANCELLABLE = frozenset(
    {RequestState.SUBMITTED, RequestState.PENDING_APPROVAL, RequestState.WAITING_FOR_SEATS}
)
# States a request may be submitted again from (a new request, approved anew): it ended without
# the item, FAILED too (what blocked granting may be fixed by now).
RESUBMITTABLE = frozenset(
    {RequestState.REJECTED, RequestState.EXPIRED, RequestState.CANCELLED, RequestState.ENDED}
) | {RequestState.FAILED}
_FAILABLE = OPEN_STATES


class IllegalTransition(DomainError):
    """A transition the state machine does not allow (a bug or a stale click, never ignored)."""

    message_key = "licence.error.illegal_transition"

    def __init__(self, state: RequestState, transition: str) -> None:
        super().__init__(state=state.value, transition=transition)
        self.state = state
        self.transition = transition


class NotAnApprover(DomainError):
    message_key = "licence.error.not_an_approver"


class AlreadyDecided(DomainError):
    """Someone else decided this stage first (or the request moved on)."""

    message_key = "licence.error.already_decided"


class NotYours(DomainError):
    message_key = "licence.error.not_yours"


class StaleRequest(DomainError):
    """Someone saved another transition of the request first; reload and decide again."""

    message_key = "licence.error.changed_meanwhile"


@dataclass(frozen=True, slots=True)
class Decision:
    stage: int
    approver_id: str
    approver_name: str
    approved: bool
    comment: str
    at: datetime


@dataclass(frozen=True, slots=True)
class StageAssignment:
    """Who decides the next stage and by when (resolved by bot.domain.licences.approvals)."""

    approvers: tuple[str, ...]
    deadline: datetime
    remind_at: datetime  # halfway: one reminder to the approvers who have not decided


@dataclass(frozen=True, slots=True)
class NewLicenceRequest:
    """What a requester submits, checked by the service before it is stored."""

    tenant_id: str
    requester_id: str
    requester_name: str
    entity: str
    item_key: str
    justification: str
    stages: tuple[Stage, ...]  # the policy as it was at submission: later edits don't apply
    answers: dict[str, str] = field(default_factory=dict)
    end_date: date | None = None
    previous_reference: str = ""  # resubmission of a rejected one, or extension of a granted one


@dataclass(frozen=True, slots=True)
class LicenceRequest:
    id: int
    reference: str  # LIC-2026-000123
    tenant_id: str
    requester_id: str
    requester_name: str
    entity: str
    item_key: str
    justification: str
    stages: tuple[Stage, ...]
    state: RequestState
    created_at: datetime
    updated_at: datetime
    version: int = 1
    answers: dict[str, str] = field(default_factory=dict)
    end_date: date | None = None
    previous_reference: str = ""
    stage: int = 0  # the stage being decided (1-based); 0 before approval starts
    approvers: tuple[str, ...] = ()  # who may decide the current stage
    invited: tuple[str, ...] = ()  # everyone ever asked to decide (their cards stay readable)
    deadline: datetime | None = None
    remind_at: datetime | None = None
    reminded: bool = False  # the halfway reminder of the current stage went out
    decisions: tuple[Decision, ...] = ()
    reason: str = ""  # why it failed or waits (a message id), never personal data
    attempts: int = 0  # fulfilment attempts so far
    next_attempt_at: datetime | None = None  # when the fulfilment worker looks again
    fulfilled_at: datetime | None = None
    ends_at: datetime | None = None  # the moment access is removed (end of end_date, local time)
    end_warned: bool = False  # the "ends in a week" warning went out
    ended_at: datetime | None = None
    # Worker claims since a worker last finished a step on it (set by the store; the worker's
    # crash cap, not part of the request's own state).
    claims: int = field(default=0, compare=False)

    # --- questions ---------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def total_stages(self) -> int:
        return len(self.stages)

    def current_stage(self) -> Stage | None:
        return self.stages[self.stage - 1] if 0 < self.stage <= len(self.stages) else None

    def decision_of(self, stage: int) -> Decision | None:
        return next((d for d in self.decisions if d.stage == stage), None)

    def last_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    def deciders(self) -> frozenset[str]:
        return frozenset(d.approver_id.casefold() for d in self.decisions)

    def was_asked(self, user_id: str) -> bool:
        """Was this person ever asked to decide (or did decide)? They may see its card."""
        asked = {person.casefold() for person in (*self.invited, *self.approvers)}
        return user_id.casefold() in asked | self.deciders()

    def check_decider(self, user_id: str) -> None:
        """Raise unless user_id may decide the current stage now."""
        if self.state is not RequestState.PENDING_APPROVAL:
            if self.decisions:
                raise AlreadyDecided(**_decided_params(self.decisions[-1]))
            raise IllegalTransition(self.state, "decide")
        if user_id.casefold() not in {a.casefold() for a in self.approvers}:
            # A click on an older card: the clicker's own earlier decision, or this stage's.
            own = next(
                (d for d in self.decisions if d.approver_id.casefold() == user_id.casefold()), None
            )
            decided = own or self.decision_of(self.stage)
            if decided is not None:
                raise AlreadyDecided(**_decided_params(decided))
            raise NotAnApprover()

    def wake_at(self) -> datetime | None:
        """When the scheduler must next look at this request; None: only a person moves it."""
        if self.state in (RequestState.SUBMITTED, RequestState.APPROVED):
            return self.updated_at  # a crash between two steps: pick it up again at once
        if self.state is RequestState.PENDING_APPROVAL:
            if not self.reminded and self.remind_at is not None and self.deadline is not None:
                return min(self.remind_at, self.deadline)
            return self.deadline
        if self.state in (RequestState.FULFILLING, RequestState.WAITING_FOR_SEATS):
            return self.next_attempt_at or self.updated_at
        if self.state is RequestState.FULFILLED and self.ends_at is not None:
            return self.ends_at if self.end_warned else self.ends_at - END_WARNING
        return None

    # --- transitions -------------------------------------------------------------------------
    def start_approval(self, first: StageAssignment, now: datetime) -> LicenceRequest:
        self._require({RequestState.SUBMITTED}, "start_approval")
        if not self.stages or not first.approvers:
            raise IllegalTransition(self.state, "start_approval")
        return self._to(
            RequestState.PENDING_APPROVAL,
            now,
            stage=1,
            approvers=first.approvers,
            invited=_union(self.invited, first.approvers),
            deadline=first.deadline,
            remind_at=first.remind_at,
            reminded=False,
        )

    def approve_without_stages(self, now: datetime) -> LicenceRequest:
        self._require({RequestState.SUBMITTED}, "approve_without_stages")
        if self.stages:
            raise IllegalTransition(self.state, "approve_without_stages")
        return self._to(RequestState.APPROVED, now)

    def approve(
        self,
        approver_id: str,
        approver_name: str,
        comment: str,
        now: datetime,
        next_stage: StageAssignment | None = None,
    ) -> LicenceRequest:
        """Record an approval of the current stage; the last stage approves the request."""
        self.check_decider(approver_id)
        decision = Decision(self.stage, approver_id, approver_name, True, comment, now)
        decisions = (*self.decisions, decision)
        if self.stage < self.total_stages:
            if next_stage is None or not next_stage.approvers:
                raise IllegalTransition(self.state, "approve")
            return self._to(
                RequestState.PENDING_APPROVAL,
                now,
                decisions=decisions,
                stage=self.stage + 1,
                approvers=next_stage.approvers,
                invited=_union(self.invited, next_stage.approvers),
                deadline=next_stage.deadline,
                remind_at=next_stage.remind_at,
                reminded=False,
            )
        return self._to(
            RequestState.APPROVED,
            now,
            decisions=decisions,
            approvers=(),
            deadline=None,
            remind_at=None,
        )

    def reject(
        self, approver_id: str, approver_name: str, comment: str, now: datetime
    ) -> LicenceRequest:
        self.check_decider(approver_id)
        decision = Decision(self.stage, approver_id, approver_name, False, comment, now)
        return self._to(
            RequestState.REJECTED,
            now,
            decisions=(*self.decisions, decision),
            approvers=(),
            deadline=None,
        )

    def mark_reminded(self, now: datetime) -> LicenceRequest:
        self._require({RequestState.PENDING_APPROVAL}, "mark_reminded")
        return self._to(RequestState.PENDING_APPROVAL, now, reminded=True)

    def expire(self, now: datetime) -> LicenceRequest:
        self._require({RequestState.PENDING_APPROVAL}, "expire")
        if self.deadline is None or now < self.deadline:
            raise IllegalTransition(self.state, "expire")
        return self._to(RequestState.EXPIRED, now, approvers=(), deadline=None)

    def cancel(self, by_user_id: str, now: datetime) -> LicenceRequest:
        if by_user_id.casefold() != self.requester_id.casefold():
            raise NotYours()
        self._require(CANCELLABLE, "cancel")
        return self._to(RequestState.CANCELLED, now, approvers=(), deadline=None)

    def start_fulfilment(self, now: datetime) -> LicenceRequest:
        self._require({RequestState.APPROVED, RequestState.WAITING_FOR_SEATS}, "start_fulfilment")
        return self._to(RequestState.FULFILLING, now, reason="", next_attempt_at=now)

    def retry_later(self, reason: str, at: datetime, now: datetime) -> LicenceRequest:
        """A transient failure (Graph 429/5xx, usage location not set yet): try again at `at`."""
        self._require({RequestState.FULFILLING}, "retry_later")
        return self._to(
            RequestState.FULFILLING,
            now,
            reason=reason,
            attempts=self.attempts + 1,
            next_attempt_at=at,
        )

    def retry_now(self, now: datetime) -> LicenceRequest:
        """An admin fixed what blocked fulfilment (usage location, seats): look again now."""
        if self.state is RequestState.WAITING_FOR_SEATS:
            return self.start_fulfilment(now)
        self._require({RequestState.FULFILLING}, "retry_now")
        return self._to(RequestState.FULFILLING, now, next_attempt_at=now)

    def wait_for_seats(self, recheck_at: datetime, now: datetime) -> LicenceRequest:
        self._require({RequestState.FULFILLING, RequestState.WAITING_FOR_SEATS}, "wait_for_seats")
        return self._to(
            RequestState.WAITING_FOR_SEATS,
            now,
            reason="licence.reason.no_seats",
            next_attempt_at=recheck_at,
        )

    def fulfilled(self, now: datetime, ends_at: datetime | None = None) -> LicenceRequest:
        """Granted and verified; `ends_at` is when time-bound access must be removed."""
        self._require({RequestState.FULFILLING}, "fulfilled")
        if (ends_at is None) != (self.end_date is None):
            raise IllegalTransition(self.state, "fulfilled")
        return self._to(
            RequestState.FULFILLED,
            now,
            reason="",
            next_attempt_at=None,
            fulfilled_at=now,
            ends_at=ends_at,
        )

    def fail(self, reason: str, now: datetime) -> LicenceRequest:
        self._require(_FAILABLE, "fail")
        return self._to(
            RequestState.FAILED,
            now,
            reason=reason,
            approvers=(),
            deadline=None,
            next_attempt_at=None,
        )

    def mark_end_warned(self, now: datetime) -> LicenceRequest:
        self._require({RequestState.FULFILLED}, "mark_end_warned")
        return self._to(RequestState.FULFILLED, now, end_warned=True)

    def end(self, now: datetime) -> LicenceRequest:
        """Access removed at the end date."""
        self._require({RequestState.FULFILLED}, "end")
        if self.ends_at is None or now < self.ends_at:
            raise IllegalTransition(self.state, "end")
        return self._to(RequestState.ENDED, now, ended_at=now)

    # --- helpers -----------------------------------------------------------------------------
    def _require(self, allowed: frozenset[RequestState] | set[RequestState], name: str) -> None:
        if self.state not in allowed:
            raise IllegalTransition(self.state, name)

    def _to(self, state: RequestState, now: datetime, **changes: Any) -> LicenceRequest:
        return replace(self, state=state, updated_at=now, version=self.version + 1, **changes)


def _union(known: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    seen = {person.casefold() for person in known}
    return (*known, *(person for person in more if person.casefold() not in seen))


def _decided_params(decision: Decision) -> dict[str, Any]:
    return {"name": decision.approver_name, "at": decision.at.isoformat(timespec="minutes")}


def format_reference(year: int, number: int) -> str:
    """LIC-2026-000123: the year it was submitted and a number counting per year."""
    return f"{REFERENCE_PREFIX}-{year}-{number:06d}"
