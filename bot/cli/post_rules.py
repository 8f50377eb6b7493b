"""`werkplek` commands of the routing rules of incoming post:

- `rules import FILE [--dry-run] [--last N]`: check the routing-rules workbook; every problem is
  printed with its sheet, row and column and nothing is stored (exit 1). People and channels
  given by name are looked up in Microsoft Graph (without it, a named cell is a problem: ids
  still work). A valid workbook is first tried on the newest N items (where each would go now,
  and where it is), then stored as a whole, unless --dry-run.
- `rules export FILE`: the current rules as a workbook (an empty one is the template), with
  names next to the ids when Graph is reachable.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from bot.cli.arguments import read_file, write_file
from bot.cli.context import CLI_ACTOR, CliContext, in_context, say, say_error

if TYPE_CHECKING:
    from bot.composition import Capabilities
    from bot.domain.post.routing import RoutingRule

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


async def _rules_import(args: argparse.Namespace, context: CliContext) -> int:
    from bot.excel.post.rules import describe_problem, read_rules_named
    from bot.services.post.rules import record_refused_import, replace_rules
    from bot.services.post.rules_names import resolve_names

    t = context.t
    data = read_file(Path(args.file), t)
    if data is None:
        return 2
    if args.last < 0:
        say_error(t("cli.post_rules.bad_last"))
        return 2
    capabilities = await context.capabilities()
    auditor = capabilities.platform.auditor
    known = [entity.code for entity in (await capabilities.platform.entities.catalogue()).entities]
    read = read_rules_named(data, known)
    graph = await context.graph("cli.post.no_graph") if read.names else None
    read = await resolve_names(read, graph.rule_names if graph is not None else None)
    if read.rules is None or read.problems:
        await record_refused_import(auditor, CLI_ACTOR, len(read.problems))
        say_error(t("cli.post_rules.invalid", count=len(read.problems)))
        for problem in read.problems:
            say_error(f"- {describe_problem(problem, t)}")
        return 1
    rules = list(read.rules)
    await _print_rule_warnings(context, rules)
    await _print_dry_run(context, capabilities, rules, args.last)
    active = sum(1 for rule in rules if rule.active)
    if args.dry_run:
        say(t.n("cli.post_rules.checked", len(rules), active=active))
        return 0
    await replace_rules(capabilities.post.rules, rules, CLI_ACTOR, auditor)
    say(t("cli.post_rules.stored", count=len(rules), active=active))
    return 0


async def _print_rule_warnings(context: CliContext, rules: Sequence[RoutingRule]) -> None:
    """Rules sending post to someone who left: stored all the same (their post goes to the
    delegate or to triage), but the admin should know. Nothing to say without Graph."""
    from bot.services.post.register import display_names
    from bot.services.post.rules_warnings import describe_warning, rules_to_inactive_people

    graph = await context.graph("cli.post.no_graph")
    if graph is None:
        return
    warnings = await rules_to_inactive_people(rules, graph.directory)
    names = await display_names(graph.directory, [warning.person_id for warning in warnings])
    for warning in warnings:
        say_error(f"- {describe_warning(warning, names, context.t)}")


async def _print_dry_run(
    context: CliContext, capabilities: Capabilities, rules: Sequence[RoutingRule], last: int
) -> None:
    from bot.services.post.register import display_names
    from bot.services.post.rules_dry_run import describe_dry_run, dry_run_rules, people_in_dry_run

    t, post = context.t, capabilities.post
    clock, zone = capabilities.platform.clock, context.settings.zone
    lines = await dry_run_rules(rules, post.items, post.delegations, clock, zone, last)
    if not lines:
        say(t("cli.post_rules.dry_run_nothing"))
        return
    graph = await context.graph("cli.post.no_graph")  # ids instead of names without it
    directory = graph.directory if graph is not None else None
    names = await display_names(directory, people_in_dry_run(lines))
    say(t.n("cli.post_rules.dry_run_title", len(lines)))
    for line in lines:
        say(f"- {describe_dry_run(line, names, t)}")
    changed = sum(1 for line in lines if line.changed)
    say(t.n("cli.post_rules.dry_run_changed", changed, total=len(lines)))


async def _rules_export(args: argparse.Namespace, context: CliContext) -> int:
    from bot.excel.post.rules import write_rules
    from bot.services.post.rules_names import rule_labels

    rules = await (await context.capabilities()).post.rules.load()
    graph = await context.graph("cli.post.no_graph") if rules else None
    labels = await rule_labels(rules, graph.rule_names if graph is not None else None)
    path = Path(args.file)
    write_file(path, write_rules(rules, labels))
    say(context.t.n("cli.post_rules.exported", len(rules), path=str(path)))
    return 0


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
    load.set_defaults(run=in_context(_rules_import))
    dump = rules_commands.add_parser("export", help="write the rules as a workbook")
    dump.add_argument("file", help="the .xlsx workbook to write")
    dump.set_defaults(run=in_context(_rules_export))
