"""`werkplek` command line: serve, migrate, build the Teams app package, and each capability's
commands (licences: bot/cli/licences.py; incoming post: bot/cli/post.py, post_rules.py; the
service desk: bot/cli/servicedesk.py; announcements: bot/cli/announcements.py).

Every command runs on the same composition as the server (bot.composition), through one context
(bot/cli/context.py: the settings read once, the database and Graph opened once). Heavy modules
(the store, openpyxl, the Graph SDK) are imported inside the command that needs them, so
`werkplek manifest` and `--help` stay quick.
"""

from __future__ import annotations

import argparse
import sys

from bot.cli import announcements, licences, platform, post, post_rules, servicedesk
from bot.settings import ConfigurationError


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="werkplek", description="Werkplek Teams bot")
    commands = root.add_subparsers(dest="command", required=True)
    platform.add_platform_commands(commands)  # serve, migrate, manifest
    licences.add_catalogue_commands(commands)
    report = commands.add_parser("report", help="reports as Excel workbooks")
    report_commands = report.add_subparsers(dest="report_command", required=True)
    licences.add_report_command(report_commands)
    post.add_report_command(report_commands)
    servicedesk.add_report_command(report_commands)  # report tickets
    announcements.add_report_command(report_commands)  # report announcement
    post.add_post_commands(commands)  # post token, post import, post purge
    post_rules.add_rules_commands(commands)  # rules import, rules export
    servicedesk.add_articles_commands(commands)  # articles import, articles export
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
