"""The licence report's rows: requests, decisions, lead times and seats over a period.

Pure: it takes the requests created in the period, the catalogue (for item names and SKUs) and
what was read of each SKU's seats, and returns plain rows that any writer (Excel, a card) shows.

Lead times are counted from submission: to the decision that settled the request (the last
stage's approval or a rejection) and to fulfilment. A request approved without stages has no
decision of a person and so no decision lead time. Summaries give the median and the 90th
percentile (nearest rank: always a lead time that really occurred).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.access.facts import Sku
from bot.domain.licences.catalogue import Catalogue
from bot.domain.licences.requests import LicenceRequest, RequestState
from bot.domain.licences.seats import free_seats

# Why a SKU's seats are missing from the report (message ids; the writer shows the text).
SEATS_NOT_CONFIGURED = "report.licences.seats.not_configured"
SEATS_UNAVAILABLE = "report.licences.seats.unavailable"
SEATS_NO_SUBSCRIPTION = "report.licences.seats.no_subscription"
_SECONDS_PER_HOUR = 3600
_APPROVED_STATES = frozenset(
    {
        RequestState.APPROVED,
        RequestState.FULFILLING,
        RequestState.WAITING_FOR_SEATS,
        RequestState.FULFILLED,
        RequestState.ENDED,
    }
)


@dataclass(frozen=True, slots=True)
class SeatReading:
    """What was read of one SKU: the subscription, or why there is none (a message id)."""

    sku_id: str
    sku: Sku | None = None  # None with no problem: the tenant has no such subscription
    problem: str = ""


@dataclass(frozen=True, slots=True)
class RequestRow:
    reference: str
    requester_name: str
    entity: str
    item_key: str
    state: RequestState
    created_at: datetime
    decided_at: datetime | None
    fulfilled_at: datetime | None
    end_date: date | None
    hours_to_decision: float | None
    hours_to_fulfilment: float | None


@dataclass(frozen=True, slots=True)
class DecisionRow:
    reference: str
    entity: str
    item_key: str
    stage: int
    approver_name: str
    approved: bool
    comment: str
    at: datetime


@dataclass(frozen=True, slots=True)
class LeadTimes:
    """Median and 90th percentile of a set of lead times, in hours (None: no lead times)."""

    count: int
    median: float | None
    p90: float | None

    @staticmethod
    def of(hours: Sequence[float]) -> LeadTimes:
        if not hours:
            return LeadTimes(0, None, None)
        ordered = sorted(hours)
        p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
        return LeadTimes(len(ordered), round(statistics.median(ordered), 2), p90)


@dataclass(frozen=True, slots=True)
class LeadTimeRow:
    item_key: str
    entity: str | None  # None: every entity together
    requests: int
    approved: int
    rejected: int
    to_decision: LeadTimes
    to_fulfilment: LeadTimes


@dataclass(frozen=True, slots=True)
class SeatRow:
    """One SKU for the whole tenant (entity None: the seat counts), or one entity's share of it
    (granted through Werkplek in the period; the tenant-wide counts are not split by entity)."""

    sku_id: str
    sku_part_number: str
    item_keys: tuple[str, ...]
    entity: str | None
    enabled: int | None
    consumed: int | None
    free: int | None
    granted: int  # requests of the period that were fulfilled (access given, maybe ended since)
    active: int  # of those, still held (not ended)
    problem: str = ""  # why the counts are missing (a message id)


@dataclass(frozen=True, slots=True)
class LicenceReport:
    start: datetime
    end: datetime
    entity: str | None
    requests: tuple[RequestRow, ...]
    decisions: tuple[DecisionRow, ...]
    lead_times: tuple[LeadTimeRow, ...]
    seats: tuple[SeatRow, ...]
    catalogue: Catalogue

    def item_name(self, key: str, locale: str = "nl") -> str:
        item = self.catalogue.item(key)
        return item.name(locale) if item else key

    def entity_name(self, code: str, locale: str = "nl") -> str:
        entity = self.catalogue.entity(code)
        return entity.name(locale) if entity else code


def licence_report(
    requests: Iterable[LicenceRequest],
    catalogue: Catalogue,
    seats: Sequence[SeatReading],
    start: datetime,
    end: datetime,
    entity: str | None = None,
) -> LicenceReport:
    """The report over requests created in [start, end), of one entity or of all."""
    chosen = sorted(
        (
            r
            for r in requests
            if start <= r.created_at < end and (entity is None or r.entity == entity)
        ),
        key=lambda r: (r.created_at, r.reference),
    )
    return LicenceReport(
        start=start,
        end=end,
        entity=entity,
        requests=tuple(_request_row(r) for r in chosen),
        decisions=tuple(_decision_rows(chosen)),
        lead_times=tuple(_lead_time_rows(chosen, catalogue)),
        seats=tuple(_seat_rows(chosen, catalogue, seats, entity)),
        catalogue=catalogue,
    )


def _decision_rows(requests: Sequence[LicenceRequest]) -> Iterable[DecisionRow]:
    for r in requests:
        for d in r.decisions:
            yield DecisionRow(
                r.reference, r.entity, r.item_key, d.stage, d.approver_name, d.approved,
                d.comment, d.at,
            )  # fmt: skip


def decided_at(request: LicenceRequest) -> datetime | None:
    """When a person settled the request: the last stage's approval, or a rejection."""
    last = request.last_decision()
    if last is None:
        return None
    if not last.approved or last.stage >= request.total_stages:
        return last.at
    return None


