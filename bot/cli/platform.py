"""`werkplek` commands of the platform: serve the bot, migrate the database, build the Teams app
package."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TypeAlias

from bot.cli.context import CliContext, in_context, say, say_error

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _serve(args: argparse.Namespace) -> int:
    import gc

    gc.disable()  # as `python app.py` does: no collecting while start-up builds its objects
    import app  # the composition root; imported late so `werkplek manifest` stays light

    app.main()  # reads the settings itself, as `python app.py` does
    return 0


async def _migrate(args: argparse.Namespace, context: CliContext) -> int:
    database = await context.database()
    if not context.settings.migrate_on_start:  # else opening it has migrated it
        await database.migrate()
    say("Databank bijgewerkt / database migrated")
    return 0


async def _manifest(args: argparse.Namespace, context: CliContext) -> int:
    from bot.manifest import write_package
    from dialogs import command_specs

    bot_id = args.bot_id or context.settings.bot_app_id
    if not bot_id:
        say_error(
            "Geen bot-id: geef --bot-id of zet CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"
            " / no bot id configured"
        )
        return 2
    path = write_package(
        Path(args.out), bot_app_id=bot_id, commands=command_specs(), base_url=args.base_url or None
    )
    say(str(path))
    return 0


def add_platform_commands(commands: SubParsers) -> None:
    commands.add_parser("serve", help="serve the bot (same as python app.py)").set_defaults(
        run=_serve
    )
    commands.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        run=in_context(_migrate)
    )
    manifest = commands.add_parser("manifest", help="Teams app manifest")
    manifest_commands = manifest.add_subparsers(dest="manifest_command", required=True)
    build = manifest_commands.add_parser("build", help="write the Teams app package (zip)")
    build.add_argument("--out", default="build/werkplek.zip")
    build.add_argument("--bot-id", default="", help="defaults to the configured bot app id")
    build.add_argument("--base-url", default="", help="public https base of the bot (valid domain)")
    build.set_defaults(run=in_context(_manifest))
