"""Licences and Power BI access: the desk (chat), the worker (background), the catalogue and its
workbooks, and the licence report."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, tzinfo

from bot.composition.platform import Platform, day_range
from bot.domain.licences.report import LicenceReport
from bot.excel.licences.catalogue_files import ExcelCatalogueWorkbooks
from bot.graph import DeferredGraph
from bot.i18n import Translator
from bot.ports.licences import LicenceManager
from bot.services.licences.catalogue_import import CatalogueImport
from bot.services.licences.desk import LicenceDesk
from bot.services.licences.flow import LicenceFlow
from bot.services.licences.reports import build_licence_report
from bot.services.licences.worker import LicenceWorker
from bot.services.licences.worker_settings import WorkerSettings
from bot.settings import Settings
from bot.store import Database, SqlCatalogueRepository, SqlLicenceRequestRepository
from dialogs.licences.notices import LicenceNoticeCards


@dataclass(frozen=True, slots=True)
class LicenceReports:
    """The licence report of a period, as a report or as the workbook the export link serves."""

    requests: SqlLicenceRequestRepository
    catalogue: SqlCatalogueRepository
    seats: LicenceManager
    zone: tzinfo

    async def report(
        self, first: date, last: date, entity: str | None, *, seats: LicenceManager | None
    ) -> LicenceReport:
        """From the first day to the last, both included; `seats` None: not read (the seat
        sheet says so)."""
        start, end = day_range(first, last, self.zone)
        return await build_licence_report(self.requests, self.catalogue, seats, start, end, entity)

    async def workbook(self, first: date, last: date, entity: str | None, locale: str) -> bytes:
        from bot.excel.licences.report import write_licence_report  # openpyxl: on first use

        report = await self.report(first, last, entity, seats=self.seats)
        return await asyncio.to_thread(write_licence_report, report, Translator(locale), self.zone)


@dataclass(frozen=True, slots=True)
class Licences:
    catalogue: SqlCatalogueRepository
    requests: SqlLicenceRequestRepository
    flow: LicenceFlow
    desk: LicenceDesk
    worker: LicenceWorker
    workbooks: ExcelCatalogueWorkbooks
    reports: LicenceReports
    catalogue_import: CatalogueImport  # a catalogue workbook sent in chat

    async def catalogue_workbook(self) -> bytes:
        return await asyncio.to_thread(self.workbooks.write, await self.catalogue.load())


def build_licences(
    settings: Settings, database: Database, graph: DeferredGraph, platform: Platform
) -> Licences:
    zone = settings.zone
    catalogue = SqlCatalogueRepository(database)
    requests = SqlLicenceRequestRepository(database, reference_zone=zone)
    flow = LicenceFlow(
        catalogue=catalogue,
        requests=requests,
        directory=graph.directory,
        licences=graph.licences,
        cards=LicenceNoticeCards(zone),
        users=platform.users,
        clock=platform.clock,
        default_locale=settings.default_locale,
        on_enqueued=platform.wake_outbox,
        entities=platform.entities,
    )
    worker = LicenceWorker(
        flow,
        WorkerSettings(
            timezone=zone,
            poll_seconds=settings.licence_poll_seconds,
            seat_recheck_seconds=settings.licence_seat_recheck_minutes * 60,
            max_attempts=settings.licence_max_attempts,
        ),
        on_set_aside=platform.dead_letters.licence_step,
    )
    desk = LicenceDesk(flow, zone, wake_worker=worker.wake)
    workbooks = ExcelCatalogueWorkbooks()
    return Licences(
        catalogue=catalogue,
        requests=requests,
        flow=flow,
        desk=desk,
        worker=worker,
        workbooks=workbooks,
        reports=LicenceReports(requests, catalogue, graph.licences, zone),
        catalogue_import=CatalogueImport(desk, workbooks, platform.auditor),
    )
