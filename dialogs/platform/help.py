"""Help: generated from the registry, showing each caller only what they may run."""

from __future__ import annotations

from pydantic import BaseModel

from bot.commands.registry import Registry, card_action, command
from bot.i18n import N_
from bot.turn import Card, Turn
from cards.platform.help import help_card
from cards.verbs import Verb


class HelpDetails(BaseModel):
    examples: bool = False


class HelpDialog:
    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def card_for(self, turn: Turn, *, with_examples: bool) -> Card:
        visible = [c.spec for c in self._registry.visible_to(turn.caller.roles)]
        return help_card(visible, turn.t, with_examples=with_examples)

    @command(
        "help",
        nl=("hulp", "help", "helpen"),
        en=("help", "commands"),
        title_key=N_("cmd.help.title"),
        help_key=N_("cmd.help.help"),
        example_key=N_("cmd.help.example"),
        featured=True,
        order=900,
        personal=False,  # what the caller may run; nothing about anyone's data
    )
    async def show_help(self, turn: Turn, args: str) -> None:
        await turn.send_card(self.card_for(turn, with_examples=False))

    @card_action(Verb.HELP_DETAILS, payload=HelpDetails, personal=False)
    async def toggle_examples(self, turn: Turn, data: HelpDetails) -> Card:
        return self.card_for(turn, with_examples=data.examples)
