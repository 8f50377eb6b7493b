"""Buttons that run commands, and the welcome card sent when the app is installed."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bot.commands.dispatcher import ActionResult, Dispatcher
from bot.commands.registry import CommandSpec, Registry, card_action
from bot.services.platform.profile import Profiles
from bot.turn import Turn
from cards.base import MAX_COMMAND_ARGS
from cards.platform.system import welcome_card
from cards.platform.understanding import thanks_card
from cards.verbs import Verb


class RunCommand(BaseModel):
    command: str = Field(min_length=1, max_length=64)
    # What the command reads, as if typed after it ("Bedoel je ...?" buttons, "Opnieuw proberen").
    args: str = Field(default="", max_length=MAX_COMMAND_ARGS)


class StartDialog:
    def __init__(self, registry: Registry, dispatcher: Dispatcher, profiles: Profiles) -> None:
        self._registry = registry
        self._dispatcher = dispatcher
        self._profiles = profiles

    async def welcome(self, turn: Turn) -> None:
        first_name = await self._profiles.first_name(turn.caller)
        await turn.send_card(welcome_card(first_name, self._featured(turn), turn.t))

    async def greet(self, turn: Turn, thanks: bool) -> None:
        """ "hallo" gets the welcome again, "bedankt" a short "graag gedaan"; both end in the
        main buttons."""
        if thanks:
            await turn.send_card(thanks_card(self._featured(turn), turn.t))
        else:
            await self.welcome(turn)

    def _featured(self, turn: Turn) -> list[CommandSpec]:
        return [c.spec for c in self._registry.visible_to(turn.caller.roles) if c.spec.featured]

    # Its own answer says only "done"; the command it runs decides for itself where its answer
    # goes (a personal one from a channel goes to the 1:1 chat).
    @card_action(Verb.RUN_COMMAND, payload=RunCommand, personal=False)
    async def run_command(self, turn: Turn, data: RunCommand) -> ActionResult:
        # The command checks its own role; its answer arrives as a new message, and the clicked
        # card (welcome, suggestions) stays as it is.
        await self._dispatcher.run_command(turn, data.command, data.args)
        return ActionResult(message=turn.t("card.done"))
