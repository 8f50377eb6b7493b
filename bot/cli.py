"""`werkplek` command line: serve, migrate, build the Teams app package, import and export the
licence catalogue, write the licence report. Incoming post (routing rules, folder import, scan
retention, the post register) lives in bot/cli_post.py and hooks into this parser.

Heavy modules (the store, openpyxl, the Graph SDK) are imported inside the command that needs
them, so `werkplek manifest` and `--help` stay quick.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import stat
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.i18n import Translator, pick_locale
from bot.settings import ConfigurationError, Settings

if TYPE_CHECKING:
    from bot.domain.licences.catalogue import Catalogue
    from bot.domain.licences.report import LicenceReport
    from bot.store import Database


def _serve(args: argparse.Namespace) -> int:
    import gc

    gc.disable()  # as `python app.py` does: no collecting while start-up builds its objects
    import app  # the composition root; imported late so `werkplek manifest` stays light

    app.main()
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from bot.store import Database

    async def run() -> None:
        database = Database(Settings().database_url)
        try:
            await database.migrate()
        finally:
            await database.dispose()

    asyncio.run(run())
    print("Databank bijgewerkt / database migrated")
    return 0


def _manifest(args: argparse.Namespace) -> int:
    from bot.manifest import write_package
    from dialogs import command_specs

    settings = Settings()
    bot_id = args.bot_id or settings.bot_app_id
    if not bot_id:
        print(
            "Geen bot-id: geef --bot-id of zet CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"
            " / no bot id configured",
            file=sys.stderr,
        )
        return 2
    path = write_package(
        Path(args.out), bot_app_id=bot_id, commands=command_specs(), base_url=args.base_url or None
    )
    print(path)
    return 0


def _translator(settings: Settings) -> Translator:
    return Translator(pick_locale(settings.default_locale))


async def _open_database(settings: Settings) -> Database:
    """The configured database, migrated first when the bot itself would migrate on start."""
    from bot.store import Database

    database = Database(settings.database_url)
    if settings.migrate_on_start:
        await database.migrate()
    return database


# A workbook the importers would refuse anyway (bot/excel/package.py) is not read whole first.
_MAX_IMPORT_FILE_BYTES = 20 * 1024 * 1024


def _read_file(path: Path, t: Translator) -> bytes | None:
    """A regular file of at most _MAX_IMPORT_FILE_BYTES, read through one descriptor (what was
    checked is what is read); None with the reason printed otherwise."""
    try:
        # O_NONBLOCK: opening a fifo named like a workbook must not hang the command.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                print(t("cli.file_unreadable", path=str(path)), file=sys.stderr)
                return None
            data = handle.read(_MAX_IMPORT_FILE_BYTES + 1)
    except OSError:
        print(t("cli.file_unreadable", path=str(path)), file=sys.stderr)
        return None
    if len(data) > _MAX_IMPORT_FILE_BYTES:
        print(
            t("cli.file_too_large", path=str(path), mb=_MAX_IMPORT_FILE_BYTES // 2**20),
            file=sys.stderr,
        )
        return None
    return data


def _catalogue_import(args: argparse.Namespace) -> int:
    from bot.excel.licences.catalogue import (
        CatalogueImportError,
        catalogue_counts,
        describe_problem,
        read_catalogue,
    )

    settings = Settings()
    t = _translator(settings)
    data = _read_file(Path(args.file), t)
    if data is None:
        return 2
    try:
        catalogue = read_catalogue(data)
    except CatalogueImportError as error:
        print(t("cli.catalogue.invalid", count=len(error.problems)), file=sys.stderr)
        for problem in error.problems:
            print(f"- {describe_problem(problem, t)}", file=sys.stderr)
        return 1
    counts = t("catalogue.counts", **catalogue_counts(catalogue))
    if args.dry_run:
        print(t("cli.catalogue.checked", counts=counts))
        return 0
    asyncio.run(_store_catalogue(settings, catalogue))
    print(t("cli.catalogue.stored", counts=counts))
    return 0


async def _store_catalogue(settings: Settings, catalogue: Catalogue) -> None:
    from bot.store import SqlCatalogueRepository

    database = await _open_database(settings)
    try:
        await SqlCatalogueRepository(database).replace(catalogue)
    finally:
        await database.dispose()


def _catalogue_export(args: argparse.Namespace) -> int:
    from bot.excel.licences.catalogue import catalogue_counts, write_catalogue

    settings = Settings()
    t = _translator(settings)
    catalogue = asyncio.run(_load_catalogue(settings))
    path = Path(args.file)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(write_catalogue(catalogue))
    counts = t("catalogue.counts", **catalogue_counts(catalogue))
    print(t("cli.catalogue.exported", path=str(path), counts=counts))
    return 0


async def _load_catalogue(settings: Settings) -> Catalogue:
    from bot.store import SqlCatalogueRepository

    database = await _open_database(settings)
    try:
        return await SqlCatalogueRepository(database).load()
    finally:
        await database.dispose()


def _licence_report(args: argparse.Namespace) -> int:
    from bot.excel.licences.report import write_licence_report

    settings = Settings()
    t = _translator(settings)
    first, last = args.start, args.end
    if last < first:
        print(t("cli.report.bad_period"), file=sys.stderr)
        return 2
    zone = settings.zone
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)  # --to is the last day
    report = asyncio.run(_build_report(settings, t, start, end, args.entity or None))
    if report is None:
        print(t("cli.report.unknown_entity", entity=args.entity), file=sys.stderr)
        return 2
    suffix = f"-{report.entity}" if report.entity else ""
    path = Path(args.out or f"licenties-{first.isoformat()}-{last.isoformat()}{suffix}.xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(write_licence_report(report, t, settings.zone))
    print(
        t(
            "cli.report.written",
            path=str(path),
            requests=len(report.requests),
            decisions=len(report.decisions),
        )
    )
    return 0


async def _build_report(
    settings: Settings, t: Translator, start: datetime, end: datetime, entity: str | None
) -> LicenceReport | None:
    """The report, or None when the entity is not in the catalogue. Seats come from Graph when
    it is configured; without it (or when it cannot be opened) the seat sheet says so."""
    from bot.services.licences.reports import build_licence_report
    from bot.store import SqlCatalogueRepository, SqlLicenceRequestRepository

    database = await _open_database(settings)
    gateway = None
    try:
        catalogue = SqlCatalogueRepository(database)
        if entity is not None:
            known = next(
                (
                    e.code
                    for e in (await catalogue.load()).entities
                    if e.code.casefold() == entity.casefold()
                ),
                None,
            )
            if known is None:
                return None
            entity = known
        if _graph_configured(settings):
            from bot.graph import open_graph

            try:
                gateway = await open_graph(settings)
            except Exception as error:  # seats are optional; the report is not
                print(t("cli.report.no_graph", error=type(error).__name__), file=sys.stderr)
        licences = getattr(gateway, "licences", None)
        requests = SqlLicenceRequestRepository(database)
        return await build_licence_report(requests, catalogue, licences, start, end, entity)
    finally:
        if gateway is not None:
            await gateway.close()
        await database.dispose()


def _graph_configured(settings: Settings) -> bool:
    return bool(
        settings.azure_tenant_id
        and settings.azure_client_id
        and settings.azure_client_secret.get_secret_value()
    )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: YYYY-MM-DD") from None


def _add_catalogue_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    catalogue = commands.add_parser(
        "catalog", aliases=["catalogus"], help="licence catalogue as an Excel workbook"
    )
    catalogue_commands = catalogue.add_subparsers(dest="catalog_command", required=True)
    load = catalogue_commands.add_parser(
        "import", help="check a workbook and, when every row is valid, replace the catalogue"
    )
    load.add_argument("file", help="the .xlsx workbook")
    load.add_argument("--dry-run", action="store_true", help="only check; store nothing")
    load.set_defaults(run=_catalogue_import)
    dump = catalogue_commands.add_parser("export", help="write the catalogue as a workbook")
    dump.add_argument("file", help="the .xlsx workbook to write")
    dump.set_defaults(run=_catalogue_export)


def _add_report_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser("report", help="reports as Excel workbooks")
    report_commands = report.add_subparsers(dest="report_command", required=True)
    licences = report_commands.add_parser(
        "licences", help="licence requests, decisions, lead times and seats of a period"
    )
    licences.add_argument("--from", dest="start", type=_day, required=True, help="first day")
    licences.add_argument("--to", dest="end", type=_day, required=True, help="last day")
    licences.add_argument("--entity", default="", help="one entity's code (default: all)")
    licences.add_argument("--out", default="", help="the .xlsx file (default: licenties-...)")
    licences.set_defaults(run=_licence_report)
    from bot.cli_post import add_post_report_command  # imports bot.cli: only once it is loaded

    add_post_report_command(report_commands)


def _post_token(args: argparse.Namespace) -> int:
    """A new random intake token and the settings line that admits it (only its hash)."""
    import hashlib
    import re
    import secrets

    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,57}", args.name):  # as Settings checks it
        print("Naam: letters, cijfers, . _ - / name: letters, digits, . _ -", file=sys.stderr)
        return 2
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    print(f"token (geef aan de scandienst / give to the scanning service): {token}")
    print("voeg toe aan / add to WERKPLEK_INTAKE_TOKENS (komma's tussen / comma-separated):")
    print(f"{args.name}:{digest}")
    return 0


def _add_post_token_command(
    post_commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    token = post_commands.add_parser("token", help="make an intake token for a scanning service")
    token.add_argument("name", help="who uses it, e.g. scanner-gent (shown in the audit trail)")
    token.set_defaults(run=_post_token)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="werkplek", description="Werkplek Teams bot")
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the bot (same as python app.py)").set_defaults(
        run=_serve
    )
    commands.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        run=_migrate
    )
    manifest = commands.add_parser("manifest", help="Teams app manifest")
    manifest_commands = manifest.add_subparsers(dest="manifest_command", required=True)
    build = manifest_commands.add_parser("build", help="write the Teams app package (zip)")
    build.add_argument("--out", default="build/werkplek.zip")
    build.add_argument("--bot-id", default="", help="defaults to the configured bot app id")
    build.add_argument("--base-url", default="", help="public https base of the bot (valid domain)")
    build.set_defaults(run=_manifest)
    _add_catalogue_commands(commands)
    _add_report_commands(commands)
    post = commands.add_parser("post", help="incoming post")
    post_commands = post.add_subparsers(dest="post_command", required=True)
    _add_post_token_command(post_commands)
    from bot.cli_post import add_post_commands, add_rules_commands

    add_post_commands(post_commands)  # post import, post purge
    add_rules_commands(commands)  # rules import, rules export
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from bot.manifest import ManifestError

    try:
        return int(args.run(args))
    except ConfigurationError as error:
        print(f"Werkplek start niet / refuses to start: {error}", file=sys.stderr)
        return 2
    except ManifestError as error:
        print(f"App-pakket niet gemaakt / manifest not built: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
