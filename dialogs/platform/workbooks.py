"""Workbooks in chat: the inbox that takes the file an admin sends and hands it to the importer
of its kind, and what the admin dialogs that import and export workbooks share.

The inbox (`WorkbookInbox`) is the one Dispatcher.receive_files handler, whichever workbooks
can be imported in chat (the licence catalogue: dialogs/licences/admin.py; the routing rules of
incoming post: dialogs/post/rules.py; the service desk's knowledge base:
dialogs/servicedesk/admin.py). It refuses people who may import none (without fetching
the file), asks for exactly one .xlsx file, fetches it within the upload limit, tells its kind
by its sheets (bot/services/platform/workbooks.py) and hands it to the importer of that kind,
whose service checks the caller's role for that kind itself. A workbook of no known kind goes
to the only importer the person may use (its reader says what the workbook lacks), or is
explained.

An importer is any dialog with `workbook_kind`, `hint_key` (what the inbox tells someone about
the workbook they may send), `may_import` and `import_workbook`; the inbox knows none of them by
name, and none of them knows another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import InvalidInput, Unavailable
from bot.domain.platform.text import fold
from bot.services.platform.audit import Auditor
from bot.services.platform.workbooks import WorkbookFiles
from bot.turn import IncomingFile, Turn
from cards.platform.system import explained
from cards.platform.workbooks import (
    download_failed_card,
    inbox_refused_card,
    one_workbook_card,
    unknown_workbook_card,
)

INBOX_ACTION = "workbook.import"  # the inbox's own refusals, before a workbook has a kind
_XLSX = "xlsx"


class WorkbookImporter(Protocol):
    """A dialog that imports one kind of workbook sent in the chat."""

    @property
    def workbook_kind(self) -> str:
        """What bot/excel/workbook_kind.py calls this kind."""
        ...

    @property
    def hint_key(self) -> str:
        """The message id of a line saying what this workbook is and how to get it."""
        ...

    def may_import(self, turn: Turn) -> bool:
        """Whether the caller may import this kind at all (the importer checks again)."""
        ...

    async def import_workbook(self, turn: Turn, data: bytes) -> None:
        """A downloaded workbook of this kind: check the caller, read, answer, audit."""
        ...


class ExportLinks(Protocol):
    """Signed download links to the workbooks the bot makes (bot/http/signed_links.py)."""

    @property
    def lifetime_minutes(self) -> int: ...

    def export_link(self, kind: str, params: Mapping[str, str], by: str) -> str: ...


def is_workbook(file: IncomingFile) -> bool:
    return fold(file.file_type) == _XLSX or fold(file.name).endswith("." + _XLSX)


class WorkbookInbox:
    """The one Dispatcher.receive_files handler for every workbook admins may send in chat."""

    def __init__(
        self, importers: Sequence[WorkbookImporter], files: WorkbookFiles, auditor: Auditor
    ) -> None:
        self._importers = list(importers)
        self._files = files
        self._auditor = auditor

    async def receive_files(self, turn: Turn, text: str) -> None:
        allowed = [importer for importer in self._importers if importer.may_import(turn)]
        if not allowed:  # nothing they could send would be taken: the file is not fetched
            await self._audit(turn, Outcome.DENIED, reason="no_importer")
            await turn.send_card(inbox_refused_card(turn.t))
            return
        hints = [turn.t(importer.hint_key) for importer in allowed]
        workbooks = [file for file in turn.files if is_workbook(file)]
        if len(workbooks) != 1 or len(turn.files) != 1:
            await self._audit(
                turn, Outcome.REJECTED, reason="not_one_workbook", files=str(len(turn.files))
            )
            await turn.send_card(one_workbook_card(hints, turn.t))
            return
        try:
            data = await self._files.fetch(workbooks[0].download_url)
        except (InvalidInput, Unavailable) as error:
            await self._audit(turn, Outcome.REJECTED, reason=error.message_key)
            await turn.send_card(download_failed_card(explained(error, turn.t), turn.t))
            return
        kind = await self._files.kind(data)
        importer = next((i for i in self._importers if kind and i.workbook_kind == kind), None)
        if importer is None and len(allowed) == 1:
            importer = allowed[0]  # its reader says what the workbook lacks
        if importer is None:
            await self._audit(turn, Outcome.REJECTED, reason="unknown_workbook")
            await turn.send_card(unknown_workbook_card(hints, turn.t))
            return
        await importer.import_workbook(turn, data)

    async def _audit(self, turn: Turn, outcome: Outcome, **detail: str) -> None:
        caller = turn.caller
        await self._auditor.record(
            actor_id=caller.user_id,
            action=INBOX_ACTION,
            outcome=outcome,
            role=caller.role,
            tenant_id=caller.tenant_id,
            object_type="workbook",
            correlation_id=caller.correlation_id,
            durable=True,
            **detail,
        )
