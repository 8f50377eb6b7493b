"""Profile: what the directory says about the caller, and which Werkplek roles follow from it."""

from __future__ import annotations

import asyncio

from bot.commands.registry import command
from bot.i18n import N_
from bot.ports.platform import Directory
from bot.turn import Turn
from cards.platform.profile import profile_card


class ProfileDialog:
    def __init__(self, directory: Directory) -> None:
        self._directory = directory

    @command(
        "profile",
        nl=("profiel", "wie ben ik", "mijn gegevens"),
        en=("profile", "who am i", "my details"),
        title_key=N_("cmd.profile.title"),
        help_key=N_("cmd.profile.help"),
        example_key=N_("cmd.profile.example"),
        featured=True,
        order=800,
    )
    async def show_profile(self, turn: Turn, args: str) -> None:
        user_id = turn.caller.user_id
        user, manager = await asyncio.gather(
            self._directory.get_user(user_id), self._directory.get_manager(user_id)
        )
        await turn.send_card(profile_card(user, manager, turn.caller.roles, turn.t))
