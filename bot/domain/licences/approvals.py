"""Who decides a stage of a request: pure rules over what the directory said.

- A stage names its approvers: the requester's manager, the entity's ICT admins, or people.
- Nobody approves their own request, and nobody decides two stages of the same request: a second
  stage is a second pair of eyes.
- When that leaves nobody (no manager in Entra, the requester is the only admin), the policy's
  fallback people decide; without those, the entity's ICT admins; without those, nobody can, and
  the service fails the request with a clear reason instead of letting it wait forever.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.licences.catalogue import ApproverKind, Stage
from bot.domain.licences.requests import StageAssignment


@dataclass(frozen=True, slots=True)
class ApproverFacts:
    """What the service looked up for one request before resolving a stage."""

    requester_id: str
    manager_id: str | None  # None: Entra has no manager for the requester
    entity_admin_ids: Sequence[str]
    already_decided: frozenset[str] = frozenset()  # casefolded ids of earlier stages' deciders


def stage_approvers(
    stage: Stage, facts: ApproverFacts, fallback: Sequence[str] = ()
) -> tuple[str, ...]:
    """The people who may decide this stage, in a stable order; () when nobody may."""
    if stage.approver is ApproverKind.MANAGER:
        first: Sequence[str] = [facts.manager_id] if facts.manager_id else []
    elif stage.approver is ApproverKind.ENTITY_ADMIN:
        first = facts.entity_admin_ids
    else:
        first = stage.named
    for candidates in (first, fallback, facts.entity_admin_ids):
        eligible = _eligible(candidates, facts)
        if eligible:
            return eligible
    return ()


def assign_stage(
    policy_stages: Sequence[Stage],
    number: int,
    facts: ApproverFacts,
    now: datetime,
    *,
    decision_days: int,
    fallback: Sequence[str] = (),
) -> StageAssignment | None:
    """Approvers and deadline of stage `number` (1-based); None when nobody may decide it."""
    approvers = stage_approvers(policy_stages[number - 1], facts, fallback)
    if not approvers:
        return None
    window = timedelta(days=decision_days)
    # Halfway to the deadline, approvers who have not decided get one reminder.
    return StageAssignment(approvers, deadline=now + window, remind_at=now + window / 2)


def _eligible(candidates: Iterable[str], facts: ApproverFacts) -> tuple[str, ...]:
    excluded = {facts.requester_id.casefold(), *facts.already_decided}
    seen: set[str] = set()
    result = []
    for candidate in candidates:
        key = candidate.casefold()
        if candidate and key not in excluded and key not in seen:
            seen.add(key)
            result.append(candidate)
    return tuple(result)
