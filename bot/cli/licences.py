"""`werkplek` commands of licences:

- `catalog import FILE [--dry-run]`: check the catalogue workbook; every problem is printed with
  its sheet, row and column and nothing is stored (exit 1). A valid workbook replaces the
  catalogue as a whole, unless --dry-run.
- `catalog export FILE`: the catalogue as a workbook.
- `report licences --from --to [--entity] [--out]`: requests, decisions, lead times and seats of
  a period as a workbook; seats come from Graph when it is configured.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TypeAlias

from bot.cli.arguments import day, read_file, write_file
from bot.cli.context import CliContext, in_context, say, say_error

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


async def _catalogue_import(args: argparse.Namespace, context: CliContext) -> int:
    from bot.excel.licences.catalogue import (
        CatalogueImportError,
        catalogue_counts,
        describe_problem,
        read_catalogue,
    )

    t = context.t
    data = read_file(Path(args.file), t)
    if data is None:
        return 2
    try:
        catalogue = read_catalogue(data)
    except CatalogueImportError as error:
        say_error(t("cli.catalogue.invalid", count=len(error.problems)))
        for problem in error.problems:
            say_error(f"- {describe_problem(problem, t)}")
        return 1
    counts = t("catalogue.counts", **catalogue_counts(catalogue))
    if args.dry_run:
        say(t("cli.catalogue.checked", counts=counts))
        return 0
    await (await context.capabilities()).licences.catalogue.replace(catalogue)
    say(t("cli.catalogue.stored", counts=counts))
    return 0


async def _catalogue_export(args: argparse.Namespace, context: CliContext) -> int:
    from bot.excel.licences.catalogue import catalogue_counts, write_catalogue

    t = context.t
    catalogue = await (await context.capabilities()).licences.catalogue.load()
    path = Path(args.file)
    write_file(path, write_catalogue(catalogue))
    counts = t("catalogue.counts", **catalogue_counts(catalogue))
    say(t("cli.catalogue.exported", path=str(path), counts=counts))
    return 0


async def _licence_report(args: argparse.Namespace, context: CliContext) -> int:
    from bot.excel.licences.report import write_licence_report

    t = context.t
    first, last = args.start, args.end  # --to is the last day
    if last < first:
        say_error(t("cli.report.bad_period"))
        return 2
    licences = (await context.capabilities()).licences
    entity: str | None = args.entity or None
    if entity is not None:
        entities = (await licences.catalogue.load()).entities
        entity = next((e.code for e in entities if e.code.casefold() == entity.casefold()), None)
        if entity is None:
            say_error(t("cli.report.unknown_entity", entity=args.entity))
            return 2
    # Seats are read when Graph opens; without it the seat sheet says so.
    graph = await context.graph("cli.report.no_graph")
    seats = graph.licences if graph is not None else None
    report = await licences.reports.report(first, last, entity, seats=seats)
    suffix = f"-{report.entity}" if report.entity else ""
    path = Path(args.out or f"licenties-{first.isoformat()}-{last.isoformat()}{suffix}.xlsx")
    write_file(path, write_licence_report(report, t, context.settings.zone))
    say(
        t(
            "cli.report.written",
            path=str(path),
            requests=len(report.requests),
            decisions=len(report.decisions),
        )
    )
    return 0


def add_catalogue_commands(commands: SubParsers) -> None:
    catalogue = commands.add_parser(
        "catalog", aliases=["catalogus"], help="licence catalogue as an Excel workbook"
    )
    catalogue_commands = catalogue.add_subparsers(dest="catalog_command", required=True)
    load = catalogue_commands.add_parser(
        "import", help="check a workbook and, when every row is valid, replace the catalogue"
    )
    load.add_argument("file", help="the .xlsx workbook")
    load.add_argument("--dry-run", action="store_true", help="only check; store nothing")
    load.set_defaults(run=in_context(_catalogue_import))
    dump = catalogue_commands.add_parser("export", help="write the catalogue as a workbook")
    dump.add_argument("file", help="the .xlsx workbook to write")
    dump.set_defaults(run=in_context(_catalogue_export))


def add_report_command(report_commands: SubParsers) -> None:
    licences = report_commands.add_parser(
        "licences", help="licence requests, decisions, lead times and seats of a period"
    )
    licences.add_argument("--from", dest="start", type=day, required=True, help="first day")
    licences.add_argument("--to", dest="end", type=day, required=True, help="last day")
    licences.add_argument("--entity", default="", help="one entity's code (default: all)")
    licences.add_argument("--out", default="", help="the .xlsx file (default: licenties-...)")
    licences.set_defaults(run=in_context(_licence_report))
