"""Requests in every shape a card may meet, built directly (no desk), for the card tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.domain.licences.catalogue import ApproverKind, CatalogueItem, Stage
from bot.domain.licences.requests import Decision, LicenceRequest, RequestState, format_reference
from tests.unit.licences.fakes import (
    JEF,
    LOTTE,
    NAMES,
    NOW,
    TENANT,
    THOMAS,
    TINE,
    MemoryLicenceRequests,
    demo_catalogue,
)

CATALOGUE = demo_catalogue()
SUBMITTED_AT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # 10:00 in Brussels
DECIDED_AT = datetime(2026, 11, 28, 13, 32, tzinfo=UTC)  # 14:32 in Brussels


def item(key: str) -> CatalogueItem:
    found = CATALOGUE.item(key)
    assert found is not None, key
    return found


PRO = item("powerbi-pro")
PPU = item("powerbi-ppu")
AUTOMATE = item("power-automate-premium")
BUDGET = item("ws-begroting")
ITEMS = {i.key: i for i in CATALOGUE.items}

MANAGER = Stage(ApproverKind.MANAGER)
ADMINS = Stage(ApproverKind.ENTITY_ADMIN)


def request(**changes: Any) -> LicenceRequest:
    """Lotte's Power BI Pro request, waiting for her manager Jef; `changes` move it on."""
    base = LicenceRequest(
        id=7,
        reference="LIC-2026-000007",
        tenant_id=TENANT,
        requester_id=LOTTE,
        requester_name=NAMES[LOTTE],
        entity="ADV",
        item_key="powerbi-pro",
        justification="Ik maak maandelijks rapporten over de helpdesktickets en deel die.",
        stages=(MANAGER,),
        state=RequestState.PENDING_APPROVAL,
        created_at=SUBMITTED_AT,
        updated_at=SUBMITTED_AT,
        version=2,
        stage=1,
        approvers=(JEF,),
        deadline=SUBMITTED_AT + timedelta(days=14),
        remind_at=SUBMITTED_AT + timedelta(days=7),
    )
    return replace(base, **changes)


def decision(
    by: str = JEF, *, approved: bool = True, stage: int = 1, comment: str = ""
) -> Decision:
    return Decision(stage, by, NAMES[by], approved, comment, DECIDED_AT)


def two_stage(**changes: Any) -> LicenceRequest:
    """Lotte's PPU request: Jef approved stage 1, ADV's ICT admins decide stage 2."""
    return request(
        **{
            "item_key": "powerbi-ppu",
            "stages": (MANAGER, ADMINS),
            "stage": 2,
            "approvers": (THOMAS, TINE),
            "decisions": (decision(comment="Akkoord, voor het dashboardproject."),),
            "end_date": date(2027, 3, 31),
            "answers": {},
            **changes,
        }
    )


def in_every_state() -> list[LicenceRequest]:
    """One request per state, newest last (ids and creation moments ascending)."""
    shapes: list[dict[str, Any]] = [
        {"state": RequestState.SUBMITTED, "stage": 0, "approvers": ()},
        {},
        {"state": RequestState.APPROVED, "approvers": (), "decisions": (decision(),)},
        {"state": RequestState.FULFILLING, "approvers": (), "reason": "licence.reason.throttled"},
        {"state": RequestState.FULFILLED, "approvers": (), "end_date": date(2027, 3, 31)},
        {"state": RequestState.FULFILLED, "approvers": (), "item_key": "powerbi-ppu"},
        {
            "state": RequestState.REJECTED,
            "approvers": (),
            "decisions": (decision(approved=False, comment="Niet nodig voor je taken."),),
        },
        {"state": RequestState.CANCELLED, "approvers": ()},
        {"state": RequestState.EXPIRED, "approvers": ()},
        {
            "state": RequestState.WAITING_FOR_SEATS,
            "approvers": (),
            "reason": "licence.reason.no_seats",
        },
        {"state": RequestState.FAILED, "approvers": (), "reason": "licence.reason.no_approver"},
        {"state": RequestState.ENDED, "approvers": (), "end_date": date(2026, 10, 31)},
        {"state": RequestState.FAILED, "approvers": (), "item_key": "gone-from-catalogue"},
    ]
    return [
        request(
            id=100 + n,
            reference=f"LIC-2026-{100 + n:06d}",
            created_at=SUBMITTED_AT + timedelta(hours=n),
            **shape,
        )
        for n, shape in enumerate(shapes)
    ]


def stored(
    requests: MemoryLicenceRequests,
    item_key: str,
    state: RequestState,
    *,
    requester: str = LOTTE,
    tenant: str = TENANT,
    reason: str = "",
    days_ago: int = 1,
) -> LicenceRequest:
    """A one-stage request of `requester` for `item_key`, put in `requests` as it stands in
    `state`, made `days_ago` days before NOW."""
    request_id = requests.next_id()
    created = NOW - timedelta(days=days_ago)
    return requests.put(
        LicenceRequest(
            id=request_id,
            reference=format_reference(2026, request_id),
            tenant_id=tenant,
            requester_id=requester,
            requester_name=NAMES.get(requester, ""),
            entity="ADV",
            item_key=item_key,
            justification="Voor de maandrapportering van de afdeling.",
            stages=(),
            state=state,
            created_at=created,
            updated_at=created,
            reason=reason,
        )
    )
