"""A person's open licence requests as the access card reads them: which count as open, the stage
each is in, names from the catalogue."""

from __future__ import annotations

import pytest

from bot.domain.access.open_work import RequestStage
from bot.domain.licences.grants import UsageLocationMissing
from bot.domain.licences.requests import (
    OPEN_STATES,
    RequestState,
)
from bot.services.licences.open_requests import OpenLicenceRequests, stage_of
from tests.unit.licences.fakes import (
    JEF,
    LOTTE,
    TENANT,
    MemoryCatalogueRepository,
    MemoryLicenceRequests,
    demo_catalogue,
)
from tests.unit.licences.samples import stored


@pytest.mark.parametrize(
    ("state", "reason", "stage"),
    [
        (RequestState.SUBMITTED, "", RequestStage.SUBMITTED),
        (RequestState.PENDING_APPROVAL, "", RequestStage.AWAITING_APPROVAL),
        (RequestState.APPROVED, "", RequestStage.BEING_GRANTED),
        (RequestState.FULFILLING, "", RequestStage.BEING_GRANTED),
        (RequestState.FULFILLING, "licence.reason.verifying", RequestStage.BEING_GRANTED),
        (RequestState.FULFILLING, "licence.reason.throttled", RequestStage.BEING_GRANTED),
        (RequestState.FULFILLING, UsageLocationMissing.message_key, RequestStage.AWAITING_COUNTRY),
        (RequestState.WAITING_FOR_SEATS, "licence.reason.no_seats", RequestStage.AWAITING_SEATS),
    ],
)
def test_every_open_state_has_a_stage(
    state: RequestState, reason: str, stage: RequestStage
) -> None:
    request = stored(MemoryLicenceRequests(), "powerbi-pro", state, reason=reason)
    assert stage_of(request) is stage


@pytest.mark.parametrize("state", sorted(set(RequestState) - OPEN_STATES))
def test_a_closed_request_has_no_stage(state: RequestState) -> None:
    request = stored(MemoryLicenceRequests(), "powerbi-pro", state)
    assert stage_of(request) is None


def test_every_open_state_is_covered() -> None:
    requests = MemoryLicenceRequests()
    assert all(stage_of(stored(requests, "powerbi-pro", state)) for state in OPEN_STATES)


async def test_only_the_persons_open_requests_oldest_first_with_catalogue_names() -> None:
    requests, catalogue = MemoryLicenceRequests(), MemoryCatalogueRepository(demo_catalogue())
    newer = stored(requests, "powerbi-pro", RequestState.PENDING_APPROVAL, days_ago=1)
    older = stored(requests, "powerbi-ppu", RequestState.WAITING_FOR_SEATS, days_ago=5)
    stored(requests, "powerapps-premium", RequestState.FULFILLED, days_ago=3)
    stored(requests, "powerbi-pro", RequestState.PENDING_APPROVAL, requester=JEF)
    stored(requests, "powerbi-pro", RequestState.PENDING_APPROVAL, tenant="another-tenant")

    found = await OpenLicenceRequests(requests, catalogue).open_requests(TENANT, LOTTE)

    assert [r.reference for r in found] == [older.reference, newer.reference]
    assert [r.stage for r in found] == [RequestStage.AWAITING_SEATS, RequestStage.AWAITING_APPROVAL]
    assert (found[0].name("nl"), found[0].name("en")) == (
        "Power BI Premium per gebruiker",
        "Power BI Premium Per User",
    )
    assert found[0].submitted_at == older.created_at


async def test_an_item_gone_from_the_catalogue_keeps_its_key() -> None:
    requests, catalogue = MemoryLicenceRequests(), MemoryCatalogueRepository(demo_catalogue())
    stored(requests, "ws-weggevallen", RequestState.PENDING_APPROVAL)

    (found,) = await OpenLicenceRequests(requests, catalogue).open_requests(TENANT, LOTTE)

    assert found.name("nl") == found.name("en") == "ws-weggevallen"


async def test_the_catalogue_is_read_only_when_something_is_open() -> None:
    requests, catalogue = MemoryLicenceRequests(), MemoryCatalogueRepository(demo_catalogue())
    stored(requests, "powerbi-pro", RequestState.REJECTED)

    assert await OpenLicenceRequests(requests, catalogue).open_requests(TENANT, LOTTE) == []
    assert catalogue.loads == 0


async def test_only_the_newest_requests_are_looked_at() -> None:
    requests, catalogue = MemoryLicenceRequests(), MemoryCatalogueRepository(demo_catalogue())
    stored(requests, "powerbi-pro", RequestState.PENDING_APPROVAL, days_ago=30)
    for days_ago in (3, 2, 1):
        stored(requests, "powerbi-ppu", RequestState.CANCELLED, days_ago=days_ago)

    source = OpenLicenceRequests(requests, catalogue, looked_at=3)

    assert await source.open_requests(TENANT, LOTTE) == []
