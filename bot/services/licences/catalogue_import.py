"""The licence catalogue replaced from a workbook a Werkplek admin sent in chat.

The workbook is read (the CatalogueWorkbooks port) and either refused with every problem by
sheet, row and column (nothing stored) or stored as a whole (the licence desk replaces the
catalogue, and every replica's cache follows). Every import is audited durably, a refusal too.

Only Werkplek's admins: one catalogue serves every entity. A workbook sent in chat comes
without a command, so this is where that is checked, once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.domain.licences.catalogue import Catalogue
from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError
from bot.domain.platform.roles import Role
from bot.i18n import Translator
from bot.ports.licences import CatalogueWorkbooks
from bot.services.licences.desk import LicenceDesk
from bot.services.platform.audit import Auditor

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
        self._auditor = auditor

    def may_import(self, actor: Actor) -> bool:
        return actor.has(Role.ADMIN)

    async def import_workbook(self, actor: Actor, data: bytes, t: Translator) -> CatalogueImported:
        """Read the workbook and replace the catalogue with it, or say why not. A DomainError
        is audited here and explained by the dispatcher."""
        if not self.may_import(actor):
            await self._audit(actor, Outcome.DENIED, needed_role=Role.ADMIN.value)
            return NotAnAdmin()
        try:
            return await self._import(actor, data, t)
        except DomainError as error:
            await self._audit(actor, Outcome.REJECTED, reason=error.message_key)
            raise
        except Exception as error:
            await self._audit(actor, Outcome.FAILED, error=type(error).__name__)
            raise

    async def _import(self, actor: Actor, data: bytes, t: Translator) -> CatalogueImported:
        # Reading a workbook is CPU work (openpyxl): keep the event loop free for other turns.
        catalogue, problems = await asyncio.to_thread(self._workbooks.read, data)
        if catalogue is None or problems:
            await self._audit(
                actor, Outcome.REJECTED, problems=str(len(problems)), size=str(len(data))
            )
            return CatalogueRejected(tuple(self._workbooks.describe(p, t) for p in problems))
        await self._desk.replace_catalogue(actor, catalogue)
        await self._audit(
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

    async def _audit(self, actor: Actor, outcome: Outcome, **detail: str) -> None:
        await self._auditor.record(
            actor_id=actor.user_id,
            action=IMPORT,
            outcome=outcome,
            role=actor.role,
            tenant_id=actor.tenant_id,
            object_type=CATALOGUE_OBJECT,
            correlation_id=actor.correlation_id,
            durable=True,
            **detail,
        )
