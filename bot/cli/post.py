"""`werkplek` commands of incoming post (its routing rules: bot/cli/post_rules.py):

- `post token NAME`: a new intake token for a scanning service, and the settings line that admits
  it (only its hash).
- `post import DIR`: scanner PDF + JSON pairs dropped in a folder, through the same intake as the
  API (bot/services/post/folder_import.py): regular files only, nothing followed, sizes checked
  before reading.
- `post purge [--dry-run]`: delete the scans past their retention period.
- `report post --from --to [--entity] [--out]`: the post register as a workbook.

Without Graph the directory cannot be asked: the intake sends every item to the mailroom's
triage, the register and the dry run show ids instead of names. Scans kept in a Graph drive
cannot be reached then, and nothing is done (exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from bot.cli.arguments import day, write_file
from bot.cli.context import CLI_ACTOR, CliContext, in_context, say, say_error
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.composition import Capabilities
    from bot.services.post.folder_import import ImportLine

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

MAX_SCANNER_NAME = 57  # "intake:" + the name fits the audit log's 64-character actor id


def _post_token(args: argparse.Namespace) -> int:
    import hashlib
    import re
    import secrets

    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,57}", args.name):  # as Settings checks it
        say_error("Naam: letters, cijfers, . _ - / name: letters, digits, . _ -")
        return 2
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    say(f"token (geef aan de scandienst / give to the scanning service): {token}")
    say("voeg toe aan / add to WERKPLEK_INTAKE_TOKENS (komma's tussen / comma-separated):")
    say(f"{args.name}:{digest}")
    return 0


# --- post import ---------------------------------------------------------------------------------
async def _post_import(args: argparse.Namespace, context: CliContext) -> int:
    from bot.services.platform.drop_folder import UnsafeFolder
    from bot.services.post.folder_import import import_directory

    settings, t = context.settings, context.t
    tenant_id = args.tenant or _only_tenant(settings)
    if not tenant_id:
        say_error(t("cli.post_import.which_tenant"))
        return 2
    folder = Path(args.dir)
    refusal = _folder_refusal(folder)
    if refusal:
        say_error(t(refusal, path=str(folder)))
        return 2
    scanner = args.scanner.strip()
    # The audit trail keeps "intake:<scanner>" in 64 characters, as for an intake token's name.
    if not scanner or len(scanner) > MAX_SCANNER_NAME:
        say_error(t.n("cli.post_import.bad_scanner", MAX_SCANNER_NAME))
        return 2
    capabilities = await _with_scans(context, opening_graph=True)
    if capabilities is None:
        return 2
    try:
        lines = await import_directory(
            capabilities.post.intake,
            folder,
            tenant_id,
            scanner,
            max_pdf_bytes=settings.post_max_bytes,
        )
    except UnsafeFolder as unsafe:  # DIR, verwerkt/ or geweigerd/ became a link or a file
        say_error(t("cli.post_import.unsafe_folder", path=unsafe.path))
        return 2
    except NotADirectoryError:
        say_error(t("cli.post_import.not_a_folder", path=str(folder)))
        return 2
    return _report_import(context, folder, lines)


def _folder_refusal(folder: Path) -> str:
    """Why the folder cannot be imported from (a message id), or ""."""
    if folder.is_symlink():  # nothing is followed from the folder on: the folder neither
        return "cli.post_import.unsafe_folder"
    if not folder.is_dir():
        return "cli.post_import.not_a_folder"
    return ""


def _only_tenant(settings: Settings) -> str:
    tenants = sorted(settings.tenants)
    return tenants[0] if len(tenants) == 1 else ""


async def _with_scans(context: CliContext, *, opening_graph: bool) -> Capabilities | None:
    """The capabilities, when the scans can be reached: on disk always, in a Graph drive only
    when Graph opens; else None, said. `opening_graph`: open Graph also for scans on disk (the
    intake asks the directory)."""
    from bot.documents.stores import uses_graph

    capabilities = await context.capabilities()
    in_drive = uses_graph(context.settings)
    graph = await context.graph("cli.post.no_graph") if in_drive or opening_graph else None
    if in_drive and graph is None:
        say_error(context.t("cli.post.documents_unreachable"))
        return None
    return capabilities


def _report_import(context: CliContext, folder: Path, lines: list[ImportLine]) -> int:
    from bot.services.post.folder_import import ImportOutcome, describe

    t = context.t
    if not lines:
        say(t("cli.post_import.empty", path=str(folder)))
        return 0
    for line in lines:
        bad = line.outcome in (ImportOutcome.REFUSED, ImportOutcome.FAILED)
        (say_error if bad else say)(describe(line, t))
    counts = {outcome: 0 for outcome in ImportOutcome}
    for line in lines:
        counts[line.outcome] += 1
    say(
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


# --- post purge ----------------------------------------------------------------------------------
async def _post_purge(args: argparse.Namespace, context: CliContext) -> int:
    t, zone = context.t, context.settings.zone
    capabilities = await _with_scans(context, opening_graph=False)
    if capabilities is None:
        return 2
    retention = capabilities.post.retention
    result = await retention.purge(CLI_ACTOR, dry_run=args.dry_run)
    cutoff = result.cutoff.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    kept = t.n("cli.post_purge.retention", retention.days)
    if args.dry_run:
        for reference in result.deleted:
            say(f"- {reference}")
        say(t.n("cli.post_purge.would", len(result.deleted), retention=kept, cutoff=cutoff))
        return 0
    gone = t.n("cli.post_purge.gone", result.already_gone)
    say(t.n("cli.post_purge.done", len(result.deleted), retention=kept, gone=gone, cutoff=cutoff))
    if result.failed:
        say_error(t.n("cli.post_purge.failed", len(result.failed)))
        for reference in result.failed:
            say_error(f"- {reference}")
        return 1
    return 0


# --- report post ---------------------------------------------------------------------------------
async def _post_report(args: argparse.Namespace, context: CliContext) -> int:
    from bot.composition.platform import day_range
    from bot.excel.post.register import write_post_register
    from bot.services.post.register import build_post_register

    t, zone = context.t, context.settings.zone
    first, last = args.start, args.end  # --to is the last day
    if last < first:
        say_error(t("cli.report.bad_period"))
        return 2
    capabilities = await context.capabilities()
    entity: str | None = args.entity.strip() or None
    if entity is not None:
        # The catalogue's spelling, when it knows the code (items carry it so spelled).
        entities = (await capabilities.platform.entities.catalogue()).entities
        entity = next((e.code for e in entities if e.code.casefold() == entity.casefold()), entity)
    graph = await context.graph("cli.post.no_graph")  # ids instead of names without it
    start, end = day_range(first, last, zone)
    items, names = await build_post_register(
        capabilities.post.items, graph.directory if graph is not None else None, start, end, entity
    )
    suffix = f"-{entity}" if entity else ""
    path = Path(args.out or f"postregister-{first.isoformat()}-{last.isoformat()}{suffix}.xlsx")
    write_file(path, write_post_register(items, names, zone, t))
    say(t.n("cli.post_report.written", len(items), path=str(path)))
    return 0


# --- the parser ----------------------------------------------------------------------------------
def add_post_commands(commands: SubParsers) -> None:
    post = commands.add_parser("post", help="incoming post")
    post_commands = post.add_subparsers(dest="post_command", required=True)
    token = post_commands.add_parser("token", help="make an intake token for a scanning service")
    token.add_argument("name", help="who uses it, e.g. scanner-gent (shown in the audit trail)")
    token.set_defaults(run=_post_token)
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
    folder.set_defaults(run=in_context(_post_import))
    purge = post_commands.add_parser(
        "purge", help="delete scans past their retention period (metadata and audit are kept)"
    )
    purge.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    purge.set_defaults(run=in_context(_post_purge))


def add_report_command(report_commands: SubParsers) -> None:
    register = report_commands.add_parser("post", help="the post register of a period")
    register.add_argument("--from", dest="start", type=day, required=True, help="first day")
    register.add_argument("--to", dest="end", type=day, required=True, help="last day")
    register.add_argument("--entity", default="", help="one entity's code (default: all)")
    register.add_argument("--out", default="", help="the .xlsx file (default: postregister-...)")
    register.set_defaults(run=in_context(_post_report))
