"""The licence report's rows (pure): lead times, medians and percentiles, decisions, seats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.domain.access.facts import Sku
from bot.domain.licences.report import (
    SEATS_NO_SUBSCRIPTION,
    SEATS_UNAVAILABLE,
    LeadTimes,
    LicenceReport,
    SeatReading,
    decided_at,
    licence_report,
)
from bot.domain.licences.requests import LicenceRequest, RequestState
from devtools.demo_catalogue import POWER_BI_PPU_SKU, POWER_BI_PRO_SKU, demo_catalogue
from tests.unit.excel.requests import ICT, MANAGER, T0, decided, request

CATALOGUE = demo_catalogue()
HOUR = timedelta(hours=1)
START, END = T0 - timedelta(days=1), T0 + timedelta(days=30)


def _report(
    requests: Sequence[LicenceRequest],
    seats: Sequence[SeatReading] = (),
    entity: str | None = None,
) -> LicenceReport:
    return licence_report(requests, CATALOGUE, seats, START, END, entity)


def test_lead_times_run_from_submission_to_decision_and_to_grant() -> None:
    granted = decided(request(1, state=RequestState.FULFILLED, fulfilled_after=5 * HOUR), 2 * HOUR)
    pending = decided(request(2, state=RequestState.PENDING_APPROVAL, stages=(MANAGER, ICT)), HOUR)
    rejected = decided(
        request(3, state=RequestState.REJECTED, stages=(MANAGER, ICT)), HOUR, stage=1
    )
    rejected = decided(rejected, 30 * HOUR, approved=False, stage=2)
    no_stages = request(
        4,
        item="ws-ruimtelijke-data-viewer",
        state=RequestState.FULFILLED,
        stages=(),
        fulfilled_after=HOUR / 4,
    )

    rows = {row.reference: row for row in _report([granted, pending, rejected, no_stages]).requests}

    assert rows[granted.reference].hours_to_decision == 2.0
    assert rows[granted.reference].hours_to_fulfilment == 5.0
    assert rows[granted.reference].decided_at == T0 + 2 * HOUR
    assert rows[pending.reference].decided_at is None, "one of two stages is no decision yet"
    assert rows[rejected.reference].hours_to_decision == 30.0
    assert rows[rejected.reference].hours_to_fulfilment is None
    assert rows[no_stages.reference].hours_to_decision is None, "nobody decided"
    assert rows[no_stages.reference].hours_to_fulfilment == 0.25


def test_median_and_p90_use_lead_times_that_occurred() -> None:
    assert LeadTimes.of([]) == LeadTimes(0, None, None)
    assert LeadTimes.of([4.0]) == LeadTimes(1, 4.0, 4.0)
    assert LeadTimes.of([1.0, 3.0]) == LeadTimes(2, 2.0, 3.0)
    hours = [float(h) for h in range(1, 11)]  # 1..10
    assert LeadTimes.of(list(reversed(hours))) == LeadTimes(10, 5.5, 9.0)
    assert LeadTimes.of([*hours, 100.0]).p90 == 10.0


def test_lead_time_summary_per_item_then_per_entity() -> None:
    requests = [
        decided(
            request(1, entity="ADV", state=RequestState.FULFILLED, fulfilled_after=3 * HOUR), HOUR
        ),
        decided(request(2, entity="ADV", state=RequestState.APPROVED), 3 * HOUR),
        decided(request(3, entity="DFB", state=RequestState.REJECTED), 8 * HOUR, approved=False),
        request(4, entity="DFB", state=RequestState.PENDING_APPROVAL),
        request(5, item="powerbi-ppu", entity="AWV", state=RequestState.CANCELLED),
    ]

    rows = [(r.item_key, r.entity, r) for r in _report(requests).lead_times]

    assert [(item, entity) for item, entity, _ in rows] == [
        ("powerbi-pro", None),
        ("powerbi-pro", "ADV"),
        ("powerbi-pro", "DFB"),
        ("powerbi-ppu", None),
        ("powerbi-ppu", "AWV"),
    ]
    everyone = rows[0][2]
    assert (everyone.requests, everyone.approved, everyone.rejected) == (4, 2, 1)
    assert everyone.to_decision == LeadTimes(3, 3.0, 8.0)
    assert everyone.to_fulfilment == LeadTimes(1, 3.0, 3.0)
    adv = rows[1][2]
    assert adv.to_decision == LeadTimes(2, 2.0, 3.0)
    assert rows[4][2].requests == 1 and rows[4][2].to_decision.count == 0


def test_every_decision_is_a_row() -> None:
    two_stages = decided(
        decided(request(1, stages=(MANAGER, ICT), state=RequestState.APPROVED), HOUR, comment="ok"),
        2 * HOUR,
        stage=2,
        comment="=SUM(A1)",
    )

    rows = _report([two_stages, request(2)]).decisions

    assert [(d.reference, d.stage, d.approved, d.comment) for d in rows] == [
        (two_stages.reference, 1, True, "ok"),
        (two_stages.reference, 2, True, "=SUM(A1)"),
    ]
    assert rows[1].at == T0 + 2 * HOUR


def test_the_period_and_entity_bound_the_report() -> None:
    inside = request(1, entity="ADV")
    before = request(2, created=START - HOUR)
    at_end = request(3, created=END)
    other = request(4, entity="DFB")

    report = _report([at_end, other, before, inside], entity="ADV")

    assert [r.reference for r in report.requests] == [inside.reference]
    assert report.entity == "ADV"


def test_seats_per_sku_for_the_tenant_and_grants_per_entity() -> None:
    granted = [
        request(1, entity="ADV", state=RequestState.FULFILLED, fulfilled_after=HOUR),
        request(2, entity="ADV", state=RequestState.ENDED, fulfilled_after=HOUR),
        request(3, entity="DFB", state=RequestState.FULFILLED, fulfilled_after=HOUR),
        request(4, entity="DFB", state=RequestState.WAITING_FOR_SEATS),
    ]
    seats = [
        SeatReading(POWER_BI_PRO_SKU, Sku(POWER_BI_PRO_SKU, "POWER_BI_PRO", 25, 27)),
        SeatReading(POWER_BI_PPU_SKU, None, SEATS_UNAVAILABLE),
    ]

    rows = _report(granted, seats).seats

    pro = [r for r in rows if r.sku_id == POWER_BI_PRO_SKU]
    tenant = pro[0]
    assert (tenant.entity, tenant.enabled, tenant.consumed, tenant.free) == (None, 25, 27, 0)
    assert (tenant.granted, tenant.active, tenant.problem) == (3, 2, "")
    assert tenant.sku_part_number == "POWER_BI_PRO"
    assert tenant.item_keys == ("powerbi-pro",)
    by_entity = {r.entity: (r.granted, r.active) for r in pro[1:]}
    assert by_entity == {"DOMG": (0, 0), "AWV": (0, 0), "DFB": (1, 1), "ADV": (2, 1), "AFB": (0, 0)}
    ppu = next(r for r in rows if r.sku_id == POWER_BI_PPU_SKU and r.entity is None)
    assert (ppu.enabled, ppu.problem) == (None, SEATS_UNAVAILABLE)
    skus = {r.sku_id for r in rows}
    assert len(skus) == 4, "one per distinct SKU of the catalogue; workspace roles have none"
    unread = next(
        r for r in rows if r.entity is None and r.sku_id not in {POWER_BI_PRO_SKU, POWER_BI_PPU_SKU}
    )
    assert unread.problem == SEATS_UNAVAILABLE, "a SKU nobody read is not silently zero"


def test_a_sku_the_tenant_lacks_says_so() -> None:
    rows = _report([], [SeatReading(POWER_BI_PRO_SKU)]).seats

    pro = next(r for r in rows if r.sku_id == POWER_BI_PRO_SKU and r.entity is None)
    assert pro.problem == SEATS_NO_SUBSCRIPTION


def test_a_request_rejected_at_stage_one_of_two_is_decided() -> None:
    rejected = decided(
        request(1, stages=(MANAGER, ICT), state=RequestState.REJECTED), HOUR, approved=False
    )

    assert decided_at(rejected) == T0 + HOUR


def test_names_come_from_the_catalogue() -> None:
    report = _report([])

    assert report.item_name("powerbi-ppu") == "Power BI Premium per gebruiker"
    assert report.item_name("powerbi-ppu", "en") == "Power BI Premium per user"
    assert report.item_name("gone") == "gone"
    assert report.entity_name("ADV") == "Agentschap Digitaal Vlaanderen"
