"""Hand-built licence requests for the report tests: each in the state a real flow leaves it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.domain.licences.catalogue import ApproverKind, Stage
from bot.domain.licences.requests import Decision, LicenceRequest, RequestState

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday; 09:00 in Brussels
MANAGER = Stage(ApproverKind.MANAGER)
ICT = Stage(ApproverKind.ENTITY_ADMIN)


def request(
    number: int,
    *,
    item: str = "powerbi-pro",
    entity: str = "ADV",
    state: RequestState = RequestState.SUBMITTED,
    created: datetime = T0,
    stages: tuple[Stage, ...] = (MANAGER,),
    decisions: tuple[Decision, ...] = (),
    fulfilled_after: timedelta | None = None,
    end_date: date | None = None,
) -> LicenceRequest:
    fulfilled_at = created + fulfilled_after if fulfilled_after is not None else None
    return LicenceRequest(
        id=number,
        reference=f"LIC-2026-{number:06d}",
        tenant_id="tenant",
        requester_id=f"user-{number}",
        requester_name=f"Persoon {number}",
        entity=entity,
        item_key=item,
        justification="Voor de maandrapportering van het team.",
        stages=stages,
        state=state,
        created_at=created,
        updated_at=fulfilled_at or created,
        decisions=decisions,
        fulfilled_at=fulfilled_at,
        end_date=end_date,
    )


def decided(
    base: LicenceRequest,
    after: timedelta,
    *,
    approved: bool = True,
    stage: int = 1,
    comment: str = "",
) -> LicenceRequest:
    """The request with one more decision, `after` its submission."""
    decision = Decision(
        stage, f"approver-{stage}", f"Beslisser {stage}", approved, comment, base.created_at + after
    )
    return replace(base, decisions=(*base.decisions, decision))
