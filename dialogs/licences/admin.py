"""The admin side of licences in chat: the catalogue workbook (download, import) and the report.

- `catalogus` (admins): what the catalogue holds, a download link for the workbook, and how to
  import an edited one: send it in this chat.
- A file from an admin (whatever the message says) is taken as a catalogue import: downloaded
  (FileDownloads checks the host and the size), read, and either refused with every problem by
  sheet, row and column (nothing stored) or stored as a whole. Every import is audited durably;
  a file from anyone else is refused politely, and that too is audited. When the routing rules
  of incoming post can be imported in chat too, their dialog's inbox takes every file and hands
  a catalogue workbook (by its sheets) to `import_workbook` (dialogs/post/rules.py).
- `rapport licenties [van] [tot] [entiteit]` (admins and entity ICT admins): a download link for
  the licence report. Entity ICT admins get their own entity only; the period defaults to the
  last 30 days.

Downloads are signed links the bot serves itself (bot/http/exports.py): nothing is stored, the
workbook is made from current data when the link is opened, and the link works for minutes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import Protocol

from bot.commands.registry import command
from bot.domain.licences.catalogue import Catalogue, CatalogueProblem, Entity
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError, InvalidInput, Unavailable
from bot.domain.platform.roles import Role
from bot.domain.platform.text import fold
from bot.i18n import N_, Translator
from bot.ports.platform import Clock, FileDownloads
from bot.services.licences.desk import LicenceDesk
from bot.services.platform.audit import Auditor
from bot.turn import IncomingFile, Turn
from cards.licences.admin import (
    catalogue_card,
    download_failed_card,
    import_done_card,
    import_problem_cards,
    import_refused_card,
    one_workbook_card,
    report_card,
)
from cards.platform.system import explained

# Export kinds, as bot/http/exports.py serves them.
CATALOGUE_EXPORT = "catalogue"
REPORT_EXPORT = "licence-report"
IMPORT = "licence.catalogue.import"
# What bot/excel/workbook_kind.py calls a catalogue workbook (an upload's sheets tell).
CATALOGUE_WORKBOOK = "catalogue"
REPORT = "licence.report"
DEFAULT_REPORT_DAYS = 30
_XLSX = "xlsx"
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOCAL_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
# Words people put around dates and codes: "rapport licenties van 1/10/2026 tot 31/10/2026".
# fmt: off
_FILLER = frozenset({
    "van", "vanaf", "tot", "en", "met", "tem", "tm", "t/m", "voor", "de", "het", "entiteit",
    "periode", "from", "to", "until", "till", "for", "the", "entity", "period", "-", "–", "..",
})
# fmt: on


class ExportLinks(Protocol):
    """Signed download links (bot/http/signed_links.py)."""

    @property
    def lifetime_minutes(self) -> int: ...

    def export_link(self, kind: str, params: Mapping[str, str], by: str) -> str: ...


class CatalogueWorkbooks(Protocol):
    """Reading the catalogue workbook (bot/excel/licences/catalogue_files.py)."""

    def read(self, data: bytes) -> tuple[Catalogue | None, Sequence[CatalogueProblem]]:
        """The catalogue, or None with every problem found."""
        ...

    def describe(self, problem: CatalogueProblem, t: Translator) -> str:
        """ "blad Artikelen, rij 4, kolom Groep-id: ..." in the reader's language."""
        ...


@dataclass(frozen=True, slots=True)
class ReportAsk:
    """What "rapport licenties ..." asked for: the first and last day, an entity code or ""."""

    start: date
    end: date
    entity: str = ""


def is_workbook(file: IncomingFile) -> bool:
    return fold(file.file_type) == _XLSX or fold(file.name).endswith("." + _XLSX)


def parse_day(word: str) -> date | None:
    """2026-10-31, 31/10/2026, 31-10-2026 or 31.10.2026; None for anything else."""
    try:
        if _ISO_DAY.match(word):
            return date.fromisoformat(word)
        if found := _LOCAL_DAY.match(word):
            day, month, year = (int(part) for part in found.groups())
            return date(year, month, day)
    except ValueError:
        raise DomainError(N_("licence_admin.report.bad_date"), value=word) from None
    return None


