"""The licence catalogue replaced from a workbook a Werkplek admin sent in chat.

The workbook is read (the CatalogueWorkbooks port) and either refused with every problem by
sheet, row and column (nothing stored) or stored as a whole (the licence desk replaces the
catalogue, and every replica's cache follows). Every import is audited durably, a refusal too.

Only Werkplek's admins: one catalogue serves every entity. A workbook sent in chat comes
without a command, so this is where that is checked, once.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.licences.catalogue import Catalogue
from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.i18n import Translator
from bot.ports.licences import CatalogueWorkbooks
from bot.services.licences.desk import LicenceDesk
from bot.services.platform.audit import Auditor
from bot.services.platform.workbook_import import AdminImportAudit

IMPORT = "licence.catalogue.import"
CATALOGUE_OBJECT = "licence_catalogue"


@dataclass(frozen=True, slots=True)
class NotAnAdmin:
    """The caller may not replace the catalogue."""


@dataclass(frozen=True, slots=True)
class CatalogueRejected:
    problems: tuple[str, ...]  # by sheet, row and column, in the caller's language


@dataclass(frozen=True, slots=True)
class CatalogueReplaced:
    catalogue: Catalogue


CatalogueImported = NotAnAdmin | CatalogueRejected | CatalogueReplaced


class CatalogueImport:
    def __init__(self, desk: LicenceDesk, workbooks: CatalogueWorkbooks, auditor: Auditor) -> None:
        self._desk = desk
        self._workbooks = workbooks
        self._audit = AdminImportAudit(auditor, action=IMPORT, object_type=CATALOGUE_OBJECT)

    def may_import(self, actor: Actor) -> bool:
        return self._audit.may_import(actor)

    async def import_workbook(self, actor: Actor, data: bytes, t: Translator) -> CatalogueImported:
        """Read the workbook and replace the catalogue with it, or say why not. A DomainError
        is audited here and explained by the dispatcher."""
        return await self._audit.guarded(
            actor, lambda: self._import(actor, data, t), denied=NotAnAdmin()
        )

    async def _import(self, actor: Actor, data: bytes, t: Translator) -> CatalogueImported:
        catalogue, problems = await self._audit.read(actor, data, self._workbooks.read)
        if catalogue is None or problems:
            return CatalogueRejected(tuple(self._workbooks.describe(p, t) for p in problems))
        await self._desk.replace_catalogue(actor, catalogue)
        await self._audit.record(
            actor,
            Outcome.OK,
            problems="0",
            size=str(len(data)),
            items=str(len(catalogue.items)),
            entities=str(len(catalogue.entities)),
            policies=str(len(catalogue.policies)),
            offers=str(len(catalogue.offers)),
        )
        return CatalogueReplaced(catalogue)
