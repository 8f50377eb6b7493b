"""`werkplek` commands of the service desk:

- `articles import FILE [--dry-run]`: check the knowledge-base workbook; every problem is printed
  with its row and column and nothing is stored (exit 1). A valid workbook replaces the
  knowledge base as a whole (and its search index), unless --dry-run.
- `articles export FILE`: the knowledge base as a workbook.
- `report tickets --from --to [--entity] [--out]`: the service desk's report of a period as a
  workbook (tickets per category and entity, first response and resolution times, breaches,
  satisfaction, the knowledge base's deflection and the questions it did not answer).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TypeAlias

from bot.cli.arguments import day, read_file, write_file
from bot.cli.context import CliContext, in_context, say, say_error
from bot.domain.platform.actors import Actor

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


async def _articles_import(args: argparse.Namespace, context: CliContext) -> int:
    from bot.excel.servicedesk.articles import describe_problem, read_articles

    t = context.t
    data = read_file(Path(args.file), t)
    if data is None:
        return 2
    knowledge, problems = read_articles(data)
    if knowledge is None:
        say_error(t("cli.articles.invalid", count=len(problems)))
        for problem in problems:
            say_error(f"- {describe_problem(problem, t)}")
        return 1
    count = len(knowledge.articles)
    if args.dry_run:
        say(t.n("cli.articles.checked", count))
        return 0
    desk = (await context.capabilities()).servicedesk.knowledge
    # The workbook was read whole; what the knowledge base as a whole refuses is printed too.
    refused = await desk.replace(Actor.system(), knowledge)
    if refused:
        say_error(t("cli.articles.invalid", count=len(refused)))
        for problem in refused:
            say_error(f"- {describe_problem(problem, t)}")
        return 1
    say(t.n("cli.articles.stored", count))
    return 0


async def _articles_export(args: argparse.Namespace, context: CliContext) -> int:
    from bot.excel.servicedesk.articles import write_articles

    knowledge = await (await context.capabilities()).servicedesk.knowledge.knowledge()
    path = Path(args.file)
    write_file(path, write_articles(knowledge))
    say(context.t.n("cli.articles.exported", len(knowledge.articles), path=str(path)))
    return 0


async def _tickets_report(args: argparse.Namespace, context: CliContext) -> int:
    from bot.excel.servicedesk.report import write_ticket_report

    t = context.t
    first, last = args.start, args.end  # --to is the last day
    if last < first:
        say_error(t("cli.report.bad_period"))
        return 2
    reports = (await context.capabilities()).servicedesk.reports
    entity: str | None = None
    if args.entity.strip():
        found = await reports.entity(args.entity.strip())
        if found is None:
            say_error(t("cli.report.unknown_entity", entity=args.entity))
            return 2
        entity = found.code
    report = await reports.report(first, last, entity)
    suffix = f"-{entity}" if entity else ""
    path = Path(args.out or f"servicedesk-{first.isoformat()}-{last.isoformat()}{suffix}.xlsx")
    write_file(path, write_ticket_report(report, t, reports.zone))
    say(t.n("cli.ticket_report.written", len(report.tickets), path=str(path)))
    return 0


def add_articles_commands(commands: SubParsers) -> None:
    articles = commands.add_parser(
        "articles", aliases=["artikels"], help="the service desk's knowledge base as a workbook"
    )
    article_commands = articles.add_subparsers(dest="articles_command", required=True)
    load = article_commands.add_parser(
        "import", help="check a workbook and, when every row is valid, replace the articles"
    )
    load.add_argument("file", help="the .xlsx workbook")
    load.add_argument("--dry-run", action="store_true", help="only check; store nothing")
    load.set_defaults(run=in_context(_articles_import))
    dump = article_commands.add_parser("export", help="write the articles as a workbook")
    dump.add_argument("file", help="the .xlsx workbook to write")
    dump.set_defaults(run=in_context(_articles_export))


def add_report_command(report_commands: SubParsers) -> None:
    tickets = report_commands.add_parser(
        "tickets", help="the service desk's tickets, times, breaches and answers of a period"
    )
    tickets.add_argument("--from", dest="start", type=day, required=True, help="first day")
    tickets.add_argument("--to", dest="end", type=day, required=True, help="last day")
    tickets.add_argument("--entity", default="", help="one entity's code (default: all)")
    tickets.add_argument("--out", default="", help="the .xlsx file (default: servicedesk-...)")
    tickets.set_defaults(run=in_context(_tickets_report))
