"""build_licence_report: requests from the repository, seats read per SKU, failures noted."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.access.facts import Sku
from bot.domain.licences.report import SEATS_NOT_CONFIGURED, SEATS_UNAVAILABLE
from bot.domain.licences.requests import RequestState
from bot.domain.platform.errors import Throttled
from bot.services.licences.reports import build_licence_report
from devtools.demo_catalogue import (
    POWER_APPS_SKU,
    POWER_AUTOMATE_SKU,
    POWER_BI_PPU_SKU,
    POWER_BI_PRO_SKU,
    demo_catalogue,
)
from tests.unit.excel.requests import T0, request
from tests.unit.licences.fakes import MemoryCatalogueRepository, MemoryLicenceRequests

START, END = T0 - timedelta(days=1), T0 + timedelta(days=1)


class Seats:
    """Subscriptions by SKU id; `broken` SKUs raise as Graph would, `crash` with a bug."""

    def __init__(self) -> None:
        self.read: list[str] = []

    async def subscribed_sku(self, sku_id: str) -> Sku | None:
        self.read.append(sku_id)
        if sku_id == POWER_BI_PPU_SKU:
            raise Throttled()
        if sku_id == POWER_AUTOMATE_SKU:
            raise RuntimeError("a bug in an adapter")
        if sku_id == POWER_APPS_SKU:
            return None
        return Sku(sku_id, "POWER_BI_PRO", 25, 3)


def _stores() -> tuple[MemoryLicenceRequests, MemoryCatalogueRepository]:
    requests = MemoryLicenceRequests()
    requests.put(
        request(1, entity="ADV", state=RequestState.FULFILLED, fulfilled_after=timedelta(hours=1))
    )
    requests.put(request(2, entity="DFB"))
    requests.put(request(3, entity="ADV", created=END))
    return requests, MemoryCatalogueRepository(demo_catalogue())


async def test_the_report_reads_each_sku_once_and_survives_failed_reads() -> None:
    requests, catalogue = _stores()
    seats = Seats()

    report = await build_licence_report(requests, catalogue, seats, START, END)  # type: ignore[arg-type]

    assert sorted(seats.read) == sorted(
        [POWER_BI_PRO_SKU, POWER_BI_PPU_SKU, POWER_AUTOMATE_SKU, POWER_APPS_SKU]
    )
    assert [r.reference for r in report.requests] == ["LIC-2026-000001", "LIC-2026-000002"]
    tenant = {row.sku_id: row for row in report.seats if row.entity is None}
    assert (tenant[POWER_BI_PRO_SKU].enabled, tenant[POWER_BI_PRO_SKU].free) == (25, 22)
    assert tenant[POWER_BI_PRO_SKU].granted == 1
    assert tenant[POWER_BI_PPU_SKU].problem == SEATS_UNAVAILABLE
    assert tenant[POWER_AUTOMATE_SKU].problem == SEATS_UNAVAILABLE
    assert tenant[POWER_APPS_SKU].problem == "report.licences.seats.no_subscription"


async def test_without_graph_the_seat_sheet_says_so() -> None:
    requests, catalogue = _stores()

    report = await build_licence_report(requests, catalogue, None, START, END, entity="ADV")

    assert [r.reference for r in report.requests] == ["LIC-2026-000001"]
    problems = {row.problem for row in report.seats if row.entity is None}
    assert problems == {SEATS_NOT_CONFIGURED}
