"""`werkplek` commands of incoming post (hooked into bot/cli.py's parser):

- `rules import FILE [--dry-run] [--last N]`: check the routing-rules workbook; every problem is
  printed with its sheet, row and column and nothing is stored (exit 1). A valid workbook is
  first tried on the newest N items (where each would go now, and where it is), then stored as
  a whole, unless --dry-run.
- `rules export FILE`: the current rules as a workbook (an empty one is the template).
- `post import DIR`: scanner PDF + JSON pairs dropped in a folder
  (bot/services/post/folder_import.py):
  regular files only, nothing followed, sizes checked before reading.
- `post purge [--dry-run]`: delete the scans past their retention period.
- `report post --from --to [--entity] [--out]`: the post register as a workbook.

Heavy modules (the store, openpyxl, the Graph SDK) are imported inside the command that needs
them, as in bot/cli.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from bot.cli import _day, _graph_configured, _open_database, _read_file, _translator
from bot.domain.platform.actors import Actor
from bot.domain.platform.roles import Role
from bot.i18n import Translator
from bot.settings import ConfigurationError, Settings

if TYPE_CHECKING:
    from bot.domain.platform.directory import DirectoryUser, GroupRef
    from bot.domain.post.items import PostItem
    from bot.domain.post.routing import RoutingRule
    from bot.graph.gateway import GraphGateway
    from bot.ports.platform import Directory
    from bot.services.post.intake import PostIntake
    from bot.store import Database

    SubParsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

# Who the command line is in the audit trail: not the system's background work but whoever runs
# it, with the server's keys (an admin), so its lines stay told apart from the bot's own.
CLI_ACTOR = Actor("cli", roles=frozenset({Role.ADMIN}))
MAX_SCANNER_NAME = 57  # "intake:" + the name fits the audit log's 64-character actor id


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _print_error(text: str) -> None:
    sys.stderr.write(text + "\n")


@asynccontextmanager
async def _graph(settings: Settings, t: Translator) -> AsyncIterator[GraphGateway | None]:
    """Graph when it is configured and opens; else None (ids instead of names, and no
    addressee look-ups: the intake then sends everything to triage)."""
    if not _graph_configured(settings):
        yield None
        return
    from bot.graph import open_graph

    try:
        gateway = await open_graph(settings)
    except Exception as error:  # the command goes on without the directory
        _print_error(t("cli.post.no_graph", error=type(error).__name__))
        yield None
        return
    try:
        yield gateway
    finally:
        await gateway.close()


@asynccontextmanager
async def _no_graph() -> AsyncIterator[GraphGateway | None]:
    yield None


@asynccontextmanager
async def _directory(settings: Settings, t: Translator) -> AsyncIterator[Directory | None]:
    async with _graph(settings, t) as gateway:
        yield gateway.directory if gateway is not None else None


# --- rules import / export -----------------------------------------------------------------------
def _rules_import(args: argparse.Namespace) -> int:
    settings = Settings()
    t = _translator(settings)
    data = _read_file(Path(args.file), t)
    if data is None:
        return 2
    if args.last < 0:
        _print_error(t("cli.post_rules.bad_last"))
        return 2
    return asyncio.run(_import_rules(settings, t, data, args.last, args.dry_run))


async def _import_rules(
    settings: Settings, t: Translator, data: bytes, last: int, dry_run: bool
) -> int:
    from bot.excel.post.rules import RulesImportError, describe_problem, read_rules
    from bot.services.platform.audit import Auditor
    from bot.services.platform.batching import BatchedAuditLog
    from bot.services.platform.clock import SystemClock
    from bot.services.post.rules import record_refused_import, replace_rules
    from bot.store import SqlAuditLog, SqlCatalogueRepository, SqlRoutingRuleRepository

    database = await _open_database(settings)
    audit_log = BatchedAuditLog(SqlAuditLog(database))
    auditor = Auditor(audit_log, SystemClock())
    try:
        known = [entity.code for entity in (await SqlCatalogueRepository(database).load()).entities]
        try:
            rules = read_rules(data, known)
        except RulesImportError as error:
            await record_refused_import(auditor, CLI_ACTOR, len(error.problems))
            _print_error(t("cli.post_rules.invalid", count=len(error.problems)))
            for problem in error.problems:
                _print_error(f"- {describe_problem(problem, t)}")
            return 1
        await _print_rule_warnings(settings, t, rules)
        await _print_dry_run(settings, t, database, rules, last)
        active = sum(1 for rule in rules if rule.active)
        if dry_run:
            _say(t("cli.post_rules.checked", count=len(rules), active=active))
            return 0
        await replace_rules(SqlRoutingRuleRepository(database), rules, CLI_ACTOR, auditor)
        _say(t("cli.post_rules.stored", count=len(rules), active=active))
        return 0
    finally:
        await audit_log.close()
        await database.dispose()


async def _print_rule_warnings(
    settings: Settings, t: Translator, rules: Sequence[RoutingRule]
) -> None:
    """Rules sending post to someone who left: stored all the same (their post goes to the
    delegate or to triage), but the admin should know. Nothing to say without Graph."""
    from bot.services.post.register import display_names
    from bot.services.post.rules_warnings import describe_warning, rules_to_inactive_people

    async with _directory(settings, t) as directory:
        if directory is None:
            return
        warnings = await rules_to_inactive_people(rules, directory)
        names = await display_names(directory, [warning.person_id for warning in warnings])
    for warning in warnings:
        _print_error(f"- {describe_warning(warning, names, t)}")


async def _print_dry_run(
    settings: Settings,
    t: Translator,
    database: Database,
    rules: Sequence[RoutingRule],
    last: int,
) -> None:
    from bot.services.platform.clock import SystemClock
    from bot.services.post.register import display_names
    from bot.services.post.rules_dry_run import (
        describe_dry_run,
        dry_run_rules,
        people_in_dry_run,
    )
    from bot.store import SqlDelegationRepository, SqlPostItemRepository

    zone = settings.zone
    items = SqlPostItemRepository(database, reference_zone=zone)
    clock = SystemClock()
    delegations = SqlDelegationRepository(database, clock=clock, zone=zone)
    lines = await dry_run_rules(rules, items, delegations, clock, zone, last)
    if not lines:
        _say(t("cli.post_rules.dry_run_nothing"))
        return
    async with _directory(settings, t) as directory:
        names = await display_names(directory, people_in_dry_run(lines))
    _say(t("cli.post_rules.dry_run_title", count=len(lines)))
    for line in lines:
        _say(f"- {describe_dry_run(line, names, t)}")
    changed = sum(1 for line in lines if line.changed)
    _say(t("cli.post_rules.dry_run_changed", changed=changed, count=len(lines)))


def _rules_export(args: argparse.Namespace) -> int:
    from bot.excel.post.rules import write_rules

    settings = Settings()
    t = _translator(settings)
    rules = asyncio.run(_load_rules(settings))
    path = Path(args.file)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(write_rules(rules))
    _say(t("cli.post_rules.exported", path=str(path), count=len(rules)))
    return 0


async def _load_rules(settings: Settings) -> list[RoutingRule]:
    from bot.store import SqlRoutingRuleRepository

    database = await _open_database(settings)
    try:
        return await SqlRoutingRuleRepository(database).load()
    finally:
        await database.dispose()


# --- post import / purge -------------------------------------------------------------------------
def _post_import(args: argparse.Namespace) -> int:
    settings = Settings()
    t = _translator(settings)
    tenant_id = args.tenant or _only_tenant(settings)
    if not tenant_id:
        _print_error(t("cli.post_import.which_tenant"))
        return 2
    folder = Path(args.dir)
    if folder.is_symlink():  # nothing is followed from the folder on: the folder neither
        _print_error(t("cli.post_import.unsafe_folder", path=str(folder)))
        return 2
    if not folder.is_dir():
        _print_error(t("cli.post_import.not_a_folder", path=str(folder)))
        return 2
    scanner = args.scanner.strip()
    # The audit trail keeps "intake:<scanner>" in 64 characters, as for an intake token's name.
    if not scanner or len(scanner) > MAX_SCANNER_NAME:
        _print_error(t("cli.post_import.bad_scanner", max=MAX_SCANNER_NAME))
        return 2
    return asyncio.run(_import_folder(settings, t, folder, tenant_id, scanner))


def _only_tenant(settings: Settings) -> str:
    tenants = sorted(settings.tenants)
    return tenants[0] if len(tenants) == 1 else ""


async def _import_folder(
    settings: Settings, t: Translator, folder: Path, tenant_id: str, scanner: str
) -> int:
    from bot.services.platform.drop_folder import UnsafeFolder
    from bot.services.post.folder_import import ImportOutcome, describe, import_directory

    database = await _open_database(settings)
    try:
        async with _post_intake(settings, t, database) as intake:
            lines = await import_directory(
                intake, folder, tenant_id, scanner, max_pdf_bytes=settings.post_max_bytes
            )
    except ConfigurationError:  # the scans' drive is configured, Graph did not open
        _print_error(t("cli.post.documents_unreachable"))
        return 2
    except UnsafeFolder as unsafe:  # DIR, verwerkt/ or geweigerd/ became a link or a file
        _print_error(t("cli.post_import.unsafe_folder", path=unsafe.path))
        return 2
    except NotADirectoryError:
        _print_error(t("cli.post_import.not_a_folder", path=str(folder)))
        return 2
    finally:
        await database.dispose()
    if not lines:
        _say(t("cli.post_import.empty", path=str(folder)))
        return 0
    for line in lines:
        bad = line.outcome in (ImportOutcome.REFUSED, ImportOutcome.FAILED)
        (_print_error if bad else _say)(describe(line, t))
    counts = {outcome: 0 for outcome in ImportOutcome}
    for line in lines:
        counts[line.outcome] += 1
    _say(
        t(
            "cli.post_import.summary",
            stored=counts[ImportOutcome.STORED],
            repeated=counts[ImportOutcome.REPEATED],
            refused=counts[ImportOutcome.REFUSED],
            skipped=counts[ImportOutcome.SKIPPED],
            failed=counts[ImportOutcome.FAILED],
        )
    )
    return 1 if counts[ImportOutcome.REFUSED] or counts[ImportOutcome.FAILED] else 0


@asynccontextmanager
async def _post_intake(
    settings: Settings, t: Translator, database: Database
) -> AsyncIterator[PostIntake]:
    """The same PostIntake the intake API uses, on this process's adapters. Notices go to the
    outbox in the database; the running bot sends them. Without Graph the directory cannot be
    asked, so every item goes to the mailroom's triage queue with that reason; scans kept in a
    Graph drive cannot be stored then (ConfigurationError)."""
    from bot.documents.pdf import PdfCheck
    from bot.documents.stores import document_store
    from bot.services.platform.clock import SystemClock
    from bot.services.post.flow import Channels, PostFlow
    from bot.services.post.intake import PostIntake
    from bot.store import (
        SqlCatalogueRepository,
        SqlDelegationRepository,
        SqlPostItemRepository,
        SqlRoutingRuleRepository,
        SqlUserRepository,
    )
    from dialogs.post.notices import PostNoticeCards

    zone = settings.zone
    clock = SystemClock()
    flow = PostFlow(
        items=SqlPostItemRepository(database, reference_zone=zone),
        cards=PostNoticeCards(zone, mailroom_conversation_id=settings.mailroom_channel_id),
        users=SqlUserRepository(database),
        clock=clock,
        channels=Channels(settings.mailroom_channel_id, settings.default_service_url),
        default_locale=settings.default_locale,
    )
    async with _graph(settings, t) as gateway:
        documents = document_store(settings, gateway.documents if gateway is not None else None)
        intake = PostIntake(
            flow=flow,
            documents=documents,
            check=PdfCheck(settings.post_max_bytes),
            directory=gateway.directory if gateway is not None else _NoDirectory(),
            catalogue=SqlCatalogueRepository(database),
            rules=SqlRoutingRuleRepository(database),
            delegations=SqlDelegationRepository(database, clock=clock, zone=zone),
            group_members=(
                gateway.licences.group_member_ids if gateway is not None else _no_group_members
            ),
            timezone=zone,
        )
        yield intake


class _NoDirectory:
    """The directory when Graph is not configured: every question is unanswerable."""

    async def get_user(self, user_id: str) -> DirectoryUser:
        raise _unavailable()

    async def get_manager(self, user_id: str) -> DirectoryUser | None:
        raise _unavailable()

    async def member_of(self, user_id: str) -> list[GroupRef]:
        raise _unavailable()

    async def find_users(self, query: str, limit: int = 10) -> list[DirectoryUser]:
        raise _unavailable()

    def forget(self, user_id: str) -> None:
        return None


def _unavailable() -> Exception:
    from bot.domain.platform.errors import Unavailable

    return Unavailable()


async def _no_group_members(group_id: str) -> Sequence[str]:
    raise _unavailable()


def _post_purge(args: argparse.Namespace) -> int:
    settings = Settings()
    t = _translator(settings)
    return asyncio.run(_purge(settings, t, args.dry_run))


async def _purge(settings: Settings, t: Translator, dry_run: bool) -> int:
    from bot.documents.stores import document_store, uses_graph
    from bot.services.platform.clock import SystemClock
    from bot.services.post.retention import purge_scans
    from bot.store import SqlPostItemRepository

    zone = settings.zone
    database = await _open_database(settings)
    try:
        # Graph is opened only when the scans live in a Graph drive.
        async with _graph(settings, t) if uses_graph(settings) else _no_graph() as gateway:
            try:
                documents = document_store(
                    settings, gateway.documents if gateway is not None else None
                )
            except ConfigurationError:
                _print_error(t("cli.post.documents_unreachable"))
                return 2
            result = await purge_scans(
                SqlPostItemRepository(database, reference_zone=zone),
                documents,
                SystemClock(),
                settings.post_retention_days,
                CLI_ACTOR,
                dry_run=dry_run,
            )
    finally:
        await database.dispose()
    cutoff = result.cutoff.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    days = settings.post_retention_days
    if dry_run:
        for reference in result.deleted:
            _say(f"- {reference}")
        _say(t("cli.post_purge.would", count=len(result.deleted), days=days, cutoff=cutoff))
        return 0
    _say(
        t(
            "cli.post_purge.done",
            count=len(result.deleted),
            gone=result.already_gone,
            days=days,
            cutoff=cutoff,
        )
    )
    if result.failed:
        _print_error(t("cli.post_purge.failed", count=len(result.failed)))
        for reference in result.failed:
            _print_error(f"- {reference}")
        return 1
    return 0


# --- report post ---------------------------------------------------------------------------------
def _post_report(args: argparse.Namespace) -> int:
    from bot.excel.post.register import write_post_register

    settings = Settings()
    t = _translator(settings)
    first, last = args.start, args.end
    if last < first:
        _print_error(t("cli.report.bad_period"))
        return 2
    zone = settings.zone
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)  # --to is the last day
    entity = args.entity.strip() or None
    items, names, entity = asyncio.run(_build_register(settings, t, start, end, entity))
    suffix = f"-{entity}" if entity else ""
    path = Path(args.out or f"postregister-{first.isoformat()}-{last.isoformat()}{suffix}.xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(write_post_register(items, names, settings.zone, t))
    _say(t("cli.post_report.written", path=str(path), count=len(items)))
    return 0


async def _build_register(
    settings: Settings, t: Translator, start: datetime, end: datetime, entity: str | None
) -> tuple[list[PostItem], dict[str, str], str | None]:
    """The register's items and names, and the entity code as the catalogue spells it."""
    from bot.services.post.register import build_post_register
    from bot.store import SqlCatalogueRepository, SqlPostItemRepository

    database = await _open_database(settings)
    try:
        if entity is not None:
            # The catalogue's spelling, when it knows the code (items carry it so spelled).
            entities = (await SqlCatalogueRepository(database).load()).entities
            entity = next(
                (e.code for e in entities if e.code.casefold() == entity.casefold()), entity
            )
        items = SqlPostItemRepository(database, reference_zone=settings.zone)
        async with _directory(settings, t) as directory:
            found, names = await build_post_register(items, directory, start, end, entity)
        return found, names, entity
    finally:
        await database.dispose()