def parse_report_ask(args: str, today: date) -> ReportAsk:
    """Dates and an entity code in any order; one date means from then until today."""
    days: list[date] = []
    codes: list[str] = []
    for word in args.replace(",", " ").split():
        if fold(word) in _FILLER:
            continue
        if (day := parse_day(word)) is not None:
            days.append(day)
        else:
            codes.append(word)
    if len(days) > 2 or len(codes) > 1:
        raise DomainError(N_("licence_admin.report.not_understood"))
    if not days:
        days = [today - timedelta(days=DEFAULT_REPORT_DAYS - 1), today]
    elif len(days) == 1:
        days.append(today)
    start, end = days
    if end < start:
        raise DomainError(N_("licence_admin.report.bad_period"))
    return ReportAsk(start, end, codes[0] if codes else "")


class LicenceAdminDialog:
    def __init__(
        self,
        desk: LicenceDesk,
        auditor: Auditor,
        links: ExportLinks,
        downloads: FileDownloads,
        workbooks: CatalogueWorkbooks,
        clock: Clock,
        timezone: tzinfo,
        max_upload_bytes: int,
    ) -> None:
        self._desk = desk
        self._auditor = auditor
        self._links = links
        self._downloads = downloads
        self._workbooks = workbooks
        self._clock = clock
        self._tz = timezone
        self._max_upload_bytes = max_upload_bytes

    # --- the catalogue ------------------------------------------------------------------------
    @command(
        "catalogue",
        nl=("catalogus", "licentiecatalogus"),
        en=("catalogue", "catalog"),
        title_key=N_("cmd.catalogue.title"),
        help_key=N_("cmd.catalogue.help"),
        example_key=N_("cmd.catalogue.example"),
        role=Role.ADMIN,
        order=620,
    )
    async def show_catalogue(self, turn: Turn, args: str) -> None:
        catalogue = await self._desk.catalogue()
        link = self._links.export_link(
            CATALOGUE_EXPORT, {"lang": turn.t.locale}, turn.caller.user_id
        )
        await turn.send_card(catalogue_card(catalogue, link, self._links.lifetime_minutes, turn.t))

    # --- importing the catalogue --------------------------------------------------------------
    workbook_kind = CATALOGUE_WORKBOOK

    def may_import(self, turn: Turn) -> bool:
        return turn.caller.has(Role.ADMIN)

    async def receive_files(self, turn: Turn, text: str) -> None:
        """Dispatcher.receive_files: a message that came with files is a catalogue import."""
        if not self.may_import(turn):
            await self._refuse_import(turn)
            return
        workbooks = [file for file in turn.files if is_workbook(file)]
        if len(workbooks) != 1 or len(turn.files) != 1:
            await self._audit(
                turn,
                IMPORT,
                Outcome.REJECTED,
                reason="not_one_workbook",
                files=str(len(turn.files)),
            )
            await turn.send_card(one_workbook_card(turn.t))
            return
        await self._audited(turn, self._download(turn, workbooks[0]))

    async def import_workbook(self, turn: Turn, data: bytes) -> None:
        """A catalogue workbook someone sent, already downloaded (the post rules inbox)."""
        if not self.may_import(turn):
            await self._refuse_import(turn)
            return
        await self._audited(turn, self._import(turn, data))

    async def _refuse_import(self, turn: Turn) -> None:
        await self._audit(turn, IMPORT, Outcome.DENIED, needed_role=Role.ADMIN.value)
        await turn.send_card(import_refused_card(turn.t))

    async def _audited(self, turn: Turn, work: Awaitable[None]) -> None:
        """Run an import; a failure gets the import's own audit line before the dispatcher's."""
        try:
            await work
        except DomainError as error:  # the dispatcher explains it; the import's line is ours
            await self._audit(turn, IMPORT, Outcome.REJECTED, reason=error.message_key)
            raise
        except Exception as error:
            await self._audit(turn, IMPORT, Outcome.FAILED, error=type(error).__name__)
            raise

    async def _download(self, turn: Turn, file: IncomingFile) -> None:
        try:
            data = await self._downloads.fetch(file.download_url, self._max_upload_bytes)
        except (InvalidInput, Unavailable) as error:
            await self._audit(turn, IMPORT, Outcome.REJECTED, reason=error.message_key)
            await turn.send_card(download_failed_card(explained(error, turn.t), turn.t))
            return
        await self._import(turn, data)

    async def _import(self, turn: Turn, data: bytes) -> None:
        # Reading a workbook is CPU work (openpyxl): keep the event loop free for other turns.
        catalogue, problems = await asyncio.to_thread(self._workbooks.read, data)
        if catalogue is None or problems:
            await self._audit(
                turn, IMPORT, Outcome.REJECTED, problems=str(len(problems)), size=str(len(data))
            )
            lines = [self._workbooks.describe(problem, turn.t) for problem in problems]
            for problem_card in import_problem_cards(lines, turn.t):
                await turn.send_card(problem_card)
            return
        await self._desk.replace_catalogue(turn.caller, catalogue)
        await self._audit(
            turn,
            IMPORT,
            Outcome.OK,
            problems="0",
            size=str(len(data)),
            items=str(len(catalogue.items)),
            entities=str(len(catalogue.entities)),
            policies=str(len(catalogue.policies)),
            offers=str(len(catalogue.offers)),
        )
        await turn.send_card(import_done_card(catalogue, turn.t))

    # --- the report ---------------------------------------------------------------------------
    @command(
        "licence_report",
        nl=("rapport licenties", "licentierapport", "licentie rapport", "licenties rapport"),
        en=(
            "licence report",
            "license report",
            "licences report",
            "licenses report",
            "report licences",
            "report licenses",
        ),
        title_key=N_("cmd.licence_report.title"),
        help_key=N_("cmd.licence_report.help"),
        example_key=N_("cmd.licence_report.example"),
        role=Role.ENTITY_ADMIN,
        order=630,
    )
    async def licence_report(self, turn: Turn, args: str) -> None:
        ask = parse_report_ask(args, self._today())
        catalogue = await self._desk.catalogue()
        if turn.caller.has(Role.ADMIN):
            entity = self._entity(catalogue, ask.entity) if ask.entity else None
        else:
            entity = (await self._desk.form_context(turn.caller)).entity
            if entity is None:
                raise DomainError(N_("licence_admin.report.no_entity"))
            if ask.entity and fold(ask.entity) != fold(entity.code):
                await self._audit(turn, REPORT, Outcome.DENIED, asked_entity=ask.entity[:32])
                raise DomainError(N_("licence_admin.report.own_entity_only"), entity=entity.code)
        params = {"from": ask.start.isoformat(), "to": ask.end.isoformat(), "lang": turn.t.locale}
        if entity is not None:
            params["entity"] = entity.code
        link = self._links.export_link(REPORT_EXPORT, params, turn.caller.user_id)
        shown = f"{entity.code} – {entity.name(turn.t.locale)}" if entity else ""
        await turn.send_card(
            report_card(ask.start, ask.end, shown, link, self._links.lifetime_minutes, turn.t)
        )

    # --- helpers ------------------------------------------------------------------------------
    def _entity(self, catalogue: Catalogue, code: str) -> Entity:
        found = next((e for e in catalogue.entities if fold(e.code) == fold(code)), None)
        if found is None:
            known = ", ".join(e.code for e in catalogue.entities) or "-"
            raise DomainError(
                N_("licence_admin.report.unknown_entity"), entity=code[:32], known=known
            )
        return found

    def _today(self) -> date:
        return self._clock.now().astimezone(self._tz).date()

    async def _audit(self, turn: Turn, action: str, outcome: Outcome, **detail: str) -> None:
        caller = turn.caller
        await self._auditor.record(
            actor_id=caller.user_id,
            action=action,
            outcome=outcome,
            role=caller.role,
            tenant_id=caller.tenant_id,
            object_type="licence_catalogue" if action == IMPORT else "licence_report",
            correlation_id=caller.correlation_id,
            durable=True,
            **detail,
        )