def _hours(since: datetime, until: datetime | None) -> float | None:
    if until is None:
        return None
    return round((until - since).total_seconds() / _SECONDS_PER_HOUR, 2)


def _request_row(request: LicenceRequest) -> RequestRow:
    decided = decided_at(request)
    return RequestRow(
        reference=request.reference,
        requester_name=request.requester_name,
        entity=request.entity,
        item_key=request.item_key,
        state=request.state,
        created_at=request.created_at,
        decided_at=decided,
        fulfilled_at=request.fulfilled_at,
        end_date=request.end_date,
        hours_to_decision=_hours(request.created_at, decided),
        hours_to_fulfilment=_hours(request.created_at, request.fulfilled_at),
    )


def _lead_time_rows(
    requests: Sequence[LicenceRequest], catalogue: Catalogue
) -> Iterable[LeadTimeRow]:
    """Per item (catalogue order, then items no longer in it): all entities, then each one."""
    order = {item.key: position for position, item in enumerate(catalogue.items)}
    item_keys = sorted({r.item_key for r in requests}, key=lambda k: (order.get(k, len(order)), k))
    for item_key in item_keys:
        of_item = [r for r in requests if r.item_key == item_key]
        yield _lead_time_row(item_key, None, of_item)
        for code in sorted({r.entity for r in of_item}):
            yield _lead_time_row(item_key, code, [r for r in of_item if r.entity == code])


def _lead_time_row(
    item_key: str, entity: str | None, requests: Sequence[LicenceRequest]
) -> LeadTimeRow:
    to_decision = [h for r in requests if (h := _hours(r.created_at, decided_at(r))) is not None]
    to_fulfilment = [h for r in requests if (h := _hours(r.created_at, r.fulfilled_at)) is not None]
    return LeadTimeRow(
        item_key=item_key,
        entity=entity,
        requests=len(requests),
        approved=sum(1 for r in requests if _approved(r)),
        rejected=sum(1 for r in requests if r.state is RequestState.REJECTED),
        to_decision=LeadTimes.of(to_decision),
        to_fulfilment=LeadTimes.of(to_fulfilment),
    )


def _approved(request: LicenceRequest) -> bool:
    """Approved at some point: by its last stage or without stages (whatever happened after)."""
    if request.state in _APPROVED_STATES:
        return True
    last = request.last_decision()
    return (
        request.state is RequestState.FAILED
        and last is not None
        and last.approved
        and last.stage >= request.total_stages
    )


def _seat_rows(
    requests: Sequence[LicenceRequest],
    catalogue: Catalogue,
    readings: Sequence[SeatReading],
    entity: str | None,
) -> Iterable[SeatRow]:
    by_sku = {reading.sku_id.casefold(): reading for reading in readings}
    sku_ids: list[str] = []
    for item in catalogue.items:
        if item.sku_id and item.sku_id.casefold() not in {s.casefold() for s in sku_ids}:
            sku_ids.append(item.sku_id)
    codes = [e.code for e in catalogue.entities if entity is None or e.code == entity]
    codes += sorted({r.entity for r in requests} - set(codes))
    for sku_id in sku_ids:
        items = tuple(i.key for i in catalogue.items if i.sku_id.casefold() == sku_id.casefold())
        granted = [r for r in requests if r.item_key in items and r.fulfilled_at is not None]
        reading = by_sku.get(sku_id.casefold(), SeatReading(sku_id, problem=SEATS_UNAVAILABLE))
        sku = reading.sku
        problem = reading.problem or ("" if sku else SEATS_NO_SUBSCRIPTION)
        part = sku.sku_part_number if sku else ""
        yield SeatRow(
            sku_id=sku_id,
            sku_part_number=part,
            item_keys=items,
            entity=None,
            enabled=sku.enabled_units if sku else None,
            consumed=sku.consumed_units if sku else None,
            free=free_seats(sku) if sku else None,
            granted=len(granted),
            active=sum(1 for r in granted if r.state is RequestState.FULFILLED),
            problem=problem,
        )
        for code in codes:
            of_entity = [r for r in granted if r.entity == code]
            yield SeatRow(
                sku_id=sku_id,
                sku_part_number=part,
                item_keys=items,
                entity=code,
                enabled=None,
                consumed=None,
                free=None,
                granted=len(of_entity),
                active=sum(1 for r in of_entity if r.state is RequestState.FULFILLED),
            )
