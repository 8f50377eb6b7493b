"""`werkplek` command line: serve, migrate, build the Teams app package."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.settings import ConfigurationError, Settings


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
