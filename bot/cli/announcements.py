"""`werkplek` commands of announcements:

- `report announcement ID [--out FILE] [--lang nl|en]`: one announcement's report as a workbook
  (a summary whose figures add up to the audience, a sheet per entity with reached, read and
  acknowledged, one row per recipient). ID is its number or its reference (ANN-2026-000042).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TypeAlias

from bot.cli.arguments import write_file
from bot.cli.context import CliContext, in_context, say, say_error
from bot.i18n import pick_locale

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


async def _announcement_report(args: argparse.Namespace, context: CliContext) -> int:
    t = context.t
    announcements = (await context.capabilities()).announcements
    wanted = args.announcement.strip()
    found = (
        await announcements.repository.get(int(wanted))
        if wanted.isdigit() and 0 < int(wanted) < 2**63
        else await announcements.repository.by_reference(wanted)
    )
    if found is None:
        say_error(t("cli.announcement_report.unknown", announcement=wanted[:40]))
        return 2
    locale = pick_locale(args.lang or t.locale)
    path = Path(args.out or f"aankondiging-{found.reference}.xlsx")
    write_file(path, await announcements.report_workbook(found.id, locale))
    figures = await announcements.repository.figures(found.id)
    say(t.n("cli.announcement_report.written", figures.audience, path=str(path)))
    return 0


def add_report_command(report_commands: SubParsers) -> None:
    report = report_commands.add_parser(
        "announcement",
        aliases=["aankondiging"],
        help="one announcement's recipients: sent, read and acknowledged, per entity",
    )
    report.add_argument("announcement", help="its number or reference (ANN-2026-000042)")
    report.add_argument("--out", default="", help="the .xlsx file (default: aankondiging-...)")
    report.add_argument("--lang", default="", choices=("", "nl", "en"), help="nl (default) or en")
    report.set_defaults(run=in_context(_announcement_report))
