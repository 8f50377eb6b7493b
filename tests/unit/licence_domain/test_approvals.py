"""Who decides a stage: the manager, the entity ICT admins or named people; never the requester."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.licences.approvals import ApproverFacts, assign_stage, stage_approvers
from bot.domain.licences.catalogue import ApproverKind, Stage

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MANAGER = Stage(ApproverKind.MANAGER)
ADMINS = Stage(ApproverKind.ENTITY_ADMIN)


def facts(
    manager: str | None = "jef",
    admins: tuple[str, ...] = ("an", "thomas"),
    requester: str = "lotte",
    decided: frozenset[str] = frozenset(),
) -> ApproverFacts:
    return ApproverFacts(requester, manager, admins, decided)


def test_the_manager_decides_a_manager_stage() -> None:
    assert stage_approvers(MANAGER, facts()) == ("jef",)


def test_without_a_manager_the_fallback_people_decide() -> None:
    assert stage_approvers(MANAGER, facts(manager=None), fallback=("griet",)) == ("griet",)


def test_without_manager_or_fallback_the_entity_admins_decide() -> None:
    assert stage_approvers(MANAGER, facts(manager=None)) == ("an", "thomas")


def test_an_admin_requesting_is_skipped_among_the_admins() -> None:
    assert stage_approvers(ADMINS, facts(requester="an")) == ("thomas",)


def test_the_only_admin_requesting_goes_to_the_fallback() -> None:
    result = stage_approvers(ADMINS, facts(requester="an", admins=("an",)), fallback=("griet",))
    assert result == ("griet",)


def test_named_approvers_never_include_the_requester_whatever_the_case() -> None:
    stage = Stage(ApproverKind.NAMED, ("LOTTE", "koen"))
    assert stage_approvers(stage, facts()) == ("koen",)


def test_nobody_decides_two_stages() -> None:
    result = stage_approvers(ADMINS, facts(admins=("jef", "an"), decided=frozenset({"jef"})))
    assert result == ("an",)


def test_nobody_left_means_no_approvers() -> None:
    assert stage_approvers(MANAGER, facts(manager=None, admins=())) == ()
    assert stage_approvers(MANAGER, facts(manager="lotte", admins=("lotte",))) == ()


def test_duplicates_are_listed_once() -> None:
    stage = Stage(ApproverKind.NAMED, ("koen", "Koen", "koen"))
    assert stage_approvers(stage, facts()) == ("koen",)


def test_an_assignment_has_a_deadline_and_a_halfway_reminder() -> None:
    got = assign_stage((MANAGER, ADMINS), 2, facts(), NOW, decision_days=14)
    assert got is not None
    assert got.approvers == ("an", "thomas")
    assert got.deadline == NOW + timedelta(days=14)
    assert got.remind_at == NOW + timedelta(days=7)


def test_no_assignment_when_nobody_may_decide() -> None:
    assert (
        assign_stage((MANAGER,), 1, facts(manager=None, admins=()), NOW, decision_days=14) is None
    )