# --- the parser ----------------------------------------------------------------------------------
def add_rules_commands(commands: SubParsers) -> None:
    rules = commands.add_parser(
        "rules", aliases=["regels"], help="routing rules of incoming post as an Excel workbook"
    )
    rules_commands = rules.add_subparsers(dest="rules_command", required=True)
    load = rules_commands.add_parser(
        "import",
        help="check a workbook, show where recent post would go, and (all rows valid) store it",
    )
    load.add_argument("file", help="the .xlsx workbook")
    load.add_argument("--dry-run", action="store_true", help="only check and show; store nothing")
    load.add_argument(
        "--last", type=int, default=50, help="how many recent items to try the rules on (50)"
    )
    load.set_defaults(run=_rules_import)
    dump = rules_commands.add_parser("export", help="write the rules as a workbook")
    dump.add_argument("file", help="the .xlsx workbook to write")
    dump.set_defaults(run=_rules_export)


def add_post_commands(post_commands: SubParsers) -> None:
    """`post import` and `post purge` (the `post` parser itself is made in bot/cli.py)."""
    folder = post_commands.add_parser(
        "import", help="import scanner PDF + JSON pairs from a folder (safe to run again)"
    )
    folder.add_argument("dir", help="the folder the scanner drops its files in")
    folder.add_argument("--tenant", default="", help="the tenant id (default: the only one)")
    folder.add_argument(
        "--scanner",
        default="import",
        help="whose externalIds these are: the intake token's name of the scanner that made "
        "them, when it catches up here after an API outage (default: import)",
    )
    folder.set_defaults(run=_post_import)
    purge = post_commands.add_parser(
        "purge", help="delete scans past their retention period (metadata and audit are kept)"
    )
    purge.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    purge.set_defaults(run=_post_purge)


def add_post_report_command(report_commands: SubParsers) -> None:
    register = report_commands.add_parser("post", help="the post register of a period")
    register.add_argument("--from", dest="start", type=_day, required=True, help="first day")
    register.add_argument("--to", dest="end", type=_day, required=True, help="last day")
    register.add_argument("--entity", default="", help="one entity's code (default: all)")
    register.add_argument("--out", default="", help="the .xlsx file (default: postregister-...)")
    register.set_defaults(run=_post_report)
