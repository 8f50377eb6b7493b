"""What every `werkplek` command shares: the settings, read once, the translator, and, opened on
first use and closed when the command ends, the database, Microsoft Graph and the capabilities
built on them by bot.composition, as the server builds them.

A command that needs them is an async function of its arguments and this context; `in_context`
turns it into the parser's plain `run(args) -> exit code`, on one event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.domain.platform.actors import Actor
from bot.domain.platform.roles import Role
from bot.i18n import Translator, pick_locale
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.composition import Capabilities
    from bot.graph import DeferredGraph
    from bot.store import Database

Command = Callable[[argparse.Namespace], int]
ContextCommand = Callable[[argparse.Namespace, "CliContext"], Awaitable[int]]

# Who the command line is in the audit trail: not the system's background work but whoever runs
# it, with the server's keys (an admin), so its lines stay told apart from the bot's own.
CLI_ACTOR = Actor("cli", roles=frozenset({Role.ADMIN}))
# The command line makes no download or scan links (the server does, with its secret); a random
# one keeps the one wiring whole without the server's warning about a missing secret.
_UNUSED_LINK_SECRET_BYTES = 32


class CliContext:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.t = Translator(pick_locale(settings.default_locale))
        self._database: Database | None = None
        self._graph: DeferredGraph | None = None
        self._graph_opened: bool | None = None
        self._capabilities: Capabilities | None = None

    async def database(self) -> Database:
        """The configured database, opened once; migrated first when the bot itself would
        migrate on start."""
        if self._database is None:
            from bot.store import Database

            database = Database(self.settings.database_url)
            self._database = database
            if self.settings.migrate_on_start:
                await database.migrate()
        return self._database

    async def capabilities(self) -> Capabilities:
        """Every capability's services on this process's database and Graph, built once. The
        notices they queue go to the outbox in the database; the running bot sends them."""
        if self._capabilities is None:
            from bot.composition import build_capabilities
            from bot.services.platform.clock import SystemClock

            self._capabilities = build_capabilities(
                self.settings,
                await self.database(),
                self._deferred_graph(),
                SystemClock(),
                link_secret=secrets.token_bytes(_UNUSED_LINK_SECRET_BYTES),
            )
        return self._capabilities

    async def graph(self, unreachable_key: str) -> DeferredGraph | None:
        """Microsoft Graph, opened once, or None: not configured, or it did not open (said once,
        with `unreachable_key`'s text). A command goes on without it where it can: ids instead
        of names, no seat counts.

        The capabilities are built on Graph all the same: without it, what they ask it is
        unavailable, as in the server when Graph cannot be opened (the intake then sends post to
        the mailroom's triage)."""
        if self._graph_opened is None:
            self._graph_opened = await self._open_graph(unreachable_key)
        return self._graph if self._graph_opened else None

    async def _open_graph(self, unreachable_key: str) -> bool:
        if not _graph_configured(self.settings):
            return False
        try:
            await self._deferred_graph().gateway()
        except Exception as error:  # the command goes on without it
            cause = error.__cause__ or error
            say_error(self.t(unreachable_key, error=type(cause).__name__))
            return False
        return True

    def _deferred_graph(self) -> DeferredGraph:
        if self._graph is None:
            from bot.graph import DeferredGraph

            self._graph = DeferredGraph(self.settings)
        return self._graph

    async def close(self) -> None:
        if self._capabilities is not None:
            await self._capabilities.close()
        if self._graph is not None:
            await self._graph.close()
        if self._database is not None:
            await self._database.dispose()


def _graph_configured(settings: Settings) -> bool:
    return bool(
        settings.azure_tenant_id
        and settings.azure_client_id
        and settings.azure_client_secret.get_secret_value()
    )


def in_context(command: ContextCommand) -> Command:
    """`command` as the parser runs it: the settings read, the context closed at the end."""

    def run(args: argparse.Namespace) -> int:
        return asyncio.run(_run(command, args))

    return run


async def _run(command: ContextCommand, args: argparse.Namespace) -> int:
    context = CliContext(Settings())
    try:
        return await command(args, context)
    finally:
        await context.close()


def say(text: str) -> None:
    print(text)


def say_error(text: str) -> None:
    print(text, file=sys.stderr)
