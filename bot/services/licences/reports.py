"""The licence report: requests of a period from the store, seats read fresh from Graph.

Seats are a courtesy of the report, not its point: when Graph is not configured or a read fails,
the seat sheet says why for that licence and the rest of the report is still made.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.domain.licences.catalogue import Catalogue
from bot.domain.licences.report import (
    SEATS_NOT_CONFIGURED,
    SEATS_UNAVAILABLE,
    LicenceReport,
    SeatReading,
    licence_report,
)
from bot.domain.platform.errors import DomainError
from bot.ports.licences import CatalogueRepository, LicenceManager, LicenceRequestRepository

logger = logging.getLogger(__name__)


async def build_licence_report(
    requests: LicenceRequestRepository,
    catalogue: CatalogueRepository,
    licences: LicenceManager | None,
    start: datetime,
    end: datetime,
    entity: str | None = None,
) -> LicenceReport:
    """The report over requests created in [start, end) (aware datetimes), of one entity or all."""
    current = await catalogue.load()
    found = await requests.between(start, end, entity)
    seats = await read_seats(licences, current)
    return licence_report(found, current, seats, start, end, entity)


async def read_seats(licences: LicenceManager | None, catalogue: Catalogue) -> list[SeatReading]:
    """Each distinct SKU of the catalogue, read concurrently; a failed read is noted, not raised."""
    sku_ids = list(dict.fromkeys(item.sku_id.casefold() for item in catalogue.items if item.sku_id))
    if licences is None:
        return [SeatReading(sku_id, problem=SEATS_NOT_CONFIGURED) for sku_id in sku_ids]
    manager = licences
    return list(await asyncio.gather(*(_read(manager, sku_id) for sku_id in sku_ids)))


async def _read(licences: LicenceManager, sku_id: str) -> SeatReading:
    try:
        return SeatReading(sku_id, await licences.subscribed_sku(sku_id))
    except DomainError as error:
        logger.warning("seats of sku %s not read: %s", sku_id, error.message_key)
    except Exception as error:  # a report without seat counts beats no report
        logger.warning("seats of sku %s not read: %s", sku_id, type(error).__name__)
    return SeatReading(sku_id, problem=SEATS_UNAVAILABLE)
