"""The licence admin dialog on the licence fakes, with the real dispatcher, links and reader."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

from openpyxl import load_workbook

from bot.commands.dispatcher import Dispatcher
from bot.commands.registry import Registry
from bot.domain.licences.catalogue import Catalogue
from bot.domain.platform.errors import InvalidInput
from bot.domain.platform.roles import Role
from bot.domain.platform.signing import verify
from bot.excel.licences.catalogue_files import ExcelCatalogueWorkbooks
from bot.excel.workbook_kind import workbook_kind
from bot.http.signed_links import SignedLinks
from bot.services.licences.catalogue_import import CatalogueImport
from bot.services.platform.audit import Auditor
from bot.services.platform.workbooks import WorkbookFiles
from bot.turn import IncomingFile
from dialogs.licences.admin import LicenceAdminDialog
from dialogs.platform.workbooks import WorkbookInbox
from tests.support.chat import FakeTurn, say, send
from tests.unit.fakes import MemoryAuditLog
from tests.unit.licences.fakes import TENANT, LicenceWorld, make_flow

SECRET = b"unit-test-link-secret-0123456789"
BASE = "https://werkplek.example"
ADMIN = frozenset({Role.STAFF, Role.ADMIN})
ENTITY_ADMIN = frozenset({Role.STAFF, Role.ENTITY_ADMIN})
MAX_BYTES = 1024 * 1024


class FakeDownloads:
    """FileDownloads serving fixed files by URL; refuses what it does not know."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.fetched: list[str] = []
        self.failure: Exception | None = None

    async def fetch(self, url: str, max_bytes: int) -> bytes:
        self.fetched.append(url)
        if self.failure is not None:
            raise self.failure
        if url not in self.files:
            raise InvalidInput("download.error.not_allowed")
        if len(self.files[url]) > max_bytes:
            raise InvalidInput("download.error.too_large", max_mb="1")
        return self.files[url]


class AdminWorld:
    def __init__(self, catalogue: Catalogue | None = None) -> None:
        self.licences: LicenceWorld = make_flow(catalogue=catalogue)
        self.clock = self.licences.clock
        self.audit = MemoryAuditLog()
        auditor = Auditor(self.audit, self.clock)
        self.links = SignedLinks(BASE, SECRET, timedelta(minutes=10), self.clock)
        self.downloads = FakeDownloads()
        self.workbooks = ExcelCatalogueWorkbooks()
        self.registry = Registry()
        self.dispatcher = Dispatcher(self.registry, auditor, "https://desk.example")
        self.catalogue_import = CatalogueImport(self.licences.desk, self.workbooks, auditor)
        self.dialog = LicenceAdminDialog(
            self.licences.desk, self.catalogue_import, auditor, self.links
        )
        self.registry.add_dialog(self.dialog)
        # The chat's inbox with the catalogue as the one workbook it takes.
        files = WorkbookFiles(self.downloads, workbook_kind, MAX_BYTES)
        self.dispatcher.receive_files(WorkbookInbox([self.dialog], files, auditor).receive_files)

    def turn(self, user_id: str, roles: frozenset[Role]) -> FakeTurn:
        """A turn for calling the dialog directly, past the chat."""
        return FakeTurn(user_id=user_id, tenant_id=TENANT, roles=roles)

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
    ) -> FakeTurn:
        incoming = []
        for number, (name, data) in enumerate(files):
            url = f"https://contoso.sharepoint.com/personal/file-{number}?tempauth=x"
            self.downloads.files[url] = data
            incoming.append(IncomingFile(name, url, name.rsplit(".", 1)[-1]))
        return await send(
            self.dispatcher, incoming, text, user_id=user_id, tenant_id=TENANT, roles=roles
        )

    def actions(self, action: str) -> list[tuple[str, str, dict[str, str]]]:
        return [
            (e.outcome.value, e.actor_id, e.detail)
            for e in self.audit.entries
            if e.action == action
        ]


def open_url(card: dict) -> str:
    (action,) = [a for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]
    return str(action["url"])


def links(card: dict) -> list[str]:
    """The links a card offers (a refusal may offer help, never a download)."""
    return [str(a["url"]) for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]


def link_params(url: str, now: int) -> dict[str, str]:
    """The parameters of a link the bot made, after checking it verifies."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE
    params = dict(parse_qsl(parts.query))
    signature, expires = params.pop("sig"), int(params.pop("exp"))
    assert verify(SECRET, parts.path, params, expires, signature, now)
    return {"path": parts.path, "expires_in": str(expires - now), **params}


def edit_workbook(data: bytes, edits: dict[tuple[str, str], object]) -> bytes:
    """Set cells ("Artikelen", "F3") of a workbook; returns the new bytes."""
    workbook = load_workbook(io.BytesIO(data))
    for (sheet, cell), value in edits.items():
        workbook[sheet][cell] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
