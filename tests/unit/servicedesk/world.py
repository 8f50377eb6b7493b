"""The knowledge base's admin dialog on the in-memory knowledge base, with the real dispatcher,
links, workbook reader and sniff, and the chat's workbook inbox.

The licence admin dialog of the licence tests is wired next to it, as in the app, so a workbook
sent in the chat goes to whichever importer its sheets ask for: "Artikels" to this one,
"Artikelen" to the catalogue's.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import timedelta

from openpyxl import load_workbook

from bot.commands.dispatcher import Dispatcher
from bot.commands.registry import Registry
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.articles import KnowledgeBase
from bot.excel.servicedesk.articles_files import ExcelArticleWorkbooks
from bot.excel.workbook_kind import workbook_kind
from bot.http.signed_links import SignedLinks
from bot.services.platform.audit import Auditor
from bot.services.platform.workbooks import WorkbookFiles
from bot.services.servicedesk.articles_import import ArticlesImport
from bot.services.servicedesk.knowledge import KnowledgeDesk
from bot.turn import IncomingFile
from devtools.demo_articles import demo_knowledge
from dialogs.platform.workbooks import WorkbookInbox
from dialogs.servicedesk.admin import KnowledgeAdminDialog
from tests.support.chat import FakeTurn, say, send
from tests.unit.fakes import MemoryAuditLog
from tests.unit.licence_admin.world import BASE, MAX_BYTES, SECRET, AdminWorld, FakeDownloads
from tests.unit.licences.fakes import TENANT
from tests.unit.servicedesk.fakes import MemoryKnowledgeBase

ADMIN = frozenset({Role.STAFF, Role.ADMIN})
ENTITY_ADMIN = frozenset({Role.STAFF, Role.ENTITY_ADMIN})
MAILROOM = frozenset({Role.STAFF, Role.MAILROOM})
AGENT = frozenset({Role.STAFF, Role.AGENT})
STAFF = frozenset({Role.STAFF})
ADMIN_ID = "admin-1"


class KnowledgeWorld:
    def __init__(self, knowledge: KnowledgeBase | None = None) -> None:
        # The licence admin's world: its clock, downloads and dialog are shared with this one.
        self.licence_admin = AdminWorld()
        self.clock = self.licence_admin.clock
        self.audit = MemoryAuditLog()
        auditor = Auditor(self.audit, self.clock)
        self.store = MemoryKnowledgeBase(demo_knowledge() if knowledge is None else knowledge)
        self.desk = KnowledgeDesk(self.store, auditor, self.clock)
        self.workbooks = ExcelArticleWorkbooks()
        self.articles_import = ArticlesImport(self.desk, self.workbooks, auditor)
        self.links = SignedLinks(BASE, SECRET, timedelta(minutes=10), self.clock)
        self.downloads: FakeDownloads = self.licence_admin.downloads
        self.registry = Registry()
        self.dispatcher = Dispatcher(self.registry, auditor, "https://desk.example")
        self.dialog = KnowledgeAdminDialog(self.desk, self.articles_import, self.links)
        self.registry.add_dialog(self.dialog)
        self.registry.add_dialog(self.licence_admin.dialog)
        self.files = WorkbookFiles(self.downloads, workbook_kind, MAX_BYTES)
        importers = [self.licence_admin.dialog, self.dialog]
        self.dispatcher.receive_files(WorkbookInbox(importers, self.files, auditor).receive_files)

    def turn(self, user_id: str, roles: frozenset[Role], locale: str = "nl") -> FakeTurn:
        """A turn for calling the dialog directly, past the chat."""
        return FakeTurn(user_id=user_id, tenant_id=TENANT, roles=roles, locale=locale)

    async def say(
        self, text: str, user_id: str, roles: frozenset[Role], locale: str = "nl"
    ) -> FakeTurn:
        return await say(
            self.dispatcher, text, user_id=user_id, tenant_id=TENANT, roles=roles, locale=locale
        )

    async def send(
        self,
        files: Sequence[tuple[str, bytes]],
        user_id: str,
        roles: frozenset[Role],
        text: str = "",
        locale: str = "nl",
    ) -> FakeTurn:
        incoming = []
        for number, (name, data) in enumerate(files):
            url = f"https://contoso.sharepoint.com/personal/kb-{number}?tempauth=x"
            self.downloads.files[url] = data
            incoming.append(IncomingFile(name, url, name.rsplit(".", 1)[-1]))
        return await send(
            self.dispatcher,
            incoming,
            text,
            user_id=user_id,
            tenant_id=TENANT,
            roles=roles,
            locale=locale,
        )

    def actions(self, action: str) -> list[tuple[str, str, dict[str, str]]]:
        return [
            (e.outcome.value, e.actor_id, e.detail)
            for e in self.audit.entries
            if e.action == action
        ]


def edit_cells(data: bytes, edits: dict[str, object], sheet: str = "Artikels") -> bytes:
    """Set cells ("C3") of a workbook's sheet; returns the new bytes."""
    workbook = load_workbook(io.BytesIO(data))
    for cell, value in edits.items():
        workbook[sheet][cell] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
